"""POST /api/v1/referrals/ (verified physicians only) and GET /api/v1/referrals/, /{id}/.

The helpers at the top (ReferralFactory, verified_physician, referral_body) are shared by
test_referral_transitions.py and test_referral_privacy.py.
"""

from datetime import datetime

import factory
import pytest
from django.core.cache import cache
from django.utils import timezone
from rest_framework import serializers

from directory.models import (
    Condition,
    PhysicianProfile,
    Profession,
    Referral,
    ReferralAuditLog,
    ReferralOutcome,
    ReferralStatus,
)
from directory.services.referrals import UNVERIFIED_MESSAGE
from directory.services.stats import (
    expected_condition_stats,
    expected_stats,
    stored_condition_stats,
    stored_stats,
)
from tests.conftest import client_for
from tests.factories import (
    CredentialFactory,
    ModeratorFactory,
    PhysicianFactory,
    PractitionerFactory,
    UserFactory,
    qualified_practitioner,
)

REFERRALS = "/api/v1/referrals/"
REASON = "Chronic sciatica after a fall; eight weeks of physiotherapy did not help."
REFERENCE_MESSAGE = (
    "Use your own reference code for the patient: 1 to 40 letters, digits, dashes, "
    "underscores or dots. Never the patient's name."
)

pytestmark = pytest.mark.django_db


class ReferralFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Referral

    physician = factory.SubFactory(PhysicianFactory)
    practitioner = factory.SubFactory(PractitionerFactory)
    condition = factory.LazyFunction(lambda: Condition.objects.get(slug="sciatica"))
    reason = REASON
    patient_reference = factory.Sequence(lambda n: f"PT-{n:04d}")
    status = ReferralStatus.SENT

    class Params:
        # The database insists: an outcome iff completed.
        completed = factory.Trait(
            status=ReferralStatus.COMPLETED,
            outcome=ReferralOutcome.IMPROVED,
            completed_at=factory.LazyFunction(timezone.now),
        )


def verified_physician(profession: str = Profession.PHYSICIAN, **kwargs) -> PhysicianProfile:
    physician = PhysicianFactory(**kwargs)
    CredentialFactory(
        owner=physician.user,
        verified=True,
        profession=profession,
        issuer="College of Physicians and Surgeons of British Columbia",
    )
    return physician


def referral_with_status(status: str, **kwargs) -> Referral:
    if status == ReferralStatus.COMPLETED:
        return ReferralFactory(completed=True, **kwargs)
    return ReferralFactory(status=status, **kwargs)


def iso(value: datetime | None) -> str | None:
    return None if value is None else serializers.DateTimeField().to_representation(value)


def referral_body(referral: Referral, *, allowed_actions: list[str]) -> dict:
    """The whole response body of `referral` as stored now."""
    referral = Referral.objects.select_related(
        "physician__user", "practitioner__user", "condition"
    ).get(pk=referral.pk)
    return {
        "id": referral.pk,
        "physician": {"id": referral.physician_id, "name": referral.physician.user.name},
        "practitioner": {"id": referral.practitioner_id, "name": referral.practitioner.user.name},
        "condition": referral.condition.slug,
        "condition_name": referral.condition.name,
        "reason": referral.reason,
        "patient_reference": referral.patient_reference,
        "status": referral.status,
        "outcome": referral.outcome or None,
        "created_at": iso(referral.created_at),
        "updated_at": iso(referral.updated_at),
        "completed_at": iso(referral.completed_at),
        "allowed_actions": allowed_actions,
    }


def assert_stats_consistent() -> None:
    """The maintained figures equal the ones recomputed from the referrals and reviews."""
    assert stored_stats() == expected_stats()
    assert stored_condition_stats() == expected_condition_stats()


@pytest.fixture
def physician() -> PhysicianProfile:
    return verified_physician(user__name="Dr. Maya Chen")


@pytest.fixture
def practitioner():
    return qualified_practitioner(user__name="Sam Okafor")


def payload(to, /, **overrides) -> dict:
    return {
        "practitioner": to.pk,
        "condition": "sciatica",
        "reason": REASON,
        "patient_reference": "MC-2024.017_b",
        **overrides,
    }


# --- create: who may -----------------------------------------------------------------------


@pytest.mark.parametrize("profession", [Profession.PHYSICIAN, Profession.NURSE_PRACTITIONER])
def test_verified_physician_or_np_creates_referral(profession, practitioner):
    physician = verified_physician(profession=profession, user__name="Dr. Maya Chen")
    response = client_for(physician.user).post(
        REFERRALS, payload(practitioner, condition="Lumbar Radiculopathy"), format="json"
    )

    assert response.status_code == 201, response.json()
    referral = Referral.objects.get()
    assert response.json() == {
        "id": referral.pk,
        "physician": {"id": physician.pk, "name": "Dr. Maya Chen"},
        "practitioner": {"id": practitioner.pk, "name": "Sam Okafor"},
        "condition": "sciatica",
        "condition_name": "Sciatica",
        "reason": REASON,
        "patient_reference": "MC-2024.017_b",
        "status": "sent",
        "outcome": None,
        "created_at": iso(referral.created_at),
        "updated_at": iso(referral.updated_at),
        "completed_at": None,
        "allowed_actions": ["cancel"],
    }
    assert (referral.physician, referral.practitioner, referral.condition.slug) == (
        physician,
        practitioner,
        "sciatica",
    )
    assert (referral.status, referral.outcome, referral.completed_at) == ("sent", "", None)


def _no_licence(physician: PhysicianProfile) -> None:
    pass


def _pending_licence(physician: PhysicianProfile) -> None:
    CredentialFactory(owner=physician.user, profession=Profession.PHYSICIAN)


def _rejected_licence(physician: PhysicianProfile) -> None:
    CredentialFactory(owner=physician.user, profession=Profession.PHYSICIAN, rejected=True)


def _physiotherapy_licence(physician: PhysicianProfile) -> None:
    CredentialFactory(owner=physician.user, verified=True, profession=Profession.PHYSIOTHERAPIST)


def _withdrawn_licence(physician: PhysicianProfile) -> None:
    CredentialFactory(
        owner=physician.user,
        verified=True,
        profession=Profession.PHYSICIAN,
        withdrawn_at=timezone.now(),
    )


@pytest.mark.parametrize(
    "give_licence",
    [
        _no_licence,
        _pending_licence,
        _rejected_licence,
        _physiotherapy_licence,
        _withdrawn_licence,
    ],
)
def test_unverified_physician_cannot_refer(give_licence, practitioner):
    physician = PhysicianFactory()
    give_licence(physician)

    response = client_for(physician.user).post(REFERRALS, payload(practitioner), format="json")

    assert response.status_code == 403
    assert response.json() == {"detail": UNVERIFIED_MESSAGE}
    assert "/api/v1/me/credentials/" in UNVERIFIED_MESSAGE
    assert not Referral.objects.exists()


def test_physician_with_expired_licence_cannot_refer(practitioner):
    physician = PhysicianFactory()
    CredentialFactory(
        owner=physician.user,
        verified=True,
        profession=Profession.PHYSICIAN,
        expires_on=timezone.localdate() - timezone.timedelta(days=1),
    )

    response = client_for(physician.user).post(REFERRALS, payload(practitioner), format="json")

    assert response.status_code == 403
    assert response.json() == {"detail": UNVERIFIED_MESSAGE}
    assert not Referral.objects.exists()


@pytest.mark.parametrize("make_user", ["patient", "practitioner", "moderator"])
def test_only_physician_accounts_send_referrals(make_user, practitioner):
    user = {
        "patient": UserFactory,
        "practitioner": lambda: PractitionerFactory().user,
        "moderator": ModeratorFactory,
    }[make_user]()

    response = client_for(user).post(REFERRALS, payload(practitioner), format="json")

    assert response.status_code == 403
    assert response.json() == {"detail": "Only physician accounts send referrals."}
    assert not Referral.objects.exists()


def test_anonymous_cannot_refer(api_client, practitioner):
    response = api_client.post(REFERRALS, payload(practitioner), format="json")

    assert response.status_code == 401
    assert response.json() == {"detail": "Authentication credentials were not provided."}
    assert not Referral.objects.exists()


# --- create: what is accepted ------------------------------------------------------------


def _slugs() -> str:
    return ", ".join(sorted(Condition.objects.values_list("slug", flat=True)))


@pytest.mark.parametrize(
    "overrides, expected",
    [
        ({"practitioner": 999999}, {"practitioner": ["No practitioner has id 999999."]}),
        *(
            (
                {"practitioner": value},
                {"practitioner": ["Give the practitioner's id (a whole number)."]},
            )
            for value in ["Sam Okafor", 1.5, "1.0", "\u0663", True, [1], {"id": 1}]
        ),
        ({"practitioner": 10**30}, {"practitioner": [f"No practitioner has id {10**30}."]}),
        ({"practitioner": None}, {"practitioner": ["This field may not be null."]}),
        (
            {"condition": "gout"},
            lambda: {
                "condition": [
                    f"Unknown condition 'gout'. Use one of: {_slugs()} (or a name or synonym "
                    "of one)."
                ]
            },
        ),
        ({"reason": "x" * 1001}, {"reason": ["Keep the reason to at most 1,000 characters."]}),
        ({"reason": "   "}, {"reason": ["Give a short reason for the referral."]}),
        ({"reason": "Pain\x00"}, {"reason": ["Null characters are not allowed."]}),
        ({"patient_reference": "John Smith"}, {"patient_reference": [REFERENCE_MESSAGE]}),
        ({"patient_reference": "A" * 41}, {"patient_reference": [REFERENCE_MESSAGE]}),
        ({"patient_reference": ""}, {"patient_reference": [REFERENCE_MESSAGE]}),
        ({"patient_reference": "MC/17"}, {"patient_reference": [REFERENCE_MESSAGE]}),
        ({"condition": "sciatica\x00"}, {"condition": ["Null characters are not allowed."]}),
        (
            {"status": "completed"},
            {
                "status": [
                    "Unknown field. Allowed fields: condition, patient_reference, "
                    "practitioner, reason."
                ]
            },
        ),
        (
            {"outcome": "improved", "physician": 1},
            {
                "outcome": [
                    "Unknown field. Allowed fields: condition, patient_reference, "
                    "practitioner, reason."
                ],
                "physician": [
                    "Unknown field. Allowed fields: condition, patient_reference, "
                    "practitioner, reason."
                ],
            },
        ),
    ],
)
def test_bad_referral_is_refused_and_nothing_written(physician, practitioner, overrides, expected):
    response = client_for(physician.user).post(
        REFERRALS, payload(practitioner, **overrides), format="json"
    )

    assert response.status_code == 400
    assert response.json() == (expected() if callable(expected) else expected)
    assert not Referral.objects.exists()


def test_patient_reference_with_nul_byte_is_refused(physician, practitioner):
    response = client_for(physician.user).post(
        REFERRALS, payload(practitioner, patient_reference="MC17\x00"), format="json"
    )

    assert response.status_code == 400
    assert list(response.json()) == ["patient_reference"]
    assert not Referral.objects.exists()


@pytest.mark.parametrize("missing", ["practitioner", "condition", "reason", "patient_reference"])
def test_every_field_is_required(physician, practitioner, missing):
    body = payload(practitioner)
    del body[missing]

    response = client_for(physician.user).post(REFERRALS, body, format="json")

    assert response.status_code == 400
    assert response.json() == {missing: ["This field is required."]}
    assert not Referral.objects.exists()


@pytest.mark.parametrize("deactivate", ["profile", "account"])
def test_deactivated_practitioner_cannot_be_referred_to(physician, practitioner, deactivate):
    if deactivate == "profile":
        practitioner.is_active = False
        practitioner.save()
    else:
        practitioner.user.is_active = False
        practitioner.user.save()

    response = client_for(physician.user).post(REFERRALS, payload(practitioner), format="json")

    assert response.status_code == 400
    assert response.json() == {
        "practitioner": [
            f"Practitioner {practitioner.pk} is no longer active; referrals go to active "
            "practitioners only."
        ]
    }
    assert not Referral.objects.exists()
    assert not ReferralAuditLog.objects.exists()


def test_longest_reason_and_reference_are_accepted(physician, practitioner):
    body = payload(practitioner, reason="r" * 1000, patient_reference="a-Z_9." * 6 + "abcd")

    response = client_for(physician.user).post(REFERRALS, body, format="json")

    assert response.status_code == 201
    referral = Referral.objects.get()
    assert (len(referral.reason), referral.patient_reference) == (1000, "a-Z_9." * 6 + "abcd")


# --- create: double submit ---------------------------------------------------------------


@pytest.mark.parametrize("open_status", [ReferralStatus.SENT, ReferralStatus.ACCEPTED])
def test_double_submit_is_a_conflict_naming_the_open_referral(physician, practitioner, open_status):
    first = ReferralFactory(
        physician=physician,
        practitioner=practitioner,
        patient_reference="MC-2024.017_b",
        status=open_status,
    )

    # The condition by its synonym is the same condition.
    body = payload(practitioner, condition="lumbar radiculopathy")
    response = client_for(physician.user).post(REFERRALS, body, format="json")

    assert response.status_code == 409
    assert response.json() == {
        "detail": f"Referral {first.pk} for this patient reference, practitioner and condition "
        f"is still {open_status}; it was not sent again."
    }
    assert list(Referral.objects.values_list("pk", flat=True)) == [first.pk]


@pytest.mark.parametrize(
    "status", [ReferralStatus.DECLINED, ReferralStatus.CANCELLED, ReferralStatus.COMPLETED]
)
def test_patient_can_be_referred_again_once_the_last_referral_is_closed(
    physician, practitioner, status
):
    referral_with_status(
        status, physician=physician, practitioner=practitioner, patient_reference="MC-2024.017_b"
    )

    response = client_for(physician.user).post(REFERRALS, payload(practitioner), format="json")

    assert response.status_code == 201
    assert Referral.objects.count() == 2


@pytest.mark.parametrize(
    "overrides", [{"condition": "back-pain"}, {"patient_reference": "MC-2024.018"}]
)
def test_other_patient_or_condition_is_not_a_double_submit(physician, practitioner, overrides):
    ReferralFactory(
        physician=physician, practitioner=practitioner, patient_reference="MC-2024.017_b"
    )

    response = client_for(physician.user).post(
        REFERRALS, payload(practitioner, **overrides), format="json"
    )

    assert response.status_code == 201
    assert Referral.objects.count() == 2


def test_another_physicians_referral_is_not_a_double_submit(physician, practitioner):
    ReferralFactory(practitioner=practitioner, patient_reference="MC-2024.017_b")

    response = client_for(physician.user).post(REFERRALS, payload(practitioner), format="json")

    assert response.status_code == 201
    assert Referral.objects.count() == 2


# --- create: throttle --------------------------------------------------------------------


@pytest.fixture
def referral_rate(settings):
    rates = {**settings.REST_FRAMEWORK["DEFAULT_THROTTLE_RATES"], "referral_create": "2/hour"}
    settings.REST_FRAMEWORK = {**settings.REST_FRAMEWORK, "DEFAULT_THROTTLE_RATES": rates}
    cache.clear()


def test_creating_referrals_is_throttled(physician, practitioner, referral_rate):
    client = client_for(physician.user)
    statuses = [
        client.post(
            REFERRALS, payload(practitioner, patient_reference=f"P{n}"), format="json"
        ).status_code
        for n in range(3)
    ]

    assert statuses == [201, 201, 429]
    assert Referral.objects.count() == 2
    # Reading is not part of the budget.
    assert client.get(REFERRALS).status_code == 200


def test_form_post_with_the_practitioner_id_as_text_is_accepted(physician, practitioner):
    body = payload(practitioner, practitioner=str(practitioner.pk))

    response = client_for(physician.user).post(REFERRALS, body)  # multipart, as a form sends

    assert response.status_code == 201
    assert Referral.objects.get().practitioner == practitioner
