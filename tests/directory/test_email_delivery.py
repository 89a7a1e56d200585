"""Delivery through the outbox, the database queue's worker and a real SMTP server: sent
once, retried with backoff while the server is down, never lost, never sent twice."""

import smtplib

import pytest
from django.utils import timezone
from django_tasks_db.models import DBTaskResult

from directory.models import MessageKind, OutboundEmail
from directory.services.notifications import notify, outbox_deliver, retry_delay
from tests.factories import CredentialFactory, PractitionerFactory
from tests.mail import run_worker, text_of

NOTE = "Checked against the register."


def _decision(credential):
    return notify(
        kind=MessageKind.CREDENTIAL_DECISION,
        recipient=credential.owner,
        params={"credential": credential.pk, "status": "verified"},
    )


def test_the_worker_delivers_a_queued_message_once_through_smtp(smtp_sink):
    credential = CredentialFactory(owner=PractitionerFactory().user, verified=True, note=NOTE)
    row = _decision(credential)

    assert smtp_sink.received == []  # nothing is sent in the request; the worker sends
    run_worker()
    run_worker()  # a second run finds nothing to do

    message = smtp_sink.only(credential.owner.email)
    assert message["Subject"] == "Your credential was verified"
    assert message["From"] == "IMS Directory <no-reply@localhost>"
    assert "A moderator verified your professional licence" in text_of(message)
    assert "The moderator's note: Checked against the register." in text_of(message)
    assert message.get_body(preferencelist=("html",)) is not None
    row.refresh_from_db()
    assert row.sent_at is not None
    assert (row.attempts, row.last_error, row.failed_at) == (1, "", None)


def test_smtp_down_then_up_delivers_once(smtp_sink, settings, time_machine):
    settings.EMAIL_RETRY_SECONDS = 60
    credential = CredentialFactory(owner=PractitionerFactory().user, verified=True, note=NOTE)
    smtp_sink.stop()
    row = _decision(credential)

    run_worker()  # refused: the server is down, so the worker schedules another attempt
    row.refresh_from_db()
    assert row.sent_at is None
    assert row.attempts == 1
    assert row.last_error.startswith("ConnectionRefusedError")
    assert row.next_attempt_at is not None
    assert smtp_sink.received == []

    smtp_sink.start()
    time_machine.move_to(row.next_attempt_at, tick=True)
    run_worker()
    run_worker()
    assert len(smtp_sink.to(credential.owner.email)) == 1
    row.refresh_from_db()
    assert row.sent_at is not None
    assert (row.attempts, row.last_error, row.next_attempt_at) == (2, "", None)


def test_a_retry_waits_for_its_backoff(smtp_sink, settings, time_machine):
    settings.EMAIL_RETRY_SECONDS = 30
    credential = CredentialFactory(owner=PractitionerFactory().user, verified=True, note=NOTE)
    smtp_sink.stop()
    row = _decision(credential)
    run_worker()
    smtp_sink.start()

    run_worker()  # the server is back, but the next attempt is not due yet
    assert smtp_sink.received == []
    time_machine.move_to(timezone.now() + retry_delay(1), tick=True)
    run_worker()
    assert len(smtp_sink.received) == 1
    row.refresh_from_db()
    assert row.attempts == 2


def test_backoff_doubles_up_to_the_maximum(settings):
    settings.EMAIL_RETRY_SECONDS = 30
    settings.EMAIL_RETRY_MAX_SECONDS = 3600
    assert [retry_delay(n).total_seconds() for n in (1, 2, 3, 7, 8, 50)] == [
        30,
        60,
        120,
        1920,
        3600,
        3600,
    ]


def test_a_permanent_refusal_is_recorded_and_not_retried(smtp_sink, monkeypatch):
    credential = CredentialFactory(owner=PractitionerFactory().user, verified=True, note=NOTE)
    row = _decision(credential)

    def refuse(self, *args, **kwargs):
        raise smtplib.SMTPRecipientsRefused({credential.owner.email: (550, b"No such user")})

    monkeypatch.setattr("django.core.mail.backends.smtp.EmailBackend.send_messages", refuse)
    run_worker()
    row.refresh_from_db()
    assert row.sent_at is None and row.failed_at is not None
    assert row.attempts == 1
    assert "SMTPRecipientsRefused" in row.last_error
    assert DBTaskResult.objects.ready().count() == 0  # nothing queued again


def test_a_message_about_a_deleted_row_is_dropped_not_retried(smtp_sink):
    credential = CredentialFactory(owner=PractitionerFactory().user, verified=True, note=NOTE)
    row = notify(
        kind=MessageKind.CREDENTIAL_DECISION,
        recipient=credential.owner,
        params={"credential": credential.pk + 1000, "status": "verified"},
    )
    run_worker()
    row.refresh_from_db()
    assert row.failed_at is not None and row.sent_at is None
    assert row.last_error == f"nothing to send: credential {credential.pk + 1000} no longer exists"
    assert smtp_sink.received == []


def test_an_already_sent_row_is_not_sent_again(db, mailoutbox):
    credential = CredentialFactory(owner=PractitionerFactory().user, verified=True, note=NOTE)
    row = OutboundEmail.objects.create(
        kind=MessageKind.CREDENTIAL_DECISION,
        recipient=credential.owner,
        params={"credential": credential.pk, "status": "verified"},
        sent_at=timezone.now(),
        attempts=1,
    )
    assert outbox_deliver(outbox_id=row.pk) == "already done"
    assert mailoutbox == []


def test_what_must_not_be_stored_leaves_the_queue_once_delivered(smtp_sink):
    practitioner = PractitionerFactory()
    notify(
        kind=MessageKind.REVIEW_INVITATION,
        recipient=None,
        params={"practitioner": practitioner.pk},
        extra={
            "email": "invited.patient@example.org",
            "code": "K7QX-3M9P-2AZD",
            "practitioner_name": "Dr. Ada Example",
            "expires_on": "31 January 2027",
        },
    )
    queued = DBTaskResult.objects.get()
    assert queued.args_kwargs["kwargs"]["extra"]["email"] == "invited.patient@example.org"

    run_worker()
    assert "K7QX-3M9P-2AZD" in text_of(smtp_sink.only("invited.patient@example.org"))
    queued.refresh_from_db()
    assert "invited.patient" not in str(queued.args_kwargs)
    assert "K7QX" not in str(queued.args_kwargs)
    row = OutboundEmail.objects.get()
    assert row.recipient is None and "invited" not in str(row.params)


@pytest.mark.parametrize("kind", [MessageKind.REVIEW_NEW, MessageKind.REFERRAL_STATUS])
def test_notifications_off_skips_only_the_non_essential(db, kind):
    user = PractitionerFactory().user
    user.email_notifications = False
    user.save()
    assert notify(kind=kind, recipient=user, params={}) is None
    assert (
        notify(kind=MessageKind.CREDENTIAL_DECISION, recipient=user, params={"credential": 1})
        is not None
    )
