"""Deeply nested bodies are a 400 that says so, for anyone, on every kind of body; never a 500."""

import json

import pytest

from directory.models import PractitionerProfile
from directory.parsers import MAX_NESTING, NESTING_MESSAGE, nesting_depth
from tests.conftest import client_for
from tests.factories import PractitionerFactory

pytestmark = pytest.mark.django_db


def nested(depth: int, *, leaf: str = "[]") -> str:
    # depth levels of {"a": ...} around a leaf array (which is one more level).
    return '{"a":' * (depth - 1) + leaf + "}" * (depth - 1)


@pytest.mark.parametrize("depth", [MAX_NESTING + 1, 950, 20_000])
@pytest.mark.parametrize(
    "path", ["/api/v1/match/", "/api/v1/auth/login/", "/api/v1/auth/register/"]
)
def test_deep_json_is_a_400_for_anyone(api_client, path, depth):
    response = api_client.post(path, nested(depth), content_type="application/json")

    assert response.status_code == 400
    assert response.json() == {"detail": NESTING_MESSAGE}


def test_deep_json_changes_nothing_for_a_signed_in_practitioner():
    practitioner = PractitionerFactory(bio="Before")
    before = PractitionerProfile.objects.values().get(pk=practitioner.pk)
    body = nested(2000, leaf='{"bio": "After"}')

    response = client_for(practitioner.user).patch(
        "/api/v1/me/", body, content_type="application/json"
    )

    assert response.status_code == 400
    assert response.json() == {"detail": NESTING_MESSAGE}
    assert PractitionerProfile.objects.values().get(pk=practitioner.pk) == before


def test_nesting_up_to_the_bound_is_parsed_and_judged_as_usual(api_client):
    # 64 levels parse; the match then refuses the shape with its own field message.
    response = api_client.post(
        "/api/v1/match/", nested(MAX_NESTING), content_type="application/json"
    )

    assert response.status_code == 400
    assert "detail" not in response.json()


@pytest.mark.parametrize("content_type", ["multipart", "form"])
def test_form_and_multipart_bodies_are_flat_so_bracketed_names_are_just_unknown_fields(
    content_type,
):
    practitioner = PractitionerFactory(bio="Before")
    name = "bio" + "[a]" * 200
    client = client_for(practitioner.user)

    if content_type == "multipart":
        response = client.patch("/api/v1/me/", {name: "x"}, format="multipart")
    else:
        response = client.generic(
            "PATCH", "/api/v1/me/", f"{name}=x", content_type="application/x-www-form-urlencoded"
        )

    assert response.status_code == 400
    assert list(response.json()) == [name]
    practitioner.refresh_from_db()
    assert practitioner.bio == "Before"


def test_nesting_depth_counts_levels_without_recursing():
    assert nesting_depth(1) == 0
    assert nesting_depth([]) == 1
    assert nesting_depth({"a": [1, {"b": []}]}) == 4
    assert nesting_depth(json.loads(nested(MAX_NESTING))) == MAX_NESTING
