import pytest
from django.core.cache import cache
from rest_framework.test import APIClient

from tests.factories import ModeratorFactory, PractitionerFactory, UserFactory
from tests.mail import SmtpSink


@pytest.fixture(autouse=True)
def _test_settings(settings, tmp_path):
    # Uploaded evidence goes to a throw-away folder per test.
    settings.MEDIA_ROOT = tmp_path / "media"
    # So do the bulk export's files.
    settings.EXPORT_ROOT = tmp_path / "exports"
    # PBKDF2's deliberate slowness (~0.3 s a hash) would dominate the suite's time.
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
    # Throttle counters live in the cache; ids repeat across rolled-back tests.
    cache.clear()
    # Tests change rows past the services; the public read cache has tests of its own.
    settings.DIRECTORY_CACHE_SECONDS = 0
    # Tasks run at once, in the test's process, when the transaction that queued them commits
    # (the `smtp_sink` fixture switches to the database queue and its worker).
    settings.TASKS = {"default": {"BACKEND": "django_tasks.backends.immediate.ImmediateBackend"}}


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


@pytest.fixture
def smtp_sink(settings, django_db_serialized_rollback, transactional_db):
    """A real SMTP server (tests.mail) that the service sends to through Django's SMTP backend,
    from the database task queue: call tests.mail.run_worker() to deliver what is queued.
    The rollback is serialized, like every transactional test's here: a plain flush would
    recreate the content types under new ids and break the serialized tests that follow."""
    sink = SmtpSink()
    sink.start()
    settings.EMAIL_BACKEND = "django.core.mail.backends.smtp.EmailBackend"
    settings.EMAIL_HOST = sink.host
    settings.EMAIL_PORT = sink.port
    settings.EMAIL_USE_TLS = settings.EMAIL_USE_SSL = False
    settings.EMAIL_HOST_USER = settings.EMAIL_HOST_PASSWORD = ""
    settings.EMAIL_TIMEOUT = 5
    settings.TASKS = {"default": {"BACKEND": "django_tasks_db.DatabaseBackend"}}
    yield sink
    sink.stop()
