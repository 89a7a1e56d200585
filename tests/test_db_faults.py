"""A database that goes away during a request is a 503 that says to retry, JSON on the API and
a page elsewhere; nothing is half-written and the next request is served normally."""

import json

import pytest
from django.core.handlers.wsgi import WSGIHandler
from django.db import OperationalError, connection
from django.test import Client, RequestFactory
from django.urls import path
from knox.models import AuthToken

from config import urls as root_urls
from config.errors import UNAVAILABLE_MESSAGE
from directory.models import PractitionerProfile, User
from directory.services import profiles as profile_services
from tests.factories import PractitionerFactory
from tests.test_db_reconnect import terminate_backend, wsgi_get


def gone(request):
    raise OperationalError("server closed the connection unexpectedly")


urlpatterns = [path("api/v1/gone/", gone), path("gone/", gone), *root_urls.urlpatterns]


@pytest.mark.django_db
def test_a_lost_database_is_a_json_503_on_the_api(settings):
    settings.ROOT_URLCONF = __name__

    response = Client(raise_request_exception=False).get("/api/v1/gone/")

    assert response.status_code == 503
    assert response["Retry-After"] == "5"
    assert response.json() == {"detail": UNAVAILABLE_MESSAGE}


@pytest.mark.django_db
def test_a_lost_database_is_a_503_page_elsewhere(settings):
    settings.ROOT_URLCONF = __name__

    response = Client(raise_request_exception=False).get("/gone/")

    assert response.status_code == 503
    page = response.content.decode()
    assert "<h1>Try again in a moment</h1>" in page
    assert UNAVAILABLE_MESSAGE in page


def wsgi_patch(path: str, body: bytes, token: str) -> tuple[int, bytes]:
    statuses: list[str] = []
    environ = (
        RequestFactory()
        .patch(path, body, content_type="application/json", HTTP_AUTHORIZATION=f"Token {token}")
        .environ
    )
    response = WSGIHandler()(
        environ, lambda status, headers, exc_info=None: statuses.append(status)
    )
    try:
        content = b"".join(response)
    finally:
        response.close()
    return int(statuses[0].split()[0]), content


@pytest.mark.postgres
@pytest.mark.skipif(connection.vendor != "postgresql", reason="kills a PostgreSQL backend")
@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_a_connection_killed_in_the_middle_of_a_write_is_a_503_and_writes_nothing(monkeypatch):
    practitioner = PractitionerFactory(bio="Before", user__name="Sam Okafor")
    _, token = AuthToken.objects.create(practitioner.user)
    assert wsgi_get("/healthz") == 200

    def killed_midway(*, practitioner_id: int) -> None:
        # The name and bio rows are written; the backend dies before the commit.
        terminate_backend(connection.connection.info.backend_pid)
        PractitionerProfile.objects.filter(pk=practitioner_id).exists()

    monkeypatch.setattr(profile_services, "practitioner_changed", killed_midway)
    status, body = wsgi_patch("/api/v1/me/", b'{"name": "Changed", "bio": "After"}', token=token)

    assert status == 503
    assert json.loads(body) == {"detail": UNAVAILABLE_MESSAGE}
    monkeypatch.undo()
    assert wsgi_get("/healthz") == 200  # the broken connection was replaced
    connection.close()
    assert User.objects.get(pk=practitioner.user.pk).name == "Sam Okafor"
    assert PractitionerProfile.objects.get(pk=practitioner.pk).bio == "Before"
