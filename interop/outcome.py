"""FHIR's error body, OperationOutcome, and the media type every /fhir/ response carries."""

from django.http import JsonResponse

FHIR_JSON = "application/fhir+json"


def operation_outcome(*, code: str, diagnostics: list[str] | str, severity: str = "error") -> dict:
    """One issue per message; `code` is from FHIR's issue-type value set (invalid, not-found,
    not-supported, forbidden, login, throttled, processing, exception)."""
    messages = [diagnostics] if isinstance(diagnostics, str) else diagnostics
    return {
        "resourceType": "OperationOutcome",
        "issue": [
            {"severity": severity, "code": code, "diagnostics": message} for message in messages
        ],
    }


def fhir_response(body: dict, *, status: int = 200, headers: dict | None = None) -> JsonResponse:
    return JsonResponse(
        body, status=status, content_type=FHIR_JSON, headers=headers, json_dumps_params={}
    )


def outcome_response(
    *, status: int, code: str, diagnostics: list[str] | str, headers: dict | None = None
) -> JsonResponse:
    return fhir_response(
        operation_outcome(code=code, diagnostics=diagnostics), status=status, headers=headers
    )
