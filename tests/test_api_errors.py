"""Everything under /api/ answers JSON in DRF's error shape, even outside DRF's views; the
pages keep their own error pages."""

import pytest
from django.test import Client
from django.urls import path

from config import urls as root_urls

pytestmark = pytest.mark.django_db


def boom(request):
    raise RuntimeError("an unexpected fault")


urlpatterns = [
    path("api/v1/boom/", boom),
    path("boom/", boom),
    *root_urls.urlpatterns,
]
handler400 = root_urls.handler400
handler403 = root_urls.handler403
handler404 = root_urls.handler404
handler500 = root_urls.handler500


@pytest.mark.parametrize(
    "address",
    ["/api/nothing/", "/api/v1/no-such-thing/", "/api/v1/practitioners/abc/", "/api/v2/"],
)
def test_unknown_api_addresses_are_json_404s(client, address):
    response = client.get(address)

    assert response.status_code == 404
    assert response["Content-Type"] == "application/json"
    assert response.json() == {
        "detail": "Not found. The API's operations are listed at /api/schema/ (/api/docs/)."
    }


def test_a_wrong_method_is_a_json_405(client):
    response = client.delete("/api/v1/conditions/")

    assert response.status_code == 405
    assert response.json() == {"detail": 'Method "DELETE" not allowed.'}


def test_an_oversized_body_is_a_json_413(client, settings):
    response = client.post(
        "/api/v1/auth/login/",
        b'{"email": "' + b"a" * (settings.DATA_UPLOAD_MAX_MEMORY_SIZE + 1) + b'"}',
        content_type="application/json",
    )

    assert response.status_code == 413
    assert response["Content-Type"] == "application/json"


def test_a_fault_under_the_api_is_a_json_500_without_a_traceback(settings):
    settings.ROOT_URLCONF = __name__
    client = Client(raise_request_exception=False)

    response = client.get("/api/v1/boom/")

    assert response.status_code == 500
    assert response["Content-Type"] == "application/json"
    assert response.json() == {
        "detail": "Server error: the request was not completed. Please try again later."
    }


def test_a_fault_on_a_page_keeps_the_site_500_page(settings):
    settings.ROOT_URLCONF = __name__
    client = Client(raise_request_exception=False)

    response = client.get("/boom/")

    assert response.status_code == 500
    assert "Something went wrong" in response.content.decode()


def test_unknown_pages_keep_the_site_404_page(client):
    response = client.get("/no-such-page/")

    assert response.status_code == 404
    assert "<h1>Page not found</h1>" in response.content.decode()


def test_the_api_root_links_to_the_schema_and_the_docs(client):
    response = client.get("/api/v1/")

    assert response.status_code == 200
    assert response.json() == {"schema": "/api/schema/", "docs": "/api/docs/"}
