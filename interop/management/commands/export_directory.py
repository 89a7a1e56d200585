"""manage.py export_directory --format ndjson|csv --out DIR: the bulk export for operators
(README, "FHIR bulk export"), written from the same resources as `/fhir/$export`."""

import sys
import tempfile
from pathlib import Path

from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.utils import timezone
from tqdm import tqdm

from interop.export import ExportRequestInvalid, export_since_parse, export_types_parse
from interop.export_files import csv_write, ndjson_write
from interop.resources import RESOURCE_TYPES


class Command(BaseCommand):
    help = (
        "Write the public directory as FHIR R4 resources: one ndjson file per resource type, "
        "or one CSV per type with nested fields flattened into columns."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--format", choices=("ndjson", "csv"), required=True)
        parser.add_argument("--out", required=True, type=Path, help="Folder to write to.")
        parser.add_argument(
            "--type",
            default=",".join(RESOURCE_TYPES),
            help=f"Comma list of resource types (default: all of {', '.join(RESOURCE_TYPES)}).",
        )
        parser.add_argument(
            "--since",
            help="Only practitioners whose listing changed at or after this FHIR instant, "
            "e.g. 2026-01-31T09:00:00Z.",
        )

    def handle(self, *args, **options) -> None:
        try:
            resource_types = export_types_parse(options["type"])
            since = export_since_parse(options["since"]) if options["since"] else None
        except ExportRequestInvalid as invalid:
            raise CommandError(" ".join(invalid.messages)) from None
        out: Path = options["out"]
        try:
            out.mkdir(parents=True, exist_ok=True)
        except OSError as error:
            raise CommandError(f"--out {out}: {error.strerror}") from None
        with tqdm(unit=" resources", file=options.get("stderr") or sys.stderr) as bar:
            written = self._write(options["format"], out, resource_types, since, bar)
        for file in written:
            self.stdout.write(f"{file.count} {file.resource_type} -> {out / file.name}")

    def _write(self, file_format, out, resource_types, since, bar):
        done = {resource_type: 0 for resource_type in resource_types}

        def progress(resource_type: str, count: int) -> None:
            bar.set_description_str(resource_type)
            bar.update(count - done[resource_type])
            done[resource_type] = count

        today = timezone.localdate()
        if file_format == "ndjson":
            return ndjson_write(
                folder=out,
                resource_types=resource_types,
                since=since,
                today=today,
                progress=progress,
            )
        # The CSV is flattened from the same ndjson, written first beside it.
        with tempfile.TemporaryDirectory(dir=out, prefix=".ndjson-") as scratch:
            files = ndjson_write(
                folder=Path(scratch),
                resource_types=resource_types,
                since=since,
                today=today,
                progress=progress,
            )
            return csv_write(source=Path(scratch), folder=out, files=files)
