"""Bodies over DATA_UPLOAD_MAX_MEMORY_SIZE get a 413 that names the limit, never a 500."""

import json

import pytest
from django.conf import settings

from tests.conftest import client_for
from tests.factories import PractitionerFactory


def big_json() -> bytes:
    return json.dumps(
        {"condition": "sciatica", "padding": "x" * (settings.DATA_UPLOAD_MAX_MEMORY_SIZE + 1)}
    ).encode()


@pytest.mark.django_db
@pytest.mark.parametrize(
    "path", ["/api/v1/match/", "/api/v1/auth/register/", "/api/v1/auth/login/"]
)
def test_oversized_json_is_413_for_anyone(api_client, path):
    response = api_client.post(path, big_json(), content_type="application/json")
    assert response.status_code == 413
    limit = settings.DATA_UPLOAD_MAX_MEMORY_SIZE
    assert response.json() == {
        "detail": f"Request body too large; at most {limit} bytes are accepted."
    }


@pytest.mark.django_db
def test_oversized_profile_patch_is_413_and_changes_nothing():
    practitioner = PractitionerFactory(bio="Before")
    response = client_for(practitioner.user).patch(
        "/api/v1/me/", big_json(), content_type="application/json"
    )
    assert response.status_code == 413
    practitioner.refresh_from_db()
    assert practitioner.bio == "Before"
