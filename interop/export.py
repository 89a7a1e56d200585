"""The FHIR bulk export (Bulk Data Access IG, system-level `$export`): what a kick-off may
ask, and a job's life — queued at kick-off, written by the background worker, cancelled
by its requester, removed EXPORT_FILE_HOURS after it finished (README, "FHIR bulk export").

The files follow the job's row. The worker writes them under temporary names, renames them
once all are whole, then records them; when recording fails, or the job was cancelled or
removed meanwhile, it removes the folder. A failed job writes nothing: its error file is
built when read. `export_cleanup` sweeps up after a process that died in between.
"""

import io
import json
import logging
import re
import uuid
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta
from functools import partial
from pathlib import Path
from typing import BinaryIO

from django.conf import settings
from django.db import transaction
from django.db.models import Q
from django.utils import timezone
from django_tasks import task_backends

from directory.models import User
from interop.export_files import WrittenFile, folder_remove, job_folder, ndjson_write
from interop.models import ExportFile, ExportJob, ExportStatus
from interop.outcome import operation_outcome
from interop.resources import RESOURCE_TYPES

logger = logging.getLogger(__name__)

PARAMETERS = ("_type", "_since", "_outputFormat")
OUTPUT_FORMATS = ("application/fhir+ndjson", "application/ndjson", "ndjson")
# FHIR's instant: seconds and a time zone are required. A "+" sent unencoded in a query
# string arrives as a space, which is read as the "+" it was.
INSTANT = re.compile(r"\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(\.\d{1,9})?(Z|[+-]\d{2}:\d{2})")


class ExportRequestInvalid(Exception):
    def __init__(self, messages: list[str]):
        self.messages = messages
        super().__init__("; ".join(messages))


class ExportCancelled(Exception):
    """The job's row is gone (cancelled, or removed as abandoned) while the worker wrote."""


@dataclass(frozen=True)
class ExportRequest:
    resource_types: tuple[str, ...]
    since: datetime | None


def export_types_parse(raw: str) -> tuple[str, ...]:
    """`_type`: a comma list of the exported resource types, in the server's order."""
    asked = [item.strip() for item in raw.split(",")]
    unknown = [item for item in asked if item not in RESOURCE_TYPES]
    if unknown:
        shown = ", ".join(repr(item) for item in unknown)
        raise ExportRequestInvalid(
            [
                f"_type: unknown resource type {shown}; give a comma list of "
                f"{', '.join(RESOURCE_TYPES)}."
            ]
        )
    return tuple(resource_type for resource_type in RESOURCE_TYPES if resource_type in asked)


def export_since_parse(raw: str) -> datetime:
    """`_since`: a FHIR instant, e.g. 2026-01-31T09:00:00Z or 2026-01-31T09:00:00-08:00."""
    text = re.sub(r" (\d{2}:\d{2})$", r"+\1", raw.strip())
    try:
        if not INSTANT.fullmatch(text):
            raise ValueError(text)
        return datetime.fromisoformat(text)
    except ValueError:
        raise ExportRequestInvalid(
            [
                f"_since: {raw!r} is not a FHIR instant; give a date and a time with seconds and "
                "a time zone, e.g. 2026-01-31T09:00:00Z or 2026-01-31T09:00:00-08:00 (write + as "
                "%2B in a URL)."
            ]
        ) from None


def export_request_parse(*, query: Mapping[str, Sequence[str]]) -> ExportRequest:
    """A kick-off's query parameters; every problem is reported at once."""
    problems: list[str] = []
    unsupported = sorted(name for name in query if name not in PARAMETERS)
    if unsupported:
        problems.append(
            f"Unsupported parameter {', '.join(unsupported)}: this server's $export takes "
            f"{', '.join(PARAMETERS)}."
        )
    for name in PARAMETERS:
        if len(query.get(name, ())) > 1:
            problems.append(f"{name}: give it once.")
    resource_types, since = RESOURCE_TYPES, None
    for output_format in query.get("_outputFormat", ()):
        # An unencoded "+" arrives as a space.
        if output_format.replace(" ", "+") not in OUTPUT_FORMATS:
            problems.append(
                f"_outputFormat: {output_format!r} is not supported; use "
                f"{' or '.join(OUTPUT_FORMATS)}."
            )
    try:
        if query.get("_type"):
            resource_types = export_types_parse(query["_type"][0])
    except ExportRequestInvalid as invalid:
        problems += invalid.messages
    try:
        if query.get("_since"):
            since = export_since_parse(query["_since"][0])
    except ExportRequestInvalid as invalid:
        problems += invalid.messages
    if problems:
        raise ExportRequestInvalid(problems)
    return ExportRequest(resource_types=resource_types, since=since)


def export_kickoff(
    *, user: User, request: ExportRequest, request_url: str, now: datetime
) -> ExportJob:
    """Record a job and queue it for the worker; expired jobs are removed first."""
    export_cleanup(now=now)
    with transaction.atomic():
        job = ExportJob.objects.create(
            requested_by=user,
            request_url=request_url,
            resource_types=list(request.resource_types),
            since=request.since,
        )
        if _queues_in_database():
            # Queued in the job's own transaction: both exist, or neither.
            _enqueue(job_id=job.pk)
        else:
            transaction.on_commit(partial(_enqueue, job_id=job.pk))
    return job


def _queues_in_database() -> bool:
    from django_tasks_db import DatabaseBackend

    return isinstance(task_backends["default"], DatabaseBackend)


def _enqueue(*, job_id: uuid.UUID) -> None:
    from interop.tasks import export_job_run

    export_job_run.enqueue(job_id=str(job_id))


def export_run(*, job_id: str) -> str:
    """The worker's part: write the job's files and record them. A failure is recorded as
    the job's error file (the manifest's `error`), never left as a half export."""
    now = timezone.now()
    started = ExportJob.objects.filter(pk=job_id, status=ExportStatus.QUEUED).update(
        status=ExportStatus.RUNNING, transaction_time=now, progress="Starting"
    )
    if not started:
        return "not queued"  # cancelled, or run already (a task may be delivered twice)
    job = ExportJob.objects.get(pk=job_id)
    folder = job_folder(job.pk)
    try:
        written = ndjson_write(
            folder=folder,
            resource_types=job.resource_types,
            since=job.since,
            today=timezone.localdate(),
            progress=partial(_progress, job=job),
        )
        _finish(job=job, status=ExportStatus.COMPLETED, files=written)
    except ExportCancelled:
        folder_remove(folder)
        return "cancelled"
    except Exception:
        logger.exception("FHIR bulk export %s failed", job.pk)
        folder_remove(folder)
        return _fail(job=job)
    return "completed"


def _progress(resource_type: str, count: int, *, job: ExportJob) -> None:
    position = job.resource_types.index(resource_type) + 1
    words = f"{resource_type}: {count} written (type {position} of {len(job.resource_types)})"
    if not ExportJob.objects.filter(pk=job.pk).update(progress=words):
        raise ExportCancelled(job.pk)


def _finish(*, job: ExportJob, status: str, files: list[WrittenFile]) -> None:
    with transaction.atomic():
        # Locked, so that a cancellation waits for this to commit (and then removes it all).
        if not list(ExportJob.objects.select_for_update().filter(pk=job.pk).values("pk")):
            raise ExportCancelled(job.pk)
        ExportFile.objects.bulk_create(
            ExportFile(
                job=job,
                resource_type=file.resource_type,
                name=file.name,
                count=file.count,
                is_error=status == ExportStatus.FAILED,
            )
            for file in files
        )
        finished = timezone.now()
        ExportJob.objects.filter(pk=job.pk).update(
            status=status,
            progress="",
            finished_at=finished,
            expires_at=finished + timedelta(hours=settings.EXPORT_FILE_HOURS),
        )


# A failed job's one `error` file: its OperationOutcome is built when it is read, so a failure
# writes nothing to disk (which may be what failed).
ERROR_FILE = WrittenFile(resource_type="OperationOutcome", name="error.ndjson", count=1)


def _fail(*, job: ExportJob) -> str:
    try:
        _finish(job=job, status=ExportStatus.FAILED, files=[ERROR_FILE])
    except ExportCancelled:
        return "cancelled"
    return "failed"


def export_failure_outcome(*, job_id: uuid.UUID) -> dict:
    return operation_outcome(
        code="exception",
        diagnostics=(
            f"The export failed and nothing was exported (job {job_id}). Start a new export; "
            "if it fails again, the operators find the cause in the worker's log under this "
            "job id."
        ),
    )


def export_file_open(*, export_file: ExportFile) -> BinaryIO:
    """A file's content to serve; FileNotFoundError when a cleanup removed it meanwhile."""
    if export_file.is_error:
        outcome = export_failure_outcome(job_id=export_file.job_id)
        return io.BytesIO(json.dumps(outcome).encode() + b"\n")
    return (job_folder(export_file.job_id) / export_file.name).open("rb")


def export_cancel(*, job: ExportJob) -> None:
    """DELETE on the status URL: the job and its files go; a worker still writing stops at
    its next progress report and removes what it wrote."""
    with transaction.atomic():
        ExportJob.objects.filter(pk=job.pk).delete()
        transaction.on_commit(partial(folder_remove, job_folder(job.pk)))


def export_cleanup(*, now: datetime) -> int:
    """Remove the jobs (and their files) that expired, the jobs still unfinished
    EXPORT_FILE_HOURS after their kick-off (their worker died), and job folders left without
    a job (a process died between the two). Returns how many jobs."""
    lifetime = timedelta(hours=settings.EXPORT_FILE_HOURS)
    expired = ExportJob.objects.filter(
        Q(expires_at__lte=now) | Q(expires_at__isnull=True, created_at__lte=now - lifetime)
    )
    with transaction.atomic():
        job_ids = list(expired.values_list("pk", flat=True))
        if job_ids:
            ExportJob.objects.filter(pk__in=job_ids).delete()
            transaction.on_commit(partial(_folders_remove, job_ids))
    _folders_remove(_stray_folders())
    return len(job_ids)


def _stray_folders() -> list[uuid.UUID]:
    root = Path(settings.EXPORT_ROOT)
    if not root.is_dir():
        return []
    named: list[uuid.UUID] = []
    for child in root.iterdir():
        try:
            job_id = uuid.UUID(child.name)
        except ValueError:
            continue  # not a job's folder: never touched
        if child.is_dir() and str(job_id) == child.name:
            named.append(job_id)
    known = set(ExportJob.objects.filter(pk__in=named).values_list("pk", flat=True))
    return [job_id for job_id in named if job_id not in known]


def _folders_remove(job_ids: list[uuid.UUID]) -> None:
    for job_id in job_ids:
        folder_remove(job_folder(job_id))
