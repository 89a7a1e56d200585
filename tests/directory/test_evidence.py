"""Evidence files: checked by content, at most 5 MB, private to the owner and moderators."""

import struct
import zlib

import pytest
from django.core.exceptions import ValidationError
from django.core.files.base import ContentFile
from django.core.files.uploadedfile import SimpleUploadedFile

from directory.evidence import EvidenceType, evidence_check
from directory.models import Credential, CredentialStatus
from tests.conftest import client_for
from tests.factories import CredentialFactory, PractitionerFactory

pytestmark = pytest.mark.django_db

LIST_URL = "/api/v1/me/credentials/"
IMS = {"kind": "ims_certification", "issuer": "iSTOP", "issued_on": "2012-06-15"}

# A real, minimal PDF document.
PDF_BYTES = (
    b"%PDF-1.4\n"
    b"1 0 obj<</Type/Catalog/Pages 2 0 R>>endobj\n"
    b"2 0 obj<</Type/Pages/Kids[3 0 R]/Count 1>>endobj\n"
    b"3 0 obj<</Type/Page/Parent 2 0 R/MediaBox[0 0 612 792]>>endobj\n"
    b"trailer<</Root 1 0 R>>\n%%EOF\n"
)
JPEG_BYTES = b"\xff\xd8\xff\xe0\x00\x10JFIF\x00\x01\x01\x00\x00\x01\x00\x01\x00\x00\xff\xd9"
WRONG_TYPE = ["Evidence must be a PDF, PNG, JPEG file (checked by its content, not its name)."]
TOO_BIG = ["Evidence files may be at most 5 MB (5242880 bytes); this one is 5242881 bytes."]


def png_bytes() -> bytes:
    """A valid 1x1 white PNG."""

    def chunk(kind: bytes, data: bytes) -> bytes:
        body = kind + data
        return struct.pack(">I", len(data)) + body + struct.pack(">I", zlib.crc32(body))

    header = struct.pack(">IIBBBBB", 1, 1, 8, 2, 0, 0, 0)
    pixels = zlib.compress(b"\x00\xff\xff\xff")
    return (
        b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", header) + chunk(b"IDAT", pixels) + chunk(b"IEND", b"")
    )


def upload(name: str, content: bytes, content_type: str = "application/pdf") -> SimpleUploadedFile:
    return SimpleUploadedFile(name, content, content_type=content_type)


def evidence_url(credential_id: int) -> str:
    return f"/api/v1/credentials/{credential_id}/evidence/"


# --- The content check itself ----------------------------------------------------------


@pytest.mark.parametrize(
    ("content", "expected"),
    [
        (PDF_BYTES, EvidenceType("application/pdf", "pdf")),
        (png_bytes(), EvidenceType("image/png", "png")),
        (JPEG_BYTES, EvidenceType("image/jpeg", "jpg")),
    ],
    ids=["pdf", "png", "jpeg"],
)
def test_allowed_types_are_recognised_by_content(content, expected):
    # The name claims something else entirely; only the bytes count.
    assert evidence_check(ContentFile(content, name="upload.txt")) == expected


@pytest.mark.parametrize(
    "content",
    [
        b"I am a text file wearing a .pdf name\n",
        b"GIF89a\x01\x00\x01\x00\x00\x00\x00;",
        b"<html><script>alert(1)</script></html>",
    ],
    ids=["text", "gif", "html"],
)
def test_other_content_is_rejected_whatever_the_name(content):
    with pytest.raises(ValidationError) as error:
        evidence_check(ContentFile(content, name="x.pdf"))
    assert error.value.message_dict == {"evidence": WRONG_TYPE}


def test_file_over_the_limit_is_rejected_and_at_the_limit_accepted(settings):
    limit = settings.EVIDENCE_MAX_BYTES
    assert limit == 5 * 1024 * 1024
    padded = PDF_BYTES + b"\n" * (limit - len(PDF_BYTES))

    assert evidence_check(ContentFile(padded)).content_type == "application/pdf"
    with pytest.raises(ValidationError) as error:
        evidence_check(ContentFile(padded + b"\n"))
    assert error.value.message_dict == {"evidence": TOO_BIG}


# --- Upload through the API ------------------------------------------------------------


def test_pdf_evidence_is_stored_under_a_generated_name(
    practitioner, django_capture_on_commit_callbacks
):
    # The file reaches its name when the request's transaction commits.
    with django_capture_on_commit_callbacks(execute=True):
        response = client_for(practitioner.user).post(
            LIST_URL,
            IMS | {"evidence": upload("Jane Doe licence.pdf", PDF_BYTES)},
            format="multipart",
        )

    assert response.status_code == 201, response.data
    credential = Credential.objects.get()
    assert response.json()["evidence"] == evidence_url(credential.pk)
    assert credential.evidence_content_type == "application/pdf"
    assert credential.evidence.name.startswith("evidence/")
    assert credential.evidence.name.endswith(".pdf")
    assert "Jane" not in credential.evidence.name
    with credential.evidence.open("rb") as stored:
        assert stored.read() == PDF_BYTES


def test_png_is_accepted_and_typed_by_content_not_by_the_client(practitioner):
    evidence = upload("scan.pdf", png_bytes(), content_type="application/pdf")

    response = client_for(practitioner.user).post(
        LIST_URL, IMS | {"evidence": evidence}, format="multipart"
    )

    assert response.status_code == 201, response.data
    credential = Credential.objects.get()
    assert credential.evidence_content_type == "image/png"
    assert credential.evidence.name.endswith(".png")


def test_text_file_renamed_pdf_is_rejected(practitioner):
    evidence = upload("x.pdf", b"Just some text, honest.\n")

    response = client_for(practitioner.user).post(
        LIST_URL, IMS | {"evidence": evidence}, format="multipart"
    )

    assert response.status_code == 400
    assert response.json() == {"evidence": WRONG_TYPE}
    assert not Credential.objects.exists()


def test_file_over_5_mb_is_rejected(practitioner, settings):
    content = PDF_BYTES + b"\n" * (settings.EVIDENCE_MAX_BYTES + 1 - len(PDF_BYTES))

    response = client_for(practitioner.user).post(
        LIST_URL, IMS | {"evidence": upload("big.pdf", content)}, format="multipart"
    )

    assert response.status_code == 400
    assert response.json() == {"evidence": TOO_BIG}
    assert not Credential.objects.exists()


def test_empty_file_is_rejected(practitioner):
    response = client_for(practitioner.user).post(
        LIST_URL, IMS | {"evidence": upload("empty.pdf", b"")}, format="multipart"
    )

    assert response.status_code == 400
    assert response.json() == {"evidence": ["The submitted file is empty."]}


def test_multipart_without_a_file_creates_the_credential(practitioner):
    response = client_for(practitioner.user).post(LIST_URL, IMS, format="multipart")

    assert response.status_code == 201, response.data
    assert response.json()["evidence"] is None


def test_new_evidence_resets_a_verified_credential_and_removes_the_old_file(
    practitioner, django_capture_on_commit_callbacks
):
    credential = CredentialFactory(owner=practitioner.user, verified=True, ims=True)
    credential.evidence.save("evidence.pdf", ContentFile(PDF_BYTES))
    old = credential.evidence.name
    storage = credential.evidence.storage

    with django_capture_on_commit_callbacks(execute=True):
        response = client_for(practitioner.user).patch(
            f"{LIST_URL}{credential.pk}/",
            {"evidence": upload("new.png", png_bytes(), "image/png")},
            format="multipart",
        )

    assert response.status_code == 200, response.data
    assert response.json()["status"] == "pending"
    credential.refresh_from_db()
    assert credential.status == CredentialStatus.PENDING
    assert credential.evidence_content_type == "image/png"
    assert credential.evidence.name != old
    assert not storage.exists(old)
    assert storage.exists(credential.evidence.name)


# --- Download ----------------------------------------------------------------------------


@pytest.fixture
def with_evidence(practitioner) -> Credential:
    credential = CredentialFactory(owner=practitioner.user, ims=True)
    credential.evidence.save("evidence.pdf", ContentFile(PDF_BYTES), save=False)
    credential.evidence_content_type = "application/pdf"
    credential.save()
    return credential


def _assert_is_the_pdf(response, credential: Credential) -> None:
    assert response.status_code == 200
    assert b"".join(response.streaming_content) == PDF_BYTES
    assert response["Content-Type"] == "application/pdf"
    assert response["Content-Disposition"] == (
        f'attachment; filename="credential-{credential.pk}-evidence.pdf"'
    )
    assert response["X-Content-Type-Options"] == "nosniff"
    assert response["Cache-Control"] == "private, no-store"


def test_owner_downloads_the_evidence(with_evidence, practitioner):
    response = client_for(practitioner.user).get(
        evidence_url(with_evidence.pk), HTTP_ACCEPT="application/pdf"
    )

    _assert_is_the_pdf(response, with_evidence)


def test_moderator_downloads_the_evidence(with_evidence, moderator):
    _assert_is_the_pdf(client_for(moderator).get(evidence_url(with_evidence.pk)), with_evidence)


def test_other_practitioner_gets_404(with_evidence):
    response = client_for(PractitionerFactory().user).get(evidence_url(with_evidence.pk))

    assert response.status_code == 404
    assert response.json() == {"detail": "No evidence file you may download has this id."}


def test_anonymous_gets_401(with_evidence, api_client):
    response = api_client.get(evidence_url(with_evidence.pk))

    assert response.status_code == 401
    assert response.json() == {"detail": "Authentication credentials were not provided."}


def test_credential_without_evidence_is_404(practitioner):
    credential = CredentialFactory(owner=practitioner.user)

    response = client_for(practitioner.user).get(evidence_url(credential.pk))

    assert response.status_code == 404


def test_withdrawn_evidence_is_gone_for_the_owner_but_kept_for_moderators(
    with_evidence, practitioner, moderator
):
    client_for(practitioner.user).delete(f"{LIST_URL}{with_evidence.pk}/")

    assert client_for(practitioner.user).get(evidence_url(with_evidence.pk)).status_code == 404
    assert client_for(moderator).get(evidence_url(with_evidence.pk)).status_code == 200


def test_evidence_is_never_served_from_media_url(with_evidence, practitioner, client):
    client.force_login(practitioner.user)

    assert client.get(f"/media/{with_evidence.evidence.name}").status_code == 404
