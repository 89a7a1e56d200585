"""Evidence files follow their transaction: an upload reaches its place only when the write
commits, is gone when it rolls back, and `manage.py evidence_sweep` finds anything a killed
process left behind."""

import os
import time
from datetime import date
from io import StringIO
from pathlib import Path

import pytest
from django.conf import settings
from django.core.files.storage import default_storage
from django.core.management import call_command
from django.db import transaction

from directory.evidence import STAGING_DIR
from directory.models import Credential
from directory.services import credentials as credential_services
from directory.services.credentials import credential_create, credential_update
from tests.directory.test_evidence import PDF_BYTES, upload
from tests.factories import PractitionerFactory

pytestmark = pytest.mark.django_db


def stored_files() -> list[str]:
    root = Path(settings.MEDIA_ROOT)
    return sorted(str(p.relative_to(root)) for p in root.rglob("*") if p.is_file())


def _create(owner):
    return credential_create(
        owner=owner,
        kind="ims_certification",
        issuer="iSTOP",
        issued_on=date(2012, 6, 15),
        evidence=upload("scan.pdf", PDF_BYTES),
    )


def test_the_file_reaches_its_name_only_when_the_write_commits(django_capture_on_commit_callbacks):
    owner = PractitionerFactory().user

    with django_capture_on_commit_callbacks(execute=False) as pending:
        credential = _create(owner)
        # Committed in the row, not yet on disk under that name: only the staged copy is.
        assert not default_storage.exists(credential.evidence.name)
        assert [name.split("/")[0] for name in stored_files()] == [STAGING_DIR]
    for publish in pending:
        publish()

    assert stored_files() == [credential.evidence.name]
    with credential.evidence.open("rb") as stored:
        assert stored.read() == PDF_BYTES


def test_a_rollback_in_the_middle_of_an_upload_leaves_no_file_and_no_row(monkeypatch):
    owner = PractitionerFactory().user

    def fail(**kwargs):
        raise RuntimeError("the database went away mid-write")

    monkeypatch.setattr(credential_services, "stats_credentials_changed", fail)
    with pytest.raises(RuntimeError):
        _create(owner)

    assert not Credential.objects.exists()
    assert stored_files() == []


def test_an_outer_rollback_never_publishes_and_the_sweep_removes_the_staged_copy(
    django_capture_on_commit_callbacks,
):
    owner = PractitionerFactory().user
    with django_capture_on_commit_callbacks(execute=True):
        try:
            with transaction.atomic():
                _create(owner)
                raise RuntimeError("the caller's transaction fails after the service")
        except RuntimeError:
            pass

    assert not Credential.objects.exists()
    [staged] = stored_files()
    assert staged.startswith(f"{STAGING_DIR}/")
    out = StringIO()
    call_command("evidence_sweep", stdout=out)
    assert out.getvalue() == "0 files no credential points to removed.\n"  # an hour's grace
    hours_ago = time.time() - 2 * 3600
    os.utime(Path(settings.MEDIA_ROOT) / staged, (hours_ago, hours_ago))
    out = StringIO()
    call_command("evidence_sweep", stdout=out)
    assert out.getvalue() == f"{staged}\n1 files no credential points to removed.\n"
    assert stored_files() == []


def test_sweep_lists_unreferenced_evidence_and_keeps_what_rows_point_to(
    django_capture_on_commit_callbacks,
):
    owner = PractitionerFactory().user
    with django_capture_on_commit_callbacks(execute=True):
        kept = _create(owner)
    orphan = default_storage.save("evidence/0123456789abcdef.pdf", upload("x.pdf", PDF_BYTES))

    out = StringIO()
    call_command("evidence_sweep", "--dry-run", stdout=out)
    assert out.getvalue() == f"{orphan}\n1 files no credential points to would be removed.\n"
    assert sorted(stored_files()) == sorted([kept.evidence.name, orphan])

    call_command("evidence_sweep", stdout=StringIO())
    assert stored_files() == [kept.evidence.name]


def test_replacing_evidence_publishes_the_new_file_and_removes_the_old_on_commit(
    django_capture_on_commit_callbacks,
):
    owner = PractitionerFactory().user
    with django_capture_on_commit_callbacks(execute=True):
        credential = _create(owner)
    old = credential.evidence.name

    with django_capture_on_commit_callbacks(execute=True):
        credential_update(credential=credential, changes={}, evidence=upload("new.pdf", PDF_BYTES))

    assert credential.evidence.name != old
    assert stored_files() == [credential.evidence.name]


def test_replacing_evidence_from_a_stale_copy_removes_the_file_the_row_holds(
    django_capture_on_commit_callbacks,
):
    # Two uploads at once (or a retry after a timeout): both read the credential before
    # either wrote. The second must remove the file the first one stored, not the original.
    owner = PractitionerFactory().user
    with django_capture_on_commit_callbacks(execute=True):
        credential = _create(owner)
    first, second = (Credential.objects.get(pk=credential.pk) for _ in range(2))

    with django_capture_on_commit_callbacks(execute=True):
        credential_update(credential=first, changes={}, evidence=upload("a.pdf", PDF_BYTES))
    with django_capture_on_commit_callbacks(execute=True):
        credential_update(credential=second, changes={}, evidence=upload("b.pdf", PDF_BYTES))

    credential.refresh_from_db()
    assert credential.evidence.name == second.evidence.name
    assert stored_files() == [second.evidence.name]
