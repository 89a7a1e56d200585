"""A regulator's register extract as `manage.py import_register` and the admin read it.

The file is CSV in UTF-8 (a byte-order mark is allowed), with a header row naming the
columns below in any order (other columns are ignored). Whole-file problems — another
encoding, a missing column, no header — raise RegisterFileError and nothing is read; a bad
row is reported with its line number (the header is line 1) and left out, and so is every
row of a registration number that appears more than once (which of them would be true?).

How names compare (`register_name_matches`) is here too: it is the register's side of the
question "is this the same person?", asked of every row.
"""

import csv
import io
import re
from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import date
from enum import StrEnum

from directory.models import Profession
from directory.services.credentials import EARLIEST_YEAR, LATEST_YEAR
from directory.text import normalize_term

REGISTER_COLUMNS = (
    "registration_number",
    "name",
    "profession",
    "status",
    "expires_on",
    "needling_authorized",
)

# A register extract of a province's professions is a few tens of thousands of rows; a file
# far beyond that is not a register extract (and would hold the import's transaction long).
REGISTER_FILE_MAX_BYTES = 20 * 1024 * 1024

TRUE_WORDS = frozenset({"true", "yes", "y", "1"})
FALSE_WORDS = frozenset({"false", "no", "n", "0"})


class RegisterStatus(StrEnum):
    ACTIVE = "active"
    SUSPENDED = "suspended"
    LAPSED = "lapsed"
    CANCELLED = "cancelled"


class RegisterFileError(Exception):
    """The file as a whole cannot be read; `message` says what is allowed."""

    def __init__(self, message: str) -> None:
        super().__init__(message)
        self.message = message


@dataclass(frozen=True)
class RegisterRow:
    line: int
    number: str
    name: str
    profession: str
    status: RegisterStatus
    expires_on: date | None  # None: the register gives no date (nothing to compare)
    needling_authorized: bool | None  # None: the register does not say


@dataclass(frozen=True)
class RowError:
    line: int
    number: str
    name: str
    message: str


@dataclass
class RegisterFile:
    rows: list[RegisterRow] = field(default_factory=list)
    errors: list[RowError] = field(default_factory=list)
    # Every number the file names, readable rows or not: with --complete, a licence whose
    # number appears on a bad row is not "absent from the register".
    numbers: set[str] = field(default_factory=set)


def register_number_key(number: str) -> str:
    """Registration numbers compare without case or surrounding spaces ("pt 123" is "PT 123")."""
    return " ".join(number.split()).upper()


def _decode(content: bytes) -> str:
    try:
        return content.decode("utf-8-sig")
    except UnicodeDecodeError as error:
        line = content.count(b"\n", 0, error.start) + 1
        raise RegisterFileError(
            f"The file is not UTF-8: line {line} has the byte 0x{content[error.start]:02X}, "
            "which UTF-8 does not allow there. Save it as “CSV UTF-8” and import it again."
        ) from error


def _header(reader: "csv.DictReader[str]") -> None:
    try:
        fieldnames = reader.fieldnames
    except csv.Error as error:
        raise RegisterFileError(f"Line 1 is not valid CSV: {error}.") from error
    columns = [name.strip().lower() for name in fieldnames or []]
    if not any(columns):
        raise RegisterFileError(
            "The file is empty; its first line must name the columns: "
            + ", ".join(REGISTER_COLUMNS)
            + "."
        )
    missing = [name for name in REGISTER_COLUMNS if name not in columns]
    if missing:
        raise RegisterFileError(
            "Line 1 (the header) lacks the column(s) "
            + ", ".join(missing)
            + "; the columns are "
            + ", ".join(REGISTER_COLUMNS)
            + "."
        )
    reader.fieldnames = columns


def _status(text: str) -> RegisterStatus:
    try:
        return RegisterStatus(text.lower())
    except ValueError:
        allowed = ", ".join(RegisterStatus)
        raise ValueError(f"status “{text}” is not one of {allowed}") from None


def _profession(text: str) -> str:
    value = re.sub(r"[\s-]+", "_", text.strip().lower())
    if value not in Profession.values:
        raise ValueError(f"profession “{text}” is not one of {', '.join(Profession.values)}")
    return value


def _expires_on(text: str) -> date | None:
    if not text:
        return None
    try:
        value = date.fromisoformat(text)
    except ValueError:
        raise ValueError(f"expires_on “{text}” is not a date written YYYY-MM-DD") from None
    if not EARLIEST_YEAR <= value.year <= LATEST_YEAR:
        raise ValueError(f"expires_on {text} is not a date from {EARLIEST_YEAR} to {LATEST_YEAR}")
    return value


def _needling(text: str) -> bool | None:
    word = text.lower()
    if not word:
        return None
    if word in TRUE_WORDS or word in FALSE_WORDS:
        return word in TRUE_WORDS
    raise ValueError(
        f"needling_authorized “{text}” is not one of true/false, yes/no, 1/0 (or empty)"
    )


def _row(line: int, cells: dict[str, str]) -> RegisterRow:
    """One data row; raises ValueError naming every problem in it."""
    problems, values = [], {}
    if not cells["registration_number"]:
        problems.append("registration_number is empty")
    if not cells["name"]:
        problems.append("name is empty")
    for column, parse in (
        ("status", _status),
        ("profession", _profession),
        ("expires_on", _expires_on),
        ("needling_authorized", _needling),
    ):
        try:
            values[column] = parse(cells[column])
        except ValueError as error:
            problems.append(str(error))
    if problems:
        raise ValueError("; ".join(problems))
    return RegisterRow(line=line, number=cells["registration_number"], name=cells["name"], **values)


def _cells(record: dict) -> dict[str, str]:
    # A short row leaves columns None; a long one puts the rest under None (ignored).
    return {name: (record.get(name) or "").strip() for name in REGISTER_COLUMNS}


def _drop_duplicates(parsed: RegisterFile, lines_of: dict[str, list[int]]) -> None:
    repeated = {key: lines for key, lines in lines_of.items() if len(lines) > 1}
    if not repeated:
        return
    kept = []
    for row in parsed.rows:
        lines = repeated.get(register_number_key(row.number))
        if lines is None:
            kept.append(row)
            continue
        others = ", ".join(str(line) for line in lines if line != row.line)
        message = f"registration number {row.number} appears again on line(s) {others}"
        parsed.errors.append(RowError(row.line, row.number, row.name, message))
    parsed.rows = kept
    parsed.errors.sort(key=lambda error: error.line)


def _records(reader: "csv.DictReader[str]") -> Iterator[dict]:
    while True:
        starts_on = reader.line_num + 1
        try:
            yield next(reader)
        except StopIteration:
            return
        except csv.Error as error:
            raise RegisterFileError(f"Line {starts_on} is not valid CSV: {error}.") from error


def register_file_parse(content: bytes) -> RegisterFile:
    """Reads a register extract; raises RegisterFileError when the file cannot be read."""
    if len(content) > REGISTER_FILE_MAX_BYTES:
        raise RegisterFileError(
            f"The file is larger than {REGISTER_FILE_MAX_BYTES // (1024 * 1024)} MB; "
            "split it by profession."
        )
    reader = csv.DictReader(io.StringIO(_decode(content), newline=""), strict=True)
    parsed, lines_of = RegisterFile(), {}
    _header(reader)
    for record in _records(reader):
        cells = _cells(record)
        if not any(cells.values()):
            continue  # a blank line says nothing
        line = reader.line_num
        key = register_number_key(cells["registration_number"])
        if key:
            parsed.numbers.add(key)
            lines_of.setdefault(key, []).append(line)
        try:
            parsed.rows.append(_row(line, cells))
        except ValueError as error:
            parsed.errors.append(
                RowError(line, cells["registration_number"], cells["name"], str(error))
            )
    _drop_duplicates(parsed, lines_of)
    return parsed


# Words a register or an account may put around a name: titles before it, degrees and
# designations after it. They are not part of who the person is.
NAME_EXTRAS = frozenset(
    "dr doctor mr mrs ms miss mx prof professor md phd pt dc np rn msc bsc mpt frcpc ccfp".split()
)


def _name_words(name: str) -> list[str]:
    words = re.sub(r"[^\w]+", " ", normalize_term(name)).split()
    return [word for word in words if word not in NAME_EXTRAS]


def register_name_matches(register_name: str, account_name: str) -> bool:
    """The same person, tolerantly: case, accents, punctuation, word order ("Smith, Jane"),
    titles and designations ("Dr.", "PT") are ignored, and a middle name on one side only
    is allowed — as long as the shorter name still has two words (given and family name).
    """
    register_words, account_words = set(_name_words(register_name)), set(_name_words(account_name))
    if not register_words or not account_words:
        return False
    if register_words == account_words:
        return True
    shorter, longer = sorted((register_words, account_words), key=len)
    return len(shorter) >= 2 and shorter <= longer
