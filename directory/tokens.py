"""One-time links for e-mail: Django's token generator, never a home-made token.

A password-reset token dies when the password changes or the account signs in; an e-mail
confirmation token dies when the address is confirmed or changed. Both expire after
PASSWORD_RESET_TIMEOUT.
"""

from django.conf import settings
from django.contrib.auth.tokens import PasswordResetTokenGenerator, default_token_generator
from django.utils.encoding import force_bytes, force_str
from django.utils.http import urlsafe_base64_decode, urlsafe_base64_encode

from directory.models import User

password_reset_tokens = default_token_generator


class EmailConfirmationTokenGenerator(PasswordResetTokenGenerator):
    key_salt = "directory.tokens.EmailConfirmationTokenGenerator"

    def _make_hash_value(self, user: User, timestamp: int) -> str:
        return f"{user.pk}{user.email}{user.email_confirmation_pending}{timestamp}"


email_confirmation_tokens = EmailConfirmationTokenGenerator()


def uid_encode(user: User) -> str:
    return urlsafe_base64_encode(force_bytes(user.pk))


def uid_user(uid: str) -> User | None:
    """The account a link's uid names, or None for anything else (never raises)."""
    try:
        pk = int(force_str(urlsafe_base64_decode(uid)))
    except (TypeError, ValueError, OverflowError, UnicodeDecodeError):
        return None
    return User.objects.filter(pk=pk).first()


def link_hours() -> int:
    """How many hours an e-mailed link works (PASSWORD_RESET_TIMEOUT_HOURS)."""
    return settings.PASSWORD_RESET_TIMEOUT // 3600


def password_reset_user(uid: str, token: str) -> User | None:
    """The active account a password-reset link is alive for, or None."""
    user = uid_user(uid)
    if user is None or not user.is_active or not password_reset_tokens.check_token(user, token):
        return None
    return user
