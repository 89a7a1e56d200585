"""The Django admin: e-mail login, every model registered, credential moderation."""

from datetime import date, timedelta

import pytest
from django.contrib import admin
from django.core.files.base import ContentFile
from django.core.management import call_command

from directory.models import (
    Condition,
    Credential,
    CredentialStatus,
    MatchEntry,
    PhysicianProfile,
    PractitionerProfile,
    User,
)
from matching.candidates import CandidateFilters, Page, top_candidates
from matching.scoring import SiteFigures, weights_from_priorities
from tests.factories import (
    PASSWORD,
    CredentialFactory,
    ModeratorFactory,
    PhysicianFactory,
    PractitionerFactory,
    UserFactory,
    qualified_practitioner,
)

pytestmark = pytest.mark.django_db

CREDENTIALS_URL = "/admin/directory/credential/"
PRACTITIONERS_URL = "/admin/directory/practitionerprofile/"


@pytest.fixture
def superuser():
    return UserFactory(is_staff=True, is_superuser=True)


@pytest.fixture
def admin_client(client, superuser):
    client.force_login(superuser)
    return client


def run_action(client, action: str, credentials: list[Credential], note: str = ""):
    return client.post(
        CREDENTIALS_URL,
        {
            "action": action,
            "_selected_action": [credential.pk for credential in credentials],
            "note": note,
        },
        follow=True,
    )


def messages_of(response) -> list[str]:
    return [str(message) for message in response.context["messages"]]


# --- Accounts ------------------------------------------------------------------------------


def test_every_model_is_registered():
    for model in (User, PractitionerProfile, PhysicianProfile, Condition, Credential):
        assert admin.site.is_registered(model), model


def test_createsuperuser_by_email_can_sign_in_to_the_admin(client, monkeypatch):
    monkeypatch.setenv("DJANGO_SUPERUSER_PASSWORD", PASSWORD)
    call_command("createsuperuser", "--email", "Boss@Example.test", "--noinput")

    user = User.objects.get()
    assert (user.email, user.is_staff, user.is_superuser) == ("boss@example.test", True, True)
    response = client.post(
        "/admin/login/?next=/admin/",
        {"username": "boss@example.test", "password": PASSWORD},
    )
    assert response.status_code == 302
    assert response["Location"] == "/admin/"
    assert client.get("/admin/").status_code == 200


def test_admin_adds_a_user_by_email(admin_client):
    response = admin_client.post(
        "/admin/directory/user/add/",
        {
            "email": "New.Person@Example.test",
            "name": "New Person",
            "role": "practitioner",
            "usable_password": "true",
            "password1": PASSWORD,
            "password2": PASSWORD,
        },
    )

    assert response.status_code == 302, response.context["adminform"].form.errors
    user = User.objects.get(email="new.person@example.test")
    assert (user.name, user.role) == ("New Person", "practitioner")
    assert user.check_password(PASSWORD)


@pytest.mark.parametrize(
    "url",
    [
        "/admin/",
        "/admin/directory/user/",
        PRACTITIONERS_URL,
        "/admin/directory/physicianprofile/",
        "/admin/directory/condition/",
        CREDENTIALS_URL,
    ],
)
def test_changelists_load_for_a_superuser(admin_client, url):
    qualified_practitioner()
    PhysicianFactory()

    assert admin_client.get(url).status_code == 200


def test_change_pages_load_for_a_superuser(admin_client):
    practitioner = qualified_practitioner()
    credential = Credential.objects.filter(owner=practitioner.user).first()

    for url in (
        f"/admin/directory/user/{practitioner.user.pk}/change/",
        f"{PRACTITIONERS_URL}{practitioner.pk}/change/",
        f"/admin/directory/physicianprofile/{PhysicianFactory().pk}/change/",
        f"/admin/directory/condition/{Condition.objects.first().pk}/change/",
        f"{CREDENTIALS_URL}{credential.pk}/change/",
    ):
        assert admin_client.get(url).status_code == 200, url


# --- Practitioners ---------------------------------------------------------------------------


def test_practitioner_changelist_shows_who_is_qualified(admin_client):
    qualified = qualified_practitioner()
    expired = qualified_practitioner()
    Credential.objects.filter(owner=expired.user, kind="license").update(
        expires_on=date.today() - timedelta(days=1)
    )
    unqualified = PractitionerFactory()

    response = admin_client.get(PRACTITIONERS_URL)
    rows = {row.pk: row.qualified for row in response.context["cl"].result_list}
    assert rows == {qualified.pk: True, expired.pk: False, unqualified.pk: False}

    only_qualified = admin_client.get(PRACTITIONERS_URL, {"qualified": "yes"})
    assert [row.pk for row in only_qualified.context["cl"].result_list] == [qualified.pk]


def test_practitioner_languages_are_edited_as_codes(admin_client):
    practitioner = PractitionerFactory()
    url = f"{PRACTITIONERS_URL}{practitioner.pk}/change/"
    form = admin_client.get(url).context["adminform"].form
    assert form.initial["languages"] == "en"

    data = {
        "user": practitioner.user.pk,
        "profession": "physiotherapist",
        "bio": "",
        "languages": "EN, fr",
        "accepting_new_patients": "on",
        "fee_per_session": "",
        "is_active": "on",
    }
    for prefix in ("locations", "experience"):
        data |= {f"{prefix}-TOTAL_FORMS": "0", f"{prefix}-INITIAL_FORMS": "0"}
    response = admin_client.post(url, data)

    assert response.status_code == 302
    practitioner.refresh_from_db()
    assert practitioner.languages == ",en,fr,"


@pytest.mark.parametrize(
    "languages, error",
    [
        # The API's words for the same input (tests/directory/test_me_profile.py).
        (
            "en, xx, english",
            "Not ISO 639-1 language codes: xx, english. "
            "Use two-letter codes such as en, fr, es, zh, pa.",
        ),
        ("en, fr, EN", "List each language once."),
        # The domain's limits (directory.validators.validate_languages).
        (" , ", "List at least one language."),
        ("en fr es de it pt zh ja ko pa hi", "List at most 10 languages."),
    ],
)
def test_practitioner_languages_follow_the_domain_rule(admin_client, languages, error):
    practitioner = PractitionerFactory()
    url = f"{PRACTITIONERS_URL}{practitioner.pk}/change/"

    response = admin_client.post(url, _profile_form(practitioner, languages=languages))

    assert response.status_code == 200
    assert response.context["adminform"].form.errors == {"languages": [error]}
    practitioner.refresh_from_db()
    assert practitioner.languages == ",en,"


# --- Credentials -----------------------------------------------------------------------------


def test_credential_changelist_shows_status_and_evidence_link(admin_client):
    credential = CredentialFactory(verified=True, expires_on=date.today() - timedelta(days=1))
    credential.evidence.save("evidence.pdf", ContentFile(b"%PDF-1.4\n"), save=False)
    credential.evidence_content_type = "application/pdf"
    credential.save()

    response = admin_client.get(CREDENTIALS_URL)

    html = response.content.decode()
    assert f'<a href="/api/v1/credentials/{credential.pk}/evidence/">' in html
    assert credential.owner.email in html
    assert ">expired<" in html


def test_credential_status_filter_includes_expired(admin_client):
    pending = CredentialFactory()
    expired = CredentialFactory(verified=True, expires_on=date.today() - timedelta(days=1))

    for status, expected in (("expired", expired), ("pending", pending)):
        response = admin_client.get(CREDENTIALS_URL, {"status": status})
        assert [row.pk for row in response.context["cl"].result_list] == [expected.pk]


def test_verify_action_verifies_through_the_service(admin_client, superuser):
    pending = CredentialFactory()
    rejected = CredentialFactory(rejected=True)
    verified = CredentialFactory(verified=True)
    earlier_reviewer = verified.reviewed_by

    response = run_action(admin_client, "verify_selected", [pending, rejected, verified])

    assert response.status_code == 200
    for credential in (pending, rejected):
        credential.refresh_from_db()
        assert (credential.status, credential.reviewed_by) == ("verified", superuser)
        assert credential.reviewed_at is not None
    verified.refresh_from_db()
    assert verified.reviewed_by == earlier_reviewer  # the 409 case: left alone, reported
    assert messages_of(response) == [
        "Verified 2 credential(s).",
        f"Skipped #{verified.pk} ({verified.owner}): This credential is verified; only a "
        "pending or rejected credential can be verified.",
    ]


def test_reject_action_records_the_note(admin_client, superuser):
    credential = CredentialFactory()

    response = run_action(
        admin_client, "reject_selected", [credential], note="Licence number not found."
    )

    assert messages_of(response) == ["Rejected 1 credential(s)."]
    credential.refresh_from_db()
    assert (credential.status, credential.note, credential.reviewed_by) == (
        "rejected",
        "Licence number not found.",
        superuser,
    )


def test_reject_action_without_a_note_rejects_nothing(admin_client):
    credential = CredentialFactory()

    response = run_action(admin_client, "reject_selected", [credential], note="  ")

    assert messages_of(response) == [
        "A rejection needs a note telling the owner why: type it in “Note to the owner”, "
        "then choose the action again. Nothing was rejected."
    ]
    credential.refresh_from_db()
    assert credential.status == CredentialStatus.PENDING


def test_a_note_too_long_verifies_nothing_and_says_why(admin_client):
    credential = CredentialFactory()

    response = run_action(admin_client, "verify_selected", [credential], note="x" * 2001)

    assert messages_of(response) == [
        "Ensure this value has at most 2000 characters (it has 2001): type it in "
        "“Note to the owner”, then choose the action again. Nothing was verified."
    ]
    credential.refresh_from_db()
    assert (credential.status, credential.note) == (CredentialStatus.PENDING, "")


def test_credential_change_page_is_read_only(admin_client):
    credential = CredentialFactory()
    url = f"{CREDENTIALS_URL}{credential.pk}/change/"

    page = admin_client.get(url)
    assert page.status_code == 200
    assert page.context["adminform"].form.fields == {}  # nothing editable, status included

    response = admin_client.post(url, {"status": "verified", "note": "sneaky"})
    assert response.status_code == 403
    credential.refresh_from_db()
    assert (credential.status, credential.note) == ("pending", "")


def test_plain_staff_moderator_can_work_the_queue(client):
    moderator = ModeratorFactory()
    client.force_login(moderator)
    credential = CredentialFactory()

    assert client.get(CREDENTIALS_URL).status_code == 200
    run_action(client, "verify_selected", [credential])

    credential.refresh_from_db()
    assert (credential.status, credential.reviewed_by) == ("verified", moderator)
    assert client.get(PRACTITIONERS_URL).status_code == 403  # accounts stay with superusers


def test_non_staff_cannot_reach_the_queue(client, practitioner):
    client.force_login(practitioner.user)

    response = client.get(CREDENTIALS_URL)

    assert response.status_code == 302
    assert response["Location"].startswith("/admin/login/")


# --- The match index follows admin edits ------------------------------------------------------


def _match_ids(condition: str = "sciatica") -> list[int]:
    filters = CandidateFilters(condition=Condition.objects.get(slug=condition), today=date.today())
    found = top_candidates(
        filters, weights=weights_from_priorities({}), site=SiteFigures(), page=Page(limit=100)
    )
    return [row.candidate.id for row in found.rows]


def _profile_form(practitioner, **changes) -> dict:
    data = {
        "user": practitioner.user.pk,
        "profession": "physiotherapist",
        "bio": "",
        "languages": "en",
        "accepting_new_patients": "on",
        "fee_per_session": "",
        "is_active": "on",
    } | changes
    for prefix in ("locations", "experience"):
        data |= {f"{prefix}-TOTAL_FORMS": "0", f"{prefix}-INITIAL_FORMS": "0"}
    return {name: value for name, value in data.items() if value is not None}


def test_a_practitioner_deactivated_in_the_admin_leaves_matching_at_once(admin_client):
    practitioner = qualified_practitioner()
    assert _match_ids() == [practitioner.pk]
    url = f"{PRACTITIONERS_URL}{practitioner.pk}/change/"
    response = admin_client.post(url, _profile_form(practitioner, is_active=None))
    assert response.status_code == 302
    assert _match_ids() == []
    response = admin_client.post(url, _profile_form(practitioner))
    assert response.status_code == 302
    assert _match_ids() == [practitioner.pk]


def test_a_clinic_added_in_the_admin_is_searchable(admin_client):
    practitioner = qualified_practitioner()
    url = f"{PRACTITIONERS_URL}{practitioner.pk}/change/"
    data = _profile_form(practitioner) | {
        "locations-TOTAL_FORMS": "1",
        "locations-0-name": "Harbour Clinic",
        "locations-0-city": "Vancouver",
        "locations-0-country": "CA",
        "locations-0-lat": "49.28",
        "locations-0-lng": "-123.12",
    }
    assert admin_client.post(url, data).status_code == 302
    location = practitioner.locations.get()
    assert set(
        MatchEntry.objects.filter(practitioner=practitioner).values_list("location_id", "lat")
    ) == {(location.pk, 49.28)}


def test_an_account_deactivated_in_the_admin_takes_its_practitioner_out(admin_client):
    practitioner = qualified_practitioner()
    user = practitioner.user
    data = {
        "email": user.email,
        "name": user.name,
        "role": user.role,
        "date_joined_0": "2026-01-01",
        "date_joined_1": "00:00:00",
    }
    response = admin_client.post(f"/admin/directory/user/{user.pk}/change/", data)
    assert response.status_code == 302, response.context["adminform"].form.errors
    user.refresh_from_db()
    assert not user.is_active
    assert _match_ids() == []


def test_a_condition_added_in_the_admin_has_every_practitioner_as_a_candidate(admin_client):
    practitioner = qualified_practitioner()
    response = admin_client.post(
        "/admin/directory/condition/add/",
        {"name": "Plantar fasciitis", "slug": "plantar-fasciitis", "synonyms": "[]"},
    )
    assert response.status_code == 302
    assert _match_ids("plantar-fasciitis") == [practitioner.pk]
