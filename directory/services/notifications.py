"""E-mail notifications: record them in the outbox, deliver them from the worker.

`notify()` is called by the services inside the transaction of the write it reports, so the
message exists exactly when the write does. With the database task backend the delivery task
is queued in that same transaction; with any other backend, once it commits. The worker then
calls `outbox_deliver()`: a temporary failure (the SMTP server down, a 4xx answer) is tried
again after EMAIL_RETRY_SECONDS, doubling up to EMAIL_RETRY_MAX_SECONDS, until delivered; a
permanent refusal (a 5xx answer) is recorded and not tried again. A row already sent is never
sent twice.
"""

import logging
import smtplib
from datetime import timedelta

from django.conf import settings
from django.db import IntegrityError, transaction
from django.utils import timezone
from django_tasks import task_backends

from directory.messages import MessageGone, message_build
from directory.models import NON_ESSENTIAL_KINDS, OutboundEmail, User

logger = logging.getLogger(__name__)

ERROR_MAX = 500


def _queue_in_transaction() -> bool:
    from django_tasks_db import DatabaseBackend

    return isinstance(task_backends["default"], DatabaseBackend)


def _enqueue(*, outbox_id: int, extra: dict | None, run_after=None) -> None:
    from directory.tasks import deliver_email

    task = deliver_email if run_after is None else deliver_email.using(run_after=run_after)
    task.enqueue(outbox_id=outbox_id, extra=extra)


def notify(
    *,
    kind: str,
    recipient: User | None,
    params: dict | None = None,
    extra: dict | None = None,
    dedupe_key: str | None = None,
) -> OutboundEmail | None:
    """Record one message and queue its delivery. Returns None when nothing is to be sent:
    the recipient is deactivated, or turned this (non-essential) kind off, or a message with
    the same `dedupe_key` exists already.

    `params` are references the message is rendered from (ids, a status), kept in the outbox;
    `extra` is what must not be stored (an address, a code): it lives only in the queue until
    the message is delivered. Neither may carry health information."""
    if recipient is not None:
        if not recipient.is_active:
            return None
        if kind in NON_ESSENTIAL_KINDS and not recipient.email_notifications:
            return None
    try:
        with transaction.atomic():
            row = OutboundEmail.objects.create(
                kind=kind, recipient=recipient, params=params or {}, dedupe_key=dedupe_key
            )
    except IntegrityError:
        if dedupe_key and OutboundEmail.objects.filter(dedupe_key=dedupe_key).exists():
            return None
        raise
    if _queue_in_transaction():
        _enqueue(outbox_id=row.pk, extra=extra)
    else:
        transaction.on_commit(lambda: _enqueue(outbox_id=row.pk, extra=extra), robust=True)
    return row


def _describe(exc: BaseException) -> str:
    # The exception, never the message: SMTP errors quote the server's answer, not the body.
    return f"{type(exc).__name__}: {exc}"[:ERROR_MAX]


def _permanent(exc: BaseException) -> bool:
    if isinstance(exc, smtplib.SMTPRecipientsRefused):
        return all(code >= 500 for code, _ in exc.recipients.values())
    return isinstance(exc, smtplib.SMTPResponseException) and exc.smtp_code >= 500


def retry_delay(attempts: int) -> timedelta:
    """After the n-th failed attempt: EMAIL_RETRY_SECONDS · 2^(n-1), at most the maximum."""
    seconds = settings.EMAIL_RETRY_SECONDS * 2 ** min(attempts - 1, 30)
    return timedelta(seconds=min(seconds, settings.EMAIL_RETRY_MAX_SECONDS))


def _forget_extra(task_result_id: str | None, outbox_id: int) -> None:
    """Erase the task's `extra` (an address, a code) from the database queue once this attempt
    is over; a retry carries its own copy."""
    if task_result_id is None or not _queue_in_transaction():
        return
    from django_tasks_db.models import DBTaskResult

    DBTaskResult.objects.filter(pk=task_result_id).update(
        args_kwargs={"args": [], "kwargs": {"outbox_id": outbox_id, "extra": None}}
    )


def outbox_deliver(
    *, outbox_id: int, extra: dict | None = None, task_result_id: str | None = None
) -> str:
    """Send one outbox row. Returns what happened, for the task's result."""
    try:
        return _deliver(outbox_id=outbox_id, extra=extra)
    finally:
        if extra:
            _forget_extra(task_result_id, outbox_id)


def _deliver(*, outbox_id: int, extra: dict | None) -> str:
    row = OutboundEmail.objects.select_related("recipient").filter(pk=outbox_id).first()
    if row is None:
        return "gone"
    if row.sent_at is not None or row.failed_at is not None:
        return "already done"
    now = timezone.now()
    try:
        message = message_build(row, extra)
    except MessageGone as gone:
        OutboundEmail.objects.filter(pk=row.pk).update(
            failed_at=now, last_error=f"nothing to send: {gone} no longer exists"[:ERROR_MAX]
        )
        return "gone"
    attempts = row.attempts + 1
    try:
        message.send()
    except (smtplib.SMTPException, OSError) as exc:
        if _permanent(exc):
            OutboundEmail.objects.filter(pk=row.pk).update(
                attempts=attempts, last_error=_describe(exc), failed_at=now, next_attempt_at=None
            )
            logger.error("E-mail %s (%s) refused for good: %s", row.pk, row.kind, _describe(exc))
            return "refused"
        delay = retry_delay(attempts)
        next_at = now + delay
        with transaction.atomic():
            OutboundEmail.objects.filter(pk=row.pk).update(
                attempts=attempts, last_error=_describe(exc), next_attempt_at=next_at
            )
            if task_backends["default"].supports_defer:
                _enqueue(outbox_id=row.pk, extra=extra, run_after=next_at)
        logger.warning(
            "E-mail %s (%s) not delivered on attempt %s (%s); next attempt in %ss",
            row.pk,
            row.kind,
            attempts,
            _describe(exc),
            int(delay.total_seconds()),
        )
        return f"retry in {int(delay.total_seconds())}s"
    OutboundEmail.objects.filter(pk=row.pk).update(
        attempts=attempts, sent_at=timezone.now(), last_error="", next_attempt_at=None
    )
    return "sent"
