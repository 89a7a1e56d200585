"""The register import page in the admin: moderators only; the preview writes nothing; the
apply writes exactly what was previewed, once."""

import hashlib

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from django.utils import timezone

from directory.models import Credential, MessageKind, OutboundEmail
from tests.directory.test_register_import import holder, register_csv, snapshot
from tests.factories import ModeratorFactory, PractitionerFactory, UserFactory

pytestmark = pytest.mark.django_db

URL = "/admin/directory/credential/register-import/"
CHANGELIST = "/admin/directory/credential/"

CONTENT = register_csv(
    ("PT1", "Jane Doe", "physiotherapist", "suspended", "", ""),
    ("PT2", "Omar Haddad", "physiotherapist", "active", "", ""),
)


@pytest.fixture
def staff() -> Client:
    client = Client()
    client.force_login(ModeratorFactory())
    return client


@pytest.fixture
def licences() -> tuple[Credential, Credential]:
    return holder("Jane Doe", "PT1"), holder("Omar Haddad", "PT2")


def preview(client: Client, content: bytes = CONTENT, **options):
    data = {"jurisdiction": "CA-BC", **options}
    data["file"] = SimpleUploadedFile("register.csv", content, content_type="text/csv")
    return client.post(URL, data)


def apply(client: Client, digest: str):
    return client.post(URL, {"apply": "1", "digest": digest}, follow=True)


def messages_of(response) -> list[str]:
    return [str(message) for message in response.context["messages"]]


def table(response) -> list[tuple]:
    return [(line.line, line.number, line.action) for line in response.context["report"].lines]


def test_anonymous_visitors_are_sent_to_sign_in(client):
    response = client.get(URL)

    assert response.status_code == 302
    assert response["Location"] == f"/admin/login/?next={URL}"


@pytest.mark.parametrize("role", ["patient", "practitioner"])
def test_signed_in_non_staff_are_sent_to_sign_in_and_nothing_is_written(role, licences):
    user = UserFactory() if role == "patient" else PractitionerFactory().user
    client = Client()
    client.force_login(user)
    before = snapshot()

    for response in (client.get(URL), preview(client)):
        assert response.status_code == 302
        assert response["Location"] == f"/admin/login/?next={URL}"
    assert snapshot() == before


def test_the_changelist_links_to_the_page(staff):
    response = staff.get(CHANGELIST)

    assert response.status_code == 200
    assert f'href="{URL}"' in response.content.decode()


def test_the_page_offers_the_upload_form(staff):
    response = staff.get(URL)

    assert response.status_code == 200
    assert list(response.context["form"].fields) == ["file", "jurisdiction", "complete", "strict"]
    assert response.context["report"] is None


def test_preview_shows_the_dry_run_report_and_writes_nothing(staff, licences):
    before = snapshot()

    response = preview(staff)

    assert response.status_code == 200
    assert table(response) == [(2, "PT1", "back_to_pending"), (3, "PT2", "confirmed")]
    assert response.context["report"].dry_run is True
    assert "Apply these changes" in response.content.decode()
    assert snapshot() == before


def test_apply_writes_what_was_previewed_once(staff, licences):
    suspended, active = licences
    preview(staff)
    digest = hashlib.sha256(CONTENT).hexdigest()

    response = apply(staff, digest)

    assert response.status_code == 200
    assert table(response) == [(2, "PT1", "back_to_pending"), (3, "PT2", "confirmed")]
    assert messages_of(response) == [response.context["report"].summary()]
    assert response.context["report"].summary().endswith("applied.")
    suspended.refresh_from_db()
    active.refresh_from_db()
    assert (suspended.status, active.register_checked_on) == ("pending", timezone.localdate())
    assert list(OutboundEmail.objects.values_list("kind", "recipient")) == [
        (MessageKind.CREDENTIAL_REGISTER_PENDING, suspended.owner_id)
    ]
    after = snapshot()

    again = apply(staff, digest)

    assert messages_of(again) == [
        "Nothing to apply: that preview is gone or was applied already. Upload the file again."
    ]
    assert again.context["report"] is None
    assert snapshot() == after


def test_apply_refuses_a_digest_that_was_not_previewed(staff, licences):
    preview(staff)
    before = snapshot()

    response = apply(staff, hashlib.sha256(b"another file").hexdigest())

    assert messages_of(response)[0].startswith("Nothing to apply")
    assert snapshot() == before


def test_a_file_that_cannot_be_read_is_a_form_error(staff, licences):
    before = snapshot()

    response = preview(staff, "name\nZoë\n".encode("latin-1"))

    assert response.status_code == 200
    assert response.context["form"].errors == {
        "file": [
            "The file is not UTF-8: line 2 has the byte 0xEB, which UTF-8 does not allow "
            "there. Save it as “CSV UTF-8” and import it again."
        ]
    }
    assert response.context["report"] is None
    assert snapshot() == before


def test_a_bad_jurisdiction_is_a_form_error(staff):
    response = preview(staff, jurisdiction="BC")

    assert response.context["form"].errors == {
        "jurisdiction": ["Use an ISO 3166-2 code: country, hyphen, region, e.g. CA-BC or US-WA."]
    }


def test_strict_with_bad_rows_shows_the_refusal_and_offers_no_apply(staff, licences):
    content = register_csv(("PT1", "Jane Doe", "physiotherapist", "gone", "", ""))

    response = preview(staff, content, strict="on")

    assert table(response) == [(2, "PT1", "error")]
    assert response.context["report"].refused is True
    assert "Apply these changes" not in response.content.decode()
    before = snapshot()
    applied = apply(staff, hashlib.sha256(content).hexdigest())
    assert messages_of(applied)[0].startswith("Nothing to apply")
    assert snapshot() == before


def test_register_flag_is_a_column_and_a_filter(staff, licences):
    flagged, _ = licences
    Credential.objects.filter(pk=flagged.pk).update(register_flag="Name differs")

    response = staff.get(CHANGELIST, {"register_flag": "yes"})

    assert [row.pk for row in response.context["cl"].result_list] == [flagged.pk]
    assert "Name differs" in response.content.decode()
    others = staff.get(CHANGELIST, {"register_flag": "no"}).context["cl"].result_list
    assert flagged.pk not in [row.pk for row in others]
