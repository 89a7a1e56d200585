"""The practitioner's "Reviews" tab: the reviews of them, one public reply each (a second is
refused with a message), flagging for the moderators, and nobody else reaching them."""

import pytest
from django.test import Client

from directory.models import Review, ReviewFlag
from directory.services.reviews import review_remove
from tests.directory.test_reviews import make_review
from tests.factories import ModeratorFactory, PhysicianFactory, UserFactory, qualified_practitioner
from tests.web.test_dashboard_practitioner import (
    assert_error_next_to,
    flashed,
    signed_in,
    text,
)
from web.views.dashboard_common import PRACTITIONER_ONLY

pytestmark = pytest.mark.django_db


@pytest.fixture
def practitioner():
    return qualified_practitioner(user__name="Sam Okafor", languages=",en,")


@pytest.fixture
def client(practitioner) -> Client:
    return signed_in(practitioner.user)


@pytest.fixture
def review(practitioner) -> Review:
    return make_review(
        practitioner, author=UserFactory(name="Maria Kowalski"), overall=5, body="Great care."
    )


def reply_url(review: Review) -> str:
    return f"/dashboard/reviews/{review.pk}/reply/"


def flag_url(review: Review) -> str:
    return f"/dashboard/reviews/{review.pk}/flag/"


def test_the_tab_lists_the_reviews_with_a_reply_and_a_flag_form(client, review):
    response = client.get("/dashboard/reviews/")

    assert response.status_code == 200
    page = text(response)
    assert '<a href="/dashboard/reviews/" aria-current="page">Reviews</a>' in page
    assert "Maria K." in page
    assert "Maria Kowalski" not in page
    assert "Great care." in page
    assert "Overall 5/5" in page
    assert f'action="{reply_url(review)}"' in page
    assert f'id="id_review-{review.pk}-reply-body"' in page
    assert f'action="{flag_url(review)}"' in page


def test_no_reviews_says_so(client):
    assert "No reviews yet." in text(client.get("/dashboard/reviews/"))


def test_a_removed_review_is_not_listed(client, review):
    review_remove(review_id=review.pk, moderator=ModeratorFactory())

    assert "Great care." not in text(client.get("/dashboard/reviews/"))


def test_replying_publishes_it_once(client, review):
    response = client.post(
        reply_url(review), {f"review-{review.pk}-reply-body": "Thank you, Maria."}, follow=True
    )

    assert response.redirect_chain == [(f"/dashboard/reviews/#review-{review.pk}", 302)]
    assert flashed(response) == ["Your reply is published under the review."]
    review.refresh_from_db()
    assert review.reply == "Thank you, Maria."
    assert review.replied_at is not None
    page = text(response)
    assert "Your reply" in page
    assert "Thank you, Maria." in page
    assert f'action="{reply_url(review)}"' not in page


def test_a_second_reply_is_refused_with_a_message(client, review):
    client.post(reply_url(review), {f"review-{review.pk}-reply-body": "First."}, follow=True)

    response = client.post(
        reply_url(review), {f"review-{review.pk}-reply-body": "Second."}, follow=True
    )

    assert response.status_code == 200
    assert flashed(response) == [
        "You have already replied to this review; a review takes one reply."
    ]
    review.refresh_from_db()
    assert review.reply == "First."


def test_an_empty_reply_is_an_error_beside_the_field(client, review):
    response = client.post(reply_url(review), {f"review-{review.pk}-reply-body": ""})

    assert response.status_code == 200
    assert_error_next_to(
        response, f"id_review-{review.pk}-reply-body", "Write your reply before sending it."
    )
    review.refresh_from_db()
    assert (review.reply, review.replied_at) == ("", None)


def test_a_too_long_reply_keeps_the_input_and_saves_nothing(client, review):
    body = "x" * 5001

    response = client.post(reply_url(review), {f"review-{review.pk}-reply-body": body})

    assert response.status_code == 200
    assert_error_next_to(
        response,
        f"id_review-{review.pk}-reply-body",
        "Ensure this value has at most 5000 characters (it has 5001).",
    )
    assert body in text(response)
    review.refresh_from_db()
    assert review.replied_at is None


def test_flagging_records_the_reason_once(client, practitioner, review):
    response = client.post(
        flag_url(review), {f"review-{review.pk}-flag-reason": "Not my patient."}, follow=True
    )

    assert flashed(response) == ["Review flagged: a moderator will look at it."]
    assert list(ReviewFlag.objects.values_list("review", "flagged_by", "reason")) == [
        (review.pk, practitioner.user.pk, "Not my patient.")
    ]
    page = text(response)
    assert "You flagged this review for the moderators." in page
    assert f'action="{flag_url(review)}"' not in page

    again = client.post(flag_url(review), {}, follow=True)

    assert flashed(again) == ["You had already flagged this review; a moderator will look."]
    assert ReviewFlag.objects.count() == 1


def test_a_too_long_flag_reason_is_refused_beside_the_field_and_nothing_flagged(client, review):
    reason = "x" * 501

    response = client.post(flag_url(review), {f"review-{review.pk}-flag-reason": reason})

    assert response.status_code == 200
    assert_error_next_to(
        response,
        f"id_review-{review.pk}-flag-reason",
        "Ensure this value has at most 500 characters (it has 501).",
    )
    assert '<details class="flag" open>' in text(response)
    assert reason in text(response)
    assert not ReviewFlag.objects.exists()


@pytest.mark.parametrize("suffix", ["reply/", "flag/"])
def test_another_practitioners_review_is_404(client, suffix):
    theirs = make_review(qualified_practitioner(), body="Theirs.")

    response = client.post(f"/dashboard/reviews/{theirs.pk}/{suffix}", {})

    assert response.status_code == 404
    theirs.refresh_from_db()
    assert theirs.replied_at is None
    assert not ReviewFlag.objects.exists()


def test_the_tab_shows_only_ones_own_reviews(client):
    make_review(qualified_practitioner(), body="About someone else.")

    assert "About someone else." not in text(client.get("/dashboard/reviews/"))


@pytest.mark.parametrize("url", ["/dashboard/reviews/", "reply", "flag"])
def test_anonymous_is_sent_to_sign_in(review, url):
    url = url if url.startswith("/") else f"/dashboard/reviews/{review.pk}/{url}/"
    response = Client().post(url) if not url.endswith("reviews/") else Client().get(url)

    assert response.status_code == 302
    assert response["Location"] == f"/signin/?next={url}"
    review.refresh_from_db()
    assert review.replied_at is None


@pytest.mark.parametrize("make_user", [UserFactory, ModeratorFactory, PhysicianFactory])
def test_other_accounts_get_the_practitioners_only_403(review, make_user):
    user = make_user()
    user = getattr(user, "user", user)
    client = signed_in(user)

    assert PRACTITIONER_ONLY in text(client.get("/dashboard/reviews/"))
    response = client.post(reply_url(review), {f"review-{review.pk}-reply-body": "Hi."})

    assert response.status_code == 403
    review.refresh_from_db()
    assert review.replied_at is None


def test_get_on_reply_or_flag_is_405(client, review):
    assert client.get(reply_url(review)).status_code == 405
    assert client.get(flag_url(review)).status_code == 405
