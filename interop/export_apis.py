"""`/fhir/$export` and its status and file URLs (FHIR Bulk Data Access IG, kick-off pattern).

Moderators (staff) only, by the API's token (or session); every answer that is not a file or
the manifest is an OperationOutcome in application/fhir+json.
"""

import math
import uuid
from datetime import UTC, datetime

from django.http import FileResponse, HttpResponse, JsonResponse
from django.urls import reverse
from django.utils import timezone
from django.utils.http import http_date
from rest_framework import exceptions
from rest_framework.negotiation import BaseContentNegotiation
from rest_framework.request import Request
from rest_framework.views import APIView

from directory.permissions import IsModerator
from directory.throttling import LiveScopedRateThrottle
from interop.export import (
    ExportRequestInvalid,
    export_cancel,
    export_file_open,
    export_kickoff,
    export_request_parse,
)
from interop.export_selectors import export_file_get, export_job_get
from interop.models import FINISHED, ExportJob
from interop.outcome import fhir_response, operation_outcome, outcome_response

NDJSON = "application/fhir+ndjson"
# Seconds a client is asked to wait before polling again.
POLL_AFTER_SECONDS = 5
# FHIR issue types for the errors DRF raises before a view runs.
ISSUE_CODES = {
    401: "login",
    403: "forbidden",
    404: "not-found",
    405: "not-supported",
    429: "throttled",
}


def fhir_exception_handler(exc: Exception, context: dict) -> HttpResponse | None:
    """DRF's errors (authentication, permission, throttling) as OperationOutcomes."""
    if not isinstance(exc, exceptions.APIException):
        return None
    headers = {}
    if getattr(exc, "auth_header", None):
        headers["WWW-Authenticate"] = exc.auth_header
    if getattr(exc, "wait", None) is not None:
        headers["Retry-After"] = str(math.ceil(exc.wait))
    detail = exc.detail if isinstance(exc.detail, str) else str(exc.detail)
    return outcome_response(
        status=exc.status_code,
        code=ISSUE_CODES.get(exc.status_code, "invalid"),
        diagnostics=detail,
        headers=headers,
    )


class AnyAcceptNegotiation(BaseContentNegotiation):
    """FHIR clients ask for application/fhir+json or +ndjson; these views write their own
    responses, so the Accept header never turns a request into a 406."""

    def select_parser(self, request, parsers):
        return parsers[0] if parsers else None

    def select_renderer(self, request, renderers, format_suffix=None):
        return renderers[0], renderers[0].media_type


class FhirExportApiView(APIView):
    # FHIR, described by the README and the CapabilityStatement rather than the OpenAPI schema.
    schema = None
    permission_classes = [IsModerator]
    content_negotiation_class = AnyAcceptNegotiation

    def get_exception_handler(self):
        return fhir_exception_handler


def _not_found(what: str) -> JsonResponse:
    return outcome_response(
        status=404, code="not-found", diagnostics=f"No such {what} (or it has expired)."
    )


def _status_url(request: Request, job_id: uuid.UUID) -> str:
    return request.build_absolute_uri(reverse("fhir-export-status", args=[job_id]))


class ExportKickoffApi(FhirExportApiView):
    throttle_classes = [LiveScopedRateThrottle]
    throttle_scope = "fhir_export"

    def get(self, request: Request) -> HttpResponse:
        # Required by the IG, and it also keeps another site from starting an export with a
        # moderator's session cookie: a page on another site cannot add this header without a
        # CORS preflight, which this service never grants.
        prefer = {token.strip() for token in request.headers.get("Prefer", "").split(",")}
        if "respond-async" not in prefer:
            return outcome_response(
                status=400,
                code="invalid",
                diagnostics="$export runs asynchronously: send the header Prefer: respond-async.",
            )
        try:
            export_request = export_request_parse(query=dict(request.query_params.lists()))
        except ExportRequestInvalid as invalid:
            return outcome_response(status=400, code="invalid", diagnostics=invalid.messages)
        job = export_kickoff(
            user=request.user,
            request=export_request,
            request_url=request.build_absolute_uri(),
            now=timezone.now(),
        )
        accepted = operation_outcome(
            severity="information",
            code="informational",
            diagnostics="Export started: poll the Content-Location URL until it answers 200.",
        )
        return fhir_response(
            accepted, status=202, headers={"Content-Location": _status_url(request, job.pk)}
        )


def _instant(moment: datetime) -> str:
    return moment.astimezone(UTC).isoformat(timespec="milliseconds").replace("+00:00", "Z")


def _manifest(request: Request, job: ExportJob) -> dict:
    entries = {False: [], True: []}
    for export_file in job.files.all():
        url = reverse("fhir-export-file", args=[job.pk, export_file.name])
        entries[export_file.is_error].append(
            {
                "type": export_file.resource_type,
                "url": request.build_absolute_uri(url),
                "count": export_file.count,
            }
        )
    return {
        "transactionTime": _instant(job.transaction_time),
        "request": job.request_url,
        "requiresAccessToken": True,
        "output": entries[False],
        "error": entries[True],
    }


class ExportStatusApi(FhirExportApiView):
    def get(self, request: Request, job_id: uuid.UUID) -> HttpResponse:
        job = export_job_get(user=request.user, job_id=job_id, now=timezone.now())
        if job is None:
            return _not_found("export")
        if job.status not in FINISHED:
            progress = job.progress or "Queued"
            return HttpResponse(
                status=202,
                headers={"X-Progress": progress, "Retry-After": str(POLL_AFTER_SECONDS)},
            )
        return JsonResponse(
            _manifest(request, job), headers={"Expires": http_date(job.expires_at.timestamp())}
        )

    def delete(self, request: Request, job_id: uuid.UUID) -> HttpResponse:
        job = export_job_get(user=request.user, job_id=job_id, now=timezone.now())
        if job is None:
            return _not_found("export")
        export_cancel(job=job)
        removed = operation_outcome(
            severity="information", code="informational", diagnostics="Export deleted."
        )
        return fhir_response(removed, status=202)


class ExportFileApi(FhirExportApiView):
    def get(self, request: Request, job_id: uuid.UUID, name: str) -> HttpResponse:
        export_file = export_file_get(
            user=request.user, job_id=job_id, name=name, now=timezone.now()
        )
        if export_file is None:
            return _not_found("export file")
        try:
            content = export_file_open(export_file=export_file)
        except FileNotFoundError:  # removed by a cleanup after the lookup
            return _not_found("export file")
        return FileResponse(content, content_type=NDJSON)
