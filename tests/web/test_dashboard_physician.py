"""The physician's dashboard and "Send a referral", and what dashboard/ shows patients and
moderators."""

import pytest

from directory.models import Credential, Referral, ReferralStatus
from directory.services.referrals import (
    INACTIVE_MESSAGE,
    NOT_QUALIFIED_MESSAGE,
    UNVERIFIED_MESSAGE,
)
from directory.services.reviews import review_remove
from tests.directory.test_referrals import REASON, ReferralFactory, verified_physician
from tests.directory.test_reviews import make_review
from tests.factories import (
    CredentialFactory,
    ModeratorFactory,
    PhysicianFactory,
    PractitionerFactory,
    UserFactory,
    qualified_practitioner,
)
from tests.web.test_dashboard_practitioner import (
    LICENCE,
    assert_error_next_to,
    field_errors,
    flashed,
    signed_in,
    text,
)
from web.views.dashboard_common import PHYSICIAN_ONLY

pytestmark = pytest.mark.django_db

REFERENCE_MESSAGE = (
    "Use your own reference code for the patient: 1 to 40 letters, digits, dashes, "
    "underscores or dots. Never the patient's name."
)


@pytest.fixture
def physician():
    return verified_physician(user__name="Dr. Maya Chen")


@pytest.fixture
def client(physician):
    return signed_in(physician.user)


@pytest.fixture
def practitioner():
    return qualified_practitioner(user__name="Sam Okafor")


def referral_form(to, /, **overrides) -> dict:
    return {
        "practitioner": str(to.pk),
        "condition": "sciatica",
        "reason": REASON,
        "patient_reference": "MC-2024.017",
    } | overrides


# --- Dashboard ---------------------------------------------------------------------------------


def test_verified_physician_sees_status_and_sent_referrals_with_cancel(client, physician):
    sent = ReferralFactory(physician=physician, patient_reference="PT-1")
    completed = ReferralFactory(physician=physician, patient_reference="PT-2", completed=True)

    page = text(client.get("/dashboard/"))

    assert "Verified physician" in page
    assert 'href="/referrals/new/"' in page
    assert f'action="/dashboard/referrals/{sent.pk}/cancel/"' in page
    assert f'action="/dashboard/referrals/{completed.pk}/cancel/"' not in page
    assert "Completed: improved" in page
    assert REASON not in page  # the list shows status and outcome, not the reason


def test_unverified_physician_is_told_to_add_a_licence():
    physician = PhysicianFactory()
    CredentialFactory(owner=physician.user, profession="physician")  # pending

    page = text(signed_in(physician.user).get("/dashboard/"))

    assert "Not verified yet" in page
    assert 'href="/dashboard/credentials/new/license/"' in page
    assert "Waiting for verification" in page


def test_physicians_use_the_credential_pages(client, physician):
    response = client.post(
        "/dashboard/credentials/new/license/", LICENCE | {"profession": "physician"}
    )

    assert response.status_code == 302
    assert Credential.objects.filter(owner=physician.user, profession="physician").count() == 2
    assert "Send a referral" in text(client.get("/dashboard/credentials/"))


# --- Send a referral ---------------------------------------------------------------------------


def test_referral_form_names_the_preselected_practitioner(client, practitioner):
    response = client.get(f"/referrals/new/?practitioner={practitioner.pk}")

    page = text(response)
    assert response.status_code == 200
    assert "To Sam Okafor" in page
    assert f'<input type="hidden" name="practitioner" value="{practitioner.pk}"' in page
    assert "never their name" in page


def test_unknown_preselected_practitioner_falls_back_to_the_search(client):
    page = text(client.get("/referrals/new/?practitioner=999999"))

    assert "No active practitioner has the number “999999”" in page
    assert '<input type="search" name="q"' in page
    assert 'name="practitioner"' not in page


def unqualified_practitioner():
    """The issue's case: a verified licence, the IMS certification still pending."""
    practitioner = PractitionerFactory(user__name="Robin Vale")
    CredentialFactory(owner=practitioner.user, verified=True)
    CredentialFactory(owner=practitioner.user, ims=True)
    return practitioner


def test_referral_form_does_not_preselect_an_unqualified_practitioner(client):
    unqualified = unqualified_practitioner()

    response = client.get(f"/referrals/new/?practitioner={unqualified.pk}")

    page = text(response)
    assert response.status_code == 200
    assert NOT_QUALIFIED_MESSAGE.format(pk=unqualified.pk) in page
    assert "To Robin Vale" not in page
    assert 'name="practitioner"' not in page
    assert '<input type="search" name="q"' in page


@pytest.mark.parametrize("preselected", [True, False])
def test_sending_to_an_unqualified_practitioner_shows_why_by_the_field(client, preselected):
    unqualified = unqualified_practitioner()
    url = f"/referrals/new/?practitioner={unqualified.pk}" if preselected else "/referrals/new/"

    response = client.post(url, referral_form(unqualified))

    message = NOT_QUALIFIED_MESSAGE.format(pk=unqualified.pk)
    assert response.status_code == 200
    assert field_errors(response, "practitioner") == [message]
    # In the form's error summary and under "Find the practitioner", not a third time.
    page = text(response)
    assert page.count(message) == 2
    assert f'<ul class="errorlist" id="id_practitioner_error"><li>{message}</li></ul>' in page
    assert '<input type="search" name="q"' in page
    assert not Referral.objects.exists()


@pytest.mark.parametrize("what", ["profile", "account"])
def test_sending_to_a_deactivated_practitioner_shows_why_by_the_field(client, practitioner, what):
    account = practitioner if what == "profile" else practitioner.user
    account.is_active = False
    account.save()

    form_page = text(client.get(f"/referrals/new/?practitioner={practitioner.pk}"))
    response = client.post("/referrals/new/", referral_form(practitioner))

    assert f"No active practitioner has the number “{practitioner.pk}”" in form_page
    assert "To Sam Okafor" not in form_page
    assert field_errors(response, "practitioner") == [INACTIVE_MESSAGE.format(pk=practitioner.pk)]
    assert not Referral.objects.exists()


def test_verified_physician_sends_a_referral(client, physician, practitioner):
    response = client.post(
        f"/referrals/new/?practitioner={practitioner.pk}", referral_form(practitioner), follow=True
    )

    referral = Referral.objects.get()
    assert (referral.physician, referral.practitioner, referral.condition.slug) == (
        physician,
        practitioner,
        "sciatica",
    )
    assert (referral.reason, referral.patient_reference, referral.status) == (
        REASON,
        "MC-2024.017",
        ReferralStatus.SENT,
    )
    assert response.redirect_chain == [("/dashboard/", 302)]
    assert flashed(response) == ["Referral sent to Sam Okafor."]


def test_a_name_as_patient_reference_is_refused_and_input_kept(client, practitioner):
    response = client.post(
        "/referrals/new/", referral_form(practitioner, patient_reference="Jane Doe")
    )

    assert response.status_code == 200
    assert field_errors(response, "patient_reference") == [REFERENCE_MESSAGE]
    assert_error_next_to(response, "id_patient_reference", REFERENCE_MESSAGE)
    assert REASON in text(response)
    assert not Referral.objects.exists()


def test_reason_over_1000_characters_is_refused(client, practitioner):
    response = client.post("/referrals/new/", referral_form(practitioner, reason="x" * 1001))

    assert field_errors(response, "reason") == ["Keep the reason to at most 1,000 characters."]
    assert not Referral.objects.exists()


def test_unknown_practitioner_number_is_a_field_error(client, practitioner):
    response = client.post("/referrals/new/", referral_form(practitioner, practitioner="999999"))

    assert field_errors(response, "practitioner") == ["No practitioner has id 999999."]
    assert not Referral.objects.exists()


def test_unverified_physician_sees_why_and_cannot_send(practitioner):
    physician = PhysicianFactory()
    client = signed_in(physician.user)

    page = text(client.get("/referrals/new/"))
    response = client.post("/referrals/new/", referral_form(practitioner))

    assert "You cannot send referrals yet" in page
    assert '<form method="post" action="/referrals/new/"' not in page
    assert response.status_code == 200
    assert response.context["form"].non_field_errors() == [UNVERIFIED_MESSAGE]
    assert not Referral.objects.exists()


def test_a_second_open_referral_for_the_same_patient_is_refused(client, physician, practitioner):
    client.post("/referrals/new/", referral_form(practitioner))

    response = client.post("/referrals/new/", referral_form(practitioner))

    [message] = response.context["form"].non_field_errors()
    assert "is still sent; it was not sent again." in message
    assert Referral.objects.count() == 1


@pytest.mark.parametrize("role", ["practitioner", "patient"])
def test_only_physicians_open_the_referral_form(role):
    user = PractitionerFactory().user if role == "practitioner" else UserFactory()

    response = signed_in(user).get("/referrals/new/")

    assert response.status_code == 403
    assert PHYSICIAN_ONLY in text(response)


# --- Cancel ------------------------------------------------------------------------------------


def test_physician_cancels_a_sent_referral(client, physician):
    referral = ReferralFactory(physician=physician, patient_reference="PT-9")

    response = client.post(f"/dashboard/referrals/{referral.pk}/cancel/", follow=True)

    referral.refresh_from_db()
    assert referral.status == ReferralStatus.CANCELLED
    assert flashed(response) == ["Referral PT-9 cancelled."]


def test_cancelling_an_accepted_referral_is_a_message(client, physician):
    referral = ReferralFactory(physician=physician, status=ReferralStatus.ACCEPTED)

    response = client.post(f"/dashboard/referrals/{referral.pk}/cancel/", follow=True)

    assert response.status_code == 200
    assert flashed(response) == ["Referral is accepted; allowed now: complete."]
    referral.refresh_from_db()
    assert referral.status == ReferralStatus.ACCEPTED


def test_another_physicians_referral_is_404(client):
    theirs = ReferralFactory()

    assert client.post(f"/dashboard/referrals/{theirs.pk}/cancel/").status_code == 404
    theirs.refresh_from_db()
    assert theirs.status == ReferralStatus.SENT


def test_the_practitioner_cannot_cancel():
    referral = ReferralFactory()

    response = signed_in(referral.practitioner.user).post(
        f"/dashboard/referrals/{referral.pk}/cancel/"
    )

    assert response.status_code == 403
    referral.refresh_from_db()
    assert referral.status == ReferralStatus.SENT


# --- dashboard/ for patients and moderators ----------------------------------------------------


def test_patient_dashboard_lists_their_reviews_with_edit_links(practitioner):
    patient = UserFactory()
    live = make_review(practitioner, author=patient)
    other = PractitionerFactory(user__name="Ana Lima")
    removed = make_review(other, author=patient)
    review_remove(review_id=removed.pk, moderator=ModeratorFactory())
    make_review(practitioner)  # someone else's

    response = signed_in(patient).get("/dashboard/")

    page = text(response)
    assert [review.pk for review in response.context["reviews"]] == [removed.pk, live.pk]
    assert f'href="/practitioners/{practitioner.pk}/review/"' in page
    assert f'href="/practitioners/{other.pk}/review/"' not in page
    assert "Removed by a moderator" in page


def test_moderator_dashboard_links_to_the_admin():
    page = text(signed_in(ModeratorFactory()).get("/dashboard/"))

    assert 'href="/admin/directory/credential/?status=pending"' in page
    assert 'href="/admin/directory/review/?flagged=yes"' in page
