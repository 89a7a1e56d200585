"""The practitioner's dashboard pages: each section renders for its owner, every form writes
through its service (or shows the error next to the field, keeps the input and writes
nothing), and nobody else reaches a practitioner's rows.

The helpers at the top are shared with test_dashboard_physician.py.
"""

import hashlib
import html
import re

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client

from directory.models import (
    ConditionExperience,
    Credential,
    CredentialStatus,
    Location,
    PractitionerStats,
    Referral,
    ReferralStatus,
    ReviewInvitation,
)
from directory.services.invitations import invitation_code_normalize
from directory.services.stats import expected_stats, stored_stats
from tests.directory.test_referrals import ReferralFactory
from tests.factories import (
    CredentialFactory,
    ExperienceFactory,
    LocationFactory,
    ModeratorFactory,
    PractitionerFactory,
    UserFactory,
)
from web.views.dashboard_common import PRACTITIONER_ONLY

pytestmark = pytest.mark.django_db

# A minimal but real PDF: the content check reads the "%PDF-" signature.
PDF_BYTES = b"%PDF-1.4\n1 0 obj <<>> endobj\ntrailer <<>>\n%%EOF\n"
EVIDENCE_REFUSED = "Evidence must be a PDF, PNG, JPEG file (checked by its content, not its name)."

SECTIONS = {
    "/dashboard/": "Your dashboard",
    "/dashboard/profile/": "Your profile",
    "/dashboard/clinics/": "Your clinics",
    "/dashboard/experience/": "Your experience by condition",
    "/dashboard/credentials/": "Your credentials",
    "/dashboard/credentials/new/license/": "Add a licence",
    "/dashboard/invitations/": "Review invitations",
    "/dashboard/referrals/": "Referral inbox",
}
PRACTITIONER_ONLY_URLS = [
    "/dashboard/profile/",
    "/dashboard/clinics/",
    "/dashboard/experience/",
    "/dashboard/invitations/",
    "/dashboard/referrals/",
]


def signed_in(user) -> Client:
    client = Client()
    client.force_login(user)
    return client


def text(response) -> str:
    """The page's text with entities decoded, for "does it say ..." checks."""
    return html.unescape(response.content.decode())


def field_errors(response, field: str) -> list[str]:
    return list(response.context["form"].errors.get(field, []))


def flashed(response) -> list[str]:
    return [str(message) for message in response.context["messages"]]


def assert_error_next_to(response, field_id: str, message: str) -> None:
    """The message sits in the field's error list, which the input points at."""
    page = text(response)
    errors = re.search(rf'<ul class="errorlist" id="{field_id}_error">(.*?)</ul>', page, re.S)
    assert errors is not None, f"no error list for {field_id}"
    assert message in errors.group(1)
    widget = re.search(rf'<(input|select|textarea)[^>]*id="{field_id}"[^>]*>', page)
    assert widget is not None
    assert 'aria-invalid="true"' in widget.group(0)
    assert f"{field_id}_error" in widget.group(0)


@pytest.fixture
def practitioner():
    return PractitionerFactory(user__name="Sam Okafor", languages=",en,")


@pytest.fixture
def client(practitioner) -> Client:
    return signed_in(practitioner.user)


# --- Who may open the pages --------------------------------------------------------------------


@pytest.mark.parametrize("url", [*SECTIONS, "/referrals/new/"])
def test_anonymous_visitor_is_sent_to_sign_in_and_back(url):
    response = Client().get(url)

    assert response.status_code == 302
    assert response["Location"] == f"/signin/?next={url}"


@pytest.mark.parametrize("url", PRACTITIONER_ONLY_URLS)
def test_patient_gets_a_403_page_that_says_who_it_is_for(url):
    response = signed_in(UserFactory()).get(url)

    assert response.status_code == 403
    assert PRACTITIONER_ONLY in text(response)
    assert 'href="/dashboard/"' in text(response)


@pytest.mark.parametrize("url", PRACTITIONER_ONLY_URLS)
def test_patient_cannot_post_to_practitioner_pages(url):
    response = signed_in(UserFactory()).post(url, {"name": "X"})

    assert response.status_code == 403


@pytest.mark.parametrize(("url", "heading"), SECTIONS.items())
def test_each_section_renders_for_its_owner(client, url, heading):
    response = client.get(url)

    assert response.status_code == 200
    assert f"<h1>{heading}</h1>" in text(response)
    assert 'aria-label="Dashboard"' in text(response)


def test_overview_says_what_is_missing_and_counts_what_is_there(client, practitioner):
    LocationFactory(practitioner=practitioner)
    ReferralFactory(practitioner=practitioner)
    CredentialFactory(owner=practitioner.user, rejected=True)

    page = text(client.get("/dashboard/"))

    assert "Not yet qualified" in page
    assert "1 new referral" in page
    assert "1 clinic listed" in page
    assert "Rejected" in page


# --- Profile -----------------------------------------------------------------------------------

PROFILE = {
    "name": "Sam Okafor-Reid",
    "profession": "physiotherapist",
    "bio": "I treat chronic neck pain.",
    "languages": ["en", "fr", "pa"],
    "other_languages": ["cr"],
    "accepting_new_patients": "on",
    "fee_per_session": "120.50",
}


def test_profile_form_shows_the_current_profile(client, practitioner):
    practitioner.languages = ",en,cr,"
    practitioner.save()

    page = text(client.get("/dashboard/profile/"))

    assert 'value="Sam Okafor"' in page
    # Languages by name: the common ones as checkboxes, the rest in a list; codes are posted.
    assert re.search(
        r'<label for="id_languages_\d+"><input type="checkbox" name="languages" '
        r'value="en" id="id_languages_\d+" checked>\s*English</label>',
        page,
    )
    assert re.search(r'value="pa" id="id_languages_\d+">\s*Punjabi</label>', page)
    assert '<option value="cr" selected>Cree</option>' in page
    assert '<option value="yo">Yoruba</option>' in page
    assert "<legend>Languages you treat in" in page


def test_profile_save_writes_through_the_service(client, practitioner):
    response = client.post("/dashboard/profile/", PROFILE)

    assert response.status_code == 302
    assert response["Location"] == "/dashboard/profile/"
    practitioner.refresh_from_db()
    practitioner.user.refresh_from_db()
    assert practitioner.user.name == "Sam Okafor-Reid"
    assert practitioner.languages == ",en,fr,pa,cr,"
    assert str(practitioner.fee_per_session) == "120.50"
    assert (practitioner.accepting_new_patients, practitioner.direct_billing) == (True, False)
    assert practitioner.bio == "I treat chronic neck pain."


def language_errors(response) -> str:
    """The error list inside the languages fieldset, which the fieldset points at."""
    page = text(response)
    fieldset = re.search(r'<fieldset aria-describedby="([^"]*)">\s*<legend>Languages', page)
    assert fieldset is not None and "id_languages_error" in fieldset.group(1)
    errors = re.search(r'<ul class="errorlist" id="id_languages_error">(.*?)</ul>', page, re.S)
    assert errors is not None
    return errors.group(1)


@pytest.mark.parametrize(
    ("chosen", "message"),
    [
        ({"languages": ["en"], "other_languages": ["xx"]}, "Not ISO 639-1 language codes: xx."),
        ({}, "List at least one language."),
        (
            {"languages": ["en", "fr", "pa", "zh", "es", "ar"], "other_languages": list("abcde")},
            "List at most 10 languages.",
        ),
    ],
)
def test_profile_error_is_shown_next_to_the_field_input_kept_nothing_saved(
    client, practitioner, chosen, message
):
    chosen = {"other_languages": [], "languages": []} | {
        name: [c * 2 if len(c) == 1 else c for c in codes] for name, codes in chosen.items()
    }
    response = client.post("/dashboard/profile/", PROFILE | chosen)

    assert response.status_code == 200
    assert message in field_errors(response, "languages")[0]
    assert message in language_errors(response)
    assert 'value="Sam Okafor-Reid"' in text(response)
    if "en" in chosen["languages"]:
        assert re.search(r'value="en"[^>]*checked>', text(response))
    practitioner.refresh_from_db()
    practitioner.user.refresh_from_db()
    assert (practitioner.user.name, practitioner.languages) == ("Sam Okafor", ",en,")


def test_profile_fee_out_of_range_is_refused(client, practitioner):
    response = client.post("/dashboard/profile/", PROFILE | {"fee_per_session": "20000"})

    assert field_errors(response, "fee_per_session") == [
        "Ensure this value is less than or equal to 10000."
    ]
    practitioner.refresh_from_db()
    assert practitioner.fee_per_session is None


# --- Clinics -----------------------------------------------------------------------------------

CLINIC = {"name": "Kits Physio", "address": "1 Main St", "city": "Vancouver", "country": "CA"}


def test_adding_a_clinic_places_it_by_the_gazetteer(client, practitioner):
    response = client.post("/dashboard/clinics/", CLINIC)

    assert response.status_code == 302
    clinic = Location.objects.get(practitioner=practitioner)
    assert (clinic.name, clinic.city, clinic.country) == ("Kits Physio", "Vancouver", "CA")
    assert round(clinic.lat, 1) == 49.2 and round(clinic.lng, 1) == -123.1
    assert "Kits Physio" in text(client.get("/dashboard/clinics/"))


def test_unknown_city_is_a_field_error_and_nothing_is_saved(client, practitioner):
    response = client.post("/dashboard/clinics/", CLINIC | {"city": "Atlantis"})

    assert response.status_code == 200
    [message] = field_errors(response, "city")
    assert "Atlantis" in message
    assert_error_next_to(response, "id_city", "Atlantis")
    assert 'value="Kits Physio"' in text(response)
    assert not Location.objects.exists()


def clinic_form(clinic: Location, **changes) -> dict:
    """The edit form as the page fills it in, with `changes` typed over it."""
    fields = ("name", "address", "city", "region", "postal_code", "country", "lat", "lng")
    return {name: getattr(clinic, name) for name in fields} | changes


def test_editing_a_clinic_name_keeps_its_pin(client, practitioner):
    clinic = LocationFactory(practitioner=practitioner, lat=49.3, lng=-123.0)

    response = client.post(f"/dashboard/clinics/{clinic.pk}/", clinic_form(clinic, name="Renamed"))

    assert response.status_code == 302
    clinic.refresh_from_db()
    assert (clinic.name, clinic.lat, clinic.lng) == ("Renamed", 49.3, -123.0)


def test_clearing_the_coordinates_puts_the_clinic_at_its_city(client, practitioner):
    clinic = LocationFactory(practitioner=practitioner, city="Victoria", lat=1.0, lng=2.0)

    client.post(f"/dashboard/clinics/{clinic.pk}/", clinic_form(clinic, lat="", lng=""))

    clinic.refresh_from_db()
    assert (round(clinic.lat, 1), round(clinic.lng, 1)) == (48.4, -123.4)


def test_a_town_the_gazetteer_lacks_is_placed_by_its_coordinates(client, practitioner):
    response = client.post(
        "/dashboard/clinics/", CLINIC | {"city": "Tofino", "lat": "49.153", "lng": "-125.907"}
    )

    assert response.status_code == 302
    clinic = Location.objects.get(practitioner=practitioner)
    assert (clinic.city, clinic.lat, clinic.lng) == ("Tofino", 49.153, -125.907)


def test_one_coordinate_alone_is_refused(client, practitioner):
    response = client.post("/dashboard/clinics/", CLINIC | {"lat": "49.2"})

    assert field_errors(response, "lng") == [
        "Give lat and lng together, or neither to look them up from city and country."
    ]
    assert not Location.objects.exists()


def test_editing_a_clinic_to_an_unknown_city_changes_nothing(client, practitioner):
    clinic = LocationFactory(practitioner=practitioner)

    response = client.post(
        f"/dashboard/clinics/{clinic.pk}/", CLINIC | {"name": "New name", "city": "Nowhere"}
    )

    assert response.status_code == 200
    assert "Nowhere" in field_errors(response, "city")[0]
    clinic.refresh_from_db()
    assert (clinic.name, clinic.city) == (clinic.name, "Vancouver")
    assert clinic.name != "New name"


def test_deleting_a_clinic_asks_first_and_deletes_on_the_confirmation(client, practitioner):
    clinic = LocationFactory(practitioner=practitioner, name="Kits Physio", city="Vancouver")
    listing = text(client.get("/dashboard/clinics/"))
    assert f'<a href="/dashboard/clinics/{clinic.pk}/delete/">Delete' in listing

    asked = client.get(f"/dashboard/clinics/{clinic.pk}/delete/")

    assert asked.status_code == 200
    page = text(asked)
    assert "<h1>Delete Kits Physio?</h1>" in page
    assert "Kits Physio, Vancouver, will no longer be shown to patients" in page
    assert f'<form method="post" action="/dashboard/clinics/{clinic.pk}/delete/"' in page
    assert '<button type="submit">Delete clinic</button>' in page
    assert '<a href="/dashboard/clinics/">Keep it, go back</a>' in page
    assert Location.objects.filter(pk=clinic.pk).exists()

    response = client.post(f"/dashboard/clinics/{clinic.pk}/delete/", follow=True)

    assert response.redirect_chain == [("/dashboard/clinics/", 302)]
    assert flashed(response) == ["Clinic “Kits Physio” deleted."]
    assert not Location.objects.filter(pk=clinic.pk).exists()


@pytest.mark.parametrize(
    ("method", "suffix"), [("get", ""), ("post", ""), ("get", "delete/"), ("post", "delete/")]
)
def test_another_practitioners_clinic_is_404(client, method, suffix):
    theirs = LocationFactory()

    response = getattr(client, method)(f"/dashboard/clinics/{theirs.pk}/{suffix}", CLINIC)

    assert response.status_code == 404
    theirs.refresh_from_db()
    assert theirs.name != "Kits Physio"
    assert Location.objects.filter(pk=theirs.pk).exists()


# --- Experience --------------------------------------------------------------------------------


def test_adding_experience_writes_a_row(client, practitioner):
    response = client.post(
        "/dashboard/experience/", {"condition": "sciatica", "years": "8", "patients_treated": "400"}
    )

    assert response.status_code == 302
    row = ConditionExperience.objects.get(practitioner=practitioner)
    assert (row.condition.slug, row.years, row.patients_treated) == ("sciatica", 8, 400)


def test_experience_out_of_range_is_refused_and_input_kept(client, practitioner):
    response = client.post(
        "/dashboard/experience/", {"condition": "sciatica", "years": "71", "patients_treated": "5"}
    )

    assert response.status_code == 200
    assert field_errors(response, "years") == ["Years must be from 0 to 70."]
    assert_error_next_to(response, "id_years", "Years must be from 0 to 70.")
    assert 'value="71"' in text(response)
    assert not ConditionExperience.objects.exists()


def test_a_recorded_condition_is_not_offered_again(client, practitioner):
    ExperienceFactory(practitioner=practitioner)

    response = client.get("/dashboard/experience/")
    choices = dict(response.context["form"].fields["condition"].choices)

    assert "sciatica" not in choices
    assert "back-pain" in choices
    again = client.post(
        "/dashboard/experience/", {"condition": "sciatica", "years": "1", "patients_treated": "1"}
    )
    assert field_errors(again, "condition")
    assert ConditionExperience.objects.count() == 1


def test_editing_and_deleting_experience(client, practitioner):
    row = ExperienceFactory(practitioner=practitioner, years=2)

    page = text(client.get(f"/dashboard/experience/{row.pk}/"))
    edited = client.post(
        f"/dashboard/experience/{row.pk}/", {"years": "3", "patients_treated": "50"}
    )
    row.refresh_from_db()
    deleted = client.post(f"/dashboard/experience/{row.pk}/delete/")

    assert "Experience with Sciatica" in page
    assert edited.status_code == 302
    assert (row.years, row.patients_treated) == (3, 50)
    assert deleted.status_code == 302
    assert not ConditionExperience.objects.exists()


def test_another_practitioners_experience_is_404(client):
    theirs = ExperienceFactory()

    assert client.get(f"/dashboard/experience/{theirs.pk}/").status_code == 404
    assert client.post(f"/dashboard/experience/{theirs.pk}/delete/").status_code == 404
    assert ConditionExperience.objects.filter(pk=theirs.pk).exists()


# --- Credentials -------------------------------------------------------------------------------

LICENCE = {
    "profession": "physiotherapist",
    "issuer": "College of Health and Care Professionals of BC",
    "jurisdiction": "ca-bc",
    "number": "PT-1234",
    "expires_on": "2099-12-31",
    "needling_authorized": "on",
}


def test_adding_a_licence_with_a_pdf_stores_it_pending(
    client, practitioner, django_capture_on_commit_callbacks
):
    evidence = SimpleUploadedFile("my licence.pdf", PDF_BYTES, content_type="application/pdf")

    # The file reaches its name when the request's transaction commits.
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(
            "/dashboard/credentials/new/license/", LICENCE | {"evidence": evidence}
        )

    assert response.status_code == 302
    credential = Credential.objects.get(owner=practitioner.user)
    assert (credential.kind, credential.status, credential.jurisdiction) == (
        "license",
        CredentialStatus.PENDING,
        "CA-BC",
    )
    assert credential.evidence_content_type == "application/pdf"
    with credential.evidence.open("rb") as stored:
        assert stored.read() == PDF_BYTES
    assert "Waiting for verification" in text(client.get("/dashboard/credentials/"))


def test_a_text_file_named_pdf_is_refused_next_to_the_field(client):
    renamed = SimpleUploadedFile("licence.pdf", b"just some text\n", content_type="application/pdf")

    response = client.post("/dashboard/credentials/new/license/", LICENCE | {"evidence": renamed})

    assert response.status_code == 200
    assert field_errors(response, "evidence") == [EVIDENCE_REFUSED]
    assert_error_next_to(response, "id_evidence", EVIDENCE_REFUSED)
    assert 'value="PT-1234"' in text(response)
    assert not Credential.objects.exists()


def test_the_services_per_kind_rules_show_next_to_the_fields(client):
    response = client.post(
        "/dashboard/credentials/new/license/", LICENCE | {"jurisdiction": "Canada"}
    )

    assert field_errors(response, "jurisdiction") == [
        "Use an ISO 3166-2 code: country, hyphen, region, e.g. CA-BC or US-WA."
    ]
    assert not Credential.objects.exists()


def test_an_ims_certification_form_asks_for_its_own_fields(client):
    response = client.get("/dashboard/credentials/new/ims_certification/")

    assert list(response.context["form"].fields) == [
        "issuer",
        "issued_on",
        "number",
        "expires_on",
        "evidence",
    ]
    assert "Date awarded" in text(response)
    assert client.get("/dashboard/credentials/new/diploma/").status_code == 404


def test_changing_a_verified_credential_sends_it_back_to_pending(client, practitioner):
    credential = CredentialFactory(owner=practitioner.user, verified=True, ims=True)

    response = client.post(
        f"/dashboard/credentials/{credential.pk}/",
        {"issuer": "iSTOP Vancouver", "issued_on": "2015-01-01"},
        follow=True,
    )

    credential.refresh_from_db()
    assert (credential.issuer, credential.status) == ("iSTOP Vancouver", CredentialStatus.PENDING)
    assert flashed(response) == ["Saved. The change goes back to a moderator to verify."]


def test_new_evidence_on_an_existing_credential(client, practitioner):
    credential = CredentialFactory(owner=practitioner.user, ims=True)
    evidence = SimpleUploadedFile("scan.pdf", PDF_BYTES)

    response = client.post(
        f"/dashboard/credentials/{credential.pk}/",
        {"issuer": credential.issuer, "issued_on": "2015-01-01", "evidence": evidence},
    )

    assert response.status_code == 302
    credential.refresh_from_db()
    assert credential.evidence_content_type == "application/pdf"


def test_a_rejected_credential_shows_the_moderators_note(client, practitioner):
    credential = CredentialFactory(owner=practitioner.user, rejected=True)

    page = text(client.get(f"/dashboard/credentials/{credential.pk}/"))

    assert "Rejected" in page
    assert "Moderator's note:</strong> Number not on the regulator's register." in page


def test_withdrawing_a_credential(client, practitioner):
    credential = CredentialFactory(owner=practitioner.user)

    response = client.post(f"/dashboard/credentials/{credential.pk}/withdraw/")

    assert response.status_code == 302
    credential.refresh_from_db()
    assert credential.withdrawn_at is not None
    assert client.get(f"/dashboard/credentials/{credential.pk}/").status_code == 404


def test_another_users_credential_is_404(client):
    theirs = CredentialFactory()

    assert client.get(f"/dashboard/credentials/{theirs.pk}/").status_code == 404
    assert client.post(f"/dashboard/credentials/{theirs.pk}/withdraw/").status_code == 404
    theirs.refresh_from_db()
    assert theirs.withdrawn_at is None


def test_patients_hold_no_credentials(client):
    response = signed_in(UserFactory()).get("/dashboard/credentials/")

    assert response.status_code == 403


# --- Review invitations ------------------------------------------------------------------------


def test_invitation_code_is_shown_once_and_only_its_hash_is_stored(client, practitioner):
    response = client.post("/dashboard/invitations/")

    assert response.status_code == 200
    assert response["Cache-Control"] == "no-store"
    code = response.context["code"]
    assert re.fullmatch(r"[2-9A-Z]{4}-[2-9A-Z]{4}-[2-9A-Z]{4}", code)
    assert re.search(rf'<input[^>]*value="{code}"[^>]*readonly', text(response))
    invitation = ReviewInvitation.objects.get(practitioner=practitioner)
    assert (
        invitation.code_hash == hashlib.sha256(invitation_code_normalize(code).encode()).hexdigest()
    )
    assert code not in text(client.get("/dashboard/invitations/"))


def test_invitations_are_post_only_for_writing(client):
    client.get("/dashboard/invitations/")

    assert not ReviewInvitation.objects.exists()


def test_a_deactivated_practitioner_is_told_why_no_code(client, practitioner):
    practitioner.is_active = False
    practitioner.save()

    response = client.post("/dashboard/invitations/")

    assert "A deactivated practitioner profile cannot issue invitations." in text(response)
    assert not ReviewInvitation.objects.exists()


# --- Referral inbox ----------------------------------------------------------------------------


@pytest.fixture
def referral(practitioner) -> Referral:
    return ReferralFactory(practitioner=practitioner, patient_reference="MC-17")


def test_inbox_shows_the_referral_with_its_reason(client, referral):
    page = text(client.get("/dashboard/referrals/"))

    assert "Sciatica · patient MC-17" in page
    assert referral.reason in page
    assert f'action="/dashboard/referrals/{referral.pk}/accept/"' in page
    assert f'href="/dashboard/referrals/{referral.pk}/decline/"' in page


@pytest.mark.parametrize(
    ("action", "status"),
    [("accept", ReferralStatus.ACCEPTED), ("decline", ReferralStatus.DECLINED)],
)
def test_accepting_or_declining_from_the_inbox(client, referral, action, status):
    response = client.post(f"/dashboard/referrals/{referral.pk}/{action}/", follow=True)

    referral.refresh_from_db()
    assert referral.status == status
    assert flashed(response) == [f"Referral MC-17 is now {status}."]


def test_completing_records_the_outcome_and_updates_the_figures(client, referral, practitioner):
    referral.status = ReferralStatus.ACCEPTED
    referral.save()
    page = text(client.get("/dashboard/referrals/"))
    assert f'id="id_referral-{referral.pk}-outcome"' in page

    response = client.post(
        f"/dashboard/referrals/{referral.pk}/complete/",
        {f"referral-{referral.pk}-outcome": "improved"},
    )

    assert response.status_code == 302
    referral.refresh_from_db()
    assert (referral.status, referral.outcome) == (ReferralStatus.COMPLETED, "improved")
    assert PractitionerStats.objects.get(pk=practitioner.pk).completed_referrals == 1
    assert stored_stats() == expected_stats()


def test_completing_without_an_outcome_shows_the_error_by_the_select(client, referral):
    referral.status = ReferralStatus.ACCEPTED
    referral.save()

    response = client.post(f"/dashboard/referrals/{referral.pk}/complete/", {})

    assert response.status_code == 200
    assert_error_next_to(
        response, f"id_referral-{referral.pk}-outcome", "Give the outcome: one of improved"
    )
    referral.refresh_from_db()
    assert referral.status == ReferralStatus.ACCEPTED


def test_a_forbidden_transition_is_a_message_not_an_error_page(client, referral):
    referral.status = ReferralStatus.DECLINED
    referral.save()

    response = client.post(f"/dashboard/referrals/{referral.pk}/accept/", follow=True)

    assert response.status_code == 200
    assert flashed(response) == ["Referral is declined; allowed now: none."]
    referral.refresh_from_db()
    assert referral.status == ReferralStatus.DECLINED


def test_declining_asks_first_and_declines_on_the_confirmation(client, referral):
    asked = client.get(f"/dashboard/referrals/{referral.pk}/decline/")

    assert asked.status_code == 200
    page = text(asked)
    assert "<h1>Decline referral MC-17?</h1>" in page
    assert "told that you declined this referral for Sciatica" in page
    assert f'<form method="post" action="/dashboard/referrals/{referral.pk}/decline/"' in page
    assert '<button type="submit">Decline referral</button>' in page
    assert '<a href="/dashboard/referrals/">Keep it, go back</a>' in page
    referral.refresh_from_db()
    assert referral.status == ReferralStatus.SENT

    response = client.post(f"/dashboard/referrals/{referral.pk}/decline/", follow=True)

    assert response.redirect_chain == [("/dashboard/referrals/", 302)]
    referral.refresh_from_db()
    assert referral.status == ReferralStatus.DECLINED


@pytest.mark.parametrize("method", ["get", "post"])
def test_another_practitioners_referral_cannot_be_declined(client, method):
    theirs = ReferralFactory()

    assert getattr(client, method)(f"/dashboard/referrals/{theirs.pk}/decline/").status_code == 404
    theirs.refresh_from_db()
    assert theirs.status == ReferralStatus.SENT


@pytest.mark.parametrize("method", ["get", "post"])
def test_confirmation_steps_are_for_their_owner_only(referral, method):
    clinic = LocationFactory(practitioner=referral.practitioner)
    urls = [
        f"/dashboard/clinics/{clinic.pk}/delete/",
        f"/dashboard/referrals/{referral.pk}/decline/",
    ]
    for url in urls:
        anonymous = getattr(Client(), method)(url)
        assert (anonymous.status_code, anonymous["Location"]) == (302, f"/signin/?next={url}")
        for user in (ModeratorFactory(), UserFactory(), referral.physician.user):
            assert getattr(signed_in(user), method)(url).status_code == 403

    assert Location.objects.filter(pk=clinic.pk).exists()
    referral.refresh_from_db()
    assert referral.status == ReferralStatus.SENT


def test_another_practitioners_referral_is_404(client):
    theirs = ReferralFactory()

    assert client.post(f"/dashboard/referrals/{theirs.pk}/accept/").status_code == 404
    theirs.refresh_from_db()
    assert theirs.status == ReferralStatus.SENT


def test_the_referring_physician_cannot_accept(referral):
    response = signed_in(referral.physician.user).post(
        f"/dashboard/referrals/{referral.pk}/accept/"
    )

    assert response.status_code == 403
    referral.refresh_from_db()
    assert referral.status == ReferralStatus.SENT
