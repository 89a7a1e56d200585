"""Evidence files: what may be uploaded, checked by content rather than by name.

A file's name and the client's Content-Type are the uploader's claims; the first bytes
(the "magic number", read by the `filetype` package) are what a viewer will actually
open. Only document and image formats a moderator can safely view are accepted.
"""

from dataclasses import dataclass

import filetype
from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.files import File

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
