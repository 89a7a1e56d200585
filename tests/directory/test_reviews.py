"""GET/POST /api/v1/practitioners/{id}/reviews/ and the review_submit service."""

from datetime import UTC, datetime

import pytest
import time_machine
from django.core.cache import cache
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError
from rest_framework.fields import DateTimeField

from directory.models import Condition, Review, Role
from directory.selectors.reviews import review_author_public_name
from directory.services import reviews as review_services
from directory.services.reviews import review_remove, review_submit
from directory.services.stats import (
    expected_condition_stats,
    expected_stats,
    stored_condition_stats,
    stored_stats,
)
from tests.conftest import client_for
from tests.factories import ModeratorFactory, PhysicianFactory, PractitionerFactory, UserFactory

pytestmark = pytest.mark.django_db

T0 = datetime(2030, 3, 1, 12, 0, tzinfo=UTC)
T1 = datetime(2030, 3, 2, 12, 0, tzinfo=UTC)
VALID = {
    "overall": 4,
    "communication": 5,
    "comfort": 2,
    "would_recommend": True,
    "condition": "sciatica",
    "body": "Helped a lot.",
}
ONLY_PATIENTS = (
    "Only patient accounts write reviews; physician, practitioner and moderator accounts cannot."
)


@pytest.fixture(autouse=True)
def _fresh_throttles():
    # Throttle counters live in the cache, keyed by user id, which a rolled-back test reuses.
    cache.clear()


def url(practitioner_id: int) -> str:
    return f"/api/v1/practitioners/{practitioner_id}/reviews/"


def iso(moment: datetime) -> str:
    return DateTimeField().to_representation(moment)


def item(review: Review, **fields) -> dict:
    """The list item of `review` as stored; `fields` state what the test expects to see."""
    review.refresh_from_db()
    base = {
        "id": review.pk,
        "created_at": iso(review.created_at),
        "updated_at": iso(review.updated_at),
        "reply": None,
    }
    return base | fields


def make_review(practitioner, author=None, **ratings) -> Review:
    author = author or UserFactory()
    arguments = {
        "overall": 4,
        "communication": 4,
        "comfort": 4,
        "would_recommend": True,
        "condition": None,
        "body": "",
        "invitation_code": None,
    } | ratings
    return review_submit(author=author, practitioner=practitioner, **arguments)[0]


def assert_figures_exact() -> None:
    """The maintained figures equal those recomputed from the rows."""
    assert stored_stats() == expected_stats()
    assert stored_condition_stats() == expected_condition_stats()


def test_patient_first_review_is_created_with_public_name_and_figures(practitioner):
    author = UserFactory(name="Maria Kowalski", email="maria@example.test")
    with time_machine.travel(T0, tick=False):
        response = client_for(author).post(url(practitioner.pk), VALID, format="json")

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
        "created_at": iso(T0),
        "updated_at": iso(T0),
        "reply": None,
    }
    assert "maria@example.test" not in response.content.decode()
    assert (review.author, review.practitioner, review.verified) == (author, practitioner, False)
    assert stored_stats()[practitioner.pk] == {
        "reviews_verified": 0,
        "reviews_unverified": 1,
        "overall_sum": 4,
        "communication_verified_sum": 0,
        "communication_unverified_sum": 5,
        "communication_unverified_excess": 2,
        "comfort_verified_sum": 0,
        "comfort_unverified_sum": 2,
        "comfort_unverified_excess": 0,
        "recommend_verified": 0,
        "recommend_unverified": 1,
        "referring_physicians": 0,
        "completed_referrals": 0,
        # The (unqualified) fixture practitioner has no verified credentials.
        "licence_valid_until": None,
        "licence_profession": "",
        "licence_jurisdiction": "",
        "ims_valid_until": None,
        "ims_first_on": None,
        "verified_trainings": 0,
        "facts_expire_on": None,
    }
    assert_figures_exact()


@pytest.mark.parametrize("term", ["sciatica", "Sciatica", "  LUMBAR radiculopathy "])
def test_condition_is_resolved_from_slug_name_or_synonym(practitioner, patient, term):
    response = client_for(patient).post(
        url(practitioner.pk), VALID | {"condition": term}, format="json"
    )

    assert response.status_code == 201
    assert response.json()["condition"] == "sciatica"
    assert Review.objects.get().condition == Condition.objects.get(slug="sciatica")
    assert_figures_exact()


@pytest.mark.parametrize("omitted", [{"condition": None}, {"condition": ""}, {}])
def test_condition_and_body_are_optional(practitioner, patient, omitted):
    body = {k: v for k, v in VALID.items() if k not in ("condition", "body")} | omitted

    response = client_for(patient).post(url(practitioner.pk), body, format="json")

    assert response.status_code == 201
    assert (response.json()["condition"], response.json()["condition_name"]) == (None, None)
    assert (Review.objects.get().condition, Review.objects.get().body) == (None, "")
    assert_figures_exact()


def test_unknown_condition_is_400_listing_the_slugs(practitioner, patient):
    response = client_for(patient).post(
        url(practitioner.pk), VALID | {"condition": "gout"}, format="json"
    )

    assert response.status_code == 400
    slugs = ", ".join(sorted(Condition.objects.values_list("slug", flat=True)))
    assert response.json() == {
        "condition": [
            f"Unknown condition 'gout'. Use one of: {slugs} (or a name or synonym of one)."
        ]
    }
    assert not Review.objects.exists()
    assert_figures_exact()


@pytest.mark.parametrize(
    ("field", "value", "message"),
    [
        ("overall", 0, "Ensure this value is greater than or equal to 1."),
        ("overall", 6, "Ensure this value is less than or equal to 5."),
        ("overall", "abc", "A valid integer is required."),
        ("communication", 0, "Ensure this value is greater than or equal to 1."),
        ("communication", 6, "Ensure this value is less than or equal to 5."),
        ("comfort", "abc", "A valid integer is required."),
        ("comfort", 6, "Ensure this value is less than or equal to 5."),
        ("would_recommend", "maybe", "Must be a valid boolean."),
        ("body", "x" * 5001, "Ensure this value has at most 5000 characters (it has 5001)."),
        ("body", "bad\x00byte", "Null characters are not allowed."),
    ],
)
def test_invalid_field_is_400_and_writes_nothing(practitioner, patient, field, value, message):
    response = client_for(patient).post(url(practitioner.pk), VALID | {field: value}, format="json")

    assert response.status_code == 400
    assert response.json() == {field: [message]}
    assert not Review.objects.exists()
    assert_figures_exact()


def test_body_of_exactly_5000_characters_is_accepted(practitioner, patient):
    response = client_for(patient).post(
        url(practitioner.pk), VALID | {"body": "x" * 5000}, format="json"
    )

    assert response.status_code == 201
    assert len(Review.objects.get().body) == 5000


def test_missing_ratings_are_400(practitioner, patient):
    response = client_for(patient).post(url(practitioner.pk), {"body": "Hi"}, format="json")

    assert response.status_code == 400
    required = ["This field is required."]
    assert response.json() == {
        "overall": required,
        "communication": required,
        "comfort": required,
        "would_recommend": required,
    }
    assert not Review.objects.exists()


def test_unknown_and_server_owned_fields_are_refused(practitioner, patient):
    response = client_for(patient).post(
        url(practitioner.pk), VALID | {"verified": True, "author": 1}, format="json"
    )

    assert response.status_code == 400
    allowed = (
        "Unknown field. Allowed fields: body, comfort, communication, condition, "
        "invitation_code, overall, would_recommend."
    )
    assert response.json() == {"verified": [allowed], "author": [allowed]}
    assert not Review.objects.exists()


def test_unknown_practitioner_is_404(patient, api_client):
    response = client_for(patient).post(url(999999), VALID, format="json")

    assert response.status_code == 404
    assert response.json() == {"detail": "No active practitioner has this id."}
    assert api_client.get(url(999999)).status_code == 404
    assert not Review.objects.exists()


@pytest.mark.parametrize("deactivate", ["profile", "account"])
def test_deactivated_practitioner_is_404_for_reading_and_writing(patient, api_client, deactivate):
    practitioner = PractitionerFactory()
    make_review(practitioner)
    if deactivate == "profile":
        practitioner.is_active = False
        practitioner.save()
    else:
        practitioner.user.is_active = False
        practitioner.user.save()

    response = client_for(patient).post(url(practitioner.pk), VALID, format="json")

    assert response.status_code == 404
    assert response.json() == {"detail": "No active practitioner has this id."}
    assert api_client.get(url(practitioner.pk)).status_code == 404
    assert Review.objects.count() == 1
    assert_figures_exact()


def test_service_refuses_a_deactivated_practitioner_passed_in_directly(practitioner, patient):
    practitioner.is_active = False
    practitioner.save()

    with pytest.raises(review_services.Http404):
        make_review(practitioner, author=patient)
    assert not Review.objects.exists()


@pytest.mark.parametrize(
    "overall, message",
    [
        (0, "Ensure this value is greater than or equal to 1."),
        (6, "Ensure this value is less than or equal to 5."),
    ],
)
def test_service_refuses_ratings_outside_1_to_5(practitioner, patient, overall, message):
    """The API's words: the scale is the review's own rule, whoever calls."""
    with pytest.raises(ValidationError) as caught:
        make_review(practitioner, author=patient, overall=overall)

    assert caught.value.message_dict == {"overall": [message]}
    assert not Review.objects.exists()


def test_service_removal_needs_a_moderator(practitioner, patient):
    review = make_review(practitioner)

    with pytest.raises(PermissionDenied):
        review_remove(review_id=review.pk, moderator=patient)
    assert Review.objects.get().removed_at is None


def test_second_submission_replaces_the_first(practitioner):
    author = UserFactory(name="Ann Lee")
    client = client_for(author)
    with time_machine.travel(T0, tick=False):
        first = client.post(url(practitioner.pk), VALID, format="json")
        review = Review.objects.get()
        review_services.review_reply(review_id=review.pk, user=practitioner.user, body="Thanks!")
    replacement = {
        "overall": 2,
        "communication": 1,
        "comfort": 5,
        "would_recommend": False,
        "body": "Second thoughts.",
    }
    with time_machine.travel(T1, tick=False):
        response = client.post(url(practitioner.pk), replacement, format="json")

    assert first.status_code == 201
    assert response.status_code == 200
    assert response.json() == {
        "id": review.pk,
        "author_name": "Ann L.",
        "overall": 2,
        "communication": 1,
        "comfort": 5,
        "would_recommend": False,
        "condition": None,
        "condition_name": None,
        "body": "Second thoughts.",
        "verified": False,
        "created_at": iso(T0),
        "updated_at": iso(T1),
        "reply": None,
    }
    review.refresh_from_db()
    assert Review.objects.count() == 1
    assert (review.reply, review.replied_at, review.updated_at) == ("", None, T1)
    figures = stored_stats()[practitioner.pk]
    assert (figures["reviews_unverified"], figures["overall_sum"]) == (1, 2)
    assert (figures["communication_unverified_sum"], figures["comfort_unverified_sum"]) == (1, 5)
    assert (figures["comfort_unverified_excess"], figures["recommend_unverified"]) == (2, 0)
    assert_figures_exact()


def test_a_practitioner_never_reviews_themself(api_client):
    # A patient account cannot own a practitioner profile, but the service checks anyway.
    practitioner = PractitionerFactory(user__role=Role.PATIENT)

    response = client_for(practitioner.user).post(url(practitioner.pk), VALID, format="json")

    assert response.status_code == 403
    assert response.json() == {"detail": "A practitioner cannot review themself."}
    assert not Review.objects.exists()
    assert_figures_exact()


@pytest.mark.parametrize(
    "make_user",
    [
        lambda: PhysicianFactory().user,
        lambda: PractitionerFactory().user,
        lambda: ModeratorFactory(),
    ],
    ids=["physician", "practitioner", "moderator"],
)
def test_only_patient_accounts_review(practitioner, make_user):
    response = client_for(make_user()).post(url(practitioner.pk), VALID, format="json")

    assert response.status_code == 403
    assert response.json() == {"detail": ONLY_PATIENTS}
    assert not Review.objects.exists()


def test_anonymous_cannot_review(practitioner, api_client):
    response = api_client.post(url(practitioner.pk), VALID, format="json")

    assert response.status_code == 401
    assert response.json() == {"detail": "Authentication credentials were not provided."}
    assert not Review.objects.exists()


def test_author_whose_review_was_removed_cannot_post_another(practitioner, patient, moderator):
    review = make_review(practitioner, author=patient, overall=1)
    review_remove(review_id=review.pk, moderator=moderator)

    response = client_for(patient).post(url(practitioner.pk), VALID, format="json")

    assert response.status_code == 409
    assert response.json() == {
        "detail": "A moderator removed your review of this practitioner; you cannot post another."
    }
    review.refresh_from_db()
    assert (review.overall, review.removed_at is not None) == (1, True)
    assert practitioner.pk not in stored_stats()
    assert_figures_exact()


def test_racing_first_insert_is_retried_as_a_replacement(practitioner, patient, monkeypatch):
    # Simulates another request's review winning the unique constraint between our lookup
    # and our insert: the service must retry, never fail with a 500.
    original_save = Review.save
    raced: list[int] = []

    def save_losing_the_race(review, *args, **kwargs):
        if review.pk is None and not raced:
            raced.append(1)
            raise IntegrityError("duplicate key value violates unique constraint")
        return original_save(review, *args, **kwargs)

    monkeypatch.setattr(Review, "save", save_losing_the_race)

    response = client_for(patient).post(url(practitioner.pk), VALID, format="json")

    assert response.status_code == 201
    assert raced == [1]
    assert Review.objects.count() == 1
    assert_figures_exact()


def test_list_shows_live_reviews_newest_first_with_replies(practitioner, api_client, moderator):
    with time_machine.travel(T0, tick=False):
        older = make_review(practitioner, author=UserFactory(name="Cher"), overall=5, body="Old")
        review_services.review_reply(review_id=older.pk, user=practitioner.user, body="Thank you")
        removed = make_review(practitioner, overall=1, body="Abusive")
    with time_machine.travel(T1, tick=False):
        newer = make_review(
            practitioner, author=UserFactory(name="  jean   paul  dupont "), condition=None
        )
    make_review(PractitionerFactory(), overall=3)  # another practitioner's
    review_remove(review_id=removed.pk, moderator=moderator)

    response = api_client.get(url(practitioner.pk))

    assert response.status_code == 200
    common = {"communication": 4, "comfort": 4, "would_recommend": True, "verified": False}
    assert response.json() == {
        "count": 2,
        "next": None,
        "previous": None,
        "results": [
            item(newer, author_name="jean D.", overall=4, condition=None, condition_name=None)
            | common
            | {"body": ""},
            item(older, author_name="Cher", overall=5, condition=None, condition_name=None)
            | common
            | {"body": "Old", "reply": {"body": "Thank you", "replied_at": iso(T0)}},
        ],
    }


@pytest.mark.parametrize("reviews", [3, 30])
def test_list_costs_three_queries_whatever_the_number_of_reviews(
    practitioner, api_client, django_assert_num_queries, reviews
):
    sciatica = Condition.objects.get(slug="sciatica")
    for _ in range(reviews):
        make_review(practitioner, condition=sciatica)

    # The practitioner, the count and one page of reviews with authors and conditions.
    with django_assert_num_queries(3):
        response = api_client.get(url(practitioner.pk), {"page_size": 100})

    assert response.status_code == 200
    assert len(response.json()["results"]) == reviews


def test_list_is_paginated(practitioner, api_client):
    reviews = [make_review(practitioner) for _ in range(3)]

    response = api_client.get(url(practitioner.pk), {"page_size": 2, "page": 2})

    assert response.status_code == 200
    body = response.json()
    assert (body["count"], [r["id"] for r in body["results"]]) == (3, [reviews[0].pk])
    assert api_client.get(url(practitioner.pk), {"page_size": 0}).status_code == 400


@pytest.mark.parametrize(
    ("full_name", "shown"),
    [
        ("Maria Kowalski", "Maria K."),
        ("maria de la cruz", "maria C."),
        ("Cher", "Cher"),
        ("", "Anonymous patient"),
        ("   ", "Anonymous patient"),
        ("Émile ńowak", "Émile Ń."),
    ],
)
def test_author_public_name_is_first_name_and_last_initial(full_name, shown):
    assert review_author_public_name(full_name) == shown


def test_review_creation_is_throttled(practitioner, settings):
    rates = settings.REST_FRAMEWORK["DEFAULT_THROTTLE_RATES"] | {"review_create": "2/hour"}
    settings.REST_FRAMEWORK = settings.REST_FRAMEWORK | {"DEFAULT_THROTTLE_RATES": rates}
    cache.clear()
    client = client_for(UserFactory())

    statuses = [
        client.post(url(practitioner.pk), VALID | {"overall": n}, format="json").status_code
        for n in (1, 2, 3)
    ]

    assert statuses == [201, 200, 429]
    assert Review.objects.get().overall == 2
    # Reading is not throttled.
    assert client.get(url(practitioner.pk)).status_code == 200
    assert_figures_exact()
