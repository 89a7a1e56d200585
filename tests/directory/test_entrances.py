"""One rule, one verdict: the same bad input gets the same message through every entrance.

Each case is a bad value of one field of one aggregate (profile, clinic, experience, credential,
review, referral). It is sent through each entrance that writes that aggregate: the API, the
page form, the admin (where the admin edits it) and a direct service call. Each must refuse
it with the same message on the same field, and none may write anything. The rules live in
the domain (directory.validators, the models, the services); the entrances only parse.
"""

from collections.abc import Callable
from dataclasses import dataclass
from datetime import date
from decimal import Decimal
from typing import Any

import pytest
from django.core.exceptions import ValidationError
from django.test import Client

from directory.models import (
    Condition,
    ConditionExperience,
    Credential,
    Location,
    PractitionerProfile,
    Referral,
    Review,
    User,
)
from directory.services.credentials import credential_create
from directory.services.profiles import experience_create, location_create, profile_update
from directory.services.referrals import referral_create
from directory.services.reviews import review_submit
from tests.conftest import client_for
from tests.directory.test_admin import _profile_form
from tests.directory.test_referrals import verified_physician
from tests.factories import UserFactory, qualified_practitioner

pytestmark = pytest.mark.django_db

TOO_LONG_BIO = "x" * 5001
ELEVEN_LANGUAGES = ["en", "fr", "es", "de", "it", "pt", "zh", "ja", "ko", "pa", "hi"]


@dataclass(frozen=True)
class Case:
    aggregate: str
    field: str
    api: Any  # as JSON sends it
    text: str  # as a person types it on a page or in the admin
    python: Any  # as a service receives it
    message: str

    def __str__(self) -> str:
        return f"{self.aggregate}-{self.field}-{self.message[:30]}"


CASES = [
    # --- profile
    Case("profile", "languages", [], "", [], "List at least one language."),
    Case(
        "profile",
        "languages",
        ELEVEN_LANGUAGES,
        ", ".join(ELEVEN_LANGUAGES),
        ELEVEN_LANGUAGES,
        "List at most 10 languages.",
    ),
    Case(
        "profile",
        "languages",
        ["en", "xx"],
        "en xx",
        ["en", "xx"],
        "Not ISO 639-1 language codes: xx. Use two-letter codes such as en, fr, es, zh, pa.",
    ),
    Case("profile", "languages", ["en", "EN"], "en, EN", ["en", "en"], "List each language once."),
    Case(
        "profile",
        "fee_per_session",
        "10000.01",
        "10000.01",
        Decimal("10000.01"),
        "Ensure this value is less than or equal to 10000.",
    ),
    Case(
        "profile",
        "fee_per_session",
        "-1",
        "-1",
        Decimal("-1"),
        "Ensure this value is greater than or equal to 0.",
    ),
    Case(
        "profile",
        "bio",
        TOO_LONG_BIO,
        TOO_LONG_BIO,
        TOO_LONG_BIO,
        "Ensure this value has at most 5000 characters (it has 5001).",
    ),
    # --- clinic
    Case("location", "lat", 91, "91", 91.0, "Latitude must be from -90 to 90."),
    Case(
        "location",
        "country",
        "XX",
        "XX",
        "XX",
        "'XX' is not an ISO 3166-1 alpha-2 country code; use two letters such as CA, US or GB.",
    ),
    Case(
        "location",
        "name",
        "n" * 121,
        "n" * 121,
        "n" * 121,
        "Ensure this value has at most 120 characters (it has 121).",
    ),
    # --- experience
    Case("experience", "years", 71, "71", 71, "Years must be from 0 to 70."),
    Case(
        "experience",
        "patients_treated",
        100001,
        "100001",
        100001,
        "Patients treated must be from 0 to 100000.",
    ),
    # --- credential
    Case(
        "credential",
        "jurisdiction",
        "Canada",
        "Canada",
        "Canada",
        "Use an ISO 3166-2 code: country, hyphen, region, e.g. CA-BC or US-WA.",
    ),
    Case(
        "credential",
        "issuer",
        "i" * 201,
        "i" * 201,
        "i" * 201,
        "Ensure this value has at most 200 characters (it has 201).",
    ),
    # --- review
    Case("review", "overall", 6, "6", 6, "Ensure this value is less than or equal to 5."),
    Case("review", "comfort", 0, "0", 0, "Ensure this value is greater than or equal to 1."),
    Case(
        "review",
        "body",
        "b" * 5001,
        "b" * 5001,
        "b" * 5001,
        "Ensure this value has at most 5000 characters (it has 5001).",
    ),
    # --- referral
    Case(
        "referral",
        "patient_reference",
        "John Smith",
        "John Smith",
        "John Smith",
        "Use your own reference code for the patient: 1 to 40 letters, digits, dashes, "
        "underscores or dots. Never the patient's name.",
    ),
    Case(
        "referral",
        "reason",
        "r" * 1001,
        "r" * 1001,
        "r" * 1001,
        "Keep the reason to at most 1,000 characters.",
    ),
]


@dataclass
class World:
    practitioner: PractitionerProfile
    patient: User
    physician_user: User
    admin: User
    condition: Condition


@pytest.fixture
def world() -> World:
    return World(
        practitioner=qualified_practitioner(user__name="Sam Okafor", languages=",en,"),
        patient=UserFactory(),
        physician_user=verified_physician().user,
        admin=User.objects.create_superuser("root@example.com", "correct horse battery"),
        condition=Condition.objects.get(slug="sciatica"),
    )


def _page(user: User) -> Client:
    client = Client()
    client.force_login(user)
    return client


def _form_errors(response, field: str) -> list[str]:
    assert response.status_code == 200, "the page must show the form again, not move on"
    return list(response.context["form"].errors.get(field, []))


def _admin_errors(response, field: str, inline: str | None = None) -> list[str]:
    assert response.status_code == 200, "the admin must show the form again, not save"
    if inline is None:
        return list(response.context["adminform"].form.errors.get(field, []))
    formset = next(
        f for f in response.context["inline_admin_formsets"] if f.formset.prefix == inline
    )
    return list(formset.formset.forms[0].errors.get(field, []))


# --- what each aggregate's entrances send, by default valid ------------------------------------

PROFILE = {
    "name": "Sam Okafor",
    "profession": "physiotherapist",
    "bio": "",
    "languages": "en",
    "accepting_new_patients": "on",
    "fee_per_session": "",
}
LOCATION = {"name": "Harbour Clinic", "city": "Vancouver", "country": "CA"}
COORDINATES = {"lat": 49.28, "lng": -123.12}
EXPERIENCE = {"years": 5, "patients_treated": 200}
LICENCE = {
    "kind": "license",
    "profession": "physiotherapist",
    "issuer": "College of Health and Care Professionals of BC",
    "jurisdiction": "CA-BC",
    "number": "PT-1234",
    "expires_on": "2099-12-31",
}
RATINGS = {"overall": 4, "communication": 4, "comfort": 4, "would_recommend": True}
REFERRAL = {
    "reason": "Chronic sciatica after a fall.",
    "patient_reference": "MC-2024-017",
}


def _admin_profile_post(world: World, **changes) -> dict:
    return _profile_form(world.practitioner, **changes)


def _admin_inline_post(world: World, prefix: str, row: dict) -> dict:
    return (
        _admin_profile_post(world)
        | {f"{prefix}-TOTAL_FORMS": "1"}
        | {f"{prefix}-0-{name}": value for name, value in row.items()}
    )


def _admin_url(world: World) -> str:
    return f"/admin/directory/practitionerprofile/{world.practitioner.pk}/change/"


def _service_errors(write: Callable[[], object], field: str) -> list[str]:
    with pytest.raises(ValidationError) as refused:
        write()
    return refused.value.message_dict.get(field, [])


# --- the entrances, per aggregate: each returns the messages on the case's field --------------


def profile_api(world: World, case: Case) -> list[str]:
    response = client_for(world.practitioner.user).patch(
        "/api/v1/me/", {case.field: case.api}, format="json"
    )
    assert response.status_code == 400
    return response.json()[case.field]


def profile_page(world: World, case: Case) -> list[str]:
    # The page offers languages by name and posts their codes, one value each.
    value = case.python if case.field == "languages" else case.text
    response = _page(world.practitioner.user).post(
        "/dashboard/profile/", PROFILE | {case.field: value}
    )
    return _form_errors(response, case.field)


def profile_admin(world: World, case: Case) -> list[str]:
    response = _page(world.admin).post(
        _admin_url(world), _admin_profile_post(world, **{case.field: case.text})
    )
    return _admin_errors(response, case.field)


def profile_service(world: World, case: Case) -> list[str]:
    return _service_errors(
        lambda: profile_update(
            user=world.practitioner.user, changes={"name": "Changed", case.field: case.python}
        ),
        case.field,
    )


def location_api(world: World, case: Case) -> list[str]:
    body = LOCATION | COORDINATES | {case.field: case.api}
    response = client_for(world.practitioner.user).post(
        "/api/v1/me/locations/", body, format="json"
    )
    assert response.status_code == 400
    return response.json()[case.field]


def location_page(world: World, case: Case) -> list[str]:
    body = LOCATION | COORDINATES | {case.field: case.text}
    return _form_errors(
        _page(world.practitioner.user).post("/dashboard/clinics/", body), case.field
    )


def location_admin(world: World, case: Case) -> list[str]:
    row = LOCATION | COORDINATES | {case.field: case.text}
    response = _page(world.admin).post(
        _admin_url(world), _admin_inline_post(world, "locations", row)
    )
    return _admin_errors(response, case.field, inline="locations")


def location_service(world: World, case: Case) -> list[str]:
    arguments = LOCATION | COORDINATES | {case.field: case.python}
    return _service_errors(
        lambda: location_create(practitioner=world.practitioner, **arguments), case.field
    )


def experience_api(world: World, case: Case) -> list[str]:
    body = {"condition": "sciatica"} | EXPERIENCE | {case.field: case.api}
    response = client_for(world.practitioner.user).post(
        "/api/v1/me/experience/", body, format="json"
    )
    assert response.status_code == 400
    return response.json()[case.field]


def experience_page(world: World, case: Case) -> list[str]:
    body = {"condition": "sciatica"} | EXPERIENCE | {case.field: case.text}
    response = _page(world.practitioner.user).post("/dashboard/experience/", body)
    return _form_errors(response, case.field)


def experience_admin(world: World, case: Case) -> list[str]:
    row = {"condition": world.condition.pk} | EXPERIENCE | {case.field: case.text}
    response = _page(world.admin).post(
        _admin_url(world), _admin_inline_post(world, "experience", row)
    )
    return _admin_errors(response, case.field, inline="experience")


def experience_service(world: World, case: Case) -> list[str]:
    arguments = EXPERIENCE | {case.field: case.python}
    return _service_errors(
        lambda: experience_create(
            practitioner=world.practitioner, condition=world.condition, **arguments
        ),
        case.field,
    )


def credential_api(world: World, case: Case) -> list[str]:
    response = client_for(world.practitioner.user).post(
        "/api/v1/me/credentials/", LICENCE | {case.field: case.api}, format="json"
    )
    assert response.status_code == 400
    return response.json()[case.field]


def credential_page(world: World, case: Case) -> list[str]:
    body = {k: v for k, v in LICENCE.items() if k != "kind"} | {case.field: case.text}
    response = _page(world.practitioner.user).post("/dashboard/credentials/new/license/", body)
    return _form_errors(response, case.field)


def credential_service(world: World, case: Case) -> list[str]:
    # The date as the parsers hand it over.
    arguments = LICENCE | {"expires_on": date(2099, 12, 31), case.field: case.python}
    return _service_errors(
        lambda: credential_create(owner=world.practitioner.user, **arguments), case.field
    )


def review_api(world: World, case: Case) -> list[str]:
    response = client_for(world.patient).post(
        f"/api/v1/practitioners/{world.practitioner.pk}/reviews/",
        RATINGS | {case.field: case.api},
        format="json",
    )
    assert response.status_code == 400
    return response.json()[case.field]


def review_page(world: World, case: Case) -> list[str]:
    body = RATINGS | {"would_recommend": "yes", case.field: case.text}
    response = _page(world.patient).post(f"/practitioners/{world.practitioner.pk}/review/", body)
    return _form_errors(response, case.field)


def review_service(world: World, case: Case) -> list[str]:
    arguments = RATINGS | {case.field: case.python}
    return _service_errors(
        lambda: review_submit(author=world.patient, practitioner=world.practitioner, **arguments),
        case.field,
    )


def referral_api(world: World, case: Case) -> list[str]:
    body = REFERRAL | {"practitioner": world.practitioner.pk, "condition": "sciatica"}
    response = client_for(world.physician_user).post(
        "/api/v1/referrals/", body | {case.field: case.api}, format="json"
    )
    assert response.status_code == 400
    return response.json()[case.field]


def referral_page(world: World, case: Case) -> list[str]:
    body = REFERRAL | {"practitioner": world.practitioner.pk, "condition": "sciatica"}
    response = _page(world.physician_user).post("/referrals/new/", body | {case.field: case.text})
    return _form_errors(response, case.field)


def referral_service(world: World, case: Case) -> list[str]:
    arguments = REFERRAL | {case.field: case.python}
    return _service_errors(
        lambda: referral_create(
            physician=world.physician_user.physician,
            practitioner=world.practitioner,
            condition=world.condition,
            **arguments,
        ),
        case.field,
    )


# The admin edits profiles, clinics and experience; credentials, reviews and referrals are
# only moderated there (read-only, or changed through the moderation services' own actions).
ENTRANCES: dict[str, dict[str, Callable[[World, Case], list[str]]]] = {
    "profile": {
        "api": profile_api,
        "page": profile_page,
        "admin": profile_admin,
        "service": profile_service,
    },
    "location": {
        "api": location_api,
        "page": location_page,
        "admin": location_admin,
        "service": location_service,
    },
    "experience": {
        "api": experience_api,
        "page": experience_page,
        "admin": experience_admin,
        "service": experience_service,
    },
    "credential": {"api": credential_api, "page": credential_page, "service": credential_service},
    "review": {"api": review_api, "page": review_page, "service": review_service},
    "referral": {"api": referral_api, "page": referral_page, "service": referral_service},
}


# Signing a test client in sets last_login; nothing else of an account may move.
ACCOUNT_COLUMNS = [f.attname for f in User._meta.concrete_fields if f.name != "last_login"]


def _snapshot(world: World) -> dict[str, Any]:
    """Everything an entrance could have written."""
    return {
        # Signing a test client in sets last_login; nothing else of the account may move.
        "user": list(User.objects.order_by("pk").values(*ACCOUNT_COLUMNS)),
        "profile": list(PractitionerProfile.objects.order_by("pk").values()),
        "locations": list(Location.objects.values()),
        "experience": list(ConditionExperience.objects.values()),
        "credentials": list(Credential.objects.order_by("pk").values()),
        "reviews": list(Review.objects.values()),
        "referrals": list(Referral.objects.values()),
    }


def _entrance_cases():
    for case in CASES:
        for entrance in ENTRANCES[case.aggregate]:
            yield pytest.param(case, entrance, id=f"{case}-{entrance}")


@pytest.mark.parametrize("case, entrance", list(_entrance_cases()))
def test_every_entrance_gives_the_domains_verdict_and_writes_nothing(world, case, entrance):
    before = _snapshot(world)

    messages = ENTRANCES[case.aggregate][entrance](world, case)

    assert messages == [case.message]
    assert _snapshot(world) == before


def test_every_aggregate_with_rules_is_tried():
    assert {case.aggregate for case in CASES} == set(ENTRANCES)
