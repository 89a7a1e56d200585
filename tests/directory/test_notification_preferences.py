"""`email_notifications` (issue 11): read on GET /api/v1/me/, written by PATCH /me/ and by the
"E-mail notifications" box on every dashboard; off, it stops the optional messages (new
referrals, referral status changes, new reviews) and nothing else."""

import re

import pytest
from django.test import Client

from directory.models import MessageKind, OutboundEmail, Referral, ReferralStatus, User
from tests.conftest import client_for
from tests.directory.test_me_profile import _account_body
from tests.directory.test_moderation import reject_url
from tests.directory.test_referrals import REASON, REFERRALS, ReferralFactory, verified_physician
from tests.directory.test_reviews import VALID
from tests.directory.test_reviews import url as reviews_url
from tests.factories import (
    CredentialFactory,
    ModeratorFactory,
    PhysicianFactory,
    UserFactory,
    qualified_practitioner,
)
from tests.mail import run_worker, text_of

ME = "/api/v1/me/"
ROLES = {
    "patient": UserFactory,
    "physician": lambda: PhysicianFactory().user,
    "practitioner": lambda: qualified_practitioner().user,
    "moderator": ModeratorFactory,
}


def _body(user: User) -> dict:
    """The whole /me/ body of an account; a practitioner's adds their profile."""
    body = _account_body(user)
    if user.role == "practitioner":
        practitioner = user.practitioner
        body |= {
            "profession": practitioner.profession,
            "bio": practitioner.bio,
            "languages": practitioner.language_list,
            "accepting_new_patients": practitioner.accepting_new_patients,
            "fee_per_session": None,
            "direct_billing": practitioner.direct_billing,
            "qualified": True,
        }
    return body


@pytest.mark.parametrize("role", ROLES)
def test_every_role_reads_and_turns_notifications_off_and_on(db, role):
    user = ROLES[role]()
    client = client_for(user)
    assert client.get(ME).json()["email_notifications"] is True

    off = client.patch(ME, {"email_notifications": False}, format="json")

    assert off.status_code == 200
    user.refresh_from_db()
    assert user.email_notifications is False
    assert off.json() == _body(user)
    assert client.get(ME).json() == _body(user)

    on = client.patch(ME, {"email_notifications": True}, format="json")

    assert on.status_code == 200
    user.refresh_from_db()
    assert user.email_notifications is True
    assert on.json() == _body(user)


@pytest.mark.parametrize("value", ["maybe", 2, None, [True]])
def test_a_preference_that_is_not_a_boolean_is_400(db, value):
    user = UserFactory()

    response = client_for(user).patch(ME, {"email_notifications": value}, format="json")

    assert response.status_code == 400
    assert list(response.json()) == ["email_notifications"]
    user.refresh_from_db()
    assert user.email_notifications is True


def test_anonymous_cannot_change_a_preference(db, api_client):
    response = api_client.patch(ME, {"email_notifications": False}, format="json")

    assert response.status_code == 401


# --- The dashboards' box ----------------------------------------------------------------------


def _signed_in(user: User) -> Client:
    client = Client()
    client.force_login(user)
    return client


@pytest.mark.parametrize("role", ROLES)
def test_every_dashboard_shows_the_box_and_saves_it(db, role):
    user = ROLES[role]()
    client = _signed_in(user)

    page = client.get("/dashboard/").content.decode()
    assert "E-mail notifications" in page
    assert re.search(r'<input type="checkbox" name="email_notifications"[^>]* checked>', page)

    off = client.post("/dashboard/notifications/", {})  # an unticked box sends nothing

    assert (off.status_code, off["Location"]) == (302, "/dashboard/")
    user.refresh_from_db()
    assert user.email_notifications is False
    page = client.get("/dashboard/").content.decode()
    assert "E-mail notifications are off. Account messages are still sent." in page
    box = re.search(r'<input type="checkbox" name="email_notifications"[^>]*>', page)
    assert box is not None and "checked" not in box.group(0)

    client.post("/dashboard/notifications/", {"email_notifications": "on"})
    user.refresh_from_db()
    assert user.email_notifications is True


def test_the_box_is_saved_by_post_only_and_for_the_signed_in_user(db):
    user = UserFactory()

    anonymous = Client().post("/dashboard/notifications/", {})
    by_get = _signed_in(user).get("/dashboard/notifications/")

    assert anonymous.status_code == 302 and "/signin/" in anonymous["Location"]
    assert by_get.status_code == 405
    user.refresh_from_db()
    assert user.email_notifications is True


# --- Off stops the optional messages, end to end ---------------------------------------------


def test_notifications_off_stops_new_review_and_referral_mails_only(smtp_sink):
    practitioner = qualified_practitioner(user__name="Sam Okafor")
    physician = verified_physician(user__name="Dr. Maya Chen")
    # The practitioner turns them off through the API, the physician on their dashboard.
    assert (
        client_for(practitioner.user)
        .patch(ME, {"email_notifications": False}, format="json")
        .status_code
        == 200
    )
    assert _signed_in(physician.user).post("/dashboard/notifications/", {}).status_code == 302

    review = client_for(UserFactory()).post(reviews_url(practitioner.pk), VALID, format="json")
    sent = client_for(physician.user).post(
        REFERRALS,
        {
            "practitioner": practitioner.pk,
            "condition": "sciatica",
            "reason": REASON,
            "patient_reference": "MC-1",
        },
        format="json",
    )
    accepted = client_for(practitioner.user).post(f"{REFERRALS}{sent.json()['id']}/accept/")
    other = ReferralFactory(physician=physician, practitioner=practitioner)
    cancelled = client_for(physician.user).post(f"{REFERRALS}{other.pk}/cancel/")
    licence = CredentialFactory(owner=practitioner.user)
    rejected = client_for(ModeratorFactory()).post(
        reject_url(licence.pk), {"note": "Unreadable scan."}, format="json"
    )

    assert [r.status_code for r in (review, sent, accepted, cancelled, rejected)] == [
        201,
        201,
        200,
        200,
        200,
    ]
    assert Referral.objects.get(pk=sent.json()["id"]).status == ReferralStatus.ACCEPTED
    # Only the credential decision, an account message, was recorded and is sent.
    assert list(OutboundEmail.objects.values_list("kind", "recipient")) == [
        (MessageKind.CREDENTIAL_DECISION, practitioner.user.pk)
    ]
    run_worker()
    message = smtp_sink.only(practitioner.user.email)
    assert message["Subject"] == "Your credential was rejected"
    assert "Unreadable scan." in text_of(message)
    assert smtp_sink.to(physician.user.email) == []
    assert len(smtp_sink.received) == 1
