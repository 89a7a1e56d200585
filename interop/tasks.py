"""Background tasks of the interop app (README, "FHIR bulk export"); `manage.py db_worker`
runs them from the database queue, beside directory.tasks."""

from django_tasks import task


@task()
def export_job_run(job_id: str) -> str:
    """Write one bulk export job's files (interop.export.export_run)."""
    from interop.export import export_run

    return export_run(job_id=job_id)
