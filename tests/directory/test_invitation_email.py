"""A review invitation e-mailed to the patient (issue 11): POST /api/v1/me/invitations/ and the
dashboard's invitations page take an optional address, the code is sent there once, and the
address is never stored — not in the outbox, not in the invitation, not in the queue once
delivered, not in the logs."""

import logging

import pytest
from django.test import Client
from django_tasks_db.models import DBTaskResult

from directory.models import MessageKind, OutboundEmail, ReviewInvitation
from directory.services.invitations import MESSAGE_EMAIL
from tests.conftest import client_for
from tests.directory.test_invitations import iso
from tests.factories import ModeratorFactory, PhysicianFactory, PractitionerFactory, UserFactory
from tests.mail import html_of, link_in, run_worker, text_of

INVITATIONS = "/api/v1/me/invitations/"
ADDRESS = "invited.patient@example.org"


def stored_values() -> str:
    """Every value of every outbox and invitation row, as text."""
    rows = [*OutboundEmail.objects.values(), *ReviewInvitation.objects.values()]
    return " ".join(str(value) for row in rows for value in row.values())


def logged(caplog, text: str) -> list[str]:
    """What the service logged that holds `text` (the test's SMTP server, aiosmtpd's
    "mail.log", logs what it receives: it stands in for the recipient's server)."""
    return [
        record.getMessage()
        for record in caplog.records
        if record.name != "mail.log" and text in record.getMessage()
    ]


@pytest.fixture
def practitioner(db):
    return PractitionerFactory(user__name="Sam Okafor")


def test_the_code_is_mailed_and_the_address_is_kept_nowhere(smtp_sink, practitioner, caplog):
    caplog.set_level(logging.DEBUG)

    response = client_for(practitioner.user).post(INVITATIONS, {"email": ADDRESS}, format="json")

    assert response.status_code == 201
    invitation = ReviewInvitation.objects.get()
    code = response.json()["code"]
    assert response.json() == {"code": code, "expires_at": iso(invitation.expires_at)}
    assert ADDRESS not in response.content.decode()
    row = OutboundEmail.objects.get()
    assert (row.kind, row.recipient, row.params, row.dedupe_key) == (
        MessageKind.REVIEW_INVITATION,
        None,
        {"practitioner": practitioner.pk},
        None,
    )
    queued = DBTaskResult.objects.get()
    assert queued.args_kwargs["kwargs"]["extra"]["email"] == ADDRESS  # until it is delivered

    run_worker()

    message = smtp_sink.only(ADDRESS)
    assert smtp_sink.envelopes == [[ADDRESS]]
    assert message["Subject"] == "Sam Okafor invites you to review your treatment"
    assert code in text_of(message) and code in html_of(message)
    assert link_in(message, f"/practitioners/{practitioner.pk}/review/")
    assert "This address was used only to send this message; it is not stored." in text_of(message)
    row.refresh_from_db()
    assert row.sent_at is not None
    queued.refresh_from_db()
    assert ADDRESS not in str(queued.args_kwargs)
    assert code not in str(queued.args_kwargs)
    assert ADDRESS not in stored_values()
    assert code not in stored_values() and code.replace("-", "") not in stored_values()
    assert invitation.used_at is None
    assert not logged(caplog, ADDRESS)


@pytest.mark.parametrize("body", [{}, {"email": ""}, {"email": "   "}])
def test_without_an_address_nothing_is_mailed(practitioner, body):
    response = client_for(practitioner.user).post(INVITATIONS, body, format="json")

    assert response.status_code == 201
    assert ReviewInvitation.objects.count() == 1
    assert not OutboundEmail.objects.exists()


@pytest.mark.parametrize(
    ("address", "message"),
    [
        ("not-an-address", MESSAGE_EMAIL),
        ("patient@", MESSAGE_EMAIL),
        ("two@@example.org", MESSAGE_EMAIL),
        ("patient@example", MESSAGE_EMAIL),
        ("a" * 245 + "@example.org", "At most 254 characters."),
    ],
)
def test_an_invalid_address_is_400_and_creates_nothing(practitioner, address, message, caplog):
    response = client_for(practitioner.user).post(INVITATIONS, {"email": address}, format="json")

    assert response.status_code == 400
    assert response.json() == {"email": [message]}
    assert not ReviewInvitation.objects.exists()
    assert not OutboundEmail.objects.exists()
    assert not logged(caplog, address)


@pytest.mark.parametrize("value", [5, None, ["a@example.org"], {"to": "a@example.org"}])
def test_an_address_that_is_not_text_is_400(practitioner, value):
    response = client_for(practitioner.user).post(INVITATIONS, {"email": value}, format="json")

    assert response.status_code == 400
    assert list(response.json()) == ["email"]
    assert not ReviewInvitation.objects.exists()
    assert not OutboundEmail.objects.exists()


@pytest.mark.parametrize(
    "make_user",
    [UserFactory, lambda: PhysicianFactory().user, ModeratorFactory, lambda: None],
    ids=["patient", "physician", "moderator", "anonymous"],
)
def test_only_practitioners_send_invitations(db, make_user):
    response = client_for(make_user()).post(INVITATIONS, {"email": ADDRESS}, format="json")

    assert response.status_code in (401, 403)
    assert not ReviewInvitation.objects.exists()
    assert not OutboundEmail.objects.exists()


def test_a_deactivated_practitioner_sends_no_invitation(practitioner):
    practitioner.is_active = False
    practitioner.save()

    response = client_for(practitioner.user).post(INVITATIONS, {"email": ADDRESS}, format="json")

    assert response.status_code == 403
    assert not OutboundEmail.objects.exists()


# --- The dashboard's invitations page ---------------------------------------------------------


def _page_client(practitioner) -> Client:
    client = Client()
    client.force_login(practitioner.user)
    return client


def test_the_page_mails_the_code_and_keeps_no_address(
    practitioner, django_capture_on_commit_callbacks, mailoutbox
):
    client = _page_client(practitioner)

    with django_capture_on_commit_callbacks(execute=True):
        response = client.post("/dashboard/invitations/", {"email": ADDRESS})

    assert response.status_code == 200
    code = response.context["code"]
    assert "We are e-mailing this code to the address you gave" in response.content.decode()
    assert ADDRESS not in response.content.decode()  # the form is empty again
    assert [message.to for message in mailoutbox] == [[ADDRESS]]
    assert code in mailoutbox[0].body
    assert ADDRESS not in stored_values()


def test_the_page_shows_an_invalid_address_next_to_the_field(practitioner):
    response = _page_client(practitioner).post("/dashboard/invitations/", {"email": "patient@"})

    assert response.status_code == 200
    assert response.context["form"].errors == {"email": [MESSAGE_EMAIL]}
    assert "code" not in response.context
    assert not ReviewInvitation.objects.exists()
    assert not OutboundEmail.objects.exists()


def test_the_page_without_an_address_only_shows_the_code(practitioner):
    response = _page_client(practitioner).post("/dashboard/invitations/", {"email": ""})

    assert response.status_code == 200
    assert response.context["code"]
    assert "We are e-mailing" not in response.content.decode()
    assert not OutboundEmail.objects.exists()
