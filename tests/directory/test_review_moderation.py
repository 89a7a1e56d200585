"""Moderators: POST /api/v1/moderation/reviews/{id}/remove/ and GET /moderation/reviews/."""

from datetime import UTC, datetime

import pytest
import time_machine

from directory.models import Review
from directory.services.reviews import review_flag, review_remove
from directory.services.stats import stored_stats
from tests.conftest import client_for
from tests.directory.test_reviews import assert_figures_exact, iso, make_review, url
from tests.factories import PractitionerFactory, UserFactory

pytestmark = pytest.mark.django_db

T0 = datetime(2030, 3, 1, 12, 0, tzinfo=UTC)
T1 = datetime(2030, 3, 2, 12, 0, tzinfo=UTC)
QUEUE = "/api/v1/moderation/reviews/"


def remove_url(review: Review | int) -> str:
    return f"/api/v1/moderation/reviews/{getattr(review, 'pk', review)}/remove/"


def flag(review: Review, times: int) -> None:
    for _ in range(times):
        review_flag(review_id=review.pk, user=UserFactory())


@pytest.fixture
def review(practitioner) -> Review:
    with time_machine.travel(T0, tick=False):
        return make_review(practitioner, author=UserFactory(name="Ola Nordmann"), overall=1)


def test_moderator_removes_a_review_from_list_and_figures(review, practitioner, moderator):
    kept = make_review(practitioner, overall=5)
    flag(review, 2)

    with time_machine.travel(T1, tick=False):
        response = client_for(moderator).post(
            remove_url(review), {"note": "Abusive language"}, format="json"
        )

    assert response.status_code == 200
    assert response.json() == {
        "id": review.pk,
        "author_name": "Ola N.",
        "overall": 1,
        "communication": 4,
        "comfort": 4,
        "would_recommend": True,
        "condition": None,
        "condition_name": None,
        "body": "",
        "verified": False,
        "created_at": iso(T0),
        "updated_at": iso(T0),
        "reply": None,
        "practitioner": practitioner.pk,
        "flags": 2,
        "removed_at": iso(T1),
    }
    review.refresh_from_db()
    assert (review.removed_at, review.removed_by) == (T1, moderator)
    assert review.removal_note == "Abusive language"
    listed = client_for(UserFactory()).get(url(practitioner.pk)).json()
    assert [r["id"] for r in listed["results"]] == [kept.pk]
    figures = stored_stats()[practitioner.pk]
    assert (figures["reviews_unverified"], figures["overall_sum"]) == (1, 5)
    assert_figures_exact()


def test_removing_the_only_review_empties_the_figures(review, practitioner, moderator):
    client_for(moderator).post(remove_url(review), {}, format="json")

    assert practitioner.pk not in stored_stats()
    assert_figures_exact()


def test_removing_twice_is_409(review, moderator):
    client = client_for(moderator)
    client.post(remove_url(review), format="json")
    removed_at = Review.objects.get().removed_at

    response = client.post(remove_url(review), format="json")

    assert response.status_code == 409
    assert response.json() == {"detail": "This review has already been removed."}
    assert Review.objects.get().removed_at == removed_at
    assert_figures_exact()


def test_unknown_review_is_404(moderator):
    response = client_for(moderator).post(remove_url(999999), format="json")

    assert response.status_code == 404
    assert response.json() == {"detail": "No review has this id."}


def test_removal_takes_only_a_note(review, moderator):
    response = client_for(moderator).post(
        remove_url(review), {"removed_by": 1, "note": "x"}, format="json"
    )

    assert response.status_code == 400
    assert response.json() == {"removed_by": ["Unknown field. Allowed fields: note."]}
    assert Review.objects.get().removed_at is None


@pytest.mark.parametrize("who", ["author", "reviewed practitioner", "other patient"])
def test_non_staff_cannot_remove(review, practitioner, who):
    user = {"author": review.author, "reviewed practitioner": practitioner.user}.get(
        who, UserFactory()
    )

    response = client_for(user).post(remove_url(review), format="json")

    assert response.status_code == 403
    assert response.json() == {"detail": "Only moderators (staff) may do this."}
    assert Review.objects.get().removed_at is None
    assert_figures_exact()


def test_anonymous_cannot_remove(review, api_client):
    response = api_client.post(remove_url(review), format="json")

    assert response.status_code == 401
    assert Review.objects.get().removed_at is None


def test_queue_lists_flagged_reviews_most_flagged_first_removed_ones_marked(
    practitioner, moderator
):
    other = PractitionerFactory()
    with time_machine.travel(T0, tick=False):
        once = make_review(practitioner, author=UserFactory(name="Ann Lee"), overall=2)
        thrice = make_review(other, author=UserFactory(name="Bo"), overall=3, body="Spam")
        make_review(practitioner, overall=5)  # never flagged
    flag(once, 1)
    flag(thrice, 3)
    with time_machine.travel(T1, tick=False):
        review_remove(review_id=thrice.pk, moderator=moderator)

    response = client_for(moderator).get(QUEUE, {"flagged": "true"})

    assert response.status_code == 200
    common = {
        "communication": 4,
        "comfort": 4,
        "would_recommend": True,
        "condition": None,
        "condition_name": None,
        "verified": False,
        "created_at": iso(T0),
        "updated_at": iso(T0),
        "reply": None,
    }
    assert response.json() == {
        "count": 2,
        "next": None,
        "previous": None,
        "results": [
            common
            | {"id": thrice.pk, "author_name": "Bo", "overall": 3, "body": "Spam"}
            | {"practitioner": other.pk, "flags": 3, "removed_at": iso(T1)},
            common
            | {"id": once.pk, "author_name": "Ann L.", "overall": 2, "body": ""}
            | {"practitioner": practitioner.pk, "flags": 1, "removed_at": None},
        ],
    }


def test_queue_filters_on_flagged(practitioner, moderator):
    flagged = make_review(practitioner)
    unflagged = make_review(practitioner)
    flag(flagged, 1)
    client = client_for(moderator)

    def ids(params: dict) -> list[int]:
        return [r["id"] for r in client.get(QUEUE, params).json()["results"]]

    assert ids({"flagged": "true"}) == [flagged.pk]
    assert ids({"flagged": "false"}) == [unflagged.pk]
    assert ids({}) == [flagged.pk, unflagged.pk]


def test_queue_refuses_a_bad_flagged_value(moderator):
    response = client_for(moderator).get(QUEUE, {"flagged": "yes"})

    assert response.status_code == 400
    assert response.json() == {"flagged": ['"yes" is not a valid choice.']}


@pytest.mark.parametrize("reviews", [3, 30])
def test_queue_costs_two_queries_whatever_the_number_of_reviews(
    practitioner, moderator, django_assert_num_queries, reviews
):
    for _ in range(reviews):
        flag(make_review(practitioner), 2)
    client = client_for(moderator)

    # The count and one page of reviews with authors, conditions and flag counts.
    with django_assert_num_queries(2):
        response = client.get(QUEUE, {"flagged": "true", "page_size": 100})

    assert len(response.json()["results"]) == reviews


def test_queue_is_for_moderators_only(practitioner, api_client):
    assert client_for(practitioner.user).get(QUEUE).status_code == 403
    assert client_for(UserFactory()).get(QUEUE).status_code == 403
    assert api_client.get(QUEUE).status_code == 401
