"""A text field given a number is a 400 (issue 10.7): the schema says string, and DRF on its
own would read 0 as "0"."""

import pytest

from tests.conftest import client_for

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize("value", [0, 1.5, True, ["Bo"], {"first": "Bo"}])
def test_a_name_that_is_not_a_string_is_refused(patient, value):
    response = client_for(patient).patch("/api/v1/me/", {"name": value}, format="json")

    assert response.status_code == 400
    assert response.json() == {"name": ["Not a valid string."]}
    patient.refresh_from_db()
    assert patient.name != str(value)


def test_a_nested_text_field_that_is_not_a_string_is_refused(api_client):
    body = {"condition": "sciatica", "location": {"city": 7, "country": "CA"}}

    response = api_client.post("/api/v1/match/", body, format="json")

    assert response.status_code == 400
    assert response.json() == {"location": {"city": ["Not a valid string."]}}


def test_form_bodies_are_text_and_still_accepted(patient):
    response = client_for(patient).patch("/api/v1/me/", {"name": "0"}, format="multipart")

    assert response.status_code == 200
    assert response.json()["name"] == "0"


def test_a_null_text_field_says_it_may_not_be_null(patient):
    response = client_for(patient).patch("/api/v1/me/", {"name": None}, format="json")

    assert response.status_code == 400
    assert response.json() == {"name": ["This field may not be null."]}
