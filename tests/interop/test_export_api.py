"""/fhir/$export: kick-off, polling, the manifest and the files (FHIR Bulk Data kick-off
pattern), with who may do what."""

from datetime import UTC, datetime, timedelta

import pytest
import time_machine
from django_tasks_db.models import DBTaskResult
from knox.models import AuthToken
from rest_framework.test import APIClient

from interop.export import export_run
from interop.export_files import job_folder
from interop.models import ExportFile, ExportJob
from interop.resources import RESOURCE_TYPES
from tests.conftest import client_for
from tests.factories import ModeratorFactory, PractitionerFactory, UserFactory
from tests.interop.export_support import (
    KICKOFF,
    expected,
    kickoff,
    ndjson_lines,
    outcome,
    small_directory,
    validated,
)

pytestmark = pytest.mark.django_db

NOW = datetime(2026, 12, 2, 18, 30, tzinfo=UTC)
FHIR_JSON = "application/fhir+json"
STAFF_ONLY = "Only moderators (staff) may do this."
STARTED = outcome(
    "informational",
    "Export started: poll the Content-Location URL until it answers 200.",
    severity="information",
)


def token_client(user) -> APIClient:
    """Signed in the way API clients are: a knox token in the Authorization header."""
    _, token = AuthToken.objects.create(user)
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=f"Token {token}")
    return client


@pytest.fixture
def exported(moderator, django_capture_on_commit_callbacks):
    """A moderator's finished export of a small directory: (client, status URL, job)."""
    small_directory()
    client = client_for(moderator)
    with time_machine.travel(NOW, tick=False), django_capture_on_commit_callbacks(execute=True):
        response = kickoff(client)
    return client, response["Content-Location"], ExportJob.objects.get()


def test_kickoff_poll_and_download_files_that_validate(
    moderator, django_capture_on_commit_callbacks
):
    small_directory()
    client = token_client(moderator)

    with time_machine.travel(NOW, tick=False), django_capture_on_commit_callbacks(execute=True):
        response = kickoff(client, "?_type=Location,Practitioner&_outputFormat=ndjson")

    assert response.status_code == 202
    assert response["Content-Type"] == FHIR_JSON
    assert response.json() == STARTED
    job = ExportJob.objects.get()
    assert response["Content-Location"] == f"http://testserver/fhir/$export-status/{job.pk}"
    assert (job.requested_by, job.resource_types, job.since) == (
        moderator, ["Practitioner", "Location"], None,
    )  # fmt: skip

    poll = client.get(response["Content-Location"])

    assert poll.status_code == 200
    assert poll["Content-Type"] == "application/json"
    assert poll["Expires"] == "Thu, 03 Dec 2026 18:30:00 GMT"  # EXPORT_FILE_HOURS = 24
    files = f"http://testserver/fhir/$export-files/{job.pk}"
    assert poll.json() == {
        "transactionTime": "2026-12-02T18:30:00.000Z",
        "request": "http://testserver/fhir/$export?_type=Location,Practitioner&_outputFormat=ndjson",
        "requiresAccessToken": True,
        "output": [
            {"type": "Practitioner", "url": f"{files}/Practitioner.ndjson", "count": 2},
            {"type": "Location", "url": f"{files}/Location.ndjson", "count": 2},
        ],
        "error": [],
    }
    for entry in poll.json()["output"]:
        download = client.get(entry["url"], HTTP_ACCEPT="application/fhir+ndjson")
        assert download.status_code == 200
        assert download["Content-Type"] == "application/fhir+ndjson"
        resources = validated(ndjson_lines(download))
        assert {resource["resourceType"] for resource in resources} == {entry["type"]}
        assert resources == expected(entry["type"])


def test_every_type_by_default_and_each_line_validates(exported):
    client, status_url, job = exported

    manifest = client.get(status_url).json()

    assert [entry["type"] for entry in manifest["output"]] == list(RESOURCE_TYPES)
    assert job.resource_types == list(RESOURCE_TYPES)
    for entry in manifest["output"]:
        resources = validated(ndjson_lines(client.get(entry["url"])))
        assert resources == expected(entry["type"])
        assert entry["count"] == len(resources) > 0


def test_polling_costs_two_queries(exported, django_assert_num_queries):
    client, status_url, _ = exported

    with django_assert_num_queries(2):  # the job, its files
        assert client.get(status_url).status_code == 200


def test_poll_answers_202_with_progress_until_the_worker_has_run(moderator, settings):
    small_directory()
    settings.TASKS = {"default": {"BACKEND": "django_tasks_db.DatabaseBackend"}}
    client = client_for(moderator)
    status_url = kickoff(client)["Content-Location"]
    job = ExportJob.objects.get()

    poll = client.get(status_url)

    assert poll.status_code == 202
    assert (poll["X-Progress"], poll["Retry-After"]) == ("Queued", "5")
    assert poll.content == b""
    queued = DBTaskResult.objects.get()
    assert (queued.task_path, queued.args_kwargs["kwargs"]) == (
        "interop.tasks.export_job_run", {"job_id": str(job.pk)},
    )  # fmt: skip

    assert export_run(job_id=str(job.pk)) == "completed"

    assert client.get(status_url).status_code == 200


def test_poll_while_the_worker_writes_shows_what_it_has_written(
    moderator, monkeypatch, django_capture_on_commit_callbacks
):
    small_directory()
    client = client_for(moderator)
    polls, status_url = [], []

    def resources_then_poll(*, resource_type, since, today, chunk_size=500):
        resources = expected(resource_type, since)
        yield resources[0]
        polls.append(client.get(status_url[0]))  # the worker has written one
        yield from resources[1:]

    monkeypatch.setattr("interop.export_files.PROGRESS_EVERY", 1)
    monkeypatch.setattr("interop.export_files.resources_iter", resources_then_poll)
    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        status_url.append(kickoff(client, "?_type=Practitioner")["Content-Location"])
    [run_worker] = callbacks
    run_worker()

    assert [(poll.status_code, poll["X-Progress"]) for poll in polls] == [
        (202, "Practitioner: 1 written (type 1 of 1)")
    ]
    assert client.get(status_url[0]).status_code == 200


@pytest.mark.parametrize(
    ("make_user", "status", "body"),
    [
        (None, 401, outcome("login", "Authentication credentials were not provided.")),
        (UserFactory, 403, outcome("forbidden", STAFF_ONLY)),
        (lambda: PractitionerFactory().user, 403, outcome("forbidden", STAFF_ONLY)),
        (ModeratorFactory, 202, STARTED),
    ],
    ids=["anonymous", "patient", "practitioner", "moderator"],
)  # fmt: skip
def test_only_moderators_may_kick_off(make_user, status, body):
    client = token_client(make_user()) if make_user else APIClient()

    response = kickoff(client)

    assert (response.status_code, response["Content-Type"]) == (status, FHIR_JSON)
    assert response.json() == body
    assert ExportJob.objects.count() == (1 if status == 202 else 0)
    if status == 401:
        assert response["WWW-Authenticate"] == "Token"


def test_a_staff_account_that_was_closed_is_refused(moderator):
    client = token_client(moderator)
    moderator.is_active = False
    moderator.save()

    response = kickoff(client)

    assert response.status_code == 401
    assert response.json()["resourceType"] == "OperationOutcome"


def test_kickoff_without_prefer_respond_async_is_400(moderator):
    response = client_for(moderator).get(KICKOFF, HTTP_ACCEPT=FHIR_JSON)

    assert (response.status_code, response["Content-Type"]) == (400, FHIR_JSON)
    assert response.json() == outcome(
        "invalid", "$export runs asynchronously: send the header Prefer: respond-async."
    )
    assert not ExportJob.objects.exists()


def test_prefer_may_carry_other_preferences(moderator):
    response = kickoff(client_for(moderator), HTTP_PREFER="handling=strict, respond-async")

    assert response.status_code == 202


TYPE_HELP = "give a comma list of Practitioner, PractitionerRole, Location, VerificationResult."
SINCE_HELP = (
    "is not a FHIR instant; give a date and a time with seconds and a time zone, e.g. "
    "2026-01-31T09:00:00Z or 2026-01-31T09:00:00-08:00 (write + as %2B in a URL)."
)


@pytest.mark.parametrize(
    ("query", "diagnostics"),
    [
        ("?_type=Patient", [f"_type: unknown resource type 'Patient'; {TYPE_HELP}"]),
        ("?_type=Practitioner,", [f"_type: unknown resource type ''; {TYPE_HELP}"]),
        ("?_since=yesterday", [f"_since: 'yesterday' {SINCE_HELP}"]),
        ("?_since=2026-01-31", [f"_since: '2026-01-31' {SINCE_HELP}"]),
        ("?_since=2026-01-31T09:00:00", [f"_since: '2026-01-31T09:00:00' {SINCE_HELP}"]),
        ("?_since=2026-02-31T09:00:00Z", [f"_since: '2026-02-31T09:00:00Z' {SINCE_HELP}"]),
        (
            "?_outputFormat=application/fhir%2Bjson",
            ["_outputFormat: 'application/fhir+json' is not supported; use "
             "application/fhir+ndjson or application/ndjson or ndjson."],
        ),
        (
            "?_since=2026-01-31T09:00:00Z&_since=2026-01-30T09:00:00Z",
            ["_since: give it once."],
        ),
        (
            "?_typeFilter=Practitioner%3Factive%3Dtrue&patient=1",
            ["Unsupported parameter _typeFilter, patient: this server's $export takes _type, "
             "_since, _outputFormat."],
        ),
        (
            "?_type=Patient&_since=soon&format=json",
            ["Unsupported parameter format: this server's $export takes _type, _since, "
             "_outputFormat.",
             f"_type: unknown resource type 'Patient'; {TYPE_HELP}",
             f"_since: 'soon' {SINCE_HELP}"],
        ),
    ],
)  # fmt: skip
def test_bad_parameters_are_400_saying_what_is_allowed(moderator, query, diagnostics):
    response = kickoff(client_for(moderator), query)

    assert (response.status_code, response["Content-Type"]) == (400, FHIR_JSON)
    assert response.json() == outcome("invalid", *diagnostics)
    assert not ExportJob.objects.exists()


@pytest.mark.parametrize(
    ("query", "since"),
    [
        ("?_since=2026-01-31T09:00:00Z", datetime(2026, 1, 31, 9, tzinfo=UTC)),
        ("?_since=2026-01-31T01:00:00.5-08:00", datetime(2026, 1, 31, 9, 0, 0, 500000, UTC)),
        # An unencoded "+" arrives as a space.
        ("?_since=2026-01-31T10:00:00+01:00", datetime(2026, 1, 31, 9, tzinfo=UTC)),
        ("?_since=2026-01-31T10:00:00%2B01:00", datetime(2026, 1, 31, 9, tzinfo=UTC)),
    ],
)
def test_since_takes_fhir_instants(moderator, query, since):
    response = kickoff(client_for(moderator), query + "&_outputFormat=application/fhir+ndjson")

    assert response.status_code == 202
    assert ExportJob.objects.get().since == since


def test_kickoff_is_throttled_per_user(moderator, settings):
    settings.REST_FRAMEWORK = settings.REST_FRAMEWORK | {
        "DEFAULT_THROTTLE_RATES": settings.REST_FRAMEWORK["DEFAULT_THROTTLE_RATES"]
        | {"fhir_export": "2/hour"}
    }
    client = client_for(moderator)
    assert [kickoff(client).status_code for _ in range(2)] == [202, 202]

    response = kickoff(client)

    assert (response.status_code, response["Content-Type"]) == (429, FHIR_JSON)
    assert response["Retry-After"] == "3600"
    assert response.json() == outcome(
        "throttled", "Request was throttled. Expected available in 3600 seconds."
    )
    assert ExportJob.objects.count() == 2
    assert kickoff(client_for(ModeratorFactory())).status_code == 202


def test_the_default_rate_is_ten_an_hour(settings):
    assert settings.REST_FRAMEWORK["DEFAULT_THROTTLE_RATES"]["fhir_export"] == "10/hour"


def test_status_and_files_are_the_requesters_alone(exported):
    client, status_url, job = exported
    file_url = client.get(status_url).json()["output"][0]["url"]
    other_moderator = client_for(ModeratorFactory())
    not_found = outcome("not-found", "No such export (or it has expired).")

    assert other_moderator.get(status_url).json() == not_found
    assert other_moderator.get(status_url).status_code == 404
    assert other_moderator.delete(status_url).status_code == 404
    assert other_moderator.get(file_url).status_code == 404
    assert other_moderator.get(file_url).json() == outcome(
        "not-found", "No such export file (or it has expired)."
    )
    assert APIClient().get(status_url).status_code == 401
    assert APIClient().get(file_url).status_code == 401
    assert client_for(UserFactory()).get(file_url).status_code == 403
    assert ExportJob.objects.filter(pk=job.pk).exists()
    assert client.get(file_url).status_code == 200


def test_unknown_status_and_file_urls_are_404(exported):
    client, status_url, job = exported

    assert client.get(status_url.replace(str(job.pk)[:8], "00000000")).status_code == 404
    base = f"/fhir/$export-files/{job.pk}"
    for name in ("Patient.ndjson", "Practitioner.ndjson.part", "error.ndjson"):
        response = client.get(f"{base}/{name}")
        assert (response.status_code, response["Content-Type"]) == (404, FHIR_JSON)


def test_delete_cancels_and_removes_the_files(exported, django_capture_on_commit_callbacks):
    client, status_url, job = exported
    file_url = client.get(status_url).json()["output"][0]["url"]
    assert job_folder(job.pk).is_dir()

    with django_capture_on_commit_callbacks(execute=True):
        response = client.delete(status_url)

    assert (response.status_code, response["Content-Type"]) == (202, FHIR_JSON)
    assert response.json() == outcome("informational", "Export deleted.", severity="information")
    assert client.get(status_url).status_code == 404
    assert client.get(file_url).status_code == 404
    assert not ExportJob.objects.exists() and not ExportFile.objects.exists()
    assert not job_folder(job.pk).exists()


def test_files_expire_after_export_file_hours(exported, settings):
    client, status_url, job = exported
    file_url = client.get(status_url).json()["output"][0]["url"]
    assert job.expires_at == NOW + timedelta(hours=settings.EXPORT_FILE_HOURS)

    with time_machine.travel(job.expires_at - timedelta(seconds=1), tick=False):
        assert client.get(file_url).status_code == 200
    with time_machine.travel(job.expires_at, tick=False):
        # Refused at once, even before a cleanup removed them.
        assert client.get(status_url).status_code == 404
        assert client.get(file_url).status_code == 404
        assert job_folder(job.pk).is_dir()

        assert kickoff(client).status_code == 202  # each kick-off cleans up first

    assert not ExportJob.objects.filter(pk=job.pk).exists()
    assert not job_folder(job.pk).exists()


def test_other_methods_are_405(moderator):
    response = client_for(moderator).post(KICKOFF, HTTP_PREFER="respond-async")

    assert (response.status_code, response["Content-Type"]) == (405, FHIR_JSON)
    assert response.json() == outcome("not-supported", 'Method "POST" not allowed.')
