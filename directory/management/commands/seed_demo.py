"""`manage.py seed_demo`: load the demo directory (see directory.demo and the README)."""

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.utils import timezone

from directory.demo import (
    DEFAULT_PRACTITIONERS,
    DEMO_INVITATION_CODE,
    DEMO_PASSWORD,
    demo_totals,
    seed_demo,
)
from directory.models import PractitionerProfile

MAX_PRACTITIONERS = 10_000


class Command(BaseCommand):
    help = (
        "Create deterministic demo data: about 300 practitioners across Canadian cities, "
        "patients' reviews and physicians' referrals of the qualified ones, and one account "
        "per role. Idempotent: a second run creates nothing. Local only: every demo account "
        "shares a published password, so it refuses to run unless DEBUG is on."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument(
            "--practitioners",
            type=int,
            default=DEFAULT_PRACTITIONERS,
            help=f"How many generated practitioners (1..{MAX_PRACTITIONERS}, "
            f"default {DEFAULT_PRACTITIONERS}).",
        )
        parser.add_argument(
            "--if-empty",
            action="store_true",
            help="Seed only when the database holds no practitioner yet.",
        )

    def handle(self, *args, practitioners: int, if_empty: bool, **options) -> None:
        # The demo moderator is a superuser with a password printed in the README.
        if not settings.DEBUG:
            raise CommandError("seed_demo is for local development only: set DEBUG=true.")
        if not 1 <= practitioners <= MAX_PRACTITIONERS:
            raise CommandError(f"--practitioners must be between 1 and {MAX_PRACTITIONERS}.")
        if if_empty and PractitionerProfile.objects.exists():
            self.stdout.write("Practitioners already exist; demo seed skipped (--if-empty).")
            return
        today = timezone.localdate()
        created = seed_demo(practitioners=practitioners, today=today)
        self.stdout.write("Created: " + ", ".join(f"{n} {what}" for what, n in created.items()))
        for what, count in demo_totals(today=today).items():
            self.stdout.write(f"  {what:<28} {count:>6}")
        self.stdout.write(
            self.style.SUCCESS(
                "Demo accounts (local only): patient@, physician@, practitioner@, "
                f"moderator@demo.test — password {DEMO_PASSWORD!r}; practitioner@'s "
                f"review invitation code {DEMO_INVITATION_CODE} (single use)."
            )
        )
