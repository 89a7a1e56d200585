"""What each e-mail says: its subject, its templates and the facts it is rendered from.

Every message has a plain-text and an HTML body, `templates/email/<kind>.txt` and `.html`,
both extending `email/base.*`. A message is rendered when the worker sends it, from the
references its outbox row holds (`params`) and, for what must not be stored, the task's own
arguments (`extra`).

The minimum necessary (issue 11): no message carries a referral's reason, its patient
reference, its condition or outcome, a review's text, or any health answer. A referral
message names the other party, the new status and a link; nothing here reads those fields,
and tests/directory/test_email_content.py renders every kind with distinctive values in them.
"""

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from django.conf import settings
from django.core.mail import EmailMultiAlternatives
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone

from directory.models import (
    Credential,
    CredentialKind,
    MessageKind,
    OutboundEmail,
    Referral,
    ReferralStatus,
    Review,
    Role,
    User,
)
from directory.models.outbox import NON_ESSENTIAL_KINDS
from directory.tokens import (
    email_confirmation_tokens,
    link_hours,
    password_reset_tokens,
    uid_encode,
)


class MessageGone(Exception):
    """What the message was about no longer exists (a deleted account or row): nothing to send."""


def absolute(name: str, **kwargs: Any) -> str:
    return settings.SITE_URL + reverse(name, kwargs=kwargs or None)


def _password_reset(row: OutboundEmail, extra: dict) -> dict:
    user = row.recipient
    uid, token = uid_encode(user), password_reset_tokens.make_token(user)
    return {
        "link": absolute("web:password_reset_confirm", uidb64=uid, token=token),
        "uid": uid,
        "token": token,
        "hours": link_hours(),
    }


def _email_confirmation(row: OutboundEmail, extra: dict) -> dict:
    user = row.recipient
    uid, token = uid_encode(user), email_confirmation_tokens.make_token(user)
    return {
        "link": absolute("web:confirm_email", uidb64=uid, token=token),
        "uid": uid,
        "token": token,
        "hours": link_hours(),
    }


def _account_exists(row: OutboundEmail, extra: dict) -> dict:
    return {
        "signin_link": absolute("web:signin"),
        "reset_link": absolute("web:password_reset"),
    }


def _referral(row: OutboundEmail) -> Referral:
    referral = (
        Referral.objects.select_related("physician__user", "practitioner__user")
        .filter(pk=row.params.get("referral"))
        .first()
    )
    if referral is None:
        raise MessageGone(f"referral {row.params.get('referral')}")
    return referral


def _referral_link(user: User) -> str:
    if user.role == Role.PRACTITIONER:
        return absolute("web:dashboard_referrals")
    return absolute("web:dashboard")


def _referral_sent(row: OutboundEmail, extra: dict) -> dict:
    referral = _referral(row)
    return {
        "physician_name": str(referral.physician),
        "link": _referral_link(row.recipient),
    }


def _referral_status(row: OutboundEmail, extra: dict) -> dict:
    referral = _referral(row)
    status = ReferralStatus(row.params["status"])
    to_practitioner = row.recipient_id == referral.practitioner.user_id
    return {
        "status": status.value,
        "status_label": status.label.lower(),
        "to_practitioner": to_practitioner,
        "physician_name": str(referral.physician),
        "practitioner_name": str(referral.practitioner),
        "link": _referral_link(row.recipient),
    }


# As a sentence names them ("your professional licence", "your IMS certification").
CREDENTIAL_NAMES = {
    CredentialKind.LICENSE: "professional licence",
    CredentialKind.IMS_CERTIFICATION: "IMS certification",
    CredentialKind.TRAINING: "training",
}


def _credential(row: OutboundEmail) -> Credential:
    credential = Credential.objects.filter(pk=row.params.get("credential")).first()
    if credential is None:
        raise MessageGone(f"credential {row.params.get('credential')}")
    return credential


def _credential_facts(credential: Credential) -> dict:
    return {
        "credential_kind": CREDENTIAL_NAMES[credential.kind],
        "issuer": credential.issuer,
        "number": credential.number,
        "link": absolute("web:dashboard_credentials"),
    }


def _credential_decision(row: OutboundEmail, extra: dict) -> dict:
    credential = _credential(row)
    return {
        **_credential_facts(credential),
        "verified": row.params["status"] == "verified",
        "note": credential.note,
    }


def _credential_register_pending(row: OutboundEmail, extra: dict) -> dict:
    credential = _credential(row)
    return {
        **_credential_facts(credential),
        "register": row.params["register"],
        "register_status": row.params["register_status"],
        "absent": row.params["register_status"] == "absent",
        "checked_on": row.params["checked_on"],
    }


def _when(days: int) -> str:
    return {0: "today", 1: "tomorrow"}.get(days, f"in {days} days")


def _credential_expiring(row: OutboundEmail, extra: dict) -> dict:
    credential = _credential(row)
    return {
        **_credential_facts(credential),
        # The days left when it is sent (the reminder's window is 30 or 7; a day the
        # reminders did not run is caught up later, with fewer days left).
        "days_text": _when((credential.expires_on - timezone.localdate()).days),
        "expires_on": credential.expires_on,
        "is_licence": credential.kind == CredentialKind.LICENSE,
    }


def _review_new(row: OutboundEmail, extra: dict) -> dict:
    review = Review.objects.filter(pk=row.params.get("review")).first()
    if review is None:
        raise MessageGone(f"review {row.params.get('review')}")
    return {"link": absolute("web:practitioner", practitioner_id=review.practitioner_id)}


def _review_invitation(row: OutboundEmail, extra: dict) -> dict:
    return {
        "practitioner_name": extra["practitioner_name"],
        "code": extra["code"],
        "expires_on": extra["expires_on"],
        "link": absolute("web:review", practitioner_id=row.params["practitioner"]),
    }


@dataclass(frozen=True)
class Message:
    subject: str
    context: Callable[[OutboundEmail, dict], dict]


CATALOGUE: dict[str, Message] = {
    MessageKind.PASSWORD_RESET: Message("Reset your password", _password_reset),
    MessageKind.EMAIL_CONFIRMATION: Message("Confirm your e-mail address", _email_confirmation),
    MessageKind.ACCOUNT_EXISTS: Message("You already have an account", _account_exists),
    MessageKind.REFERRAL_SENT: Message("You have a new referral", _referral_sent),
    MessageKind.REFERRAL_STATUS: Message("A referral is now {status_label}", _referral_status),
    MessageKind.CREDENTIAL_DECISION: Message(
        "Your credential was {decision}", _credential_decision
    ),
    MessageKind.CREDENTIAL_EXPIRING: Message(
        "Your {credential_kind} expires {days_text}", _credential_expiring
    ),
    MessageKind.CREDENTIAL_REGISTER_PENDING: Message(
        "Your licence is back to pending verification", _credential_register_pending
    ),
    MessageKind.REVIEW_NEW: Message("You have a new review", _review_new),
    MessageKind.REVIEW_INVITATION: Message(
        "{practitioner_name} invites you to review your treatment", _review_invitation
    ),
}


def message_context(row: OutboundEmail, extra: dict | None = None) -> dict:
    context = CATALOGUE[row.kind].context(row, extra or {})
    if "verified" in context:
        context["decision"] = "verified" if context["verified"] else "rejected"
    return {
        **context,
        "recipient_name": row.recipient.name if row.recipient else "",
        "site_url": settings.SITE_URL,
        "optional": row.kind in NON_ESSENTIAL_KINDS,
        "preferences_link": absolute("web:dashboard") if row.recipient else "",
    }


def message_build(row: OutboundEmail, extra: dict | None = None) -> EmailMultiAlternatives:
    """The e-mail for one outbox row, ready to send. Raises MessageGone when its subject was
    deleted since."""
    if row.recipient_id is None:
        to = (extra or {}).get("email")
    else:
        to = row.recipient.email
    if not to:
        raise MessageGone("no address")
    context = message_context(row, extra)
    subject = CATALOGUE[row.kind].subject.format(**context)
    message = EmailMultiAlternatives(
        subject=subject,
        body=render_to_string(f"email/{row.kind}.txt", context),
        to=[to],
    )
    message.attach_alternative(render_to_string(f"email/{row.kind}.html", context), "text/html")
    return message
