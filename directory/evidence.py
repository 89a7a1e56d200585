"""Evidence files: what may be uploaded, checked by content rather than by name.

A file's name and the client's Content-Type are the uploader's claims; the first bytes
(the "magic number", read by the `filetype` package) are what a viewer will actually
open. Only document and image formats a moderator can safely view are accepted.
"""

import os
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path

import filetype
from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.files import File
from django.core.files.storage import default_storage
from django.db import transaction

from directory.models import Credential

# MIME type -> name shown in error messages. Nothing else is accepted: no HTML, SVG or
# office formats, which can carry scripts or macros to the moderator who opens them.
ALLOWED_EVIDENCE_TYPES = {
    "application/pdf": "PDF",
    "image/png": "PNG",
    "image/jpeg": "JPEG",
}

# filetype reads at most this many bytes to recognise a format.
_SIGNATURE_BYTES = 8192


@dataclass(frozen=True)
class EvidenceType:
    content_type: str
    extension: str


def _limit_text(limit: int) -> str:
    megabytes = limit / (1024 * 1024)
    return f"{megabytes:g} MB ({limit} bytes)"


def evidence_sniff(file: File) -> EvidenceType | None:
    """The file's type judged from its first bytes, or None when it is not recognised."""
    file.seek(0)
    head = file.read(_SIGNATURE_BYTES)
    file.seek(0)
    kind = filetype.guess(bytes(head)) if head else None
    if kind is None:
        return None
    return EvidenceType(content_type=kind.mime, extension=kind.extension)


def evidence_check(file: File) -> EvidenceType:
    """Size and content checks; raises ValidationError on "evidence" saying what is allowed."""
    limit = settings.EVIDENCE_MAX_BYTES
    if file.size > limit:
        raise ValidationError(
            {
                "evidence": [
                    f"Evidence files may be at most {_limit_text(limit)}; "
                    f"this one is {file.size} bytes."
                ]
            }
        )
    sniffed = evidence_sniff(file)
    if sniffed is None or sniffed.content_type not in ALLOWED_EVIDENCE_TYPES:
        allowed = ", ".join(ALLOWED_EVIDENCE_TYPES.values())
        raise ValidationError(
            {
                "evidence": [
                    f"Evidence must be a {allowed} file (checked by its content, not its name)."
                ]
            }
        )
    return sniffed


# --- Storing: a file follows its transaction ---------------------------------------------------
# An upload is written under STAGING first and moved to its final name (the one the row holds)
# only when the transaction commits; when the service's transaction fails it is deleted at
# once. Anything left behind by a process killed in between, or by an outer transaction that
# rolled back, is found by `manage.py evidence_sweep`.
EVIDENCE_DIR = "evidence"
STAGING_DIR = "evidence-staging"


def _publish(storage, staged: str, name: str) -> None:
    final = Path(storage.path(name))
    final.parent.mkdir(parents=True, exist_ok=True)
    # Same file system: the file appears whole under its final name, or not at all.
    os.replace(storage.path(staged), final)


@contextmanager
def evidence_staged(credential, file: File, sniffed: EvidenceType) -> Iterator[None]:
    """Names `credential`'s evidence and stages the bytes; wrap the service's transaction in
    it. The stored name comes from the sniffed type; the uploader's file name is dropped."""
    field = credential.evidence
    name = field.field.generate_filename(credential, f"evidence.{sniffed.extension}")
    storage = field.storage
    staged = storage.save(f"{STAGING_DIR}/{uuid.uuid4().hex}.{sniffed.extension}", file)
    field.name = name
    credential.evidence_content_type = sniffed.content_type
    try:
        yield
        # Registered last, inside the caller's transaction, so it runs on the real commit.
        transaction.on_commit(lambda: _publish(storage, staged, name))
    except BaseException:
        storage.delete(staged)
        raise


def evidence_orphans(*, staged_before: datetime) -> list[str]:
    """Stored files no credential points to: evidence left by a failed write, and staged
    uploads older than `staged_before` (younger ones may belong to a write in progress)."""
    storage = default_storage
    referenced = set(Credential.objects.exclude(evidence="").values_list("evidence", flat=True))
    orphans = []
    for folder in (EVIDENCE_DIR, STAGING_DIR):
        if not storage.exists(folder):
            continue
        for filename in storage.listdir(folder)[1]:
            name = f"{folder}/{filename}"
            if folder == STAGING_DIR:
                if storage.get_modified_time(name) < staged_before:
                    orphans.append(name)
            elif name not in referenced:
                orphans.append(name)
    return sorted(orphans)
