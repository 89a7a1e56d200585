"""Redis as a real, optional part: with it the throttles hold across requests, without it
(a dead port) sign-in and every write still work, throttling lets requests through, the
outage is logged once per interval, and /healthz says so while answering 200."""

import logging
import os
import uuid

import pytest
from django.core.cache import caches
from redis import Redis
from redis.exceptions import RedisError

from directory import cache as cache_module
from tests.conftest import client_for
from tests.directory.test_referrals import verified_physician
from tests.factories import UserFactory, qualified_practitioner

pytestmark = pytest.mark.django_db

REDIS_URL = os.environ.get("TEST_REDIS_URL", "redis://127.0.0.1:6379/15")
DEAD_URL = "redis://127.0.0.1:6399/0"  # nothing listens here
PASSWORD = "correct horse battery staple"


def _redis_up() -> bool:
    try:
        return Redis.from_url(REDIS_URL, socket_connect_timeout=0.5).ping()
    except RedisError:
        return False


def _use_cache(settings, url: str) -> None:
    settings.CACHES = {
        "default": {
            "BACKEND": "directory.cache.ForgivingRedisCache",
            "LOCATION": url,
            # Tests on parallel workers (and CI runs) never share a key.
            "KEY_PREFIX": uuid.uuid4().hex,
            "OPTIONS": {"socket_connect_timeout": 0.25, "socket_timeout": 0.25},
        }
    }


@pytest.fixture
def real_redis(settings):
    if not _redis_up():
        if os.environ.get("CI"):
            pytest.fail(f"CI needs Redis at {REDIS_URL}")
        pytest.skip(f"no Redis at {REDIS_URL}")
    _use_cache(settings, REDIS_URL)


@pytest.fixture
def dead_redis(settings, monkeypatch):
    _use_cache(settings, DEAD_URL)
    monkeypatch.setattr(cache_module.ForgivingRedisCache, "_last_logged", float("-inf"))


def _sign_in(client, user):
    return client.post(
        "/api/v1/auth/login/", {"email": user.email, "password": PASSWORD}, format="json"
    )


def _user(**kwargs):
    user = UserFactory(**kwargs)
    user.set_password(PASSWORD)
    user.save()
    return user


def _writes(api_client) -> dict[str, int]:
    """One of each throttled write; their statuses."""
    patient = _user()
    practitioner = qualified_practitioner()
    physician = verified_physician()
    return {
        "register": api_client.post(
            "/api/v1/auth/register/",
            {"email": "new@example.test", "password": PASSWORD, "name": "New", "role": "patient"},
            format="json",
        ).status_code,
        "login": _sign_in(api_client, patient).status_code,
        "review": client_for(patient)
        .post(
            f"/api/v1/practitioners/{practitioner.pk}/reviews/",
            {"overall": 5, "communication": 5, "comfort": 5, "would_recommend": True},
            format="json",
        )
        .status_code,
        "referral": client_for(physician.user)
        .post(
            "/api/v1/referrals/",
            {
                "practitioner": practitioner.pk,
                "condition": "sciatica",
                "reason": "Sciatica for a year.",
                "patient_reference": "MC-1",
            },
            format="json",
        )
        .status_code,
        "invitation": client_for(practitioner.user)
        .post("/api/v1/me/invitations/", {}, format="json")
        .status_code,
    }


EXPECTED = {"register": 201, "login": 200, "review": 201, "referral": 201, "invitation": 201}


def test_with_redis_every_write_works_and_health_says_ok(real_redis, api_client):
    assert _writes(api_client) == EXPECTED
    response = api_client.get("/healthz")
    assert response.json() == {"status": "ok", "database": "ok", "cache": "ok"}


def test_with_redis_the_login_throttle_counts_across_requests(real_redis, api_client, settings):
    settings.REST_FRAMEWORK = {
        **settings.REST_FRAMEWORK,
        "DEFAULT_THROTTLE_RATES": {
            **settings.REST_FRAMEWORK["DEFAULT_THROTTLE_RATES"],
            "login": "2/min",
        },
    }
    user = _user()
    statuses = [_sign_in(api_client, user).status_code for _ in range(3)]
    assert statuses == [200, 200, 429]


def test_with_redis_down_sign_in_and_every_write_still_work(dead_redis, api_client, caplog):
    with caplog.at_level(logging.WARNING, logger="directory.cache"):
        assert _writes(api_client) == EXPECTED
        response = api_client.get("/healthz")

    assert response.status_code == 200
    assert response.json() == {"status": "ok", "database": "ok", "cache": "error"}
    outages = [r for r in caplog.records if r.name == "directory.cache"]
    assert len(outages) == 1  # once per interval, not once per request
    assert outages[0].getMessage() == (
        "Cache unavailable (ConnectionError); serving uncached, throttling relaxed, "
        "until it is back"
    )


def test_with_redis_down_the_throttle_lets_requests_through(dead_redis, api_client, settings):
    settings.REST_FRAMEWORK = {
        **settings.REST_FRAMEWORK,
        "DEFAULT_THROTTLE_RATES": {
            **settings.REST_FRAMEWORK["DEFAULT_THROTTLE_RATES"],
            "login": "2/min",
        },
    }
    user = _user()
    assert [_sign_in(api_client, user).status_code for _ in range(3)] == [200, 200, 200]


def test_without_redis_health_says_not_configured(api_client):
    assert caches["default"].__class__.__name__ == "LocMemCache"
    assert api_client.get("/healthz").json() == {
        "status": "ok",
        "database": "ok",
        "cache": "not configured",
    }
