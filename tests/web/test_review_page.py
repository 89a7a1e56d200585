"""The review page: who may use it, submitting and replacing a review, invitation codes,
and the service's refusals shown next to their fields."""

import re

import pytest
from django.urls import reverse
from rest_framework.test import APIClient

from directory.models import Review
from directory.services.invitations import invitation_issue
from directory.services.reviews import REVIEW_AUTHOR_MESSAGE, review_remove
from tests.factories import (
    ModeratorFactory,
    PhysicianFactory,
    PractitionerFactory,
    UserFactory,
    qualified_practitioner,
)

pytestmark = pytest.mark.django_db

VALID = {
    "overall": "5",
    "communication": "4",
    "comfort": "3",
    "would_recommend": "yes",
    "condition": "sciatica",
    "body": "Clear explanations and a plan I could follow.",
    "invitation_code": "",
}


@pytest.fixture
def practitioner():
    return qualified_practitioner()


@pytest.fixture
def patient(client):
    user = UserFactory(name="Maria Kowalski")
    client.force_login(user)
    return user


def url(practitioner) -> str:
    return reverse("web:review", args=[practitioner.pk])


def test_anonymous_visitors_are_sent_to_sign_in_and_back(client, practitioner):
    for method in (client.get, client.post):
        response = method(url(practitioner))
        assert response.status_code == 302
        assert response["Location"] == f"/signin/?next=/practitioners/{practitioner.pk}/review/"
    assert not Review.objects.exists()


@pytest.mark.parametrize(
    "make_user",
    [lambda: PhysicianFactory().user, lambda: PractitionerFactory().user, ModeratorFactory],
)
def test_other_roles_get_the_403_page(client, practitioner, make_user):
    client.force_login(make_user())
    for response in (client.get(url(practitioner)), client.post(url(practitioner), VALID)):
        assert response.status_code == 403
        assert REVIEW_AUTHOR_MESSAGE in response.content.decode()
        assert 'href="/dashboard/"' in response.content.decode()
    assert not Review.objects.exists()


def test_unknown_or_deactivated_practitioner_is_404(client, patient, practitioner):
    practitioner.is_active = False
    practitioner.save()
    assert client.get(url(practitioner)).status_code == 404
    assert client.post(url(practitioner), VALID).status_code == 404
    assert client.get(reverse("web:review", args=[999_999])).status_code == 404
    assert not Review.objects.exists()


def test_the_form_has_labelled_groups_for_every_rating(client, patient, practitioner):
    page = client.get(url(practitioner)).content.decode()
    for legend in ("Overall", "Communication", "Comfort", "Would you recommend them to a friend?"):
        assert f"<legend>{legend}</legend>" in page
    assert page.count('type="radio" name="overall"') == 5
    assert 'for="id_body"' in page and 'for="id_invitation_code"' in page
    assert 'maxlength="5000"' in page


def test_a_patient_submits_a_review_and_is_sent_to_the_profile(client, patient, practitioner):
    response = client.post(url(practitioner), VALID)
    profile = reverse("web:practitioner", args=[practitioner.pk])
    assert response.status_code == 302
    assert response["Location"] == f"{profile}#reviews"
    stored = Review.objects.get()
    assert (stored.author, stored.practitioner) == (patient, practitioner)
    assert (stored.overall, stored.communication, stored.comfort) == (5, 4, 3)
    assert stored.would_recommend is True
    assert stored.condition.slug == "sciatica"
    assert stored.body == VALID["body"]
    assert stored.verified is False
    page = client.get(profile).content.decode()
    assert "Thank you: your review is published." in page
    assert "Maria K." in page and VALID["body"] in page
    assert '<span class="badge badge-muted">Unverified</span>' in page


def test_a_second_submission_replaces_the_first_and_the_form_shows_it(
    client, patient, practitioner
):
    client.post(url(practitioner), VALID)
    page = client.get(url(practitioner)).content.decode()
    assert "Sending this form replaces your earlier review" in page
    assert re.search(r'value="5"[^>]*name="overall"|name="overall" value="5"[^>]*checked', page)
    assert VALID["body"] in page
    client.post(url(practitioner), VALID | {"overall": "2", "would_recommend": "no", "body": ""})
    stored = Review.objects.get()
    assert (stored.overall, stored.would_recommend, stored.body) == (2, False, "")


def test_an_invitation_code_makes_the_review_verified(client, patient, practitioner):
    invitation, code = invitation_issue(practitioner=practitioner)
    response = client.post(url(practitioner), VALID | {"invitation_code": code.lower()})
    assert response.status_code == 302
    stored = Review.objects.get()
    assert stored.verified is True and stored.invitation == invitation
    invitation.refresh_from_db()
    assert invitation.used_at is not None
    page = client.get(response["Location"]).content.decode()
    assert "Thank you: your review is published and marked as verified." in page
    mine = page.split("<strong>Maria K.</strong>")[1].split("</li>")[0]
    assert '<span class="badge">Verified</span>' in mine


@pytest.mark.parametrize("problem", ["unknown", "used", "other_practitioner"])
def test_a_bad_code_is_a_field_error_and_nothing_is_written(client, patient, practitioner, problem):
    if problem == "unknown":
        code, expected = "K7QX-3M9P-2AZD", "This invitation code is not valid."
    elif problem == "other_practitioner":
        _, code = invitation_issue(practitioner=qualified_practitioner())
        expected = "This invitation code was issued by another practitioner"
    else:
        invitation, code = invitation_issue(practitioner=practitioner)
        other = UserFactory()
        client.force_login(other)
        client.post(url(practitioner), VALID | {"invitation_code": code})
        client.force_login(patient)
        expected = "This invitation code has already been used"
    before = list(Review.objects.values_list("id", flat=True))
    response = client.post(url(practitioner), VALID | {"invitation_code": code})
    assert response.status_code == 200
    page = response.content.decode()
    error = page.split('id="id_invitation_code_error"')[1].split("</ul>")[0]
    assert expected in error
    assert f'value="{code}"' in page and VALID["body"] in page
    assert list(Review.objects.values_list("id", flat=True)) == before
    assert not Review.objects.filter(author=patient).exists()


def test_a_body_over_5000_characters_is_a_field_error_with_the_input_kept(
    client, patient, practitioner
):
    body = "x" * 5001
    response = client.post(url(practitioner), VALID | {"body": body})
    assert response.status_code == 200
    page = response.content.decode()
    assert 'id="id_body_error"' in page
    assert "at most 5000 characters (it has 5001)" in page
    assert body in page
    assert 'aria-invalid="true"' in page
    assert not Review.objects.exists()


def test_missing_ratings_are_field_errors(client, patient, practitioner):
    response = client.post(url(practitioner), {"body": "No stars."})
    page = response.content.decode()
    for name in ("overall", "communication", "comfort", "would_recommend"):
        assert f'id="id_{name}_error"' in page
    assert "No stars." in page
    assert not Review.objects.exists()


def test_a_review_removed_by_a_moderator_cannot_be_replaced(client, patient, practitioner):
    client.post(url(practitioner), VALID)
    review_remove(review_id=Review.objects.get().pk, moderator=ModeratorFactory())
    page = client.get(url(practitioner)).content.decode()
    assert "A moderator removed your review of this practitioner" in page
    assert '<form method="post" action="/practitioners/' not in page
    response = client.post(url(practitioner), VALID | {"body": "Again."})
    assert response.status_code == 200
    assert "you cannot post another" in response.content.decode()
    assert Review.objects.get().body == VALID["body"]


def test_submissions_share_the_api_throttle(client, patient, practitioner, settings):
    settings.REST_FRAMEWORK = settings.REST_FRAMEWORK | {
        "DEFAULT_THROTTLE_RATES": settings.REST_FRAMEWORK["DEFAULT_THROTTLE_RATES"]
        | {"review_create": "1/hour"}
    }
    assert client.post(url(practitioner), VALID).status_code == 302
    response = client.post(url(practitioner), VALID | {"overall": "1"})
    assert response.status_code == 429
    assert "try again later" in response.content.decode()


def test_the_page_and_the_api_share_one_review_allowance(client, patient, practitioner, settings):
    settings.REST_FRAMEWORK = settings.REST_FRAMEWORK | {
        "DEFAULT_THROTTLE_RATES": settings.REST_FRAMEWORK["DEFAULT_THROTTLE_RATES"]
        | {"review_create": "1/hour"}
    }
    api = APIClient()
    api.force_authenticate(patient)
    reviews = f"/api/v1/practitioners/{practitioner.pk}/reviews/"
    body = {"overall": 5, "communication": 4, "comfort": 3, "would_recommend": True}
    assert api.post(reviews, body, format="json").status_code == 201

    response = client.post(url(practitioner), VALID | {"overall": "1"})

    assert response.status_code == 429
    assert api.post(reviews, body | {"overall": 2}, format="json").status_code == 429
    assert Review.objects.get().overall == 5
    assert Review.objects.get().overall == 5
