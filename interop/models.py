"""The FHIR bulk export's jobs and the ndjson files they wrote (README, "FHIR bulk export")."""

import uuid

from django.conf import settings
from django.db import models
from django.db.models import Q


class ExportStatus(models.TextChoices):
    QUEUED = "queued", "Queued"
    RUNNING = "running", "Running"
    COMPLETED = "completed", "Completed"
    # The worker failed: the manifest lists an OperationOutcome file and no data.
    FAILED = "failed", "Failed"


FINISHED = (ExportStatus.COMPLETED, ExportStatus.FAILED)


class ExportJob(models.Model):
    """One `$export` kick-off. The id is random: it names the status URL and the files'
    folder. Cancelled jobs are deleted with their files, never kept."""

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    requested_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="export_jobs"
    )
    # The kick-off URL as the client sent it (the manifest's `request`).
    request_url = models.TextField()
    resource_types = models.JSONField()
    since = models.DateTimeField(null=True, blank=True)
    status = models.CharField(
        max_length=10, choices=ExportStatus.choices, default=ExportStatus.QUEUED
    )
    # What the worker has done so far, in words (the poll's X-Progress header).
    progress = models.CharField(max_length=200, blank=True)
    # When the worker started reading: the manifest's transactionTime, the next `_since`.
    transaction_time = models.DateTimeField(null=True, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    finished_at = models.DateTimeField(null=True, blank=True)
    # Set when the job finishes; the job and its files are removed after it.
    expires_at = models.DateTimeField(null=True, blank=True, db_index=True)

    class Meta:
        constraints = [
            models.CheckConstraint(
                condition=Q(status__in=ExportStatus.values), name="export_job_status_valid"
            ),
            models.CheckConstraint(
                condition=~Q(status__in=FINISHED)
                | Q(finished_at__isnull=False, expires_at__isnull=False),
                name="export_job_finished_has_when",
            ),
        ]

    def __str__(self) -> str:
        return f"Export {self.id} ({self.status})"


class ExportFile(models.Model):
    """One ndjson file of a job, under EXPORT_ROOT/<job id>/<name>: resources of one type
    (`output`), or the OperationOutcome of a failed job (`error`)."""

    job = models.ForeignKey(ExportJob, on_delete=models.CASCADE, related_name="files")
    resource_type = models.CharField(max_length=40)
    name = models.CharField(max_length=60)
    count = models.PositiveIntegerField()
    is_error = models.BooleanField(default=False)

    class Meta:
        ordering = ["id"]
        constraints = [
            models.UniqueConstraint(fields=["job", "name"], name="export_file_name_unique"),
        ]

    def __str__(self) -> str:
        return f"{self.job_id}/{self.name}"
