"""Who is told what, and when (issue 11): the services record each message in the outbox in
the transaction of the write it reports, and a refused write records none. One test per kind
goes all the way through the database queue's worker to a real SMTP server and reads what
arrives; the rest check the outbox rows. No message carries health information: a referral's
reason, patient reference, condition or outcome, or a review's text.

The review invitation's e-mail and the preferences are in test_invitation_email.py and
test_notification_preferences.py; the expiry reminders in test_send_reminders.py.
"""

import pytest

from directory.models import (
    CredentialStatus,
    MessageKind,
    OutboundEmail,
    Referral,
    ReferralStatus,
    Review,
)
from tests.conftest import client_for
from tests.directory.test_moderation import iso as moderation_iso
from tests.directory.test_moderation import item as moderation_item
from tests.directory.test_moderation import reject_url, verify_url
from tests.directory.test_referrals import (
    REASON,
    REFERRALS,
    ReferralFactory,
    referral_body,
    verified_physician,
)
from tests.directory.test_reviews import VALID
from tests.directory.test_reviews import iso as reviews_iso
from tests.directory.test_reviews import url as reviews_url
from tests.factories import (
    CredentialFactory,
    ModeratorFactory,
    PhysicianFactory,
    PractitionerFactory,
    UserFactory,
    qualified_practitioner,
)
from tests.mail import html_of, link_in, run_worker, text_of

REFERENCE = "MC-2024.017_b"
NOTE = "The number is not on the College's register."


def outbox() -> list[tuple[str, int | None, dict]]:
    """Every recorded message as (kind, recipient id, params), oldest first."""
    return [
        (row.kind, row.recipient_id, row.params) for row in OutboundEmail.objects.order_by("id")
    ]


def whole_message(message) -> str:
    return f"{message['Subject']}\n{text_of(message)}\n{html_of(message)}"


def assert_no_health_information(message) -> None:
    content = whole_message(message)
    for secret in (REASON, "eight weeks", REFERENCE, "Sciatica", "sciatica", "Helped a lot."):
        assert secret not in content


@pytest.fixture
def physician(db):
    return verified_physician(user__name="Dr. Maya Chen")


@pytest.fixture
def practitioner(db):
    return qualified_practitioner(user__name="Sam Okafor")


def referral_payload(practitioner) -> dict:
    return {
        "practitioner": practitioner.pk,
        "condition": "sciatica",
        "reason": REASON,
        "patient_reference": REFERENCE,
    }


# --- A new referral ------------------------------------------------------------------------


def test_a_new_referral_is_mailed_to_the_practitioner(smtp_sink, physician, practitioner):
    response = client_for(physician.user).post(
        REFERRALS, referral_payload(practitioner), format="json"
    )

    assert response.status_code == 201
    referral = Referral.objects.get()
    assert response.json() == referral_body(referral, allowed_actions=["cancel"])
    assert outbox() == [
        (MessageKind.REFERRAL_SENT, practitioner.user.pk, {"referral": referral.pk})
    ]

    run_worker()
    message = smtp_sink.only(practitioner.user.email)
    assert message["Subject"] == "You have a new referral"
    assert "Hello Sam Okafor," in text_of(message)
    assert "Dr. Maya Chen sent you a referral." in text_of(message)
    assert link_in(message, "/dashboard/referrals/").endswith("/dashboard/referrals/")
    assert_no_health_information(message)
    assert smtp_sink.to(physician.user.email) == []
    assert OutboundEmail.objects.get().sent_at is not None


def test_a_refused_referral_is_not_mailed(practitioner):
    unverified = PhysicianFactory()

    response = client_for(unverified.user).post(
        REFERRALS, referral_payload(practitioner), format="json"
    )

    assert response.status_code == 403
    assert not Referral.objects.exists()
    assert outbox() == []


# --- Referral status changes ----------------------------------------------------------------

# action: (who takes it, the status it starts from, the status it leads to, body, actions after)
MOVES = {
    "accept": ("practitioner", ReferralStatus.SENT, ReferralStatus.ACCEPTED, {}, ["complete"]),
    "decline": ("practitioner", ReferralStatus.SENT, ReferralStatus.DECLINED, {}, []),
    "complete": (
        "practitioner",
        ReferralStatus.ACCEPTED,
        ReferralStatus.COMPLETED,
        {"outcome": "improved"},
        [],
    ),
    "cancel": ("physician", ReferralStatus.SENT, ReferralStatus.CANCELLED, {}, []),
}


def _referral(physician, practitioner, status: str) -> Referral:
    return ReferralFactory(
        physician=physician, practitioner=practitioner, status=status, patient_reference=REFERENCE
    )


@pytest.mark.parametrize("action", MOVES)
def test_a_status_change_is_recorded_for_the_other_party(physician, practitioner, action):
    actor_side, source, target, body, allowed_after = MOVES[action]
    referral = _referral(physician, practitioner, source)
    actor, counterpart = (
        (practitioner.user, physician.user)
        if actor_side == "practitioner"
        else (physician.user, practitioner.user)
    )

    response = client_for(actor).post(f"{REFERRALS}{referral.pk}/{action}/", body, format="json")

    assert response.status_code == 200, response.json()
    assert response.json() == referral_body(referral, allowed_actions=allowed_after)
    assert outbox() == [
        (MessageKind.REFERRAL_STATUS, counterpart.pk, {"referral": referral.pk, "status": target})
    ]


def test_status_changes_are_mailed_to_the_other_party(smtp_sink, physician, practitioner):
    referral = _referral(physician, practitioner, ReferralStatus.SENT)
    client = client_for(practitioner.user)

    assert client.post(f"{REFERRALS}{referral.pk}/accept/").status_code == 200
    completed = client.post(
        f"{REFERRALS}{referral.pk}/complete/", {"outcome": "worse"}, format="json"
    )
    assert completed.status_code == 200

    run_worker()
    accepted, done = smtp_sink.to(physician.user.email)
    assert accepted["Subject"] == "A referral is now accepted"
    assert "Your referral to Sam Okafor is now accepted." in text_of(accepted)
    assert done["Subject"] == "A referral is now completed"
    assert "Your referral to Sam Okafor is now completed." in text_of(done)
    assert link_in(done, "/dashboard/").endswith("/dashboard/")
    for message in (accepted, done):
        assert_no_health_information(message)
        assert "worse" not in whole_message(message)
    assert smtp_sink.to(practitioner.user.email) == []


def test_a_cancellation_is_mailed_to_the_practitioner(smtp_sink, physician, practitioner):
    referral = _referral(physician, practitioner, ReferralStatus.SENT)

    response = client_for(physician.user).post(f"{REFERRALS}{referral.pk}/cancel/")

    assert response.status_code == 200
    run_worker()
    message = smtp_sink.only(practitioner.user.email)
    assert message["Subject"] == "A referral is now cancelled"
    assert "The referral from Dr. Maya Chen is now cancelled." in text_of(message)
    assert link_in(message, "/dashboard/referrals/")
    assert_no_health_information(message)
    assert smtp_sink.to(physician.user.email) == []


@pytest.mark.parametrize(
    ("who", "action", "status_code"),
    [
        ("physician", "accept", 403),  # the wrong party
        ("practitioner", "cancel", 403),
        ("other_physician", "cancel", 404),
        ("other_practitioner", "accept", 404),
        ("moderator", "decline", 403),  # may read it, may not move it
        ("anonymous", "accept", 401),
        ("practitioner", "complete", 409),  # not accepted yet
    ],
)
def test_a_refused_status_change_is_not_mailed(physician, practitioner, who, action, status_code):
    referral = _referral(physician, practitioner, ReferralStatus.SENT)
    actors = {
        "physician": lambda: physician.user,
        "practitioner": lambda: practitioner.user,
        "other_physician": lambda: verified_physician().user,
        "other_practitioner": lambda: qualified_practitioner().user,
        "moderator": ModeratorFactory,
    }
    client = client_for(actors[who]()) if who in actors else client_for(None)
    body = {"outcome": "improved"} if action == "complete" else {}

    response = client.post(f"{REFERRALS}{referral.pk}/{action}/", body, format="json")

    assert response.status_code == status_code
    referral.refresh_from_db()
    assert referral.status == ReferralStatus.SENT
    assert outbox() == []


# --- Credential decisions -------------------------------------------------------------------


def test_a_verification_is_recorded_for_the_owner(moderator):
    credential = CredentialFactory()

    response = client_for(moderator).post(verify_url(credential.pk), {}, format="json")

    assert response.status_code == 200
    credential.refresh_from_db()
    assert response.json() == moderation_item(
        credential, status="verified", verified_at=moderation_iso(credential.reviewed_at)
    )
    assert outbox() == [
        (
            MessageKind.CREDENTIAL_DECISION,
            credential.owner_id,
            {"credential": credential.pk, "status": "verified"},
        )
    ]


def test_a_rejection_is_mailed_to_the_owner_with_the_note(smtp_sink):
    moderator = ModeratorFactory()
    physician = PhysicianFactory(user__name="Dr. Ines Park")
    credential = CredentialFactory(owner=physician.user, number="MD-4411")

    response = client_for(moderator).post(reject_url(credential.pk), {"note": NOTE}, format="json")

    assert response.status_code == 200
    credential.refresh_from_db()
    assert response.json() == moderation_item(credential, status="rejected", note=NOTE)
    assert outbox() == [
        (
            MessageKind.CREDENTIAL_DECISION,
            physician.user.pk,
            {"credential": credential.pk, "status": "rejected"},
        )
    ]
    run_worker()
    message = smtp_sink.only(physician.user.email)
    assert message["Subject"] == "Your credential was rejected"
    assert "A moderator rejected your professional licence" in text_of(message)
    assert "no. MD-4411" in text_of(message)
    assert f"The moderator's note: {NOTE}" in text_of(message)
    assert link_in(message, "/dashboard/credentials/")
    # A decision is an account message: it carries no "turn notifications off" footer.
    assert "Turn them off" not in text_of(message)
    assert smtp_sink.to(moderator.email) == []


@pytest.mark.parametrize(
    ("who", "url", "body", "status_code"),
    [
        ("owner", verify_url, {}, 403),
        ("other_practitioner", verify_url, {}, 403),
        ("patient", reject_url, {"note": NOTE}, 403),
        ("anonymous", verify_url, {}, 401),
        ("moderator", reject_url, {"note": "  "}, 400),  # a rejection needs a note
    ],
)
def test_a_refused_decision_is_not_mailed(db, who, url, body, status_code):
    credential = CredentialFactory()
    users = {
        "owner": lambda: credential.owner,
        "other_practitioner": lambda: PractitionerFactory().user,
        "patient": UserFactory,
        "moderator": ModeratorFactory,
    }
    client = client_for(users[who]()) if who in users else client_for(None)

    response = client.post(url(credential.pk), body, format="json")

    assert response.status_code == status_code
    credential.refresh_from_db()
    assert credential.status == CredentialStatus.PENDING
    assert outbox() == []


def test_a_decision_already_taken_is_a_conflict_and_not_mailed_again(moderator):
    credential = CredentialFactory(verified=True)

    response = client_for(moderator).post(verify_url(credential.pk), {}, format="json")

    assert response.status_code == 409
    assert outbox() == []


# --- New reviews ----------------------------------------------------------------------------


def test_a_new_review_is_mailed_to_the_practitioner(smtp_sink):
    practitioner = PractitionerFactory(user__name="Sam Okafor")
    author = UserFactory(name="Maria Kowalski")

    response = client_for(author).post(reviews_url(practitioner.pk), VALID, format="json")

    assert response.status_code == 201
    review = Review.objects.get()
    assert response.json() == {
        "id": review.pk,
        "author_name": "Maria K.",
        "overall": 4,
        "communication": 5,
        "comfort": 2,
        "would_recommend": True,
        "condition": "sciatica",
        "condition_name": "Sciatica",
        "body": "Helped a lot.",
        "verified": False,
        "created_at": reviews_iso(review.created_at),
        "updated_at": reviews_iso(review.updated_at),
        "reply": None,
    }
    assert outbox() == [(MessageKind.REVIEW_NEW, practitioner.user.pk, {"review": review.pk})]
    run_worker()
    message = smtp_sink.only(practitioner.user.email)
    assert message["Subject"] == "You have a new review"
    assert "A patient reviewed you." in text_of(message)
    assert link_in(message, f"/practitioners/{practitioner.pk}/").endswith(
        f"/practitioners/{practitioner.pk}/"
    )
    assert "Maria" not in whole_message(message)
    assert_no_health_information(message)
    # Optional kinds say how to turn them off.
    assert 'Turn them off under "E-mail notifications" on your dashboard' in text_of(message)
    assert smtp_sink.to(author.email) == []


def test_a_replaced_review_is_not_news(db):
    practitioner = PractitionerFactory()
    client = client_for(UserFactory())

    first = client.post(reviews_url(practitioner.pk), VALID, format="json")
    again = client.post(reviews_url(practitioner.pk), VALID | {"overall": 1}, format="json")

    assert (first.status_code, again.status_code) == (201, 200)
    review = Review.objects.get()
    assert review.overall == 1
    assert outbox() == [(MessageKind.REVIEW_NEW, practitioner.user.pk, {"review": review.pk})]


@pytest.mark.parametrize("who", ["self", "physician", "moderator", "anonymous"])
def test_a_refused_review_is_not_mailed(db, who):
    practitioner = PractitionerFactory()
    users = {
        "self": lambda: practitioner.user,
        "physician": lambda: PhysicianFactory().user,
        "moderator": ModeratorFactory,
    }
    client = client_for(users[who]()) if who in users else client_for(None)

    response = client.post(reviews_url(practitioner.pk), VALID, format="json")

    assert response.status_code in (401, 403)
    assert not Review.objects.exists()
    assert outbox() == []


def test_a_deactivated_practitioner_is_not_mailed(db):
    practitioner = PractitionerFactory()
    practitioner.user.is_active = False
    practitioner.user.save()

    response = client_for(UserFactory()).post(reviews_url(practitioner.pk), VALID, format="json")

    assert response.status_code == 404
    assert outbox() == []
