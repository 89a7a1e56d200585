from django.core.management.base import BaseCommand, CommandError

from directory.services.stats import stats_drift, stats_recompute


class Command(BaseCommand):
    help = (
        "Rebuild every practitioner's review, referral and credential figures (and the match "
        "index) from the source rows, saying first what had drifted. With --check, only say "
        "it: every drifted figure is printed and the exit status is 1 when any differs."
    )

    def add_arguments(self, parser) -> None:
        parser.add_argument(
            "--check",
            action="store_true",
            help="Write nothing; print each drifted figure and exit 1 if there is any.",
        )

    def handle(self, *args, check: bool, **options) -> None:
        drift = stats_drift()
        for line in drift:
            self.stdout.write(f"drift: {line}")
        if check:
            if drift:
                raise CommandError(f"{len(drift)} figures differ from a recount.")
            self.stdout.write("No drift: every figure equals a recount of its source rows.")
            return
        written = stats_recompute()
        self.stdout.write(
            f"Recomputed figures for {written} practitioners; {len(drift)} figures had drifted."
        )
