"""Account writes: registration, API tokens (sign in / sign out)."""

from django.contrib.auth import authenticate
from django.contrib.auth.password_validation import validate_password
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.utils import timezone
from knox.models import AuthToken
from knox.settings import knox_settings

from directory.models import PhysicianProfile, PractitionerProfile, Role, User

DUPLICATE_EMAIL = "An account with this e-mail address already exists; sign in instead."
INVALID_CREDENTIALS = "Unable to sign in with that e-mail and password."


class InvalidCredentials(Exception):
    """Wrong e-mail, wrong password or an inactive account: callers must not tell which."""


def _registration_errors(*, user: User, password: str) -> dict[str, list[str]]:
    errors: dict[str, list[str]] = {}
    if user.role not in Role.values:
        errors["role"] = [f"Unknown role; allowed: {', '.join(Role.values)}."]
    if User.objects.filter(email__iexact=user.email).exists():
        errors["email"] = [DUPLICATE_EMAIL]
    try:
        # The unsaved user lets UserAttributeSimilarityValidator compare with e-mail and name.
        validate_password(password, user=user)
    except ValidationError as exc:
        errors["password"] = exc.messages
    return errors


def user_register(*, email: str, password: str, name: str, role: str) -> User:
    """Create the account and the profile its role needs, both or neither."""
    user = User(email=User.objects.normalize_email(email.strip()).lower(), name=name, role=role)
    errors = _registration_errors(user=user, password=password)
    if errors:
        raise ValidationError(errors)
    user.set_password(password)
    try:
        with transaction.atomic():
            user.save()
            if role == Role.PRACTITIONER:
                PractitionerProfile.objects.create(user=user)
            elif role == Role.PHYSICIAN:
                PhysicianProfile.objects.create(user=user)
    except IntegrityError:
        # Two registrations racing for one address: the unique index decides.
        raise ValidationError({"email": [DUPLICATE_EMAIL]}) from None
    return user


def _prune_tokens(*, user: User) -> None:
    """Drop expired tokens, then the oldest beyond TOKEN_LIMIT_PER_USER - 1, so that a new
    sign-in always succeeds and a user never holds more live tokens than the limit."""
    tokens = AuthToken.objects.filter(user=user)
    tokens.filter(expiry__lt=timezone.now()).delete()
    limit = knox_settings.TOKEN_LIMIT_PER_USER
    if limit is not None:
        keep = max(limit - 1, 0)
        stale = tokens.order_by("-created").values_list("digest", flat=True)[keep:]
        AuthToken.objects.filter(digest__in=list(stale)).delete()


def user_login(*, email: str, password: str) -> tuple[AuthToken, str]:
    """A new API token for the account: (stored row, raw token). The raw token exists only in
    this return value; knox keeps a hash."""
    user = authenticate(None, email=email.strip().lower(), password=password)
    if user is None:
        # ModelBackend refuses inactive users and hashes even for unknown e-mails, so neither
        # the answer nor its timing tells an account exists.
        raise InvalidCredentials(INVALID_CREDENTIALS)
    with transaction.atomic():
        _prune_tokens(user=user)
        instance, token = AuthToken.objects.create(user)
        user.last_login = timezone.now()
        user.save(update_fields=["last_login"])
    return instance, token


def user_logout(*, token: AuthToken) -> None:
    """Revoke the token the request was signed with; the user's other devices stay signed in."""
    token.delete()
