from django.core.management.base import BaseCommand

from directory.services.stats import stats_recompute


class Command(BaseCommand):
    help = "Rebuild every practitioner's review and referral figures from the source rows."

    def handle(self, *args, **options) -> None:
        written = stats_recompute()
        self.stdout.write(f"Recomputed figures for {written} practitioners.")
