"""The bulk export's jobs: `_since`, failures, cancellation while the worker writes, and the
cleanup — the files always follow the job's row."""

from datetime import UTC, datetime, timedelta

import pytest
import time_machine
from django.core.management import call_command
from django.utils import timezone

from directory.services.profiles import profile_update
from interop.export import (
    ExportRequest,
    export_cancel,
    export_cleanup,
    export_kickoff,
    export_run,
)
from interop.export_files import job_folder
from interop.models import ExportFile, ExportJob, ExportStatus
from interop.resources import RESOURCE_TYPES
from tests.conftest import client_for
from tests.factories import ModeratorFactory
from tests.interop.export_support import (
    expected,
    kickoff,
    ndjson_lines,
    outcome,
    small_directory,
    validated,
)
from tests.mail import run_worker

pytestmark = pytest.mark.django_db

CREATED = datetime(2026, 11, 1, 12, tzinfo=UTC)
TOUCHED = datetime(2026, 11, 20, 12, tzinfo=UTC)
NOW = datetime(2026, 12, 2, 18, 30, tzinfo=UTC)


def queued_job(user, resource_types=RESOURCE_TYPES, since=None) -> ExportJob:
    """A job kicked off but not yet run (the immediate backend runs it on commit, which a
    test's transaction never reaches)."""
    request = ExportRequest(resource_types=tuple(resource_types), since=since)
    return export_kickoff(
        user=user, request=request, request_url="http://x/$export", now=timezone.now()
    )


def test_since_exports_only_what_changed(moderator, django_capture_on_commit_callbacks):
    with time_machine.travel(CREATED, tick=False):
        changed, unchanged = small_directory()
    with time_machine.travel(TOUCHED, tick=False):
        profile_update(user=changed.user, changes={"bio": "Now also treating sciatica."})
    client = client_for(moderator)

    with django_capture_on_commit_callbacks(execute=True):
        status_url = kickoff(client, "?_since=2026-11-10T00:00:00Z")["Content-Location"]
    manifest = client.get(status_url).json()

    since = datetime(2026, 11, 10, tzinfo=UTC)
    files = {entry["type"]: entry for entry in manifest["output"]}
    practitioners = validated(ndjson_lines(client.get(files["Practitioner"]["url"])))
    assert [practitioner["id"] for practitioner in practitioners] == [str(changed.pk)]
    for resource_type in RESOURCE_TYPES:
        resources = validated(ndjson_lines(client.get(files[resource_type]["url"])))
        assert resources == expected(resource_type, since)
        assert files[resource_type]["count"] == len(resources)
    everything = expected("Practitioner")
    assert {practitioner["id"] for practitioner in everything} == {
        str(changed.pk), str(unchanged.pk),
    }  # fmt: skip


@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_the_background_worker_runs_a_kicked_off_export(settings):
    # As in production: the job is queued in the database, and `manage.py db_worker` runs it.
    settings.TASKS = {"default": {"BACKEND": "django_tasks_db.DatabaseBackend"}}
    small_directory()
    client = client_for(ModeratorFactory())
    status_url = kickoff(client)["Content-Location"]
    assert client.get(status_url).status_code == 202

    run_worker()

    manifest = client.get(status_url).json()
    assert [entry["type"] for entry in manifest["output"]] == list(RESOURCE_TYPES)
    for entry in manifest["output"]:
        assert validated(ndjson_lines(client.get(entry["url"]))) == expected(entry["type"])


def test_a_failing_export_leaves_an_error_manifest_and_no_data_files(
    moderator, monkeypatch, caplog
):
    small_directory()
    job = queued_job(moderator)

    def broken(*, resource_type, since, today, chunk_size=500):
        if resource_type == "Location":
            raise RuntimeError("database went away")
        return iter(expected(resource_type, since))

    monkeypatch.setattr("interop.export_files.resources_iter", broken)

    assert export_run(job_id=str(job.pk)) == "failed"

    job.refresh_from_db()
    assert job.status == ExportStatus.FAILED
    assert not job_folder(job.pk).exists()  # nothing on disk: the error file is built when read
    assert f"FHIR bulk export {job.pk} failed" in caplog.text
    client = client_for(moderator)
    manifest = client.get(f"/fhir/$export-status/{job.pk}").json()
    error_url = f"http://testserver/fhir/$export-files/{job.pk}/error.ndjson"
    assert (manifest["output"], manifest["error"]) == (
        [], [{"type": "OperationOutcome", "url": error_url, "count": 1}],
    )  # fmt: skip
    assert validated(ndjson_lines(client.get(error_url))) == [
        outcome(
            "exception",
            f"The export failed and nothing was exported (job {job.pk}). Start a new export; "
            "if it fails again, the operators find the cause in the worker's log under this "
            "job id.",
        )
    ]


def test_a_failure_to_record_the_files_removes_them(moderator, monkeypatch):
    small_directory()
    job = queued_job(moderator)

    def refuse(*args, **kwargs):
        raise RuntimeError("database went away")

    monkeypatch.setattr(ExportFile.objects, "bulk_create", refuse)

    with pytest.raises(RuntimeError, match="database went away"):
        export_run(job_id=str(job.pk))  # recording the failure failed too: the task fails

    assert not job_folder(job.pk).exists()
    assert not ExportFile.objects.exists()
    job.refresh_from_db()
    assert job.status == ExportStatus.RUNNING  # removed as abandoned by a later cleanup


def test_cancelling_while_the_worker_writes_stops_it_and_leaves_no_file(
    moderator, monkeypatch, django_capture_on_commit_callbacks
):
    small_directory()
    job = queued_job(moderator)

    def cancelled_midway(*, resource_type, since, today, chunk_size=500):
        resources = expected(resource_type, since)
        yield resources[0]
        with django_capture_on_commit_callbacks(execute=True):
            export_cancel(job=job)
        yield from resources[1:]

    monkeypatch.setattr("interop.export_files.PROGRESS_EVERY", 1)
    monkeypatch.setattr("interop.export_files.resources_iter", cancelled_midway)

    assert export_run(job_id=str(job.pk)) == "cancelled"

    assert not ExportJob.objects.exists()
    assert not job_folder(job.pk).exists()


def test_cancelled_before_it_ran_the_worker_writes_nothing(moderator):
    job = queued_job(moderator)
    export_cancel(job=job)

    assert export_run(job_id=str(job.pk)) == "not queued"
    assert not job_folder(job.pk).exists()


def test_a_job_delivered_twice_runs_once(moderator):
    small_directory()
    job = queued_job(moderator, resource_types=["Practitioner"])
    assert export_run(job_id=str(job.pk)) == "completed"
    written = (job_folder(job.pk) / "Practitioner.ndjson").read_bytes()

    assert export_run(job_id=str(job.pk)) == "not queued"

    assert ExportFile.objects.filter(job=job).count() == 1
    assert (job_folder(job.pk) / "Practitioner.ndjson").read_bytes() == written
    assert sorted(path.name for path in job_folder(job.pk).iterdir()) == ["Practitioner.ndjson"]


def test_cleanup_removes_expired_abandoned_and_orphaned_exports_only(
    moderator, settings, django_capture_on_commit_callbacks
):
    small_directory()
    # The newer first: a kick-off would clean the older up already.
    with time_machine.travel(NOW - timedelta(hours=1), tick=False):
        fresh = queued_job(moderator)
        export_run(job_id=str(fresh.pk))
        waiting = queued_job(moderator)
    with time_machine.travel(NOW - timedelta(hours=30), tick=False):
        expired = queued_job(moderator)
        export_run(job_id=str(expired.pk))
        abandoned = queued_job(moderator)
    orphan = job_folder("5d0c8a51-2bd6-4a43-9d86-f5d0c8a51aaa")
    orphan.mkdir(parents=True)
    unrelated = settings.EXPORT_ROOT / "not-a-job"
    unrelated.mkdir()

    with time_machine.travel(NOW, tick=False), django_capture_on_commit_callbacks(execute=True):
        assert export_cleanup(now=NOW) == 2

    assert set(ExportJob.objects.values_list("pk", flat=True)) == {fresh.pk, waiting.pk}
    assert abandoned.status == ExportStatus.QUEUED  # never ran: its worker died
    assert not job_folder(expired.pk).exists() and not orphan.exists()
    assert job_folder(fresh.pk).is_dir() and unrelated.is_dir()


def test_cleanup_command(moderator, capsys, django_capture_on_commit_callbacks):
    with time_machine.travel(NOW - timedelta(hours=25), tick=False):
        job = queued_job(moderator, resource_types=["Location"])
        export_run(job_id=str(job.pk))
    assert job_folder(job.pk).is_dir()

    with time_machine.travel(NOW, tick=False), django_capture_on_commit_callbacks(execute=True):
        call_command("export_cleanup")

    assert capsys.readouterr().out == "Removed 1 expired export job(s).\n"
    assert not ExportJob.objects.exists() and not job_folder(job.pk).exists()
