"""Expiry reminders (issue 11): a credential that qualifies its owner — a licence or an IMS
certification, verified and current — is announced to its owner 30 days and again 7 days
before it expires, once per window.

`manage.py send_reminders` runs this daily (README: the cron line). It asks "expires within
N days and not yet told for this window", not "expires in exactly N days", so a day the job
did not run is caught up the next; a credential first seen inside 7 days gets the 7-day
message only. Each message's dedupe_key (credential, expiry date, window) makes a second run
send nothing, and a renewed expiry date starts afresh.
"""

from datetime import date, timedelta

from django.db import transaction

from directory.models import Credential, CredentialKind, MessageKind, OutboundEmail
from directory.rules import live_credentials
from directory.services.notifications import notify

# Days before expiry; the tightest window a credential is inside is the one it is told of.
REMINDER_WINDOWS = (7, 30)
REMINDED_KINDS = (CredentialKind.LICENSE, CredentialKind.IMS_CERTIFICATION)


def reminder_window(*, expires_on: date, today: date) -> int | None:
    """The window (7 or 30) that `expires_on` is inside as of `today`, or None."""
    days_left = (expires_on - today).days
    for window in REMINDER_WINDOWS:
        if 0 <= days_left <= window:
            return window
    return None


def reminder_dedupe_key(*, credential: Credential, window: int) -> str:
    return f"credential:{credential.pk}:{credential.expires_on.isoformat()}:{window}"


def _due(*, today: date) -> list[tuple[Credential, int, str]]:
    credentials = (
        live_credentials(today=today)
        .filter(
            kind__in=REMINDED_KINDS,
            expires_on__isnull=False,
            expires_on__lte=today + timedelta(days=max(REMINDER_WINDOWS)),
            owner__is_active=True,
        )
        .select_related("owner")
        .order_by("expires_on", "id")
    )
    due = []
    for credential in credentials:
        window = reminder_window(expires_on=credential.expires_on, today=today)
        if window is not None:
            due.append(
                (credential, window, reminder_dedupe_key(credential=credential, window=window))
            )
    # One query for what was sent on earlier runs, rather than an INSERT refused per row.
    sent = set(
        OutboundEmail.objects.filter(dedupe_key__in=[key for _, _, key in due]).values_list(
            "dedupe_key", flat=True
        )
    )
    return [entry for entry in due if entry[2] not in sent]


def reminders_send(*, today: date) -> int:
    """Queues every expiry reminder due on `today`; returns how many."""
    count = 0
    for credential, window, key in _due(today=today):
        with transaction.atomic():
            row = notify(
                kind=MessageKind.CREDENTIAL_EXPIRING,
                recipient=credential.owner,
                params={"credential": credential.pk, "days": window},
                dedupe_key=key,
            )
        count += row is not None
    return count
