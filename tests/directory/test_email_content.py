"""The minimum necessary (issue 11): no e-mail carries a referral's reason, its patient
reference, its condition or outcome, a review's text, condition or ratings. Every kind is
rendered (subject, plain text and HTML) from rows full of distinctive health values, and none
of them may appear."""

import re
from datetime import timedelta

import pytest
from django.utils import timezone

from directory.messages import message_build
from directory.models import (
    Condition,
    CredentialKind,
    MessageKind,
    OutboundEmail,
    Referral,
    ReferralOutcome,
    ReferralStatus,
    Review,
)
from tests.factories import CredentialFactory, PhysicianFactory, PractitionerFactory, UserFactory

pytestmark = pytest.mark.django_db

CONDITION = "Quixotic Sacroiliac Neuralgia"
REASON = "Tingling down the left calf since the 2019 fall, worse on stairs"
PATIENT_REFERENCE = "MRN-7731-ZQ"
REVIEW_BODY = "The needling calmed my frozen shoulder after the third visit"
NOTE = "Checked against the college register."
# What no message may contain, whatever it is about.
HEALTH = [CONDITION, "Quixotic", REASON, "Tingling", "left calf", PATIENT_REFERENCE, "7731"]
HEALTH += [REVIEW_BODY, "frozen shoulder", "needling calmed"]
# An outcome is health information; its labels are ordinary words, so only as whole words.
OUTCOME_WORDS = [label for _, label in ReferralOutcome.choices]


@pytest.fixture
def world():
    condition = Condition.objects.create(slug="quixotic-neuralgia", name=CONDITION)
    practitioner = PractitionerFactory(user__name="Jamie Okoro")
    physician = PhysicianFactory(user__name="Dr. Mara Singh")
    referral = Referral.objects.create(
        physician=physician,
        practitioner=practitioner,
        condition=condition,
        reason=REASON,
        patient_reference=PATIENT_REFERENCE,
        status=ReferralStatus.COMPLETED,
        outcome=ReferralOutcome.WORSE,
        completed_at=timezone.now(),
    )
    review = Review.objects.create(
        author=UserFactory(name="Priya Natarajan"),
        practitioner=practitioner,
        overall=2,
        communication=3,
        comfort=1,
        would_recommend=False,
        condition=condition,
        body=REVIEW_BODY,
    )
    credential = CredentialFactory(
        owner=practitioner.user,
        kind=CredentialKind.LICENSE,
        verified=True,
        note=NOTE,
        expires_on=timezone.localdate() + timedelta(days=7),
    )
    return {
        "practitioner": practitioner,
        "physician": physician,
        "referral": referral,
        "review": review,
        "credential": credential,
    }


def _rows(world) -> list[tuple[OutboundEmail, dict | None]]:
    practitioner, physician = world["practitioner"], world["physician"]
    referral = {"referral": world["referral"].pk}
    credential = {"credential": world["credential"].pk}
    me = practitioner.user
    rows = [
        (MessageKind.PASSWORD_RESET, practitioner.user, {}, None),
        (MessageKind.EMAIL_CONFIRMATION, practitioner.user, {}, None),
        (MessageKind.ACCOUNT_EXISTS, practitioner.user, {}, None),
        (MessageKind.REFERRAL_SENT, practitioner.user, referral, None),
        (MessageKind.CREDENTIAL_DECISION, me, credential | {"status": "verified"}, None),
        (MessageKind.CREDENTIAL_DECISION, me, credential | {"status": "rejected"}, None),
        (MessageKind.CREDENTIAL_EXPIRING, practitioner.user, credential | {"days": 7}, None),
        (
            MessageKind.CREDENTIAL_REGISTER_PENDING,
            me,
            credential
            | {"register": "CA-BC", "register_status": "suspended", "checked_on": "2026-12-02"},
            None,
        ),
        (MessageKind.REVIEW_NEW, practitioner.user, {"review": world["review"].pk}, None),
        (
            MessageKind.REVIEW_INVITATION,
            None,
            {"practitioner": practitioner.pk},
            {
                "email": "patient@example.test",
                "practitioner_name": "Jamie Okoro",
                "code": "ABCD-EFGH",
                "expires_on": "2027-01-30",
            },
        ),
    ]
    for status in ReferralStatus.values:
        for recipient in (practitioner.user, physician.user):
            rows.append(
                (MessageKind.REFERRAL_STATUS, recipient, referral | {"status": status}, None)
            )
    return [
        (OutboundEmail.objects.create(kind=kind, recipient=to, params=params), extra)
        for kind, to, params, extra in rows
    ]


def _rendered(row: OutboundEmail, extra: dict | None) -> str:
    message = message_build(row, extra)
    ((html, mimetype),) = message.alternatives
    assert mimetype == "text/html"
    return "\n".join([message.subject, message.body, html])


def test_every_kind_is_rendered(world):
    kinds = {row.kind for row, _ in _rows(world)}

    assert kinds == set(MessageKind.values)


def test_no_message_carries_health_information(world):
    for row, extra in _rows(world):
        text = _rendered(row, extra)
        found = [value for value in HEALTH if value.lower() in text.lower()]
        found += [w for w in OUTCOME_WORDS if re.search(rf"\b{w}\b", text, re.IGNORECASE)]
        assert found == [], f"{row.kind} {row.params} says {found}"


def test_a_referral_message_names_the_other_party_the_status_and_a_link(world):
    rows = dict(
        ((row.params.get("status"), row.recipient_id), row)
        for row, _ in _rows(world)
        if row.kind == MessageKind.REFERRAL_STATUS
    )
    practitioner, physician = world["practitioner"].user, world["physician"].user

    to_physician = _rendered(rows[("accepted", physician.pk)], None)
    to_practitioner = _rendered(rows[("cancelled", practitioner.pk)], None)

    assert "Jamie Okoro" in to_physician and "accepted" in to_physician
    assert "Dr. Mara Singh" in to_practitioner and "cancelled" in to_practitioner
    assert "http://127.0.0.1:8000/dashboard/" in to_physician
    assert "http://127.0.0.1:8000/dashboard/referrals/" in to_practitioner


def test_a_credential_decision_carries_the_moderators_note(world):
    row, extra = next(
        (row, extra) for row, extra in _rows(world) if row.kind == MessageKind.CREDENTIAL_DECISION
    )

    assert NOTE in _rendered(row, extra)


def test_an_expiry_reminder_names_the_credential_as_a_sentence_does(world):
    world["credential"].kind = CredentialKind.IMS_CERTIFICATION
    world["credential"].save()
    row = OutboundEmail.objects.create(
        kind=MessageKind.CREDENTIAL_EXPIRING,
        recipient=world["practitioner"].user,
        params={"credential": world["credential"].pk, "days": 7},
    )

    message = message_build(row)

    assert message.subject == "Your IMS certification expires in 7 days"
    assert "Your IMS certification (" in message.body


@pytest.mark.parametrize(
    ("days_left", "subject"),
    [
        (12, "Your professional licence expires in 12 days"),  # a missed day caught up late
        (1, "Your professional licence expires tomorrow"),
        (0, "Your professional licence expires today"),
    ],
)
def test_an_expiry_reminder_says_the_days_left_when_it_is_sent(world, days_left, subject):
    credential = world["credential"]
    credential.expires_on = timezone.localdate() + timedelta(days=days_left)
    credential.save()
    row = OutboundEmail.objects.create(
        kind=MessageKind.CREDENTIAL_EXPIRING,
        recipient=world["practitioner"].user,
        params={"credential": credential.pk, "days": 30 if days_left > 7 else 7},
    )

    message = message_build(row)

    assert message.subject == subject
    assert subject.removeprefix("Your professional licence expires ") in message.body
