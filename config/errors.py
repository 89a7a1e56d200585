"""Error responses: JSON in DRF's shape ({"detail": ...}) for every address under /api/,
a FHIR OperationOutcome (application/fhir+json) under /fhir/, the site's own pages
everywhere else. DRF answers errors inside its views itself; these
cover what happens outside them (an unknown address, a malformed id in the path, a body
refused before the view, an unhandled exception)."""

import logging

from django.core.exceptions import RequestDataTooBig
from django.db import InterfaceError, OperationalError
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import render
from django.views import defaults

from interop.outcome import outcome_response

logger = logging.getLogger(__name__)

UNAVAILABLE_MESSAGE = (
    "The service could not reach its database; nothing was changed. Please try again in a "
    "few seconds."
)


def _api(request: HttpRequest) -> bool:
    return request.path.startswith("/api/")


def _fhir(request: HttpRequest) -> bool:
    return request.path.startswith("/fhir/")


FHIR_NOT_FOUND = (
    "Not found. The FHIR API's resources and searches are listed in its CapabilityStatement "
    "at /fhir/metadata."
)


def bad_request(request: HttpRequest, exception: Exception | None = None) -> HttpResponse:
    if _fhir(request):
        return outcome_response(
            status=400, code="invalid", diagnostics="The request could not be read."
        )
    if not _api(request):
        return defaults.bad_request(request, exception)
    if isinstance(exception, RequestDataTooBig):
        # directory.uploads and Django's own body limit both say which limit it was.
        return JsonResponse({"detail": str(exception)}, status=413)
    return JsonResponse({"detail": "The request could not be read."}, status=400)


def permission_denied(request: HttpRequest, exception: Exception | None = None) -> HttpResponse:
    if _fhir(request):
        return outcome_response(
            status=403, code="forbidden", diagnostics="You do not have permission to do this."
        )
    if not _api(request):
        return defaults.permission_denied(request, exception)
    return JsonResponse(
        {"detail": "You do not have permission to perform this action."}, status=403
    )


def page_not_found(request: HttpRequest, exception: Exception | None = None) -> HttpResponse:
    if _fhir(request):
        return outcome_response(status=404, code="not-found", diagnostics=FHIR_NOT_FOUND)
    if not _api(request):
        return defaults.page_not_found(request, exception)
    return JsonResponse(
        {"detail": "Not found. The API's operations are listed at /api/schema/ (/api/docs/)."},
        status=404,
    )


def server_error(request: HttpRequest) -> HttpResponse:
    if _fhir(request):
        return outcome_response(
            status=500,
            code="exception",
            diagnostics="Server error: the request was not completed. Please try again later.",
        )
    if not _api(request):
        return defaults.server_error(request)
    return JsonResponse(
        {"detail": "Server error: the request was not completed. Please try again later."},
        status=500,
    )


class DatabaseUnavailableMiddleware:
    """A database that goes away during a request (a killed connection, a restart, a
    failover) is a 503 that says to retry, not a 500: the request's transaction was rolled
    back by the database, so nothing was half-written, and Django replaces the broken
    connection before the next request (CONN_HEALTH_CHECKS). Programming errors
    (IntegrityError, ProgrammingError, ...) stay 500s."""

    def __init__(self, get_response) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        return self.get_response(request)

    def process_exception(self, request: HttpRequest, exception: Exception) -> HttpResponse | None:
        if not isinstance(exception, OperationalError | InterfaceError):
            return None
        # The path only: a query string may name a condition.
        logger.warning("Database unavailable during %s %s", request.method, request.path)
        if _fhir(request):
            response = outcome_response(
                status=503, code="transient", diagnostics=UNAVAILABLE_MESSAGE
            )
        elif _api(request):
            response = JsonResponse({"detail": UNAVAILABLE_MESSAGE}, status=503)
        else:
            response = render(request, "503.html", {"message": UNAVAILABLE_MESSAGE}, status=503)
        response["Retry-After"] = "5"
        return response
