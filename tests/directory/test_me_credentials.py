"""/api/v1/me/credentials/: the owner's credentials, per-kind rules, the review reset."""

from datetime import date, datetime, timedelta

import pytest
from django.utils import timezone
from rest_framework import serializers

from directory.models import Credential, CredentialStatus, PractitionerProfile
from directory.rules import qualified_q
from tests.conftest import client_for
from tests.factories import CredentialFactory, PhysicianFactory, PractitionerFactory

pytestmark = pytest.mark.django_db

LIST_URL = "/api/v1/me/credentials/"
TODAY = date.today()
NEXT_YEAR = TODAY + timedelta(days=365)

LICENCE = {
    "kind": "license",
    "issuer": "College of Physical Therapists of British Columbia",
    "number": "PT01234",
    "issued_on": "2015-03-01",
    "expires_on": NEXT_YEAR.isoformat(),
    "profession": "physiotherapist",
    "jurisdiction": "ca-bc",
    "needling_authorized": True,
}
IMS = {
    "kind": "ims_certification",
    "issuer": "Institute for the Study and Treatment of Pain (iSTOP)",
    "issued_on": "2012-06-15",
}
TRAINING = {
    "kind": "training",
    "issuer": "Canadian Physiotherapy Association",
    "title": "Advanced needling course",
    "issued_on": "2019-09-01",
}


def iso(moment: datetime) -> str:
    return serializers.DateTimeField().to_representation(moment)


def detail_url(credential_id: int) -> str:
    return f"{LIST_URL}{credential_id}/"


def shown(credential_id: int, **fields) -> dict:
    """A whole response body: the fields given, every other one at its empty value."""
    return {
        "id": credential_id,
        "kind": None,
        "issuer": "",
        "number": "",
        "issued_on": None,
        "expires_on": None,
        "profession": "",
        "jurisdiction": "",
        "needling_authorized": False,
        "title": "",
        "evidence": None,
        "status": "pending",
        "verified_at": None,
        "note": "",
    } | fields


# --- Create, read, update, withdraw ----------------------------------------------------


def test_practitioner_adds_a_licence_with_upper_cased_jurisdiction(practitioner):
    response = client_for(practitioner.user).post(LIST_URL, LICENCE, format="json")

    assert response.status_code == 201, response.data
    credential = Credential.objects.get()
    assert response.json() == shown(credential.pk, **LICENCE | {"jurisdiction": "CA-BC"})
    assert credential.owner == practitioner.user
    assert credential.jurisdiction == "CA-BC"
    assert credential.status == CredentialStatus.PENDING
    assert credential.reviewed_by is None


def test_practitioner_adds_an_ims_certification(practitioner):
    response = client_for(practitioner.user).post(LIST_URL, IMS, format="json")

    assert response.status_code == 201, response.data
    credential = Credential.objects.get()
    assert response.json() == shown(credential.pk, **IMS)
    assert (credential.kind, credential.issued_on) == ("ims_certification", date(2012, 6, 15))
    assert credential.owner == practitioner.user


def test_practitioner_adds_a_training_credential(practitioner):
    response = client_for(practitioner.user).post(LIST_URL, TRAINING, format="json")

    assert response.status_code == 201, response.data
    credential = Credential.objects.get()
    assert response.json() == shown(credential.pk, **TRAINING)
    assert credential.title == "Advanced needling course"


def test_physician_adds_a_licence():
    physician = PhysicianFactory()
    payload = LICENCE | {"profession": "physician", "issuer": "CPSBC", "number": "MD123"}

    response = client_for(physician.user).post(LIST_URL, payload, format="json")

    assert response.status_code == 201, response.data
    assert Credential.objects.get().owner == physician.user


def test_list_shows_own_credentials_oldest_first_without_withdrawn(practitioner):
    first = CredentialFactory(owner=practitioner.user, verified=True)
    second = CredentialFactory(owner=practitioner.user, ims=True)
    CredentialFactory(owner=practitioner.user, withdrawn_at=timezone.now())
    CredentialFactory()  # someone else's

    response = client_for(practitioner.user).get(LIST_URL)

    assert response.status_code == 200
    assert response.json() == {
        "count": 2,
        "next": None,
        "previous": None,
        "results": [
            shown(
                first.pk,
                kind="license",
                issuer=first.issuer,
                number=first.number,
                issued_on="2015-01-01",
                expires_on=first.expires_on.isoformat(),
                profession="physiotherapist",
                jurisdiction="CA-BC",
                needling_authorized=True,
                status="verified",
                verified_at=iso(first.reviewed_at),
            ),
            shown(
                second.pk,
                kind="ims_certification",
                issuer=second.issuer,
                number=second.number,
                issued_on="2015-01-01",
            ),
        ],
    }


def test_list_query_count_does_not_grow_with_rows(practitioner, django_assert_num_queries):
    client = client_for(practitioner.user)
    CredentialFactory(owner=practitioner.user)
    with django_assert_num_queries(2):  # count + page
        assert len(client.get(LIST_URL).json()["results"]) == 1
    CredentialFactory.create_batch(5, owner=practitioner.user, ims=True)
    with django_assert_num_queries(2):
        assert len(client.get(LIST_URL).json()["results"]) == 6


def test_list_is_paginated(practitioner):
    CredentialFactory.create_batch(3, owner=practitioner.user, ims=True)

    response = client_for(practitioner.user).get(LIST_URL, {"page_size": 2, "page": 2})

    assert response.status_code == 200
    body = response.json()
    assert (body["count"], len(body["results"]), body["next"]) == (3, 1, None)


def test_owner_reads_one_credential(practitioner):
    credential = CredentialFactory(owner=practitioner.user, training=True)

    response = client_for(practitioner.user).get(detail_url(credential.pk))

    assert response.status_code == 200
    assert response.json() == shown(
        credential.pk,
        kind="training",
        issuer="Canadian Physiotherapy Association",
        number=credential.number,
        issued_on="2015-01-01",
        title="Advanced needling course",
    )


def test_owner_patches_a_pending_credential(practitioner):
    credential = CredentialFactory(owner=practitioner.user)

    response = client_for(practitioner.user).patch(
        detail_url(credential.pk), {"number": "PT99999", "jurisdiction": "ca-on"}, format="json"
    )

    assert response.status_code == 200, response.data
    assert (response.json()["number"], response.json()["jurisdiction"]) == ("PT99999", "CA-ON")
    credential.refresh_from_db()
    assert (credential.number, credential.jurisdiction) == ("PT99999", "CA-ON")
    assert credential.status == CredentialStatus.PENDING


def test_delete_withdraws_the_credential_and_it_vanishes(practitioner):
    licence = CredentialFactory(owner=practitioner.user, verified=True)
    CredentialFactory(owner=practitioner.user, verified=True, ims=True)
    client = client_for(practitioner.user)
    today = timezone.localdate()
    assert PractitionerProfile.objects.filter(qualified_q(today=today)).exists()

    response = client.delete(detail_url(licence.pk))

    assert response.status_code == 204
    licence.refresh_from_db()
    assert licence.withdrawn_at is not None  # kept for the record, not deleted
    assert client.get(detail_url(licence.pk)).status_code == 404
    assert licence.pk not in [row["id"] for row in client.get(LIST_URL).json()["results"]]
    assert not PractitionerProfile.objects.filter(qualified_q(today=today)).exists()


# --- Per-kind validation ---------------------------------------------------------------


@pytest.mark.parametrize(
    ("payload", "errors"),
    [
        (
            {"kind": "license"},
            {
                "issuer": ["Required for a licence."],
                "number": ["Required for a licence."],
                "profession": ["Required for a licence."],
                "jurisdiction": ["Required for a licence."],
                "expires_on": ["Required for a licence."],
            },
        ),
        (
            {"kind": "ims_certification", "issuer": ""},
            {
                "issuer": ["Required for an IMS certification."],
                "issued_on": ["Required for an IMS certification."],
            },
        ),
        (
            {"kind": "training", "issuer": "CPA"},
            {"title": ["Required for a training credential."]},
        ),
        (
            LICENCE | {"title": "Needling course"},
            {"title": ["Only training credentials have this field; this is a licence."]},
        ),
        (
            TRAINING | {"jurisdiction": "CA-BC", "needling_authorized": True},
            {
                "jurisdiction": ["Only licences have this field; this is a training credential."],
                "needling_authorized": [
                    "Only licences have this field; this is a training credential."
                ],
            },
        ),
        (
            IMS | {"profession": "physiotherapist"},
            {"profession": ["Only licences have this field; this is an IMS certification."]},
        ),
        (
            LICENCE | {"jurisdiction": "BC"},
            {
                "jurisdiction": [
                    "Use an ISO 3166-2 code: country, hyphen, region, e.g. CA-BC or US-WA."
                ]
            },
        ),
        (
            LICENCE | {"issued_on": "2020-01-02", "expires_on": "2020-01-01"},
            {"expires_on": ["Must be on or after issued_on (2020-01-02)."]},
        ),
        (
            IMS | {"issued_on": (TODAY + timedelta(days=1)).isoformat()},
            {"issued_on": ["Cannot be in the future."]},
        ),
        (
            IMS | {"issued_on": "1949-12-31"},
            {"issued_on": ["Must be a date from 1950 to 2100."]},
        ),
        (
            LICENCE | {"expires_on": "2101-01-01"},
            {"expires_on": ["Must be a date from 1950 to 2100."]},
        ),
        (
            LICENCE | {"profession": "herbalist"},
            {"profession": ['"herbalist" is not a valid choice.']},
        ),
        (
            {"kind": "diploma", "issuer": "X"},
            {"kind": ['"diploma" is not a valid choice.']},
        ),
        (
            IMS | {"issued_on": "15/06/2012"},
            {"issued_on": ["Date has wrong format. Use one of these formats instead: YYYY-MM-DD."]},
        ),
        (
            IMS | {"issuer": "iSTOP\x00"},
            {"issuer": ["Null characters are not allowed."]},
        ),
    ],
    ids=[
        "licence-requires",
        "ims-requires",
        "training-requires",
        "title-on-licence",
        "licence-fields-on-training",
        "profession-on-ims",
        "bad-jurisdiction",
        "expires-before-issued",
        "issued-in-future",
        "before-1950",
        "after-2100",
        "bad-profession",
        "bad-kind",
        "bad-date-format",
        "nul-byte",
    ],
)
def test_create_rejects_invalid_credential(practitioner, payload, errors):
    response = client_for(practitioner.user).post(LIST_URL, payload, format="json")

    assert response.status_code == 400
    assert response.json() == errors
    assert not Credential.objects.exists()


def test_expired_licence_can_be_recorded_and_reports_expired(practitioner):
    payload = LICENCE | {"issued_on": "2010-01-01", "expires_on": "2020-01-01"}

    response = client_for(practitioner.user).post(LIST_URL, payload, format="json")

    assert response.status_code == 201
    assert response.json()["status"] == "expired"


def test_patch_is_validated_against_the_whole_credential(practitioner):
    credential = CredentialFactory(owner=practitioner.user, ims=True)

    response = client_for(practitioner.user).patch(
        detail_url(credential.pk), {"title": "Course", "issued_on": None}, format="json"
    )

    assert response.status_code == 400
    assert response.json() == {
        "issued_on": ["Required for an IMS certification."],
        "title": ["Only training credentials have this field; this is an IMS certification."],
    }
    credential.refresh_from_db()
    assert (credential.title, credential.issued_on) == ("", date(2015, 1, 1))


def test_kind_cannot_be_changed(practitioner):
    credential = CredentialFactory(owner=practitioner.user)

    response = client_for(practitioner.user).patch(
        detail_url(credential.pk), {"kind": "training"}, format="json"
    )

    assert response.status_code == 400
    assert response.json() == {
        "kind": ["The kind cannot be changed; withdraw this credential and add a new one."]
    }
    credential.refresh_from_db()
    assert credential.kind == "license"


# --- Privileged fields are never written -----------------------------------------------

ALLOWED = (
    "Unknown field. Allowed fields: evidence, expires_on, issued_on, issuer, jurisdiction, "
    "kind, needling_authorized, number, profession, title."
)


@pytest.mark.parametrize(
    ("field", "value"),
    [
        ("status", "verified"),
        ("verified_at", "2024-01-01T00:00:00Z"),
        ("note", "looks fine"),
        ("owner", 1),
        ("reviewed_by", 1),
        ("id", 999),
        ("withdrawn_at", None),
    ],
)
def test_privileged_fields_are_rejected_on_create(practitioner, field, value):
    response = client_for(practitioner.user).post(LIST_URL, IMS | {field: value}, format="json")

    assert response.status_code == 400
    assert response.json() == {field: [ALLOWED]}
    assert not Credential.objects.exists()


def test_patch_cannot_verify_a_credential(practitioner):
    credential = CredentialFactory(owner=practitioner.user)

    response = client_for(practitioner.user).patch(
        detail_url(credential.pk), {"status": "verified", "number": "X1"}, format="json"
    )

    assert response.status_code == 400
    assert response.json() == {"status": [ALLOWED]}
    credential.refresh_from_db()
    assert credential.status == CredentialStatus.PENDING
    assert credential.number != "X1"
    assert credential.reviewed_by is None


# --- A change of substance sends a reviewed credential back to pending ----------------


@pytest.mark.parametrize("trait", ["verified", "rejected"])
def test_editing_a_reviewed_credential_resets_it_to_pending(practitioner, trait):
    credential = CredentialFactory(owner=practitioner.user, **{trait: True})

    response = client_for(practitioner.user).patch(
        detail_url(credential.pk), {"number": "PT77777"}, format="json"
    )

    assert response.status_code == 200
    assert (response.json()["status"], response.json()["verified_at"]) == ("pending", None)
    assert response.json()["note"] == ""
    credential.refresh_from_db()
    assert credential.status == CredentialStatus.PENDING
    assert (credential.reviewed_by, credential.reviewed_at, credential.note) == (None, None, "")
    assert credential.number == "PT77777"


def test_identical_patch_changes_nothing(practitioner):
    credential = CredentialFactory(owner=practitioner.user, verified=True, note="Checked.")
    before = Credential.objects.get(pk=credential.pk)
    same = {
        "kind": "license",
        "issuer": credential.issuer,
        "number": credential.number,
        "issued_on": "2015-01-01",
        "expires_on": credential.expires_on.isoformat(),
        "profession": "physiotherapist",
        "jurisdiction": "ca-bc",  # normalises to the stored value
        "needling_authorized": True,
        "title": "",
    }

    response = client_for(practitioner.user).patch(detail_url(credential.pk), same, format="json")

    assert response.status_code == 200
    assert response.json()["status"] == "verified"
    assert response.json()["verified_at"] == iso(before.reviewed_at)
    credential.refresh_from_db()
    assert credential.status == CredentialStatus.VERIFIED
    assert credential.reviewed_by == before.reviewed_by
    assert credential.updated_at == before.updated_at  # not even saved


def test_editing_a_pending_credential_keeps_it_pending(practitioner):
    credential = CredentialFactory(owner=practitioner.user, ims=True)

    client_for(practitioner.user).patch(
        detail_url(credential.pk), {"issuer": "iSTOP Vancouver"}, format="json"
    )

    credential.refresh_from_db()
    assert (credential.issuer, credential.status) == ("iSTOP Vancouver", "pending")


# --- Expiry -----------------------------------------------------------------------------


def test_expired_licence_reports_expired_even_when_verified_and_is_not_qualified(practitioner):
    licence = CredentialFactory(
        owner=practitioner.user, verified=True, expires_on=TODAY - timedelta(days=1)
    )
    CredentialFactory(owner=practitioner.user, verified=True, ims=True)

    response = client_for(practitioner.user).get(detail_url(licence.pk))

    assert (response.json()["status"], response.json()["verified_at"]) == ("expired", None)
    qualified = PractitionerProfile.objects.filter(qualified_q(today=timezone.localdate()))
    assert not qualified.filter(pk=practitioner.pk).exists()


def test_licence_expiring_today_is_still_verified(practitioner):
    licence = CredentialFactory(owner=practitioner.user, verified=True, expires_on=TODAY)

    response = client_for(practitioner.user).get(detail_url(licence.pk))

    assert response.json()["status"] == "verified"


# --- Permissions ------------------------------------------------------------------------


def _endpoints(credential_id: int) -> list[tuple[str, str, dict | None]]:
    return [
        ("get", LIST_URL, None),
        ("post", LIST_URL, IMS),
        ("get", detail_url(credential_id), None),
        ("patch", detail_url(credential_id), {"issuer": "Changed"}),
        ("delete", detail_url(credential_id), None),
    ]


def _call(client, method: str, url: str, payload: dict | None):
    if payload is None:
        return getattr(client, method)(url)
    return getattr(client, method)(url, payload, format="json")


def test_owner_may_use_every_endpoint(practitioner):
    credential = CredentialFactory(owner=practitioner.user)
    client = client_for(practitioner.user)

    codes = [_call(client, *endpoint).status_code for endpoint in _endpoints(credential.pk)]

    assert codes == [200, 201, 200, 200, 204]


def test_other_practitioner_cannot_see_or_touch_the_credential(practitioner):
    credential = CredentialFactory(owner=practitioner.user)
    client = client_for(PractitionerFactory().user)

    assert client.get(LIST_URL).json()["count"] == 0
    for method, url, payload in _endpoints(credential.pk)[2:]:
        response = _call(client, method, url, payload)
        assert response.status_code == 404, (method, url)
        assert response.json() == {"detail": "No Credential matches the given query."}
    credential.refresh_from_db()
    assert credential.issuer != "Changed"
    assert credential.withdrawn_at is None


def test_anonymous_gets_401_everywhere(api_client, practitioner):
    credential = CredentialFactory(owner=practitioner.user)

    for endpoint in _endpoints(credential.pk):
        response = _call(api_client, *endpoint)
        assert response.status_code == 401, endpoint
        assert response.json() == {"detail": "Authentication credentials were not provided."}


@pytest.mark.parametrize("who", ["moderator", "patient"])
def test_accounts_without_credentials_get_403(request, practitioner, who):
    credential = CredentialFactory(owner=practitioner.user)
    client = client_for(request.getfixturevalue(who))

    for endpoint in _endpoints(credential.pk):
        response = _call(client, *endpoint)
        assert response.status_code == 403, endpoint
        assert response.json() == {
            "detail": "Only practitioner and physician accounts hold credentials."
        }
    assert Credential.objects.count() == 1
