"""An upload far past the evidence limit is refused before its body is read: a 413 that names
the limit on the API, an error page on the pages, nothing written, no temporary file."""

import io

import pytest
from django.conf import settings
from django.test import Client
from django.test.client import BOUNDARY, MULTIPART_CONTENT, encode_multipart

from directory.models import Credential
from directory.uploads import (
    UPLOAD_SLACK,
    BoundedUploadHandler,
    UploadTooBig,
    upload_bound,
    upload_too_big_message,
)
from tests.conftest import client_for
from tests.factories import PractitionerFactory

pytestmark = pytest.mark.django_db

IMS = {"kind": "ims_certification", "issuer": "iSTOP", "issued_on": "2012-06-15"}


class CountingStream(io.BytesIO):
    """A request body that records how much of it was read."""

    def __init__(self, data: bytes):
        super().__init__(data)
        self.consumed = 0

    def read(self, size=-1):
        chunk = super().read(size)
        self.consumed += len(chunk)
        return chunk

    def readline(self, size=-1):
        line = super().readline(size)
        self.consumed += len(line)
        return line


def big_body(size: int) -> bytes:
    file = io.BytesIO(b"%PDF-1.4\n" + b"0" * size)
    file.name = "huge.pdf"
    return encode_multipart(BOUNDARY, IMS | {"evidence": file})


def test_a_far_too_big_upload_is_a_413_before_the_body_is_read():
    user = PractitionerFactory().user
    body = big_body(20 * 1024 * 1024)
    stream = CountingStream(body)
    client = client_for(user)

    response = client.generic(
        "POST",
        "/api/v1/me/credentials/",
        b"",
        content_type=MULTIPART_CONTENT,
        **{
            "wsgi.input": stream,
            "CONTENT_LENGTH": str(len(body)),
            "CONTENT_TYPE": MULTIPART_CONTENT,
        },
    )

    assert response.status_code == 413
    assert response.json() == {"detail": upload_too_big_message()}
    assert stream.consumed == 0
    assert not Credential.objects.exists()


def test_a_file_growing_past_the_bound_is_cut_off_while_it_is_read():
    # Django reads a body by its declared length; this guards against a length that lies.
    handler = BoundedUploadHandler()
    handler.new_file("evidence", "huge.pdf", "application/pdf", None)
    chunk = b"0" * (64 * 1024)
    passed = 0
    with pytest.raises(UploadTooBig) as refused:
        for start in range(0, 100 * 1024 * 1024, len(chunk)):
            assert handler.receive_data_chunk(chunk, start) == chunk
            passed += len(chunk)

    assert str(refused.value) == upload_too_big_message()
    assert passed <= upload_bound()


def test_the_page_refuses_it_too_with_an_error_page():
    user = PractitionerFactory().user
    client = Client()
    client.force_login(user)
    body = big_body(20 * 1024 * 1024)
    stream = CountingStream(body)

    response = client.generic(
        "POST",
        "/dashboard/credentials/new/ims_certification/",
        b"",
        content_type=MULTIPART_CONTENT,
        **{
            "wsgi.input": stream,
            "CONTENT_LENGTH": str(len(body)),
            "CONTENT_TYPE": MULTIPART_CONTENT,
        },
    )

    assert response.status_code == 400
    assert stream.consumed == 0
    assert not Credential.objects.exists()


def test_a_file_just_over_the_limit_still_hears_its_exact_size():
    user = PractitionerFactory().user
    size = settings.EVIDENCE_MAX_BYTES + 1
    assert size < settings.EVIDENCE_MAX_BYTES + UPLOAD_SLACK
    file = io.BytesIO(b"%PDF-1.4\n" + b"0" * (size - 9))
    file.name = "a.pdf"

    response = client_for(user).post(
        "/api/v1/me/credentials/", IMS | {"evidence": file}, format="multipart"
    )

    assert response.status_code == 400
    assert response.json() == {
        "evidence": [
            "Evidence files may be at most 5 MB (5242880 bytes); this one is 5242881 bytes."
        ]
    }
