"""scripts/backup and scripts/restore (README, "Backups"): a backup's rows and evidence files
come back whole and checked; a restore never merges into live data and never trusts a backup
that was cut short or damaged.

The whole drill (the demo data, match answers before and after) is scripts/backup_drill,
which CI runs.
"""

import hashlib
import os
import shutil
import subprocess
from pathlib import Path

import psycopg
import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import connection

from directory.models import Credential
from tests.conftest import client_for
from tests.directory.test_evidence import PDF_BYTES

ROOT = Path(__file__).resolve().parent.parent
POSTGRES_TOOLS = (
    pytest.mark.postgres,
    pytest.mark.skipif(connection.vendor != "postgresql", reason="dumps PostgreSQL"),
    pytest.mark.skipif(shutil.which("pg_dump") is None, reason="needs pg_dump and pg_restore"),
)


def needs_postgres_tools(test):
    for mark in POSTGRES_TOOLS:
        test = mark(test)
    return test


def script(name: str, *args: str, **env: str) -> subprocess.CompletedProcess:
    return subprocess.run(
        [str(ROOT / "scripts" / name), *map(str, args)],
        cwd=ROOT,
        env={**os.environ, **env},
        capture_output=True,
        text=True,
        timeout=300,
    )


def database_url(name: str) -> str:
    settings = connection.settings_dict
    password = f":{settings['PASSWORD']}" if settings["PASSWORD"] else ""
    return (
        f"postgres://{settings['USER']}{password}@{settings['HOST'] or 'localhost'}"
        f":{settings['PORT'] or 5432}/{name}"
    )


def fake_backup(folder: Path) -> Path:
    """A backup whose files match their SHA256SUMS (what pg_restore would make of it is
    never reached)."""
    folder.mkdir()
    lines = []
    for name in ("database.dump", "evidence.tar"):
        (folder / name).write_bytes(b"not restored")
        lines.append(f"{hashlib.sha256(b'not restored').hexdigest()}  {name}\n")
    (folder / "SHA256SUMS").write_text("".join(lines))
    return folder


@pytest.fixture
def empty_database():
    """A new, empty database beside the test database, dropped afterwards."""
    name = f"{connection.settings_dict['NAME']}_restore"
    with psycopg.connect(database_url("postgres"), autocommit=True) as admin:
        admin.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        admin.execute(f'CREATE DATABASE "{name}"')
    yield database_url(name)
    with psycopg.connect(database_url("postgres"), autocommit=True) as admin:
        admin.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


# --- The round trip ------------------------------------------------------------------------


@needs_postgres_tools
@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_backup_and_restore_bring_back_the_rows_and_the_evidence_files(
    practitioner, settings, tmp_path, empty_database
):
    training = {"kind": "training", "issuer": "CPA", "title": "Needling", "issued_on": "2019-09-01"}
    evidence = SimpleUploadedFile("licence.pdf", PDF_BYTES, "application/pdf")
    response = client_for(practitioner.user).post(
        "/api/v1/me/credentials/", training | {"evidence": evidence}, format="multipart"
    )
    assert response.status_code == 201, response.content
    credential = Credential.objects.get()
    source = database_url(connection.settings_dict["NAME"])

    backup = script(
        "backup", tmp_path / "backup", DATABASE_URL=source, MEDIA_ROOT=settings.MEDIA_ROOT
    )
    assert backup.returncode == 0, backup.stderr
    assert sorted(p.name for p in (tmp_path / "backup").iterdir()) == [
        "SHA256SUMS",
        "database.dump",
        "evidence.tar",
    ]

    restored_media = tmp_path / "restored"
    restore = script(
        "restore", tmp_path / "backup", DATABASE_URL=empty_database, MEDIA_ROOT=restored_media
    )

    assert restore.returncode == 0, restore.stdout + restore.stderr
    assert restore.stdout.splitlines() == [
        f"Restored {tmp_path / 'backup'}: the database, and 1 evidence files into {restored_media}",
        "No drift: every figure equals a recount of its source rows.",
        "0 files no credential points to would be removed.",
    ]
    with psycopg.connect(empty_database) as restored:
        rows = restored.execute(
            "SELECT id, owner_id, title, evidence, evidence_content_type FROM directory_credential"
        ).fetchall()
    assert rows == [
        (
            credential.pk,
            practitioner.user.pk,
            "Needling",
            credential.evidence.name,
            "application/pdf",
        )
    ]
    assert (restored_media / credential.evidence.name).read_bytes() == PDF_BYTES


# --- Refusals: nothing is written -----------------------------------------------------------


@needs_postgres_tools
@pytest.mark.django_db
def test_restore_refuses_a_database_that_holds_tables(tmp_path):
    source = database_url(connection.settings_dict["NAME"])

    result = script("restore", fake_backup(tmp_path / "backup"), DATABASE_URL=source)

    assert result.returncode == 2
    assert result.stderr.startswith("scripts/restore: the database holds ")
    assert result.stderr.endswith(
        " tables, sequences or views; restore into an empty one (createdb)\n"
    )


@needs_postgres_tools
def test_restore_refuses_a_media_root_that_holds_evidence(tmp_path, empty_database):
    (tmp_path / "media" / "evidence").mkdir(parents=True)
    (tmp_path / "media" / "evidence" / "live.pdf").write_bytes(PDF_BYTES)

    result = script(
        "restore",
        fake_backup(tmp_path / "backup"),
        DATABASE_URL=empty_database,
        MEDIA_ROOT=tmp_path / "media",
    )

    assert result.returncode == 2
    assert result.stderr == (
        f"scripts/restore: {tmp_path / 'media' / 'evidence'} is not empty; "
        "restore into an empty MEDIA_ROOT\n"
    )
    with psycopg.connect(empty_database) as restored:
        assert restored.execute(
            "SELECT count(*) FROM pg_tables WHERE schemaname = 'public'"
        ).fetchone() == (0,)


def test_restore_refuses_a_damaged_backup(tmp_path):
    backup = fake_backup(tmp_path / "backup")
    (backup / "database.dump").write_bytes(b"not restorEd")

    result = script("restore", backup, DATABASE_URL="postgres://nobody@127.0.0.1:1/none")

    assert result.returncode == 2
    assert result.stderr.splitlines()[-1] == (
        f"scripts/restore: {backup} does not match its SHA256SUMS"
    )


def test_restore_refuses_a_backup_cut_short(tmp_path):
    backup = fake_backup(tmp_path / "backup")
    (backup / "SHA256SUMS").unlink()

    result = script("restore", backup, DATABASE_URL="postgres://nobody@127.0.0.1:1/none")

    assert result.returncode == 2
    assert result.stderr == (
        f"scripts/restore: {backup} has no SHA256SUMS: not a complete backup\n"
    )


def test_backup_refuses_a_sqlite_database(tmp_path):
    result = script("backup", tmp_path / "backup", DATABASE_URL="sqlite:///db.sqlite3")

    assert result.returncode == 2
    assert result.stderr == (
        "scripts/backup: DATABASE_URL must be a PostgreSQL URL (postgres://…); a SQLite "
        "database is one file to copy while the service is stopped\n"
    )
    assert not (tmp_path / "backup").exists()


def test_backup_refuses_a_directory_that_holds_files(tmp_path):
    (tmp_path / "backup").mkdir()
    (tmp_path / "backup" / "database.dump").write_bytes(b"an older backup")

    result = script("backup", tmp_path / "backup", DATABASE_URL="postgres://nobody@127.0.0.1:1/x")

    assert result.returncode == 2
    assert result.stderr == (
        f"scripts/backup: {tmp_path / 'backup'} exists and is not empty; name a new directory\n"
    )
    assert (tmp_path / "backup" / "database.dump").read_bytes() == b"an older backup"
