"""GET /healthz — the load balancer's probe (SPEC §5)."""

from unittest import mock

import pytest
from django.db import OperationalError


@pytest.mark.django_db
def test_healthz_is_ok_when_the_database_answers(client):
    response = client.get("/healthz")

    assert response.status_code == 200
    assert response.json() == {"status": "ok", "database": "ok", "cache": "not configured"}


@pytest.mark.django_db
def test_healthz_is_503_when_the_database_fails(client):
    with mock.patch(
        "directory.health.connection.cursor", side_effect=OperationalError("connection refused")
    ):
        response = client.get("/healthz")

    assert response.status_code == 503
    assert response.json() == {
        "status": "error",
        "database": "unavailable",
        "cache": "not configured",
    }


def test_healthz_only_answers_get(client):
    assert client.post("/healthz").status_code == 405
