import pytest
from django.core.cache import cache
from rest_framework.test import APIClient

from tests.factories import ModeratorFactory, PractitionerFactory, UserFactory


@pytest.fixture(autouse=True)
def _test_settings(settings, tmp_path):
    # Uploaded evidence goes to a throw-away folder per test.
    settings.MEDIA_ROOT = tmp_path / "media"
    # PBKDF2's deliberate slowness (~0.3 s a hash) would dominate the suite's time.
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
    # Throttle counters live in the cache; ids repeat across rolled-back tests.
    cache.clear()
    # Tests change rows past the services; the public read cache has tests of its own.
    settings.DIRECTORY_CACHE_SECONDS = 0


@pytest.fixture
def api_client() -> APIClient:
    return APIClient()


def client_for(user) -> APIClient:
    """An API client authenticated as `user` (auth itself is tested in test_auth)."""
    client = APIClient()
    client.force_authenticate(user=user)
    return client


@pytest.fixture
def moderator(db):
    return ModeratorFactory()


@pytest.fixture
def patient(db):
    return UserFactory()


@pytest.fixture
def practitioner(db):
    return PractitionerFactory()
