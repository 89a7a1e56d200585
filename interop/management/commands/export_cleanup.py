"""manage.py export_cleanup: remove the bulk export's expired jobs and files now (a kick-off
does the same first; run this from cron when kick-offs are rare)."""

from django.core.management.base import BaseCommand
from django.utils import timezone

from interop.export import export_cleanup


class Command(BaseCommand):
    help = "Remove FHIR bulk export jobs and files older than EXPORT_FILE_HOURS."

    def handle(self, *args, **options) -> None:
        removed = export_cleanup(now=timezone.now())
        self.stdout.write(f"Removed {removed} expired export job(s).")
