"""Error responses: JSON in DRF's shape ({"detail": ...}) for every address under /api/,
the site's own pages everywhere else. DRF answers errors inside its views itself; these
cover what happens outside them (an unknown address, a malformed id in the path, a body
refused before the view, an unhandled exception)."""

from django.core.exceptions import RequestDataTooBig
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.views import defaults


def _api(request: HttpRequest) -> bool:
    return request.path.startswith("/api/")


def bad_request(request: HttpRequest, exception: Exception | None = None) -> HttpResponse:
    if not _api(request):
        return defaults.bad_request(request, exception)
    if isinstance(exception, RequestDataTooBig):
        # directory.uploads and Django's own body limit both say which limit it was.
        return JsonResponse({"detail": str(exception)}, status=413)
    return JsonResponse({"detail": "The request could not be read."}, status=400)


def permission_denied(request: HttpRequest, exception: Exception | None = None) -> HttpResponse:
    if not _api(request):
        return defaults.permission_denied(request, exception)
    return JsonResponse(
        {"detail": "You do not have permission to perform this action."}, status=403
    )


def page_not_found(request: HttpRequest, exception: Exception | None = None) -> HttpResponse:
    if not _api(request):
        return defaults.page_not_found(request, exception)
    return JsonResponse(
        {"detail": "Not found. The API's operations are listed at /api/schema/ (/api/docs/)."},
        status=404,
    )


def server_error(request: HttpRequest) -> HttpResponse:
    if not _api(request):
        return defaults.server_error(request)
    return JsonResponse(
        {"detail": "Server error: the request was not completed. Please try again later."},
        status=500,
    )
