import sys
import time
from collections.abc import Iterable
from contextlib import ExitStack
from pathlib import Path
from typing import TextIO

from django.core.exceptions import ValidationError
from django.core.management.base import BaseCommand, CommandError
from tqdm import tqdm

from directory.register_file import RegisterFileError
from directory.services.register import RegisterReport, register_import


class Command(BaseCommand):
    help = (
        "Check the directory's verified licences of one jurisdiction against a regulator's "
        "register extract (CSV; README, “Register import”): prints one line per action and a "
        "summary. Never creates accounts."
    )

    def add_arguments(self, parser) -> None:
        parser.add_argument("file", help="The register extract, CSV in UTF-8.")
        parser.add_argument(
            "--jurisdiction", required=True, help="ISO 3166-2 code of the register, e.g. CA-BC."
        )
        parser.add_argument(
            "--dry-run", action="store_true", help="Write nothing; print the same report."
        )
        parser.add_argument(
            "--complete",
            action="store_true",
            help="The file is the whole register: verified licences of the professions it "
            "lists whose number it does not name go back to pending.",
        )
        parser.add_argument(
            "--strict",
            action="store_true",
            help="Refuse the whole file (write nothing) when any row is bad.",
        )
        parser.add_argument("--report", metavar="FILE", help="Also write the report as CSV.")

    def handle(self, *args, file: str, jurisdiction: str, report: str | None, **options) -> None:
        try:
            content = Path(file).read_bytes()
        except OSError as error:
            raise CommandError(f"Cannot read {file}: {error.strerror}.") from error
        with ExitStack() as stack:
            # Opened first: a report that cannot be written stops the import before it writes.
            stream = stack.enter_context(self._report_file(report)) if report else None
            started = time.perf_counter()
            result = self._import(content, file=file, jurisdiction=jurisdiction, **options)
            for line in result.lines:
                self.stdout.write(line.text())
            self.stdout.write(result.summary())
            if stream is not None:
                result.write_csv(stream)
                self.stdout.write(f"Report written to {report}.")
        # On stderr, beside the progress bar: stdout is the report, the same on every run.
        self.stderr.write(f"Took {time.perf_counter() - started:.2f} s.")
        if result.refused:
            raise CommandError("The file has bad rows and --strict is on: nothing was written.")

    def _report_file(self, report: str) -> TextIO:
        try:
            return open(report, "w", newline="", encoding="utf-8")
        except OSError as error:
            raise CommandError(f"Cannot write {report}: {error.strerror}.") from error

    def _import(self, content: bytes, *, file: str, jurisdiction: str, **options) -> RegisterReport:
        try:
            return register_import(
                content=content,
                jurisdiction=jurisdiction,
                complete=options["complete"],
                strict=options["strict"],
                dry_run=options["dry_run"],
                progress=self._progress,
            )
        except RegisterFileError as error:
            raise CommandError(f"{file}: {error.message} Nothing was written.") from error
        except ValidationError as error:
            raise CommandError(" ".join(error.messages)) from error

    def _progress(self, items: Iterable, description: str) -> Iterable:
        # The bar writes to the real stream: Django's wrapper would end each redraw with "\n".
        stream = getattr(self.stderr, "_out", sys.stderr)
        return tqdm(items, desc=description, file=stream)
