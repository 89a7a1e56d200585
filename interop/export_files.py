"""The export's files on disk: ndjson for the FHIR bulk export and the operator's command, and
the command's CSV flattened from the same ndjson.

Every file is written under a temporary name (`.part`) and renamed only when all of a run's
files are whole, so no reader sees half a file; when a run fails, what it wrote is removed.
"""

import csv
import json
import os
import shutil
import uuid
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass
from datetime import date, datetime
from pathlib import Path

from django.conf import settings

from interop.resources import resources_iter

PART = ".part"
NDJSON = ".ndjson"
# How often (in resources) a run reports its progress.
PROGRESS_EVERY = 500

# Called with the resource type being written and how many of it are written so far.
Progress = Callable[[str, int], None]


@dataclass(frozen=True)
class WrittenFile:
    resource_type: str
    name: str
    count: int


def job_folder(job_id: uuid.UUID | str) -> Path:
    """Where a bulk export job's files live: one folder per job, named by its id."""
    return Path(settings.EXPORT_ROOT) / str(job_id)


def folder_remove(folder: Path) -> None:
    shutil.rmtree(folder, ignore_errors=True)


def ndjson_write(
    *,
    folder: Path,
    resource_types: Iterable[str],
    since: datetime | None,
    today: date,
    progress: Progress | None = None,
) -> list[WrittenFile]:
    """Write `<Type>.ndjson` into `folder` for each type, one resource a line. A failure
    leaves `folder` as it was (files of an earlier run included)."""
    resource_types = tuple(resource_types)
    folder.mkdir(parents=True, exist_ok=True)
    written: list[WrittenFile] = []
    try:
        for resource_type in resource_types:
            resources = resources_iter(resource_type=resource_type, since=since, today=today)
            written.append(
                _ndjson_part(folder, resource_type, _reporting(resources, resource_type, progress))
            )
        _publish(folder, [file.name for file in written])
    except BaseException:
        for resource_type in resource_types:
            (folder / f"{_name(resource_type)}{PART}").unlink(missing_ok=True)
        raise
    return written


def _name(resource_type: str) -> str:
    return f"{resource_type}{NDJSON}"


def _reporting(
    resources: Iterable[dict], resource_type: str, progress: Progress | None
) -> Iterator[dict]:
    count = 0
    for count, resource in enumerate(resources, start=1):
        yield resource
        if progress is not None and count % PROGRESS_EVERY == 0:
            progress(resource_type, count)
    if progress is not None:
        progress(resource_type, count)


def _ndjson_part(folder: Path, resource_type: str, resources: Iterable[dict]) -> WrittenFile:
    name = _name(resource_type)
    count = 0
    with open(folder / f"{name}{PART}", "w", encoding="utf-8", newline="\n") as out:
        for resource in resources:
            out.write(json.dumps(resource, ensure_ascii=False, separators=(",", ":")))
            out.write("\n")
            count += 1
    return WrittenFile(resource_type=resource_type, name=name, count=count)


def _publish(folder: Path, names: list[str]) -> None:
    for name in names:
        os.replace(folder / f"{name}{PART}", folder / name)


# --- CSV (the operator's command) ------------------------------------------------------------

# A spreadsheet runs a cell starting with one of these as a formula; text from practitioners
# (names, clinics) must never become one. "+" and "-" start numbers too (a phone in E.164, a
# longitude), which are left alone.
FORMULA_STARTS = ("=", "@", "\t", "\r", "+", "-")


def csv_write(*, source: Path, folder: Path, files: list[WrittenFile]) -> list[WrittenFile]:
    """`<Type>.csv` in `folder` for each ndjson file in `source`. Each resource is one row;
    nested fields become columns named by their path (`name.0.family`,
    `position.latitude`), in order of first appearance. All files or none are published."""
    written = []
    try:
        for ndjson in files:
            name = ndjson.name.removesuffix(NDJSON) + ".csv"
            count = _csv_part(source / ndjson.name, folder / f"{name}{PART}")
            written.append(WrittenFile(resource_type=ndjson.resource_type, name=name, count=count))
        _publish(folder, [file.name for file in written])
    except BaseException:
        for ndjson in files:
            (folder / (ndjson.name.removesuffix(NDJSON) + f".csv{PART}")).unlink(missing_ok=True)
        raise
    return written


def _csv_part(source: Path, part: Path) -> int:
    columns: dict[str, None] = {}
    for row in _flat_rows(source):
        columns.update(dict.fromkeys(row))
    count = 0
    with open(part, "w", encoding="utf-8", newline="") as out:
        writer = csv.DictWriter(out, fieldnames=list(columns), restval="")
        writer.writeheader()
        for row in _flat_rows(source):
            writer.writerow(row)
            count += 1
    return count


def _flat_rows(source: Path) -> Iterator[dict[str, str]]:
    with open(source, encoding="utf-8") as lines:
        for line in lines:
            yield _flatten(json.loads(line))


def _flatten(value: object, path: str = "") -> dict[str, str]:
    if isinstance(value, dict):
        items = value.items()
    elif isinstance(value, list):
        items = enumerate(value)
    else:
        return {path: _cell(value)}
    flat: dict[str, str] = {}
    for key, item in items:
        flat.update(_flatten(item, f"{path}.{key}" if path else str(key)))
    return flat


def _cell(value: object) -> str:
    if value is None:
        return ""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, str):
        return _defused(value)
    return json.dumps(value)


def _defused(text: str) -> str:
    if not text.startswith(FORMULA_STARTS):
        return text
    if text[0] in "+-":
        try:
            float(text)
            return text
        except ValueError:
            pass
    return "'" + text
