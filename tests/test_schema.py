"""The published OpenAPI schema stays true (STYLE: the paperless-ngx schema test)."""

import json
import re

import jsonschema
import pytest
from django.core.management import call_command
from drf_spectacular.drainage import GENERATOR_STATS

from tests.conftest import client_for
from tests.factories import ModeratorFactory, PhysicianFactory, PractitionerFactory, UserFactory

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
        "qualified", "ordering", "page", "page_size", "max_fee", "direct_billing",
    }  # fmt: skip
    by_name = {parameter["name"]: parameter for parameter in parameters}
    assert by_name["max_fee"]["schema"] == {"type": "number", "minimum": 0, "maximum": 10000}
    assert "no fee are left out" in by_name["max_fee"]["description"]
    assert by_name["direct_billing"]["schema"]["type"] == "boolean"


def test_match_documents_its_filters_paging_and_experienced_count(schema):
    components = schema["components"]["schemas"]
    request = components["MatchRequestRequest"]["properties"]
    assert {name: request[name].get("type") for name in (
        "max_fee", "direct_billing", "experience_required", "offset", "sort",
    )} == {
        "max_fee": "number", "direct_billing": "boolean", "experience_required": "boolean",
        "offset": "integer", "sort": None,  # an enum component
    }  # fmt: skip
    assert request["sort"]["allOf"] == [{"$ref": "#/components/schemas/MatchSortEnum"}]
    assert components["MatchSortEnum"]["enum"] == ["best", "distance"]
    assert (request["max_fee"]["minimum"], request["max_fee"]["maximum"]) == (0, 10000)
    assert (request["offset"]["minimum"], request["offset"]["maximum"]) == (0, 1000)
    assert request["offset"]["default"] == 0
    assert "experienced_count" in components["MatchResponse"]["required"]
    assert components["MatchResponse"]["properties"]["experienced_count"]["type"] == "integer"


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


# --- every response documented (issue 10.7) ---------------------------------------------


def operations(schema) -> dict[str, dict]:
    return {
        operation["operationId"]: operation | {"path": path, "method": method}
        for path, methods in schema["paths"].items()
        for method, operation in methods.items()
    }


@pytest.mark.parametrize(
    "operation_id, statuses",
    [
        # Anyone, no token read, no id: a bad body, too big, wrong type; the database.
        ("v1_match_create", {"200", "400", "413", "415", "503"}),
        # Anyone, but a bad token is refused; a page past the last is a 404.
        ("practitioners_list", {"200", "400", "401", "404", "503"}),
        ("practitioners_retrieve", {"200", "401", "404", "503"}),
        # Signed in; throttled; the body's own 403 and 409.
        (
            "practitioners_reviews_create",
            {"200", "201", "400", "401", "403", "404", "409", "413", "415", "429", "503"},
        ),
        # A right password for an address that awaits confirmation is a 403.
        ("auth_login", {"200", "400", "403", "413", "415", "429", "503"}),
        # The same answer whether or not the address has an account; throttled.
        ("auth_password_reset", {"202", "400", "413", "415", "429", "503"}),
        ("auth_confirm_email_resend", {"202", "400", "413", "415", "429", "503"}),
        # A dead link is a 400; not throttled (the token is the secret).
        ("auth_password_reset_confirm", {"204", "400", "413", "415", "503"}),
        ("auth_confirm_email", {"204", "400", "413", "415", "503"}),
        # Any signed-in account may read itself: no 403 on a read.
        ("me_retrieve", {"200", "401", "503"}),
        ("reviews_flag", {"200", "201", "400", "401", "403", "404", "413", "415", "503"}),
        ("moderation_reviews_list", {"200", "400", "401", "403", "404", "503"}),
    ],
)
def test_operation_documents_its_error_statuses(schema, operation_id, statuses):
    # Every operation also has gunicorn's 414 (an address too long to read).
    assert set(operations(schema)[operation_id]["responses"]) == statuses | {"414"}


def test_every_operation_documents_a_body_for_every_error(schema):
    for operation_id, operation in operations(schema).items():
        for status, response in operation["responses"].items():
            if status >= "400" and status != "414":
                assert "application/json" in response.get("content", {}), (operation_id, status)
                assert response["description"], (operation_id, status)


def test_error_bodies_are_drf_shapes(schema):
    components = schema["components"]["schemas"]
    not_found = operations(schema)["practitioners_retrieve"]["responses"]["404"]
    bad_request = operations(schema)["auth_login"]["responses"]["400"]

    assert not_found["content"]["application/json"]["schema"] == {
        "$ref": "#/components/schemas/Error"
    }
    assert bad_request["content"]["application/json"]["schema"] == {
        "$ref": "#/components/schemas/ValidationError"
    }
    assert components["Error"]["required"] == ["detail"]
    assert components["ValidationError"]["type"] == "object"


def test_throttled_and_unavailable_answers_document_retry_after(schema):
    responses = operations(schema)["auth_login"]["responses"]

    assert responses["429"]["headers"]["Retry-After"]["schema"]["type"] == "integer"
    assert responses["503"]["headers"]["Retry-After"]["required"] is True


# --- limits and enums -------------------------------------------------------------------


def parameter_schemas(schema, operation_id: str) -> dict[str, dict]:
    parameters = operations(schema)[operation_id].get("parameters", [])
    return {parameter["name"]: parameter["schema"] for parameter in parameters}


@pytest.mark.parametrize(
    "operation_id", ["practitioners_list", "conditions_list", "moderation_reviews_list"]
)
def test_pages_declare_their_limits(schema, operation_id):
    parameters = parameter_schemas(schema, operation_id)

    assert parameters["page"] == {"type": "integer", "minimum": 1}
    assert parameters["page_size"] == {"type": "integer", "minimum": 1, "maximum": 100}


def test_directory_filters_declare_their_limits(schema):
    parameters = parameter_schemas(schema, "practitioners_list")

    assert parameters["radius_km"] == {
        "type": "number", "minimum": 0, "exclusiveMinimum": True, "maximum": 500.0,
    }  # fmt: skip
    assert parameters["language"]["pattern"] == "^(?:[a-z]{2})?$"
    assert re.fullmatch(parameters["near"]["pattern"].strip("^$"), "49.2827,-123.1207")
    assert not re.fullmatch(parameters["near"]["pattern"].strip("^$"), "91,0")
    assert parameters["q"]["maxLength"] == 100
    assert parameters["ordering"]["enum"] == ["-name", "distance", "name"]


def test_strict_request_bodies_refuse_unknown_fields_in_the_schema(schema):
    components = schema["components"]["schemas"]

    assert components["AuthLoginInputRequest"]["additionalProperties"] is False
    assert components["PatchedMeLocationInputRequest"]["additionalProperties"] is False


@pytest.mark.parametrize("operation_id", ["v1_match_create", "me_partial_update"])
def test_bodies_that_nest_are_documented_as_json_only(schema, operation_id):
    body = operations(schema)[operation_id]["requestBody"]

    assert list(body["content"]) == ["application/json"]


def test_flat_bodies_keep_their_form_encodings(schema):
    body = operations(schema)["reviews_flag"]["requestBody"]

    assert set(body["content"]) == {
        "application/json", "multipart/form-data", "application/x-www-form-urlencoded",
    }  # fmt: skip


# --- Me: one schema per role ------------------------------------------------------------


def json_schema(node):
    """OpenAPI 3.0's `nullable` as JSON Schema says it (as schemathesis reads it)."""
    if isinstance(node, list):
        return [json_schema(item) for item in node]
    if not isinstance(node, dict):
        return node
    converted = {key: json_schema(value) for key, value in node.items() if key != "nullable"}
    if node.get("nullable"):
        return {"anyOf": [converted, {"type": "null"}]}
    return converted


def test_me_is_discriminated_by_role(schema):
    components = schema["components"]["schemas"]

    assert components["Me"]["discriminator"] == {
        "propertyName": "role",
        "mapping": {
            "patient": "#/components/schemas/MeAccount",
            "physician": "#/components/schemas/MeAccount",
            "practitioner": "#/components/schemas/MePractitioner",
        },
    }
    assert components["AccountRoleEnum"]["enum"] == ["patient", "physician"]
    assert components["PractitionerRoleEnum"]["enum"] == ["practitioner"]


@pytest.mark.django_db
@pytest.mark.parametrize("role", ["patient", "physician", "practitioner", "moderator"])
def test_me_body_matches_exactly_one_branch_of_me(schema, role):
    user = {
        "patient": UserFactory,
        "physician": lambda: PhysicianFactory().user,
        "practitioner": lambda: PractitionerFactory().user,
        "moderator": ModeratorFactory,
    }[role]()
    body = client_for(user).get("/api/v1/me/").json()

    components = json_schema(schema["components"])
    matching = [
        branch["$ref"]
        for branch in components["schemas"]["Me"]["oneOf"]
        if jsonschema.Draft4Validator({**branch, "components": components}).is_valid(body)
    ]
    expected = "MePractitioner" if role == "practitioner" else "MeAccount"
    assert matching == [f"#/components/schemas/{expected}"]


def test_optional_filters_may_be_empty_but_pages_may_not(schema):
    parameters = {
        parameter["name"]: parameter
        for parameter in operations(schema)["moderation_reviews_list"]["parameters"]
    }

    assert parameters["flagged"]["allowEmptyValue"] is True
    assert "allowEmptyValue" not in parameters["page"]
    assert "allowEmptyValue" not in parameters["page_size"]


def test_an_address_too_long_for_gunicorn_is_documented_as_its_html_page(schema):
    response = operations(schema)["conditions_list"]["responses"]["414"]

    assert response["content"] == {"text/html": {"schema": {"type": "string"}}}


def test_multipart_bodies_with_every_field_optional_need_one_part(schema):
    flag = operations(schema)["reviews_flag"]["requestBody"]["content"]
    reply = operations(schema)["reviews_reply"]["requestBody"]["content"]

    assert flag["multipart/form-data"]["schema"] == {
        "allOf": [{"$ref": "#/components/schemas/ReviewFlagInputRequest"}],
        "minProperties": 1,
    }
    assert flag["application/json"]["schema"] == {
        "$ref": "#/components/schemas/ReviewFlagInputRequest"
    }
    # A reply's body is required anyway.
    assert reply["multipart/form-data"]["schema"] == {
        "$ref": "#/components/schemas/ReviewReplyInputRequest"
    }
