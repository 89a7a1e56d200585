"""Review invitations: single-use codes a practitioner hands to a patient (SPEC §3).

A code is 12 characters from an alphabet without look-alikes (no 0/O, 1/I/L), shown in
groups of four ("K7QX-3M9P-2AZD") so that it can be read aloud or typed from paper:
31**12 ≈ 8·10^17 codes, far beyond guessing under the invitation throttle. Only its SHA-256
is stored, so a leaked table yields no usable code.
"""

import hashlib
import secrets
from datetime import datetime, timedelta

from django.conf import settings
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.validators import validate_email
from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.formats import date_format

from directory.models import MessageKind, PractitionerProfile, ReviewInvitation
from directory.rules import practitioner_is_active
from directory.services.notifications import notify

CODE_ALPHABET = "23456789ABCDEFGHJKMNPQRSTUVWXYZ"
CODE_LENGTH = 12
CODE_GROUP = 4
CODE_FIELD = "invitation_code"
EMAIL_FIELD = "email"
EMAIL_MAX = 254

MESSAGE_EMAIL = (
    "Enter a valid e-mail address (like name@example.org), or leave it out to only be "
    "shown the code."
)

MESSAGE_UNKNOWN = (
    "This invitation code is not valid. Check it against the code your practitioner gave "
    "you (12 letters and digits, like K7QX-3M9P-2AZD), or submit without a code."
)
MESSAGE_OTHER_PRACTITIONER = (
    "This invitation code was issued by another practitioner; it can only verify a review "
    "of the practitioner who issued it."
)
MESSAGE_USED = (
    "This invitation code has already been used; each code verifies one review. "
    "Ask your practitioner for a new one, or submit without a code."
)
MESSAGE_EXPIRED = (
    "This invitation code expired on {date}. Ask your practitioner for a new one, "
    "or submit without a code."
)


def invitation_code_normalize(code: str) -> str:
    """What the patient typed, without case, dashes or spaces: "k7qx 3m9p-2azd" → "K7QX3M9P2AZD"."""
    return "".join(ch for ch in code.upper() if ch not in "- \t")


def invitation_code_hash(code: str) -> str:
    return hashlib.sha256(invitation_code_normalize(code).encode()).hexdigest()


def invitation_code_format(raw: str) -> str:
    return "-".join(raw[i : i + CODE_GROUP] for i in range(0, len(raw), CODE_GROUP))


def _email_check(email: str) -> None:
    # The message never quotes the address: it is neither stored nor logged, nor echoed.
    if len(email) > EMAIL_MAX:
        raise ValidationError({EMAIL_FIELD: [f"At most {EMAIL_MAX} characters."]})
    try:
        validate_email(email)
    except ValidationError:
        raise ValidationError({EMAIL_FIELD: [MESSAGE_EMAIL]}) from None


def _draw(practitioner: PractitionerProfile) -> tuple[ReviewInvitation, str]:
    expires_at = timezone.now() + timedelta(days=settings.INVITATION_TTL_DAYS)
    # A collision of two random 60-bit codes is practically impossible; retrying costs nothing
    # and keeps even that case from becoming a 500.
    for _attempt in range(3):
        raw = "".join(secrets.choice(CODE_ALPHABET) for _ in range(CODE_LENGTH))
        try:
            with transaction.atomic():
                invitation = ReviewInvitation.objects.create(
                    practitioner=practitioner,
                    code_hash=invitation_code_hash(raw),
                    expires_at=expires_at,
                )
        except IntegrityError:
            continue
        return invitation, invitation_code_format(raw)
    raise RuntimeError("Could not draw an unused invitation code")


def invitation_issue(
    *, practitioner: PractitionerProfile, email: str | None = None
) -> tuple[ReviewInvitation, str]:
    """A new invitation and its code, which is shown once and never stored. With `email`,
    the code is also e-mailed there; the address travels only in the delivery task's
    arguments (erased once delivered) and is never stored in a row or logged."""
    if not practitioner_is_active(practitioner):
        raise PermissionDenied("A deactivated practitioner profile cannot issue invitations.")
    email = (email or "").strip()
    if email:
        _email_check(email)
    with transaction.atomic():
        invitation, code = _draw(practitioner)
        if email:
            notify(
                kind=MessageKind.REVIEW_INVITATION,
                recipient=None,
                params={"practitioner": practitioner.pk},
                extra={
                    "email": email,
                    "practitioner_name": str(practitioner),
                    "code": code,
                    "expires_on": date_format(
                        timezone.localtime(invitation.expires_at).date(), "j F Y"
                    ),
                },
            )
    return invitation, code


def _refuse(message: str, code: str) -> ValidationError:
    return ValidationError({CODE_FIELD: [ValidationError(message, code=code)]})


def invitation_redeem(
    *, practitioner_id: int, code: str, now: datetime, keep_id: int | None = None
) -> ReviewInvitation | None:
    """Locks and checks the invitation behind `code` for a review of `practitioner_id`.

    Call inside the review's transaction: the row lock makes a second, concurrent review
    with the same code wait, then see it used. Returns the invitation to mark used, or None
    when `code` is the invitation `keep_id` (it verified the review now being replaced).
    Raises ValidationError on "invitation_code" — nothing is written.
    """
    invitation = (
        ReviewInvitation.objects.select_for_update()
        .filter(code_hash=invitation_code_hash(code))
        .first()
    )
    if invitation is None:
        raise _refuse(MESSAGE_UNKNOWN, "invitation_unknown")
    if invitation.practitioner_id != practitioner_id:
        raise _refuse(MESSAGE_OTHER_PRACTITIONER, "invitation_other_practitioner")
    if keep_id is not None and invitation.pk == keep_id:
        return None
    if invitation.used_at is not None:
        raise _refuse(MESSAGE_USED, "invitation_used")
    if invitation.expires_at <= now:
        day = timezone.localtime(invitation.expires_at).date().isoformat()
        raise _refuse(MESSAGE_EXPIRED.format(date=day), "invitation_expired")
    return invitation
