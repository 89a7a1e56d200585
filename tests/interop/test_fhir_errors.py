"""Under /fhir/ even what happens outside the FHIR views answers an OperationOutcome
(application/fhir+json): a fault, a lost database, a refused request."""

import pytest
from django.core.exceptions import PermissionDenied, SuspiciousOperation
from django.db import OperationalError
from django.test import Client
from django.urls import path

from config import urls as root_urls
from config.errors import UNAVAILABLE_MESSAGE

pytestmark = pytest.mark.django_db


def boom(request):
    raise RuntimeError("an unexpected fault")


def gone(request):
    raise OperationalError("server closed the connection unexpectedly")


def refused(request):
    raise PermissionDenied


def unreadable(request):
    raise SuspiciousOperation("a malformed request")


urlpatterns = [
    path("fhir/boom", boom),
    path("fhir/gone", gone),
    path("fhir/refused", refused),
    path("fhir/unreadable", unreadable),
    *root_urls.urlpatterns,
]
handler400 = root_urls.handler400
handler403 = root_urls.handler403
handler404 = root_urls.handler404
handler500 = root_urls.handler500


@pytest.mark.parametrize(
    "address, status, code, diagnostics",
    [
        (
            "/fhir/boom",
            500,
            "exception",
            "Server error: the request was not completed. Please try again later.",
        ),
        ("/fhir/gone", 503, "transient", UNAVAILABLE_MESSAGE),
        ("/fhir/refused", 403, "forbidden", "You do not have permission to do this."),
        ("/fhir/unreadable", 400, "invalid", "The request could not be read."),
    ],
)
def test_errors_outside_the_views_are_operation_outcomes(
    settings, address, status, code, diagnostics
):
    settings.ROOT_URLCONF = __name__
    response = Client(raise_request_exception=False).get(address)
    assert response.status_code == status
    assert response["Content-Type"] == "application/fhir+json"
    assert response.json() == {
        "resourceType": "OperationOutcome",
        "issue": [{"severity": "error", "code": code, "diagnostics": diagnostics}],
    }
    if status == 503:
        assert response["Retry-After"] == "5"
