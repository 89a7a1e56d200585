from datetime import timedelta

from django.core.files.storage import default_storage
from django.core.management.base import BaseCommand
from django.utils import timezone

from directory.evidence import evidence_orphans

# A staged upload younger than this may belong to a write still in progress.
STAGED_GRACE = timedelta(hours=1)


class Command(BaseCommand):
    help = (
        "List and remove evidence files that no credential points to (left by a write that "
        "failed, or by a process killed mid-upload). Staged uploads younger than an hour are "
        "kept: they may belong to a write in progress."
    )

    def add_arguments(self, parser) -> None:
        parser.add_argument(
            "--dry-run", action="store_true", help="List the files; remove nothing."
        )

    def handle(self, *args, dry_run: bool, **options) -> None:
        orphans = evidence_orphans(staged_before=timezone.now() - STAGED_GRACE)
        for name in orphans:
            self.stdout.write(name)
            if not dry_run:
                default_storage.delete(name)
        verb = "would be removed" if dry_run else "removed"
        self.stdout.write(f"{len(orphans)} files no credential points to {verb}.")
