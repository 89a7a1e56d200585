"""The published OpenAPI schema stays true (STYLE: the paperless-ngx schema test)."""

import json
import re

import pytest
from django.core.management import call_command
from drf_spectacular.drainage import GENERATOR_STATS

# SPEC §5 endpoints built so far; each new endpoint joins this list.
SPEC_PATHS = [
    "/api/v1/auth/register/",
    "/api/v1/auth/login/",
    "/api/v1/auth/logout/",
    "/api/v1/me/",
    "/api/v1/me/credentials/",
    "/api/v1/me/experience/",
    "/api/v1/me/locations/",
    "/api/v1/practitioners/",
    "/api/v1/practitioners/{id}/",
    "/api/v1/conditions/",
    "/api/v1/moderation/credentials/",
    "/api/v1/moderation/credentials/{id}/verify/",
    "/api/v1/moderation/credentials/{id}/reject/",
]


@pytest.fixture(scope="module")
def schema(tmp_path_factory) -> dict:
    target = tmp_path_factory.mktemp("schema") / "openapi.json"
    GENERATOR_STATS.reset()  # count only this run's warnings
    # Raises (failing the test) on any warning or an invalid OpenAPI document.
    call_command(
        "spectacular", "--validate", "--fail-on-warn", "--format", "openapi-json", "--file",
        str(target),
    )  # fmt: skip
    return json.loads(target.read_text())


def test_schema_is_valid_openapi_without_warnings(schema):
    assert schema["openapi"].startswith("3.")
    assert schema["info"]["title"] == "IMS Practitioner Directory & Matching API"


@pytest.mark.parametrize("path", SPEC_PATHS)
def test_schema_documents_spec_path(schema, path):
    # The spec writes every path parameter as {id}; the views name it ({credential_id}, ...).
    documented = {re.sub(r"\{\w+\}", "{id}", documented) for documented in schema["paths"]}
    assert path in documented


def test_directory_list_documents_every_filter(schema):
    parameters = schema["paths"]["/api/v1/practitioners/"]["get"]["parameters"]

    assert {parameter["name"] for parameter in parameters} == {
        "q", "condition", "city", "near", "radius_km", "language", "accepting_new_patients",
        "qualified", "ordering", "page", "page_size",
    }  # fmt: skip


@pytest.mark.django_db
@pytest.mark.parametrize("fmt", ["", "?format=json"])
def test_schema_endpoint_serves_the_document(client, fmt):
    response = client.get(f"/api/schema/{fmt}")

    assert response.status_code == 200
    assert b"/api/v1/practitioners/" in response.content


@pytest.mark.django_db
def test_docs_page_loads_nothing_from_other_hosts(client):
    response = client.get("/api/docs/")

    assert response.status_code == 200
    assert response["Content-Type"].startswith("text/html")
    html = response.content.decode()
    references = re.findall(r"""\b(?:src|href)\s*=\s*["']([^"']*)["']""", html)
    assert references, "expected the page to load its scripts and styles"
    external = [ref for ref in references if re.match(r"(?i)(https?:)?//", ref)]
    assert external == []
    assert "http://" not in html and "https://" not in html
