from django.core.management.base import BaseCommand
from django.utils import timezone

from directory.services.reminders import reminders_send


class Command(BaseCommand):
    help = (
        "Queue the e-mails telling owners that a verified licence or IMS certification "
        "expires within 30 days, and again within 7 days; each is sent once. Run it daily "
        "(the worker, manage.py db_worker, delivers them)."
    )

    def handle(self, *args, **options) -> None:
        sent = reminders_send(today=timezone.localdate())
        self.stdout.write(f"Queued {sent} expiry reminder{'' if sent == 1 else 's'}.")
