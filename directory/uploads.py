"""Refuse an oversized upload before reading it.

The only files this service takes are evidence files of at most EVIDENCE_MAX_BYTES. Without
this handler Django streams any upload to a temporary file and the size is checked only
afterwards: a 200 MB "PDF" would hold a worker for seconds. The handler refuses a body whose
declared length is past the bound before reading a byte of it, and a body of unknown length
as soon as a file grows past it. Files just over the limit (within UPLOAD_SLACK, which also
covers the multipart framing and the form's other fields) are read and refused by
directory.evidence.evidence_check, which can then say exactly how big they were.
"""

from django.conf import settings
from django.core.exceptions import RequestDataTooBig
from django.core.files.uploadhandler import FileUploadHandler

UPLOAD_SLACK = 256 * 1024


class UploadTooBig(RequestDataTooBig):
    """A 413 on the API (directory.exceptions), a 400 page elsewhere."""


def upload_bound() -> int:
    return settings.EVIDENCE_MAX_BYTES + UPLOAD_SLACK


def upload_too_big_message() -> str:
    limit = settings.EVIDENCE_MAX_BYTES
    return (
        f"Request body too large: evidence files may be at most {limit / (1024 * 1024):g} MB "
        f"({limit} bytes)."
    )


class BoundedUploadHandler(FileUploadHandler):
    """First in FILE_UPLOAD_HANDLERS: it passes every chunk on, counting."""

    def handle_raw_input(self, input_data, META, content_length, boundary, encoding=None):
        if content_length and content_length > upload_bound():
            raise UploadTooBig(upload_too_big_message())
        return None

    def new_file(self, *args, **kwargs) -> None:
        super().new_file(*args, **kwargs)
        self.received = 0

    def receive_data_chunk(self, raw_data: bytes, start: int) -> bytes:
        self.received += len(raw_data)
        if self.received > upload_bound():
            raise UploadTooBig(upload_too_big_message())
        return raw_data

    def file_complete(self, file_size: int) -> None:
        return None
