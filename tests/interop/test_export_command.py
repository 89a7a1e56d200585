"""manage.py export_directory: the operator's bulk export, as ndjson or CSV."""

import csv
import io
import json

import pytest
import time_machine
from django.core.management import CommandError, call_command

from interop.export_files import WrittenFile, csv_write
from interop.resources import RESOURCE_TYPES
from tests.interop.export_support import expected, small_directory, validated

pytestmark = pytest.mark.django_db


def export(*args: str) -> tuple[str, str]:
    stdout, stderr = io.StringIO(), io.StringIO()
    call_command("export_directory", *args, stdout=stdout, stderr=stderr)
    return stdout.getvalue(), stderr.getvalue()


def test_ndjson_one_file_per_type_that_validates_with_a_progress_bar(tmp_path):
    small_directory()
    out = tmp_path / "export"

    stdout, stderr = export("--format", "ndjson", "--out", str(out))

    assert sorted(path.name for path in out.iterdir()) == sorted(
        f"{resource_type}.ndjson" for resource_type in RESOURCE_TYPES
    )
    for resource_type in RESOURCE_TYPES:
        lines = (out / f"{resource_type}.ndjson").read_text().splitlines()
        assert validated(lines) == expected(resource_type)
    assert stdout.splitlines() == [
        f"{len(expected(resource_type))} {resource_type} -> {out / resource_type}.ndjson"
        for resource_type in RESOURCE_TYPES
    ]
    assert "VerificationResult: " in stderr and " resources" in stderr  # tqdm's bar


def test_type_and_since_choose_what_is_written(tmp_path):
    with time_machine.travel("2026-11-01 12:00Z", tick=False):
        small_directory()
    with time_machine.travel("2026-11-20 12:00Z", tick=False):
        small_directory()

    export("--format", "ndjson", "--out", str(tmp_path), "--type", "Location,Practitioner",
           "--since", "2026-11-10T00:00:00-08:00")  # fmt: skip

    assert sorted(path.name for path in tmp_path.iterdir()) == [
        "Location.ndjson", "Practitioner.ndjson",
    ]  # fmt: skip
    practitioners = validated((tmp_path / "Practitioner.ndjson").read_text().splitlines())
    assert len(practitioners) == 2 and len(expected("Practitioner")) == 4


def test_csv_one_file_per_type_with_a_row_per_resource(tmp_path):
    small_directory()

    stdout, _ = export("--format", "csv", "--out", str(tmp_path))

    # Only the CSV files: the ndjson it was flattened from is gone.
    assert sorted(path.name for path in tmp_path.iterdir()) == sorted(
        f"{resource_type}.csv" for resource_type in RESOURCE_TYPES
    )
    for resource_type in RESOURCE_TYPES:
        with open(tmp_path / f"{resource_type}.csv", newline="") as table:
            rows = list(csv.DictReader(table))
        assert [(row["resourceType"], row["id"]) for row in rows] == [
            (resource["resourceType"], resource["id"]) for resource in expected(resource_type)
        ]
    assert stdout.splitlines()[0] == f"2 Practitioner -> {tmp_path / 'Practitioner.csv'}"


def test_csv_flattens_nested_fields_into_path_columns_and_defuses_formulas(tmp_path):
    resources = [
        {"resourceType": "Location", "id": "1", "name": "=HYPERLINK(\"http://x\")",
         "position": {"latitude": 49.28, "longitude": -123.12}, "mode": "instance"},
        {"resourceType": "Location", "id": "2", "name": "@SUM(A1)", "active": True,
         "telecom": [{"system": "phone", "value": "+16045550123"},
                     {"system": "url", "value": "-2+3+cmd|' /C calc'!A0"}]},
    ]  # fmt: skip
    (tmp_path / "Location.ndjson").write_text("".join(json.dumps(r) + "\n" for r in resources))
    out = tmp_path / "csv"
    out.mkdir()

    written = csv_write(
        source=tmp_path, folder=out,
        files=[WrittenFile(resource_type="Location", name="Location.ndjson", count=2)],
    )  # fmt: skip

    assert written == [WrittenFile(resource_type="Location", name="Location.csv", count=2)]
    with open(out / "Location.csv", newline="") as table:
        rows = list(csv.reader(table))
    assert rows == [
        ["resourceType", "id", "name", "position.latitude", "position.longitude", "mode",
         "active", "telecom.0.system", "telecom.0.value", "telecom.1.system", "telecom.1.value"],
        ["Location", "1", "'=HYPERLINK(\"http://x\")", "49.28", "-123.12", "instance",
         "", "", "", "", ""],
        ["Location", "2", "'@SUM(A1)", "", "", "", "true", "phone", "+16045550123", "url",
         "'-2+3+cmd|' /C calc'!A0"],
    ]  # fmt: skip


def test_a_failed_run_leaves_the_earlier_export_in_place(tmp_path, monkeypatch):
    small_directory()
    export("--format", "ndjson", "--out", str(tmp_path))
    before = {path.name: path.read_bytes() for path in tmp_path.iterdir()}

    def broken(*, resource_type, since, today, chunk_size=500):
        if resource_type == "VerificationResult":
            raise RuntimeError("database went away")
        return iter(expected(resource_type, since))

    monkeypatch.setattr("interop.export_files.resources_iter", broken)
    with pytest.raises(RuntimeError):
        export("--format", "ndjson", "--out", str(tmp_path))

    assert {path.name: path.read_bytes() for path in tmp_path.iterdir()} == before


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["--type", "Patient"], "_type: unknown resource type 'Patient'; give a comma list of "
         "Practitioner, PractitionerRole, Location, VerificationResult."),
        (["--since", "last week"], "_since: 'last week' is not a FHIR instant; give a date and "
         "a time with seconds and a time zone, e.g. 2026-01-31T09:00:00Z or "
         "2026-01-31T09:00:00-08:00 (write + as %2B in a URL)."),
        # argparse's own wording (its quoting differs between Python versions).
        (["--format", "xml"], "Error: argument --format: invalid choice: 'xml'"),
    ],
)  # fmt: skip
def test_bad_arguments_are_refused_and_write_nothing(tmp_path, args, message):
    options = {"--format": "ndjson", "--out": str(tmp_path / "out")}
    options.update(zip(args[::2], args[1::2], strict=True))

    with pytest.raises(CommandError) as refused:
        export(*[item for pair in options.items() for item in pair])

    assert str(refused.value).startswith(message)
    assert not (tmp_path / "out").exists()
