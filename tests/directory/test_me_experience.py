"""/api/v1/me/experience/ and /{id}/: a practitioner's self-reported condition experience."""

import pytest

from directory.conditions import UnknownCondition, condition_resolve
from directory.models import Condition, ConditionExperience
from directory.services import profiles
from tests.conftest import client_for
from tests.factories import ExperienceFactory, PhysicianFactory, PractitionerFactory

LIST = "/api/v1/me/experience/"
PRACTITIONERS_ONLY = {"detail": "Only practitioner accounts have this."}
NOT_FOUND = {"detail": "You have no experience entry with this id."}

pytestmark = pytest.mark.django_db


def detail(experience_id: int) -> str:
    return f"{LIST}{experience_id}/"


def condition(slug: str) -> Condition:
    return Condition.objects.get(slug=slug)


def _body(experience: ConditionExperience, **overrides) -> dict:
    return {
        "id": experience.id,
        "condition": experience.condition.slug,
        "condition_name": experience.condition.name,
        "years": experience.years,
        "patients_treated": experience.patients_treated,
        "self_reported": True,
        **overrides,
    }


def _duplicate_message(slug: str, experience_id: int) -> dict:
    return {
        "condition": [
            f"Experience for {slug} already exists; change it with "
            f"PATCH /api/v1/me/experience/{experience_id}/."
        ]
    }


# --- create -------------------------------------------------------------------------------


def test_create_by_slug(practitioner):
    response = client_for(practitioner.user).post(
        LIST, {"condition": "sciatica", "years": 8, "patients_treated": 400}, format="json"
    )

    assert response.status_code == 201
    experience = ConditionExperience.objects.get()
    assert (experience.practitioner, experience.condition.slug) == (practitioner, "sciatica")
    assert (experience.years, experience.patients_treated) == (8, 400)
    assert response.json() == {
        "id": experience.id,
        "condition": "sciatica",
        "condition_name": "Sciatica",
        "years": 8,
        "patients_treated": 400,
        "self_reported": True,
    }


@pytest.mark.parametrize(
    "term, slug",
    [
        ("Lumbago", "back-pain"),
        ("  LOW back pain ", "back-pain"),
        ("Headaches and migraines", "headache"),
        ("lateral epicondylitis", "tennis-elbow"),
    ],
)
def test_names_and_synonyms_are_accepted(practitioner, term, slug):
    response = client_for(practitioner.user).post(
        LIST, {"condition": term, "years": 1, "patients_treated": 10}, format="json"
    )

    assert response.status_code == 201
    assert response.json()["condition"] == slug
    assert ConditionExperience.objects.get().condition.slug == slug


def test_unknown_condition_lists_the_valid_slugs(practitioner):
    with pytest.raises(UnknownCondition) as expected:
        condition_resolve("gout")

    response = client_for(practitioner.user).post(
        LIST, {"condition": "gout", "years": 1, "patients_treated": 10}, format="json"
    )

    assert response.status_code == 400
    assert response.json() == {"condition": [str(expected.value)]}
    assert "back-pain, fibromyalgia, headache" in str(expected.value)
    assert not ConditionExperience.objects.exists()


@pytest.mark.parametrize(
    "overrides, error",
    [
        ({"years": 71}, {"years": ["Years must be from 0 to 70."]}),
        ({"years": -1}, {"years": ["Years must be from 0 to 70."]}),
        ({"years": 2.5}, {"years": ["A valid integer is required."]}),
        (
            {"patients_treated": 100001},
            {"patients_treated": ["Patients treated must be from 0 to 100000."]},
        ),
        ({"patients_treated": None}, {"patients_treated": ["This field may not be null."]}),
        ({"condition": "sci\x00atica"}, {"condition": ["Null characters are not allowed."]}),
        (
            {"verified": True},
            {"verified": ["Unknown field. Allowed fields: condition, patients_treated, years."]},
        ),
    ],
)
def test_invalid_experience_is_a_400_and_writes_nothing(practitioner, overrides, error):
    body = {"condition": "sciatica", "years": 3, "patients_treated": 50, **overrides}

    response = client_for(practitioner.user).post(LIST, body, format="json")

    assert response.status_code == 400
    assert response.json() == error
    assert not ConditionExperience.objects.exists()


def test_bounds_are_accepted(practitioner):
    response = client_for(practitioner.user).post(
        LIST, {"condition": "neck-pain", "years": 70, "patients_treated": 100000}, format="json"
    )

    assert response.status_code == 201
    assert response.json()["years"] == 70


def test_second_entry_for_a_condition_points_to_the_first(practitioner):
    first = ExperienceFactory(practitioner=practitioner, condition=condition("back-pain"))

    response = client_for(practitioner.user).post(
        LIST, {"condition": "lumbago", "years": 1, "patients_treated": 1}, format="json"
    )

    assert response.status_code == 400
    assert response.json() == _duplicate_message("back-pain", first.id)
    assert ConditionExperience.objects.count() == 1


def test_racing_duplicate_is_a_400_not_a_500(practitioner, monkeypatch):
    first = ExperienceFactory(practitioner=practitioner, condition=condition("back-pain"))
    real_check = profiles._duplicate_experience
    calls = []

    def check_misses_the_racing_row(**kwargs):
        # The first check runs before the other request commits; the database still refuses.
        calls.append(kwargs)
        return None if len(calls) == 1 else real_check(**kwargs)

    monkeypatch.setattr(profiles, "_duplicate_experience", check_misses_the_racing_row)

    response = client_for(practitioner.user).post(
        LIST, {"condition": "back-pain", "years": 1, "patients_treated": 1}, format="json"
    )

    assert response.status_code == 400
    assert response.json() == _duplicate_message("back-pain", first.id)
    assert ConditionExperience.objects.count() == 1


def test_another_practitioner_may_report_the_same_condition(practitioner):
    ExperienceFactory(condition=condition("sciatica"))

    response = client_for(practitioner.user).post(
        LIST, {"condition": "sciatica", "years": 1, "patients_treated": 1}, format="json"
    )

    assert response.status_code == 201


# --- read ---------------------------------------------------------------------------------


def test_list_shows_only_the_callers_rows_by_condition_name(practitioner):
    sciatica = ExperienceFactory(practitioner=practitioner, condition=condition("sciatica"))
    back = ExperienceFactory(practitioner=practitioner, condition=condition("back-pain"))
    ExperienceFactory(condition=condition("arthritis"))

    response = client_for(practitioner.user).get(LIST)

    assert response.status_code == 200
    assert response.json() == {
        "count": 2,
        "next": None,
        "previous": None,
        "results": [_body(back), _body(sciatica)],
    }


def test_detail_returns_the_row(practitioner):
    experience = ExperienceFactory(practitioner=practitioner)

    response = client_for(practitioner.user).get(detail(experience.id))

    assert response.status_code == 200
    assert response.json() == _body(experience)


@pytest.mark.parametrize("rows", [1, 6])
def test_list_query_count_does_not_grow_with_rows(practitioner, rows, django_assert_num_queries):
    for slug in list(Condition.objects.values_list("slug", flat=True))[:rows]:
        ExperienceFactory(practitioner=practitioner, condition=condition(slug))
    client = client_for(practitioner.user)

    # One COUNT for the paginator, one SELECT joined to the condition for the page.
    with django_assert_num_queries(2):
        response = client.get(LIST)

    assert len(response.json()["results"]) == rows


# --- update / delete ----------------------------------------------------------------------


def test_patch_years_and_patients(practitioner):
    experience = ExperienceFactory(practitioner=practitioner)

    response = client_for(practitioner.user).patch(
        detail(experience.id), {"years": 9, "patients_treated": 900}, format="json"
    )

    assert response.status_code == 200
    assert response.json() == _body(experience) | {"years": 9, "patients_treated": 900}
    experience.refresh_from_db()
    assert (experience.years, experience.patients_treated) == (9, 900)


def test_patch_condition_to_a_new_one(practitioner):
    experience = ExperienceFactory(practitioner=practitioner, condition=condition("sciatica"))

    response = client_for(practitioner.user).patch(
        detail(experience.id), {"condition": "pinched nerve"}, format="json"
    )

    assert response.status_code == 200
    assert response.json() == _body(experience) | {
        "condition": "nerve-impingement",
        "condition_name": "Nerve impingement",
    }
    experience.refresh_from_db()
    assert experience.condition.slug == "nerve-impingement"


def test_patch_to_the_same_condition_is_allowed(practitioner):
    experience = ExperienceFactory(practitioner=practitioner, condition=condition("sciatica"))

    response = client_for(practitioner.user).patch(
        detail(experience.id), {"condition": "sciatica", "years": 2}, format="json"
    )

    assert response.status_code == 200
    assert response.json() == _body(experience) | {"years": 2}


def test_patch_condition_onto_another_row_is_a_400(practitioner):
    back = ExperienceFactory(practitioner=practitioner, condition=condition("back-pain"))
    sciatica = ExperienceFactory(practitioner=practitioner, condition=condition("sciatica"))

    response = client_for(practitioner.user).patch(
        detail(sciatica.id), {"condition": "back-pain", "years": 30}, format="json"
    )

    assert response.status_code == 400
    assert response.json() == _duplicate_message("back-pain", back.id)
    sciatica.refresh_from_db()
    assert (sciatica.condition.slug, sciatica.years) == ("sciatica", 5)


def test_invalid_patch_changes_nothing(practitioner):
    experience = ExperienceFactory(practitioner=practitioner)

    response = client_for(practitioner.user).patch(
        detail(experience.id), {"years": 20, "patients_treated": -5}, format="json"
    )

    assert response.status_code == 400
    assert response.json() == {"patients_treated": ["Patients treated must be from 0 to 100000."]}
    experience.refresh_from_db()
    assert (experience.years, experience.patients_treated) == (5, 100)


def test_delete_removes_the_row(practitioner):
    experience = ExperienceFactory(practitioner=practitioner)

    response = client_for(practitioner.user).delete(detail(experience.id))

    assert response.status_code == 204
    assert not ConditionExperience.objects.filter(pk=experience.pk).exists()


# --- permissions --------------------------------------------------------------------------


@pytest.mark.parametrize("method", ["get", "patch", "delete"])
def test_another_practitioners_row_is_not_found(practitioner, method):
    theirs = ExperienceFactory()
    before = ConditionExperience.objects.values().get(pk=theirs.pk)

    response = getattr(client_for(practitioner.user), method)(
        detail(theirs.id), {"years": 70}, format="json"
    )

    assert response.status_code == 404
    assert response.json() == NOT_FOUND
    assert ConditionExperience.objects.values().get(pk=theirs.pk) == before


@pytest.mark.parametrize("who", ["patient", "moderator", "physician"])
def test_non_practitioners_are_forbidden(who, patient, moderator):
    user = {"patient": patient, "moderator": moderator, "physician": PhysicianFactory().user}[who]
    experience = ExperienceFactory()
    client = client_for(user)
    body = {"condition": "sciatica", "years": 1, "patients_treated": 1}

    responses = [
        client.get(LIST),
        client.post(LIST, body, format="json"),
        client.get(detail(experience.id)),
        client.patch(detail(experience.id), {"years": 2}, format="json"),
        client.delete(detail(experience.id)),
    ]

    assert [r.status_code for r in responses] == [403] * 5
    assert all(r.json() == PRACTITIONERS_ONLY for r in responses)
    assert ConditionExperience.objects.count() == 1


def test_anonymous_callers_must_sign_in(api_client):
    experience = ExperienceFactory()

    responses = [
        api_client.get(LIST),
        api_client.post(LIST, {}, format="json"),
        api_client.get(detail(experience.id)),
        api_client.patch(detail(experience.id), {"years": 2}, format="json"),
        api_client.delete(detail(experience.id)),
    ]

    assert [r.status_code for r in responses] == [401] * 5
    assert ConditionExperience.objects.count() == 1


def test_owner_and_another_practitioner_each_see_their_own(practitioner):
    other = PractitionerFactory()
    mine = ExperienceFactory(practitioner=practitioner)
    theirs = ExperienceFactory(practitioner=other)

    assert [r["id"] for r in client_for(practitioner.user).get(LIST).json()["results"]] == [mine.id]
    assert [r["id"] for r in client_for(other.user).get(LIST).json()["results"]] == [theirs.id]
