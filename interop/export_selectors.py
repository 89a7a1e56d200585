"""Reads of the bulk export: a job and its files exist only for the user who asked for them
(anyone else gets the same answer as for a job that never existed), and only until they
expire, whether or not the cleanup has run yet."""

import uuid
from datetime import datetime

from directory.models import User
from interop.models import ExportFile, ExportJob


def export_job_get(*, user: User, job_id: uuid.UUID, now: datetime) -> ExportJob | None:
    return (
        ExportJob.objects.filter(pk=job_id, requested_by=user)
        .exclude(expires_at__lte=now)
        .prefetch_related("files")
        .first()
    )


def export_file_get(
    *, user: User, job_id: uuid.UUID, name: str, now: datetime
) -> ExportFile | None:
    return (
        ExportFile.objects.filter(job_id=job_id, job__requested_by=user, name=name)
        .exclude(job__expires_at__lte=now)
        .exclude(job__expires_at__isnull=True)
        .first()
    )
