"""Expiry reminders (issue 11): `manage.py send_reminders` and directory.services.reminders.
A verified, current licence or IMS certification is announced to its owner within 30 days of
its expiry and again within 7, each once; a day the job missed is caught up."""

from datetime import date, timedelta
from io import StringIO

import pytest
from django.core.management import call_command
from django.utils import timezone

from directory.models import MessageKind, OutboundEmail
from directory.services.credentials import credential_update, credential_verify
from directory.services.reminders import reminder_window, reminders_send
from tests.factories import (
    CredentialFactory,
    ModeratorFactory,
    PhysicianFactory,
    PractitionerFactory,
)
from tests.mail import link_in, run_worker, text_of

TODAY = date(2031, 5, 1)


def licence(days: int | None, **fields):
    """A verified licence of a practitioner, expiring `days` after TODAY."""
    expires_on = None if days is None else TODAY + timedelta(days=days)
    fields.setdefault("owner", PractitionerFactory().user)
    fields.setdefault("verified", True)
    return CredentialFactory(expires_on=expires_on, **fields)


def reminders() -> list[tuple[int, int | None, dict, str]]:
    return [
        (row.recipient_id, row.params["credential"], row.params["days"], row.dedupe_key)
        for row in OutboundEmail.objects.filter(kind=MessageKind.CREDENTIAL_EXPIRING).order_by("id")
    ]


def key(credential, window: int) -> str:
    return f"credential:{credential.pk}:{credential.expires_on.isoformat()}:{window}"


@pytest.mark.parametrize(
    ("days", "window"),
    [(-1, None), (0, 7), (1, 7), (7, 7), (8, 30), (29, 30), (30, 30), (31, None), (365, None)],
)
def test_the_window_a_date_is_inside(days, window):
    assert reminder_window(expires_on=TODAY + timedelta(days=days), today=TODAY) == window


@pytest.mark.parametrize(("days", "window"), [(30, 30), (12, 30), (7, 7), (0, 7)])
def test_a_verified_licence_inside_a_window_is_announced(db, days, window):
    credential = licence(days)

    assert reminders_send(today=TODAY) == 1

    assert reminders() == [(credential.owner_id, credential.pk, window, key(credential, window))]


def test_an_ims_certification_with_an_expiry_and_a_physicians_licence_are_announced(db):
    certification = licence(20, ims=True)
    physician_licence = licence(5, owner=PhysicianFactory().user)

    assert reminders_send(today=TODAY) == 2

    assert reminders() == [
        (physician_licence.owner_id, physician_licence.pk, 7, key(physician_licence, 7)),
        (certification.owner_id, certification.pk, 30, key(certification, 30)),
    ]


@pytest.mark.parametrize(
    "make",
    [
        pytest.param(lambda: licence(31), id="not yet inside 30 days"),
        pytest.param(lambda: licence(-1), id="expired already"),
        pytest.param(lambda: licence(10, verified=False), id="pending"),
        pytest.param(lambda: licence(10, verified=False, rejected=True), id="rejected"),
        pytest.param(lambda: licence(10, training=True), id="training"),
        pytest.param(lambda: licence(None, ims=True), id="no expiry"),
        pytest.param(
            lambda: licence(10, withdrawn_at=timezone.now()),
            id="withdrawn",
        ),
        pytest.param(
            lambda: licence(10, owner=PractitionerFactory(user__is_active=False).user),
            id="inactive owner",
        ),
    ],
)
def test_nothing_else_is_announced(db, make):
    make()

    assert reminders_send(today=TODAY) == 0
    assert reminders() == []


def test_each_window_is_announced_once_and_then_the_next(db):
    credential = licence(30)

    assert reminders_send(today=TODAY) == 1
    assert reminders_send(today=TODAY) == 0
    assert reminders_send(today=TODAY + timedelta(days=1)) == 0  # still the 30-day window
    assert reminders_send(today=TODAY + timedelta(days=23)) == 1  # 7 days left
    assert reminders_send(today=TODAY + timedelta(days=24)) == 0
    assert reminders_send(today=TODAY + timedelta(days=31)) == 0  # expired

    assert reminders() == [
        (credential.owner_id, credential.pk, 30, key(credential, 30)),
        (credential.owner_id, credential.pk, 7, key(credential, 7)),
    ]


def test_days_the_job_missed_are_caught_up(db):
    credential = licence(30)

    # The job did not run on the 30th day before, nor on the 7th: it still tells each once.
    assert reminders_send(today=TODAY + timedelta(days=4)) == 1
    assert reminders_send(today=TODAY + timedelta(days=26)) == 1

    assert reminders() == [
        (credential.owner_id, credential.pk, 30, key(credential, 30)),
        (credential.owner_id, credential.pk, 7, key(credential, 7)),
    ]


def test_first_seen_inside_7_days_gets_the_7_day_message_only(db):
    credential = licence(6)

    assert reminders_send(today=TODAY) == 1
    assert reminders_send(today=TODAY + timedelta(days=1)) == 0

    assert reminders() == [(credential.owner_id, credential.pk, 7, key(credential, 7))]


def test_a_renewed_expiry_date_is_announced_afresh(db):
    credential = licence(10)
    assert reminders_send(today=TODAY) == 1
    renewed = TODAY + timedelta(days=20)
    # The owner's edit sends it back to the moderators; verified again, it counts again.
    credential_update(credential=credential, changes={"expires_on": renewed}, today=TODAY)
    credential_verify(credential=credential, moderator=ModeratorFactory())

    assert reminders_send(today=TODAY) == 1

    assert [row[3] for row in reminders()] == [
        f"credential:{credential.pk}:{(TODAY + timedelta(days=10)).isoformat()}:30",
        f"credential:{credential.pk}:{renewed.isoformat()}:30",
    ]


def test_the_owner_turning_notifications_off_does_not_stop_a_reminder(db):
    credential = licence(10)
    credential.owner.email_notifications = False
    credential.owner.save()

    assert reminders_send(today=TODAY) == 1


def test_the_command_run_twice_mails_each_reminder_once(smtp_sink):
    today = timezone.localdate()
    owner = PractitionerFactory(user__name="Sam Okafor").user
    credential = CredentialFactory(
        owner=owner, verified=True, number="PT-777", expires_on=today + timedelta(days=7)
    )
    first, second = StringIO(), StringIO()

    call_command("send_reminders", stdout=first)
    run_worker()
    call_command("send_reminders", stdout=second)
    run_worker()

    assert first.getvalue() == "Queued 1 expiry reminder.\n"
    assert second.getvalue() == "Queued 0 expiry reminders.\n"
    message = smtp_sink.only(owner.email)
    assert message["Subject"] == "Your professional licence expires in 7 days"
    assert "no. PT-777" in text_of(message)
    assert f"expires on {credential.expires_on:%-d %B %Y}" in text_of(message)
    assert link_in(message, "/dashboard/credentials/")
    assert OutboundEmail.objects.get().sent_at is not None
