"""The physician's referral pages of issue 12: the practitioner found by name (no number to
copy), a page for each referral (its two parties only) and the sent list by status."""

import re

import pytest
from django.test import Client

from directory.models import Referral, ReferralStatus
from tests.directory.test_referrals import REASON, ReferralFactory, verified_physician
from tests.factories import (
    LocationFactory,
    ModeratorFactory,
    PractitionerFactory,
    UserFactory,
    qualified_practitioner,
)
from tests.web.test_dashboard_physician import unqualified_practitioner
from tests.web.test_dashboard_practitioner import flashed, signed_in, text

pytestmark = pytest.mark.django_db


@pytest.fixture
def physician():
    return verified_physician(user__name="Dr. Maya Chen")


@pytest.fixture
def client(physician):
    return signed_in(physician.user)


@pytest.fixture
def practitioner():
    practitioner = qualified_practitioner(user__name="Sam Okafor")
    LocationFactory(practitioner=practitioner, name="Kits Physio", city="Vancouver")
    return practitioner


def found(response) -> list[str]:
    """The practitioners the search lists, as "name | meta" lines."""
    cards = re.findall(
        r'<h3 class="card-title">(.*?)</h3>\s*<p class="meta">(.*?)</p>', text(response)
    )
    return [f"{name} | {meta}" for name, meta in cards]


# --- Finding the practitioner by name ----------------------------------------------------------


def test_the_form_starts_with_a_search_not_a_number(client):
    response = client.get("/referrals/new/")

    page = text(response)
    assert response.status_code == 200
    assert '<h2 id="find-heading">Find the practitioner</h2>' in page
    assert '<input type="search" name="q"' in page
    assert "Practitioner number" not in page
    assert 'name="practitioner"' not in page  # the referral form comes once one is chosen


def test_searching_by_name_lists_qualified_listed_practitioners_with_their_city(
    client, practitioner
):
    qualified_practitioner(user__name="Sam Okafor-Reid")  # no clinic
    unqualified = unqualified_practitioner()
    unqualified.user.name = "Sam Unqualified"
    unqualified.user.save()
    gone = qualified_practitioner(user__name="Sam Gone")
    gone.is_active = False
    gone.save()
    qualified_practitioner(user__name="Alex Other")

    response = client.get("/referrals/new/?q=sam")

    assert response.status_code == 200
    assert found(response) == [
        "Sam Okafor | Physiotherapist · Kits Physio, Vancouver",
        "Sam Okafor-Reid | Physiotherapist",
    ]
    assert f'href="/referrals/new/?practitioner={practitioner.pk}">Refer to Sam Okafor</a>' in (
        text(response)
    )
    assert 'value="sam"' in text(response)


def test_searching_by_clinic_name_finds_its_practitioner(client, practitioner):
    assert found(client.get("/referrals/new/?q=kits")) == [
        "Sam Okafor | Physiotherapist · Kits Physio, Vancouver"
    ]


def test_no_match_says_so(client, practitioner):
    response = client.get("/referrals/new/?q=zzz")

    assert found(response) == []
    assert "No listed, qualified practitioner matches “zzz”." in text(response)


def test_a_too_long_search_is_a_400_beside_the_box(client):
    response = client.get(f"/referrals/new/?q={'x' * 101}")

    assert response.status_code == 400
    page = text(response)
    errors = re.search(r'<ul class="errorlist" id="id_q_error">(.*?)</ul>', page, re.S)
    assert errors is not None
    assert "Ensure this value has at most 100 characters (it has 101)." in errors.group(1)
    assert found(response) == []


def test_choosing_a_result_fills_the_form_and_sends(client, physician, practitioner):
    page = text(client.get(f"/referrals/new/?practitioner={practitioner.pk}"))
    assert "To Sam Okafor" in page

    response = client.post(
        f"/referrals/new/?practitioner={practitioner.pk}",
        {
            "practitioner": str(practitioner.pk),
            "condition": "sciatica",
            "reason": REASON,
            "patient_reference": "MC-1",
        },
        follow=True,
    )

    assert flashed(response) == ["Referral sent to Sam Okafor."]
    referral = Referral.objects.get()
    assert (referral.physician, referral.practitioner) == (physician, practitioner)


def test_posting_without_a_chosen_practitioner_asks_to_choose(client):
    response = client.post(
        "/referrals/new/",
        {"condition": "sciatica", "reason": REASON, "patient_reference": "MC-1"},
    )

    assert response.status_code == 200
    assert "Choose the practitioner with the search first." in text(response)
    assert 'value="MC-1"' in text(response)
    assert not Referral.objects.exists()


# --- A referral's page -------------------------------------------------------------------------


@pytest.fixture
def referral(physician, practitioner) -> Referral:
    return ReferralFactory(physician=physician, practitioner=practitioner, patient_reference="MC-9")


def test_the_physician_sees_the_whole_referral_with_cancel(client, referral, practitioner):
    response = client.get(f"/referrals/{referral.pk}/")

    assert response.status_code == 200
    page = text(response)
    assert "<h1>Referral MC-9</h1>" in page
    assert "Sciatica · patient MC-9" in page
    assert "Sent – awaiting answer" in page
    assert REASON in page
    assert "Dr. Maya Chen" in page
    assert f'<a href="/practitioners/{practitioner.pk}/">Sam Okafor</a>' in page
    assert "<strong>Kits Physio</strong>" in page
    assert f'action="/dashboard/referrals/{referral.pk}/cancel/"' in page
    assert "/accept/" not in page
    assert "Referral MC-9" in re.search(r"<title>(.*?)</title>", page).group(1)


def test_the_practitioner_sees_it_with_accept_and_decline(referral, practitioner):
    page = text(signed_in(practitioner.user).get(f"/referrals/{referral.pk}/"))

    assert REASON in page
    assert f'action="/dashboard/referrals/{referral.pk}/accept/"' in page
    assert f'href="/dashboard/referrals/{referral.pk}/decline/"' in page
    assert "/cancel/" not in page
    assert '<a href="/dashboard/referrals/" aria-current="page">Referrals</a>' in page


@pytest.mark.parametrize(
    "make_user",
    [
        lambda: verified_physician().user,
        lambda: qualified_practitioner().user,
        UserFactory,
        ModeratorFactory,
    ],
    ids=["other physician", "other practitioner", "patient", "moderator"],
)
def test_nobody_else_sees_the_referral(referral, make_user):
    response = signed_in(make_user()).get(f"/referrals/{referral.pk}/")

    assert response.status_code == 404
    assert REASON not in text(response)
    assert "MC-9" not in text(response)


def test_anonymous_is_sent_to_sign_in(referral):
    response = Client().get(f"/referrals/{referral.pk}/")

    assert (response.status_code, response["Location"]) == (
        302,
        f"/signin/?next=/referrals/{referral.pk}/",
    )


def test_the_referral_page_is_read_only(client, referral):
    assert client.post(f"/referrals/{referral.pk}/").status_code == 405


# --- The sent list -----------------------------------------------------------------------------


def test_the_sent_list_links_each_referral_and_its_practitioner(client, referral, practitioner):
    page = text(client.get("/dashboard/"))

    assert f'<a href="/referrals/{referral.pk}/">MC-9' in page
    assert f'<a href="/practitioners/{practitioner.pk}/">Sam Okafor</a>' in page
    assert 'data-label="Actions"' in page


@pytest.mark.parametrize(
    ("status", "shown"),
    [
        ("sent", ["PT-SENT"]),
        ("accepted", ["PT-ACCEPTED"]),
        ("completed", ["PT-DONE"]),
        ("declined", []),
        ("", ["PT-DONE", "PT-ACCEPTED", "PT-SENT"]),
    ],
)
def test_the_sent_list_filters_by_status(client, physician, status, shown):
    ReferralFactory(physician=physician, patient_reference="PT-SENT")
    ReferralFactory(
        physician=physician, patient_reference="PT-ACCEPTED", status=ReferralStatus.ACCEPTED
    )
    ReferralFactory(physician=physician, patient_reference="PT-DONE", completed=True)
    ReferralFactory(patient_reference="PT-OTHERS")  # another physician's

    response = client.get(f"/dashboard/?status={status}" if status else "/dashboard/")

    assert response.status_code == 200
    page = text(response)
    listed = re.findall(r'<th scope="row" data-label="Patient"><a [^>]*>([^<]*)<', page)
    assert listed == shown
    if not shown:
        assert "No referrals with this status." in page
    current = "All" if not status else ReferralStatus(status).label
    assert f'aria-current="page">{current}</a>' in page


def test_an_unknown_status_is_a_400_that_lists_the_statuses(client, physician):
    ReferralFactory(physician=physician, patient_reference="PT-SENT")

    response = client.get("/dashboard/?status=lost")

    assert response.status_code == 400
    page = text(response)
    assert (
        '"lost" is not a referral status; allowed: sent, accepted, declined, completed, '
        "cancelled. Showing all referrals." in page
    )
    assert "PT-SENT" in page


def test_other_roles_do_not_get_the_sent_list():
    practitioner_page = text(signed_in(PractitionerFactory().user).get("/dashboard/?status=sent"))
    patient_page = text(signed_in(UserFactory()).get("/dashboard/?status=sent"))

    assert "Referrals you sent" not in practitioner_page
    assert "Referrals you sent" not in patient_page
