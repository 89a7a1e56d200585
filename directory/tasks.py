"""Background tasks (Django's Tasks API through the django-tasks backport; README, "E-mail and
the background worker"). `manage.py db_worker` runs them from the database queue."""

from django_tasks import TaskContext, task


@task(takes_context=True)
def deliver_email(context: TaskContext, outbox_id: int, extra: dict | None = None) -> str:
    """Send one outbox row's e-mail; on a temporary failure, schedule another attempt."""
    from directory.services.notifications import outbox_deliver

    return outbox_deliver(outbox_id=outbox_id, extra=extra, task_result_id=context.task_result.id)
