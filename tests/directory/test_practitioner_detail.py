"""GET /api/v1/practitioners/{id}/ — a practitioner's public page (SPEC §5)."""

from datetime import UTC, date, datetime, timedelta

import pytest
import time_machine
from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import timezone

from directory.models import (
    Condition,
    ConditionReferralStats,
    CredentialStatus,
    PractitionerProfile,
    PractitionerStats,
)
from directory.selectors.practitioners import practitioner_get
from directory.serializers.directory import (
    DirectoryCredentialSerializer,
    DirectoryExperienceSerializer,
    DirectoryLocationSerializer,
    DirectoryPractitionerDetailSerializer,
    DirectoryRatingsSerializer,
)
from tests.conftest import client_for
from tests.factories import (
    CredentialFactory,
    ExperienceFactory,
    LocationFactory,
    ModeratorFactory,
    PractitionerFactory,
    qualified_practitioner,
)

pytestmark = pytest.mark.django_db

REVIEWED_AT = datetime(2024, 3, 1, 17, 30, tzinfo=UTC)
REVIEWED_AT_LOCAL = "2024-03-01T09:30:00-08:00"  # settings.TIME_ZONE is America/Vancouver


@pytest.fixture(autouse=True)
def _fast_passwords(settings):
    # Every factory user gets a password; the real hasher makes these tests crawl.
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


def url(practitioner_id: int) -> str:
    return f"/api/v1/practitioners/{practitioner_id}/"


def test_detail_shows_public_profile_credentials_experience_and_locations(api_client):
    today = timezone.localdate()
    moderator = ModeratorFactory()
    practitioner = PractitionerFactory(
        user__name="Ada Gunn",
        bio="IMS since 2010.",
        languages=",en,fr,",
        accepting_new_patients=False,
        fee_per_session="120.00",
        direct_billing=True,
    )
    owner = practitioner.user
    reviewed = {"reviewed_by": moderator, "reviewed_at": REVIEWED_AT}
    licence = CredentialFactory(
        owner=owner,
        status=CredentialStatus.VERIFIED,
        number="PT00042",
        issued_on=date(2015, 1, 1),
        expires_on=today + timedelta(days=30),
        evidence=SimpleUploadedFile("licence.pdf", b"%PDF-1.4 evidence"),
        evidence_content_type="application/pdf",
        **reviewed,
    )
    old_licence = CredentialFactory(
        owner=owner,
        status=CredentialStatus.VERIFIED,
        number="PT00001",
        issued_on=date(2010, 1, 1),
        expires_on=today - timedelta(days=1),
        **reviewed,
    )
    certification = CredentialFactory(
        owner=owner, ims=True, issued_on=date(2012, 6, 1), number=""
    )  # pending
    training = CredentialFactory(
        owner=owner,
        training=True,
        status=CredentialStatus.REJECTED,
        number="",
        issued_on=date(2019, 5, 1),
        note="Certificate is illegible.",
        **reviewed,
    )
    CredentialFactory(owner=owner, ims=True, withdrawn_at=timezone.now())  # withdrawn: hidden
    sciatica = ExperienceFactory(practitioner=practitioner, years=8, patients_treated=400)
    neck = ExperienceFactory(
        practitioner=practitioner,
        condition=Condition.objects.get(slug="neck-pain"),
        years=3,
        patients_treated=50,
    )
    downtown = LocationFactory(
        practitioner=practitioner,
        name="Downtown IMS",
        phone="+16045550142",
        website="https://downtown.example.org/",
        booking_url="https://downtown.example.org/book",
        hours=[{"day": "mon", "opens": "09:00", "closes": "17:00"}],
        wheelchair_accessible=True,
    )
    east = LocationFactory(
        practitioner=practitioner,
        name="East Side Physio",
        address="2 Hastings St",
        city="Burnaby",
        postal_code="V5C 1A1",
        lat=49.2488,
        lng=-122.9805,
    )

    response = api_client.get(url(practitioner.pk))

    assert response.status_code == 200
    assert response.json() == {
        "id": practitioner.pk,
        "name": "Ada Gunn",
        "profession": "physiotherapist",
        "bio": "IMS since 2010.",
        "languages": ["en", "fr"],
        "accepting_new_patients": False,
        "fee_per_session": "120.00",
        "direct_billing": True,
        "qualified": False,  # the IMS certification is still pending
        "credentials": [
            {
                "id": licence.pk,
                "kind": "license",
                "issuer": "College of Physical Therapists of British Columbia",
                "number": "PT00042",
                "profession": "physiotherapist",
                "jurisdiction": "CA-BC",
                "needling_authorized": True,
                "title": "",
                "issued_on": "2015-01-01",
                "expires_on": (today + timedelta(days=30)).isoformat(),
                "status": "verified",
                "verified_at": REVIEWED_AT_LOCAL,
            },
            {
                "id": old_licence.pk,
                "kind": "license",
                "issuer": "College of Physical Therapists of British Columbia",
                "number": "PT00001",
                "profession": "physiotherapist",
                "jurisdiction": "CA-BC",
                "needling_authorized": True,
                "title": "",
                "issued_on": "2010-01-01",
                "expires_on": (today - timedelta(days=1)).isoformat(),
                "status": "expired",
                "verified_at": REVIEWED_AT_LOCAL,
            },
            {
                "id": certification.pk,
                "kind": "ims_certification",
                "issuer": "Institute for the Study and Treatment of Pain (iSTOP)",
                "number": "",
                "profession": "",
                "jurisdiction": "",
                "needling_authorized": False,
                "title": "",
                "issued_on": "2012-06-01",
                "expires_on": None,
                "status": "pending",
                "verified_at": None,
            },
            {
                "id": training.pk,
                "kind": "training",
                "issuer": "Canadian Physiotherapy Association",
                "number": "",
                "profession": "",
                "jurisdiction": "",
                "needling_authorized": False,
                "title": "Advanced needling course",
                "issued_on": "2019-05-01",
                "expires_on": None,
                "status": "rejected",
                "verified_at": None,
            },
        ],
        "experience": [
            {
                "condition": "neck-pain",
                "condition_name": "Neck pain",
                "years": neck.years,
                "patients_treated": neck.patients_treated,
                "self_reported": True,
                "completed_referrals": 0,
            },
            {
                "condition": "sciatica",
                "condition_name": "Sciatica",
                "years": sciatica.years,
                "patients_treated": sciatica.patients_treated,
                "self_reported": True,
                "completed_referrals": 0,
            },
        ],
        "locations": [
            {
                "id": downtown.pk,
                "name": "Downtown IMS",
                "address": "100 Main St",
                "city": "Vancouver",
                "region": "BC",
                "postal_code": "V6B 1A1",
                "country": "CA",
                "lat": 49.2827,
                "lng": -123.1207,
                "phone": "+16045550142",
                "website": "https://downtown.example.org/",
                "booking_url": "https://downtown.example.org/book",
                "hours": [{"day": "mon", "opens": "09:00", "closes": "17:00"}],
                "wheelchair_accessible": True,
            },
            {
                "id": east.pk,
                "name": "East Side Physio",
                "address": "2 Hastings St",
                "city": "Burnaby",
                "region": "BC",
                "postal_code": "V5C 1A1",
                "country": "CA",
                "lat": 49.2488,
                "lng": -122.9805,
                "phone": None,
                "website": None,
                "booking_url": None,
                "hours": [],
                "wheelchair_accessible": None,
            },
        ],
        "ratings": {
            "count": 0,
            "verified_count": 0,
            "overall": None,
            "communication": None,
            "comfort": None,
            "would_recommend_share": None,
        },
    }


def test_detail_of_qualified_practitioner_says_qualified(api_client):
    practitioner = qualified_practitioner()

    body = api_client.get(url(practitioner.pk)).json()

    assert body["qualified"] is True
    assert [c["status"] for c in body["credentials"]] == ["verified", "verified"]


def test_licence_expiring_tomorrow_is_expired_once_that_day_has_passed(api_client):
    with time_machine.travel(datetime(2030, 6, 1, 19, 0, tzinfo=UTC), tick=False):
        # 12:00 in Vancouver on 1 June 2030
        practitioner = PractitionerFactory()
        CredentialFactory(owner=practitioner.user, verified=True, expires_on=date(2030, 6, 1))
        CredentialFactory(owner=practitioner.user, verified=True, ims=True)

        body = api_client.get(url(practitioner.pk)).json()
        assert body["qualified"] is True
        assert body["credentials"][0]["status"] == "verified"

    with time_machine.travel(datetime(2030, 6, 2, 19, 0, tzinfo=UTC), tick=False):
        body = api_client.get(url(practitioner.pk)).json()
        assert body["qualified"] is False
        assert body["credentials"][0]["status"] == "expired"


def test_selector_takes_today_as_an_argument():
    practitioner = qualified_practitioner()
    expires_on = practitioner.user.credentials.get(kind="license").expires_on

    assert practitioner_get(practitioner_id=practitioner.pk, today=expires_on).qualified is True
    later = expires_on + timedelta(days=1)
    assert practitioner_get(practitioner_id=practitioner.pk, today=later).qualified is False


@pytest.mark.parametrize(
    "deactivate", [{"is_active": False}, {"user__is_active": False}], ids=["profile", "account"]
)
def test_deactivated_practitioner_is_404(api_client, deactivate):
    practitioner = qualified_practitioner(**deactivate)

    response = api_client.get(url(practitioner.pk))

    assert response.status_code == 404
    assert response.json() == {"detail": "No active practitioner has this id."}


@pytest.mark.parametrize("practitioner_id", ["999999", "99999999999999999999999"])
def test_unknown_id_is_404(api_client, practitioner_id):
    PractitionerFactory()

    response = api_client.get(f"/api/v1/practitioners/{practitioner_id}/")

    assert response.status_code == 404
    assert response.json() == {"detail": "No active practitioner has this id."}


def test_non_numeric_id_is_404(api_client):
    assert api_client.get("/api/v1/practitioners/abc/").status_code == 404


@pytest.mark.parametrize("viewer", ["anonymous", "other_practitioner", "moderator", "owner"])
def test_detail_is_the_same_for_every_viewer(api_client, viewer):
    practitioner = qualified_practitioner()
    CredentialFactory(owner=practitioner.user, rejected=True, note="Moderator's eyes only")
    clients = {
        "anonymous": api_client,
        "other_practitioner": client_for(PractitionerFactory().user),
        "moderator": client_for(ModeratorFactory()),
        "owner": client_for(practitioner.user),
    }

    body = clients[viewer].get(url(practitioner.pk)).json()

    assert body == api_client.get(url(practitioner.pk)).json()
    assert "note" not in body["credentials"][2] and "evidence" not in body["credentials"][2]


def build(credentials: int, rows: int) -> PractitionerProfile:
    moderator = ModeratorFactory()
    practitioner = PractitionerFactory()
    for _ in range(credentials):
        CredentialFactory(owner=practitioner.user, verified=True, reviewed_by=moderator)
    for condition in Condition.objects.all()[:rows]:
        ExperienceFactory(practitioner=practitioner, condition=condition)
    LocationFactory.create_batch(rows, practitioner=practitioner)
    return practitioner


@pytest.mark.parametrize(("credentials", "rows"), [(1, 1), (10, 12)])
def test_detail_costs_five_queries_however_many_rows(
    api_client, django_assert_num_queries, credentials, rows
):
    practitioner = build(credentials, rows)

    # profile (+ account, figures, qualified) + credentials + experience (+ condition)
    # + referral counts (+ condition) + locations
    with django_assert_num_queries(5):
        body = api_client.get(url(practitioner.pk)).json()

    assert (len(body["credentials"]), len(body["experience"]), len(body["locations"])) == (
        credentials,
        rows,
        rows,
    )


def test_detail_shows_ratings_and_referral_backed_experience(api_client):
    practitioner = PractitionerFactory()
    sciatica = Condition.objects.get(slug="sciatica")
    fibromyalgia = Condition.objects.get(slug="fibromyalgia")
    ExperienceFactory(practitioner=practitioner, condition=sciatica, years=4, patients_treated=90)
    ConditionReferralStats.objects.create(
        practitioner=practitioner, condition=sciatica, completed_referrals=2
    )
    ConditionReferralStats.objects.create(
        practitioner=practitioner, condition=fibromyalgia, completed_referrals=1
    )
    PractitionerStats.objects.update_or_create(
        practitioner=practitioner,
        defaults=dict(
            reviews_verified=1,
            reviews_unverified=2,
            overall_sum=13,
            communication_verified_sum=5,
            communication_unverified_sum=9,
            communication_unverified_excess=3,
            comfort_verified_sum=4,
            comfort_unverified_sum=6,
            recommend_verified=1,
            recommend_unverified=1,
        ),
    )

    body = api_client.get(url(practitioner.pk)).json()

    assert body["ratings"] == {
        "count": 3,
        "verified_count": 1,
        "overall": 4.33,
        "communication": 4.67,
        "comfort": 3.33,
        "would_recommend_share": 0.67,
    }
    assert body["experience"] == [
        {
            "condition": "sciatica",
            "condition_name": "Sciatica",
            "years": 4,
            "patients_treated": 90,
            "self_reported": True,
            "completed_referrals": 2,
        },
        {
            "condition": "fibromyalgia",
            "condition_name": "Fibromyalgia",
            "years": None,
            "patients_treated": None,
            "self_reported": False,
            "completed_referrals": 1,
        },
    ]


def test_body_has_exactly_the_documented_fields(api_client):
    practitioner = qualified_practitioner()
    ExperienceFactory(practitioner=practitioner)
    LocationFactory(practitioner=practitioner)

    body = api_client.get(url(practitioner.pk)).json()

    def documented(serializer) -> set[str]:
        return set(serializer.fields)

    assert set(body) == documented(DirectoryPractitionerDetailSerializer())
    assert set(body["credentials"][0]) == documented(DirectoryCredentialSerializer())
    assert set(body["experience"][0]) == documented(DirectoryExperienceSerializer())
    assert set(body["locations"][0]) == documented(DirectoryLocationSerializer())
    assert set(body["ratings"]) == documented(DirectoryRatingsSerializer())
