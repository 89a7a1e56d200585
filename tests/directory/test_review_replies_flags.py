"""POST /api/v1/reviews/{id}/reply/ and /api/v1/reviews/{id}/flag/."""

from datetime import UTC, datetime

import pytest
import time_machine

from directory.models import Review, ReviewFlag, Role
from directory.services.reviews import review_remove
from tests.conftest import client_for
from tests.directory.test_reviews import assert_figures_exact, iso, make_review
from tests.factories import ModeratorFactory, PhysicianFactory, PractitionerFactory, UserFactory

pytestmark = pytest.mark.django_db

T0 = datetime(2030, 3, 1, 12, 0, tzinfo=UTC)
T1 = datetime(2030, 3, 5, 9, 30, tzinfo=UTC)


def reply_url(review: Review | int) -> str:
    return f"/api/v1/reviews/{getattr(review, 'pk', review)}/reply/"


def flag_url(review: Review | int) -> str:
    return f"/api/v1/reviews/{getattr(review, 'pk', review)}/flag/"


@pytest.fixture
def review(practitioner) -> Review:
    with time_machine.travel(T0, tick=False):
        return make_review(
            practitioner,
            author=UserFactory(name="Maria Kowalski"),
            overall=5,
            communication=4,
            comfort=3,
            body="Great care.",
        )


# --- replies ---------------------------------------------------------------------------


def test_reviewed_practitioner_replies_once(review, practitioner):
    with time_machine.travel(T1, tick=False):
        response = client_for(practitioner.user).post(
            reply_url(review), {"body": "Thank you, Maria."}, format="json"
        )

    assert response.status_code == 200
    assert response.json() == {
        "id": review.pk,
        "author_name": "Maria K.",
        "overall": 5,
        "communication": 4,
        "comfort": 3,
        "would_recommend": True,
        "condition": None,
        "condition_name": None,
        "body": "Great care.",
        "verified": False,
        "created_at": iso(T0),
        "updated_at": iso(T0),
        "reply": {"body": "Thank you, Maria.", "replied_at": iso(T1)},
    }
    review.refresh_from_db()
    # A reply is not a change of the review: it keeps its place in the newest-first list.
    assert (review.reply, review.replied_at, review.updated_at) == ("Thank you, Maria.", T1, T0)
    assert_figures_exact()


def test_second_reply_is_409_and_keeps_the_first(review, practitioner):
    client = client_for(practitioner.user)
    client.post(reply_url(review), {"body": "First."}, format="json")

    response = client.post(reply_url(review), {"body": "Second."}, format="json")

    assert response.status_code == 409
    assert response.json() == {
        "detail": "You have already replied to this review; a review takes one reply."
    }
    review.refresh_from_db()
    assert review.reply == "First."


@pytest.mark.parametrize(
    "make_user",
    [
        lambda: PractitionerFactory().user,
        lambda: ModeratorFactory(),
        lambda: UserFactory(),
        lambda: PhysicianFactory().user,
    ],
    ids=["other practitioner", "moderator", "patient", "physician"],
)
def test_only_the_reviewed_practitioner_may_reply(review, make_user):
    response = client_for(make_user()).post(reply_url(review), {"body": "Hi"}, format="json")

    assert response.status_code == 403
    assert response.json() == {"detail": "Only the reviewed practitioner may reply to this review."}
    review.refresh_from_db()
    assert (review.reply, review.replied_at) == ("", None)


def test_the_reviews_author_may_not_reply(review):
    response = client_for(review.author).post(reply_url(review), {"body": "Hi"}, format="json")

    assert response.status_code == 403


def test_a_moderator_who_is_the_reviewed_practitioner_may_reply():
    practitioner = PractitionerFactory(user__is_staff=True, user__role=Role.PRACTITIONER)
    review = make_review(practitioner)

    response = client_for(practitioner.user).post(
        reply_url(review), {"body": "Thanks"}, format="json"
    )

    assert response.status_code == 200
    assert response.json()["reply"]["body"] == "Thanks"


def test_anonymous_cannot_reply(review, api_client):
    response = api_client.post(reply_url(review), {"body": "Hi"}, format="json")

    assert response.status_code == 401
    review.refresh_from_db()
    assert review.replied_at is None


def test_reply_to_a_removed_or_unknown_review_is_404(review, practitioner, moderator):
    review_remove(review_id=review.pk, moderator=moderator)
    client = client_for(practitioner.user)

    removed = client.post(reply_url(review), {"body": "Hi"}, format="json")
    unknown = client.post(reply_url(999999), {"body": "Hi"}, format="json")

    assert (removed.status_code, unknown.status_code) == (404, 404)
    assert removed.json() == {"detail": "No review has this id."}
    review.refresh_from_db()
    assert review.replied_at is None


@pytest.mark.parametrize(
    ("payload", "errors"),
    [
        ({"body": ""}, {"body": ["This field may not be blank."]}),
        ({"body": "   "}, {"body": ["This field may not be blank."]}),
        ({}, {"body": ["This field is required."]}),
        (
            {"body": "x" * 5001},
            {"body": ["Ensure this value has at most 5000 characters (it has 5001)."]},
        ),
        ({"body": "a\x00b"}, {"body": ["Null characters are not allowed."]}),
        (
            {"body": "Hi", "replied_at": "2020-01-01T00:00:00Z"},
            {"replied_at": ["Unknown field. Allowed fields: body."]},
        ),
    ],
)
def test_invalid_reply_is_400(review, practitioner, payload, errors):
    response = client_for(practitioner.user).post(reply_url(review), payload, format="json")

    assert response.status_code == 400
    assert response.json() == errors
    review.refresh_from_db()
    assert review.replied_at is None


# --- flags -----------------------------------------------------------------------------


@pytest.mark.parametrize(
    "make_user",
    [
        lambda: UserFactory(),
        lambda: PhysicianFactory().user,
        lambda: PractitionerFactory().user,
        lambda: ModeratorFactory(),
    ],
    ids=["patient", "physician", "practitioner", "moderator"],
)
def test_any_signed_in_user_may_flag(review, make_user):
    user = make_user()

    response = client_for(user).post(flag_url(review), {"reason": "Spam"}, format="json")

    assert response.status_code == 201
    assert response.json() == {"review": review.pk, "flagged": True}
    flag = ReviewFlag.objects.get()
    assert (flag.review, flag.flagged_by, flag.reason) == (review, user, "Spam")


def test_flagging_again_is_idempotent(review, patient):
    client = client_for(patient)
    first = client.post(flag_url(review), {"reason": "Spam"}, format="json")

    again = client.post(flag_url(review), {"reason": "Changed my mind"}, format="json")

    assert (first.status_code, again.status_code) == (201, 200)
    assert again.json() == first.json() == {"review": review.pk, "flagged": True}
    assert list(ReviewFlag.objects.values_list("flagged_by", "reason")) == [(patient.pk, "Spam")]


def test_each_user_flags_once(review, patient):
    client_for(patient).post(flag_url(review), format="json")

    response = client_for(UserFactory()).post(flag_url(review), {}, format="json")

    assert response.status_code == 201
    assert ReviewFlag.objects.filter(review=review).count() == 2
    assert ReviewFlag.objects.get(flagged_by=patient).reason == ""


def test_anonymous_cannot_flag(review, api_client):
    response = api_client.post(flag_url(review), {}, format="json")

    assert response.status_code == 401
    assert not ReviewFlag.objects.exists()


def test_removed_or_unknown_review_cannot_be_flagged(review, patient, moderator):
    review_remove(review_id=review.pk, moderator=moderator)
    client = client_for(patient)

    removed = client.post(flag_url(review), {}, format="json")
    unknown = client.post(flag_url(999999), {}, format="json")

    assert (removed.status_code, unknown.status_code) == (404, 404)
    assert removed.json() == {"detail": "No review has this id."}
    assert not ReviewFlag.objects.exists()


@pytest.mark.parametrize(
    ("payload", "errors"),
    [
        (
            {"reason": "x" * 501},
            {"reason": ["Ensure this value has at most 500 characters (it has 501)."]},
        ),
        ({"reason": "a\x00"}, {"reason": ["Null characters are not allowed."]}),
        ({"severity": 5}, {"severity": ["Unknown field. Allowed fields: reason."]}),
    ],
)
def test_invalid_flag_is_400(review, patient, payload, errors):
    response = client_for(patient).post(flag_url(review), payload, format="json")

    assert response.status_code == 400
    assert response.json() == errors
    assert not ReviewFlag.objects.exists()
