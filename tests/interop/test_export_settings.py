"""The bulk export's settings fail loudly on a value that cannot work."""

import os
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent.parent


@pytest.mark.parametrize(
    ("value", "message"),
    [
        ("0", "EXPORT_FILE_HOURS must be at least 1"),
        ("a day", "EXPORT_FILE_HOURS='a day': expected an integer"),
    ],
)
def test_export_file_hours_must_be_a_positive_number_of_hours(value, message):
    result = subprocess.run(
        [sys.executable, "manage.py", "check"],
        cwd=ROOT,
        env={**os.environ, "DEBUG": "true", "EXPORT_FILE_HOURS": value},
        capture_output=True,
        text=True,
        timeout=120,
    )

    assert result.returncode != 0
    assert message in result.stderr
