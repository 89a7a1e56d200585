"""What the bulk export's tests share: a small directory, the kick-off request, and reading
and validating the ndjson an export wrote."""

import json

from django.utils import timezone
from fhir.resources.R4B import get_fhir_model_class
from rest_framework.test import APIClient

from directory.models import PractitionerProfile
from interop.resources import resources_iter
from tests.factories import LocationFactory, qualified_practitioner

KICKOFF = "/fhir/$export"
ASYNC = {"HTTP_PREFER": "respond-async", "HTTP_ACCEPT": "application/fhir+json"}


def small_directory() -> list[PractitionerProfile]:
    """Two listed, qualified practitioners with a clinic each."""
    practitioners = [qualified_practitioner(), qualified_practitioner()]
    for practitioner in practitioners:
        LocationFactory(practitioner=practitioner)
    return practitioners


def kickoff(client: APIClient, query: str = "", **headers):
    return client.get(f"{KICKOFF}{query}", **(ASYNC | headers))


def validated(lines: list[str]) -> list[dict]:
    """Each line parsed, after checking it is one valid FHIR resource (the R4B models)."""
    resources = [json.loads(line) for line in lines]
    for resource in resources:
        get_fhir_model_class(resource["resourceType"]).model_validate(resource)
    return resources


def ndjson_lines(response) -> list[str]:
    text = b"".join(response.streaming_content).decode()
    assert text.endswith("\n")
    return text.splitlines()


def expected(resource_type: str, since=None) -> list[dict]:
    """What the export must hold for a type: the resource builder's own output."""
    return list(
        resources_iter(resource_type=resource_type, since=since, today=timezone.localdate())
    )


def outcome(code: str, *diagnostics: str, severity: str = "error") -> dict:
    return {
        "resourceType": "OperationOutcome",
        "issue": [
            {"severity": severity, "code": code, "diagnostics": message} for message in diagnostics
        ],
    }
