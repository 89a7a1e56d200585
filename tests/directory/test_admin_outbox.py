"""The e-mail outbox in the admin: moderators read it; nobody adds, edits or deletes a row."""

import pytest
from django.test import Client
from django.utils import timezone

from directory.models import MessageKind, OutboundEmail
from tests.factories import ModeratorFactory, PractitionerFactory, UserFactory

pytestmark = pytest.mark.django_db

URL = "/admin/directory/outboundemail/"


@pytest.fixture
def rows():
    user = PractitionerFactory().user
    return {
        "sent": OutboundEmail.objects.create(
            kind=MessageKind.REVIEW_NEW,
            recipient=user,
            params={"review": 1},
            sent_at=timezone.now(),
            attempts=1,
        ),
        "pending": OutboundEmail.objects.create(
            kind=MessageKind.REFERRAL_SENT,
            recipient=user,
            params={"referral": 1},
            attempts=2,
            last_error="ConnectionRefusedError: [Errno 111] Connection refused",
        ),
        "refused": OutboundEmail.objects.create(
            kind=MessageKind.PASSWORD_RESET,
            recipient=user,
            attempts=1,
            failed_at=timezone.now(),
            last_error="SMTPRecipientsRefused: 550",
        ),
    }


def _signed_in(user) -> Client:
    client = Client()
    client.force_login(user)
    return client


def test_a_moderator_reads_the_outbox_and_filters_by_delivery(rows):
    staff = _signed_in(ModeratorFactory())

    listing = staff.get(URL)
    assert listing.status_code == 200
    assert [row.pk for row in listing.context["cl"].result_list] == [
        rows["refused"].pk,
        rows["pending"].pk,
        rows["sent"].pk,
    ]
    for state in ("sent", "pending", "refused"):
        filtered = staff.get(URL, {"delivery": state})
        assert [row.pk for row in filtered.context["cl"].result_list] == [rows[state].pk]

    page = staff.get(f"{URL}{rows['pending'].pk}/change/")
    assert page.status_code == 200
    assert b"Connection refused" in page.content
    assert b'name="attempts"' not in page.content  # shown, never an input


def test_nobody_adds_changes_or_deletes_a_row(rows):
    staff = _signed_in(ModeratorFactory())
    row = rows["pending"]

    assert staff.post(f"{URL}{row.pk}/change/", {"attempts": "0"}).status_code == 403
    assert staff.get(f"{URL}add/").status_code == 403
    assert staff.get(f"{URL}{row.pk}/delete/").status_code == 403
    row.refresh_from_db()
    assert row.attempts == 2
    assert OutboundEmail.objects.count() == 3


@pytest.mark.parametrize("who", ["anonymous", "patient", "practitioner"])
def test_only_moderators_reach_the_outbox(rows, who):
    client = Client()
    if who == "patient":
        client.force_login(UserFactory())
    elif who == "practitioner":
        client.force_login(rows["sent"].recipient)

    response = client.get(URL)

    assert response.status_code == 302
    assert response["Location"].startswith("/admin/login/")
