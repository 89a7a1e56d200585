from django.contrib.auth.models import AbstractBaseUser, BaseUserManager, PermissionsMixin
from django.db import models
from django.utils import timezone

from directory import limits


class Role(models.TextChoices):
    PATIENT = "patient", "Patient"
    PHYSICIAN = "physician", "Referring physician"
    PRACTITIONER = "practitioner", "IMS practitioner"


class UserManager(BaseUserManager["User"]):
    use_in_migrations = True

    def create_user(self, email: str, password: str | None = None, **extra) -> "User":
        if not email:
            raise ValueError("An e-mail address is required")
        user = self.model(email=self.normalize_email(email).lower(), **extra)
        user.set_password(password)
        user.save(using=self._db)
        return user

    def get_by_natural_key(self, username: str) -> "User":
        # Sign-in ignores the case of the address; registration keeps addresses unique
        # case-insensitively, so at most one row matches.
        return self.get(email__iexact=username)

    def create_superuser(self, email: str, password: str | None = None, **extra) -> "User":
        extra.setdefault("is_staff", True)
        extra.setdefault("is_superuser", True)
        extra.setdefault("role", Role.PATIENT)
        return self.create_user(email, password, **extra)


class User(AbstractBaseUser, PermissionsMixin):
    """An account; e-mail is the login. Staff users are the moderators."""

    email = models.EmailField(unique=True)
    name = models.CharField(max_length=limits.NAME_MAX, blank=True)
    role = models.CharField(max_length=20, choices=Role.choices, default=Role.PATIENT)
    is_active = models.BooleanField(default=True)
    is_staff = models.BooleanField(default=False)
    date_joined = models.DateTimeField(default=timezone.now)
    # Set at registration while REQUIRE_EMAIL_CONFIRMATION is on; cleared by the e-mailed link.
    # Sign-in refuses such an account only while the setting is on.
    email_confirmation_pending = models.BooleanField(default=False)
    # Off: no non-essential e-mail (new review, referral status). Account messages always go.
    email_notifications = models.BooleanField(default=True)

    objects = UserManager()

    USERNAME_FIELD = "email"
    EMAIL_FIELD = "email"
    REQUIRED_FIELDS: list[str] = []

    class Meta:
        constraints = [
            models.CheckConstraint(
                condition=models.Q(role__in=Role.values), name="user_role_valid"
            ),
        ]

    def __str__(self) -> str:
        return self.email

    @property
    def is_moderator(self) -> bool:
        """The one home of "moderator" (SPEC §2): the API's IsModerator, the admin's moderation
        pages (directory.admin.moderator), the services and selectors all ask this."""
        return self.is_active and self.is_staff
