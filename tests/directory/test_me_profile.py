"""GET/PATCH /api/v1/me/: the signed-in account and, for practitioners, their profile."""

from datetime import date, timedelta
from decimal import Decimal

import pytest

from directory.models import PractitionerProfile, Role, User
from tests.conftest import client_for
from tests.factories import (
    CredentialFactory,
    ModeratorFactory,
    PhysicianFactory,
    UserFactory,
    qualified_practitioner,
)

ME = "/api/v1/me/"
ACCOUNT_FIELDS = "email_notifications, name"
PRACTITIONER_FIELDS = (
    "accepting_new_patients, bio, direct_billing, email_notifications, fee_per_session, "
    "languages, name, profession"
)

pytestmark = pytest.mark.django_db


def _account_body(user: User) -> dict:
    return {
        "id": user.id,
        "email": user.email,
        "name": user.name,
        "role": user.role,
        "is_moderator": user.is_staff,
        "email_notifications": user.email_notifications,
    }


def _practitioner_body(profile: PractitionerProfile, **overrides) -> dict:
    return {
        **_account_body(profile.user),
        "profession": "physiotherapist",
        "bio": "",
        "languages": ["en"],
        "accepting_new_patients": True,
        "fee_per_session": None,
        "direct_billing": False,
        "qualified": False,
        **overrides,
    }


# --- GET ----------------------------------------------------------------------------------


def test_patient_sees_their_account(patient):
    response = client_for(patient).get(ME)

    assert response.status_code == 200
    assert response.json() == _account_body(patient) | {"role": "patient", "is_moderator": False}


def test_physician_sees_their_account():
    physician = PhysicianFactory().user

    response = client_for(physician).get(ME)

    assert response.status_code == 200
    assert response.json() == _account_body(physician) | {"role": "physician"}


def test_moderator_is_flagged_as_moderator(moderator):
    response = client_for(moderator).get(ME)

    assert response.status_code == 200
    assert response.json() == _account_body(moderator) | {"is_moderator": True}


def test_practitioner_sees_account_and_profile_flat(practitioner):
    response = client_for(practitioner.user).get(ME)

    assert response.status_code == 200
    assert response.json() == _practitioner_body(practitioner, role="practitioner")


def test_practitioner_with_verified_licence_and_certification_is_qualified():
    practitioner = qualified_practitioner()

    response = client_for(practitioner.user).get(ME)

    assert response.json() == _practitioner_body(practitioner, qualified=True)


def test_practitioner_with_an_expired_licence_is_not_qualified():
    practitioner = qualified_practitioner()
    practitioner.user.credentials.filter(kind="license").update(
        expires_on=date.today() - timedelta(days=1)
    )

    response = client_for(practitioner.user).get(ME)

    assert response.json()["qualified"] is False


def test_me_needs_a_signed_in_user(api_client):
    assert api_client.get(ME).status_code == 401
    assert api_client.patch(ME, {"name": "X"}, format="json").status_code == 401


# --- PATCH --------------------------------------------------------------------------------


def test_practitioner_updates_profile_fields(practitioner):
    CredentialFactory(owner=practitioner.user, verified=True)
    changes = {
        "name": "Dr. Mei Chen",
        "profession": "chiropractor",
        "bio": "Gunn IMS since 2012.",
        "languages": ["zh", "en", "FR"],
        "accepting_new_patients": False,
        "fee_per_session": "125.5",
        "direct_billing": True,
    }

    response = client_for(practitioner.user).patch(ME, changes, format="json")

    assert response.status_code == 200
    assert response.json() == _practitioner_body(
        practitioner,
        name="Dr. Mei Chen",
        profession="chiropractor",
        bio="Gunn IMS since 2012.",
        languages=["zh", "en", "fr"],
        accepting_new_patients=False,
        fee_per_session="125.50",
        direct_billing=True,
    )
    practitioner.refresh_from_db()
    practitioner.user.refresh_from_db()
    assert practitioner.user.name == "Dr. Mei Chen"
    assert practitioner.profession == "chiropractor"
    assert practitioner.languages == ",zh,en,fr,"
    assert practitioner.fee_per_session == Decimal("125.50")
    assert (practitioner.accepting_new_patients, practitioner.direct_billing) == (False, True)


def test_practitioner_can_clear_the_fee(practitioner):
    PractitionerProfile.objects.filter(pk=practitioner.pk).update(fee_per_session=90)

    response = client_for(practitioner.user).patch(ME, {"fee_per_session": None}, format="json")

    assert response.status_code == 200
    assert response.json()["fee_per_session"] is None
    practitioner.refresh_from_db()
    assert practitioner.fee_per_session is None


def test_patient_changes_their_name(patient):
    response = client_for(patient).patch(ME, {"name": "Bo Smith"}, format="json")

    assert response.status_code == 200
    assert response.json() == _account_body(patient) | {"name": "Bo Smith"}
    patient.refresh_from_db()
    assert patient.name == "Bo Smith"


def test_patient_cannot_set_profession(patient):
    response = client_for(patient).patch(ME, {"profession": "physician"}, format="json")

    assert response.status_code == 400
    assert response.json() == {"profession": [f"Unknown field. Allowed fields: {ACCOUNT_FIELDS}."]}


READ_ONLY = "This field is read-only."


@pytest.mark.parametrize(
    "field, value, patient_error, practitioner_error",
    [
        ("is_staff", True, f"Unknown field. Allowed fields: {ACCOUNT_FIELDS}.", None),
        ("is_superuser", True, f"Unknown field. Allowed fields: {ACCOUNT_FIELDS}.", None),
        ("role", "practitioner", READ_ONLY, READ_ONLY),
        ("email", "takeover@example.test", READ_ONLY, READ_ONLY),
        ("id", 999, READ_ONLY, READ_ONLY),
        ("is_moderator", True, READ_ONLY, READ_ONLY),
        ("qualified", True, f"Unknown field. Allowed fields: {ACCOUNT_FIELDS}.", READ_ONLY),
    ],
)
@pytest.mark.parametrize("role", ["patient", "practitioner"])
def test_privileged_fields_are_rejected_and_never_applied(
    practitioner, field, value, patient_error, practitioner_error, role
):
    user = UserFactory() if role == "patient" else practitioner.user
    error = patient_error if role == "patient" else practitioner_error
    error = error or f"Unknown field. Allowed fields: {PRACTITIONER_FIELDS}."
    before = User.objects.values().get(pk=user.pk)

    response = client_for(user).patch(ME, {"name": "Changed", field: value}, format="json")

    assert response.status_code == 400
    assert response.json() == {field: [error]}
    assert User.objects.values().get(pk=user.pk) == before


@pytest.mark.parametrize(
    "languages, error",
    [
        ([], ["List at least one language."]),
        (
            ["en", "fr", "es", "de", "it", "pt", "zh", "ja", "ko", "pa", "hi"],
            ["List at most 10 languages."],
        ),
        (
            ["en", "xx", "english"],
            [
                "Not ISO 639-1 language codes: xx, english. "
                "Use two-letter codes such as en, fr, es, zh, pa."
            ],
        ),
        (
            ["en", "x" * 21],
            [
                f"Not ISO 639-1 language codes: {'x' * 21}. "
                "Use two-letter codes such as en, fr, es, zh, pa."
            ],
        ),
        (["en", "EN"], ["List each language once."]),
        ("en", ['Expected a list of items but got type "str".']),
        (None, ["This field may not be null."]),
    ],
)
def test_languages_must_be_distinct_iso_639_1_codes(practitioner, languages, error):
    response = client_for(practitioner.user).patch(ME, {"languages": languages}, format="json")

    assert response.status_code == 400
    assert response.json() == {"languages": error}
    practitioner.refresh_from_db()
    assert practitioner.languages == ",en,"


@pytest.mark.parametrize(
    "field, value, error",
    [
        ("fee_per_session", "10000.01", "Ensure this value is less than or equal to 10000."),
        ("fee_per_session", "-1", "Ensure this value is greater than or equal to 0."),
        ("fee_per_session", "12.345", "Ensure that there are no more than 2 decimal places."),
        ("fee_per_session", "NaN", "A valid number is required."),
        ("bio", "x" * 5001, "Ensure this value has at most 5000 characters (it has 5001)."),
        (
            "profession",
            "surgeon",
            '"surgeon" is not allowed; use one of: physiotherapist, physician, '
            "nurse_practitioner, chiropractor, kinesiologist, other.",
        ),
        ("name", "", "This field may not be blank."),
        ("name", "Mei\x00Chen", "Null characters are not allowed."),
        ("accepting_new_patients", "maybe", "Must be a valid boolean."),
    ],
)
def test_invalid_profile_values_say_what_is_allowed(practitioner, field, value, error):
    before = PractitionerProfile.objects.values().get(pk=practitioner.pk)

    response = client_for(practitioner.user).patch(
        ME, {"name": "Changed", field: value}, format="json"
    )

    assert response.status_code == 400
    assert response.json() == {field: [error]}
    assert PractitionerProfile.objects.values().get(pk=practitioner.pk) == before
    assert User.objects.get(pk=practitioner.user.pk).name == practitioner.user.name


def test_moderator_patch_keeps_staff_flag(moderator):
    response = client_for(moderator).patch(ME, {"name": "Mod"}, format="json")

    assert response.status_code == 200
    assert response.json() == _account_body(moderator) | {"name": "Mod", "is_moderator": True}
    assert User.objects.get(pk=moderator.pk).is_staff


def test_me_reads_in_one_query_for_any_role(practitioner, django_assert_num_queries):
    for user in (practitioner.user, ModeratorFactory(), UserFactory(role=Role.PHYSICIAN)):
        client = client_for(user)
        with django_assert_num_queries(1):
            assert client.get(ME).status_code == 200
