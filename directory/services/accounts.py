"""Account writes: registration, API tokens (sign in / sign out), e-mail confirmation and
password reset."""

from django.conf import settings
from django.contrib.auth import authenticate
from django.contrib.auth.password_validation import validate_password
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.utils import timezone
from knox.models import AuthToken
from knox.settings import knox_settings

from directory.models import MessageKind, PhysicianProfile, PractitionerProfile, Role, User
from directory.services.notifications import notify
from directory.tokens import (
    email_confirmation_tokens,
    link_hours,
    password_reset_user,
    uid_user,
)

DUPLICATE_EMAIL = "An account with this e-mail address already exists; sign in instead."
INVALID_CREDENTIALS = "Unable to sign in with that e-mail and password."


class InvalidCredentials(Exception):
    """Wrong e-mail, wrong password or an inactive account: callers must not tell which."""


INVALID_LINK = (
    "This link is invalid or has expired: it works once, for {hours} hours. Ask for a new one."
)
EMAIL_NOT_CONFIRMED = (
    "Confirm your e-mail address first: follow the link we sent to it. No message? Ask for a "
    "new link."
)


class EmailNotConfirmed(Exception):
    """The password was right but the address still awaits confirmation."""


def _registration_errors(*, user: User, password: str, reveal_duplicate: bool) -> dict:
    errors: dict[str, list[str]] = {}
    if user.role not in Role.values:
        errors["role"] = [f"Unknown role; allowed: {', '.join(Role.values)}."]
    if reveal_duplicate and User.objects.filter(email__iexact=user.email).exists():
        errors["email"] = [DUPLICATE_EMAIL]
    try:
        # The unsaved user lets UserAttributeSimilarityValidator compare with e-mail and name.
        validate_password(password, user=user)
    except ValidationError as exc:
        errors["password"] = exc.messages
    return errors


def user_register(*, email: str, password: str, name: str, role: str) -> User:
    """Create the account and the profile its role needs, both or neither.

    With REQUIRE_EMAIL_CONFIRMATION the account waits for the e-mailed link before it can sign
    in, and an address that already has an account is answered exactly like a new one: its
    owner gets an e-mail saying so. Either way the caller gets back an unsaved copy (no id),
    so the answer never tells whether the address was taken."""
    confirming = settings.REQUIRE_EMAIL_CONFIRMATION
    user = User(email=User.objects.normalize_email(email.strip()).lower(), name=name, role=role)
    errors = _registration_errors(user=user, password=password, reveal_duplicate=not confirming)
    if errors:
        raise ValidationError(errors)
    user.set_password(password)  # hashed on both paths, so timing tells nothing either
    user.email_confirmation_pending = confirming
    try:
        with transaction.atomic():
            existing = User.objects.filter(email__iexact=user.email).first() if confirming else None
            if existing is not None:
                if existing.is_active:
                    notify(kind=MessageKind.ACCOUNT_EXISTS, recipient=existing)
                return User(email=user.email, name=name, role=role)
            user.save()
            if role == Role.PRACTITIONER:
                PractitionerProfile.objects.create(user=user)
            elif role == Role.PHYSICIAN:
                PhysicianProfile.objects.create(user=user)
            if confirming:
                notify(kind=MessageKind.EMAIL_CONFIRMATION, recipient=user)
    except IntegrityError:
        # Two registrations racing for one address: the unique index decides.
        if not confirming:
            raise ValidationError({"email": [DUPLICATE_EMAIL]}) from None
    if confirming:
        return User(email=user.email, name=name, role=role)
    return user


def user_check_confirmed(user: User) -> None:
    """Raises EmailNotConfirmed while the account's address awaits confirmation. Only asked
    after the password was checked, so it tells nothing to someone without it."""
    if settings.REQUIRE_EMAIL_CONFIRMATION and user.email_confirmation_pending:
        raise EmailNotConfirmed(EMAIL_NOT_CONFIRMED)


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
    user_check_confirmed(user)
    with transaction.atomic():
        _prune_tokens(user=user)
        instance, token = AuthToken.objects.create(user)
        user.last_login = timezone.now()
        user.save(update_fields=["last_login"])
    return instance, token


def user_logout(*, token: AuthToken) -> None:
    """Revoke the token the request was signed with; the user's other devices stay signed in."""
    token.delete()


# --- e-mail confirmation and password reset (issue 11) -------------------------------------


def _invalid_link(field: str = "token") -> ValidationError:
    return ValidationError({field: [INVALID_LINK.format(hours=link_hours())]}, code="invalid_link")


def _active_user_by_email(email: str) -> User | None:
    return User.objects.filter(email__iexact=email.strip(), is_active=True).first()


def password_reset_request(*, email: str) -> None:
    """E-mail a reset link when an active account uses `email`; otherwise nothing. Callers
    answer the same either way, so the answer never tells whether an account exists."""
    user = _active_user_by_email(email)
    if user is None:
        return
    with transaction.atomic():
        notify(kind=MessageKind.PASSWORD_RESET, recipient=user)


def password_reset_confirm(*, uid: str, token: str, password: str) -> User:
    """Set a new password from an e-mailed link. The link dies with it (the token hashes the
    old password), every API token of the account is revoked, and every session ends: Django
    ends a session whose password hash no longer matches. Following the link also proves the
    address, so a pending confirmation is settled."""
    user = password_reset_user(uid, token)
    if user is None:
        raise _invalid_link()
    try:
        validate_password(password, user=user)
    except ValidationError as exc:
        raise ValidationError({"password": exc.messages}) from None
    with transaction.atomic():
        user.set_password(password)
        user.email_confirmation_pending = False
        user.save(update_fields=["password", "email_confirmation_pending"])
        AuthToken.objects.filter(user=user).delete()
    return user


def email_confirm(*, uid: str, token: str) -> User:
    """Confirm the address an e-mailed link was sent to; the link works once."""
    user = uid_user(uid)
    if (
        user is None
        or not user.is_active
        or not user.email_confirmation_pending
        or not email_confirmation_tokens.check_token(user, token)
    ):
        raise _invalid_link()
    user.email_confirmation_pending = False
    user.save(update_fields=["email_confirmation_pending"])
    return user


def email_confirmation_resend(*, email: str) -> None:
    """Send the confirmation link again when an account awaits it at `email`; otherwise
    nothing (the answer is the same either way)."""
    user = _active_user_by_email(email)
    if user is None or not user.email_confirmation_pending:
        return
    with transaction.atomic():
        notify(kind=MessageKind.EMAIL_CONFIRMATION, recipient=user)
