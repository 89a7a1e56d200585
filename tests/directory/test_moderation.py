"""/api/v1/moderation/credentials/: the queue, its filter, verify and reject."""

from datetime import date, timedelta

import pytest
from django.core.exceptions import ValidationError
from django.utils import timezone
from rest_framework import serializers

from directory.exceptions import Conflict
from directory.models import Credential, CredentialKind, CredentialStatus
from directory.rules import credential_status, credential_status_expression
from directory.services.credentials import credential_reject, credential_verify
from tests.conftest import client_for
from tests.factories import CredentialFactory, ModeratorFactory, PractitionerFactory

pytestmark = pytest.mark.django_db

LIST_URL = "/api/v1/moderation/credentials/"
YESTERDAY = date.today() - timedelta(days=1)


def verify_url(credential_id: int) -> str:
    return f"{LIST_URL}{credential_id}/verify/"


def reject_url(credential_id: int) -> str:
    return f"{LIST_URL}{credential_id}/reject/"


def iso(moment) -> str:
    return serializers.DateTimeField().to_representation(moment)


def item(credential: Credential, **fields) -> dict:
    """The whole moderation item for a licence made by CredentialFactory."""
    owner = credential.owner
    return {
        "id": credential.pk,
        "kind": "license",
        "issuer": credential.issuer,
        "number": credential.number,
        "issued_on": "2015-01-01",
        "expires_on": credential.expires_on.isoformat(),
        "profession": "physiotherapist",
        "jurisdiction": "CA-BC",
        "needling_authorized": True,
        "title": "",
        "evidence": None,
        "status": "pending",
        "verified_at": None,
        "note": "",
        "owner": {"id": owner.pk, "name": owner.name, "email": owner.email, "role": owner.role},
        "submitted_at": iso(credential.created_at),
    } | fields


# --- The queue ---------------------------------------------------------------------------


def test_queue_lists_every_live_credential_oldest_first(moderator):
    older = CredentialFactory()
    newer = CredentialFactory(verified=True)
    CredentialFactory(withdrawn_at=timezone.now())
    Credential.objects.filter(pk=older.pk).update(created_at=timezone.now() - timedelta(days=3))
    older.refresh_from_db()

    response = client_for(moderator).get(LIST_URL)

    assert response.status_code == 200
    assert response.json() == {
        "count": 2,
        "next": None,
        "previous": None,
        "results": [
            item(older),
            item(newer, status="verified", verified_at=iso(newer.reviewed_at)),
        ],
    }


@pytest.fixture
def one_of_each() -> dict[str, Credential]:
    return {
        "pending": CredentialFactory(),
        "verified": CredentialFactory(verified=True),
        "rejected": CredentialFactory(rejected=True),
        "expired": CredentialFactory(verified=True, expires_on=YESTERDAY),
    }


@pytest.mark.parametrize("status", ["pending", "verified", "rejected", "expired"])
def test_status_filter_returns_matches_only(moderator, one_of_each, status):
    response = client_for(moderator).get(LIST_URL, {"status": status})

    assert response.status_code == 200
    assert [row["id"] for row in response.json()["results"]] == [one_of_each[status].pk]
    assert {row["status"] for row in response.json()["results"]} == {status}


def test_invalid_status_is_400_listing_the_choices(moderator):
    response = client_for(moderator).get(LIST_URL, {"status": "approved"})

    assert response.status_code == 400
    assert response.json() == {
        "status": [
            '"approved" is not a credential status; allowed: pending, verified, rejected, expired.'
        ]
    }


def test_nul_byte_in_status_is_400(moderator):
    assert client_for(moderator).get(LIST_URL, {"status": "pending\x00"}).status_code == 400


def test_queue_query_count_does_not_grow_with_rows(moderator, django_assert_num_queries):
    client = client_for(moderator)
    CredentialFactory()
    with django_assert_num_queries(2):  # count + page with owners joined
        assert len(client.get(LIST_URL, {"status": "pending"}).json()["results"]) == 1
    CredentialFactory.create_batch(6, evidence="evidence/x.pdf")
    with django_assert_num_queries(2):
        assert len(client.get(LIST_URL, {"status": "pending"}).json()["results"]) == 7


@pytest.mark.parametrize("kind", CredentialKind.values)
@pytest.mark.parametrize("stored", CredentialStatus.values)
@pytest.mark.parametrize("expires_in_days", [None, -1, 0, 30])
def test_status_filter_agrees_with_the_rule(kind, stored, expires_in_days):
    """The SQL behind ?status= must say what rules.credential_status says, row by row."""
    today = date.today()
    expires_on = None if expires_in_days is None else today + timedelta(days=expires_in_days)
    reviewed = {} if stored == "pending" else {stored: True}
    credential = CredentialFactory(kind=kind, expires_on=expires_on, **reviewed)

    in_sql = (
        Credential.objects.annotate(shown=credential_status_expression(today=today))
        .values_list("shown", flat=True)
        .get(pk=credential.pk)
    )

    assert in_sql == credential_status(credential, today=today)


# --- Verify and reject -------------------------------------------------------------------


def test_moderator_verifies_a_pending_credential(moderator):
    credential = CredentialFactory()

    response = client_for(moderator).post(
        verify_url(credential.pk), {"note": "On the register."}, format="json"
    )

    assert response.status_code == 200, response.data
    credential.refresh_from_db()
    assert response.json() == item(
        credential,
        status="verified",
        verified_at=iso(credential.reviewed_at),
        note="On the register.",
    )
    assert credential.status == CredentialStatus.VERIFIED
    assert credential.reviewed_by == moderator
    assert timezone.now() - credential.reviewed_at < timedelta(minutes=1)


def test_verify_without_a_body_is_fine(moderator):
    credential = CredentialFactory(rejected=True)

    response = client_for(moderator).post(verify_url(credential.pk))

    assert response.status_code == 200
    credential.refresh_from_db()
    assert (credential.status, credential.note, credential.reviewed_by) == (
        "verified",
        "",
        moderator,
    )


def test_moderator_rejects_with_a_note(moderator):
    credential = CredentialFactory(verified=True)

    response = client_for(moderator).post(
        reject_url(credential.pk), {"note": "Number not on the register."}, format="json"
    )

    assert response.status_code == 200
    credential.refresh_from_db()
    assert response.json() == item(
        credential, status="rejected", note="Number not on the register."
    )
    assert (credential.status, credential.reviewed_by) == ("rejected", moderator)


@pytest.mark.parametrize("body", [{}, {"note": ""}, {"note": "   "}])
def test_reject_needs_a_note(moderator, body):
    credential = CredentialFactory()

    response = client_for(moderator).post(reject_url(credential.pk), body, format="json")

    assert response.status_code == 400
    assert response.json() == {"note": ["A rejection needs a note telling the owner why."]}
    credential.refresh_from_db()
    assert credential.status == CredentialStatus.PENDING


@pytest.mark.parametrize(
    ("trait", "url", "message"),
    [
        (
            "verified",
            verify_url,
            "This credential is verified; only a pending or rejected credential can be verified.",
        ),
        (
            "rejected",
            reject_url,
            "This credential is rejected; only a pending or verified credential can be rejected.",
        ),
    ],
)
def test_disallowed_transition_is_409(moderator, trait, url, message):
    credential = CredentialFactory(**{trait: True})
    before = (credential.reviewed_by_id, credential.reviewed_at, credential.note)

    response = client_for(moderator).post(url(credential.pk), {"note": "again"}, format="json")

    assert response.status_code == 409
    assert response.json() == {"detail": message}
    credential.refresh_from_db()
    assert (credential.reviewed_by_id, credential.reviewed_at, credential.note) == before


@pytest.mark.parametrize("url", [verify_url, reject_url])
def test_unknown_body_field_is_400(moderator, url):
    credential = CredentialFactory()

    response = client_for(moderator).post(
        url(credential.pk), {"note": "ok", "status": "verified"}, format="json"
    )

    assert response.status_code == 400
    assert response.json() == {"status": ["Unknown field. Allowed fields: note."]}
    credential.refresh_from_db()
    assert credential.status == CredentialStatus.PENDING


@pytest.mark.parametrize("url", [verify_url, reject_url])
def test_unknown_or_withdrawn_credential_is_404(moderator, url):
    withdrawn = CredentialFactory(withdrawn_at=timezone.now())
    client = client_for(moderator)

    assert client.post(url(999999), {"note": "x"}, format="json").status_code == 404
    assert client.post(url(withdrawn.pk), {"note": "x"}, format="json").status_code == 404


def test_services_refuse_a_withdrawn_credential(moderator):
    credential = CredentialFactory(withdrawn_at=timezone.now())

    with pytest.raises(Conflict, match="withdrawn"):
        credential_verify(credential=credential, moderator=moderator)


def test_reject_service_needs_a_note_whoever_calls_it(moderator):
    credential = CredentialFactory()

    with pytest.raises(ValidationError):
        credential_reject(credential=credential, moderator=moderator, note=" ")
    credential.refresh_from_db()
    assert credential.status == CredentialStatus.PENDING


# --- Permissions -------------------------------------------------------------------------


def _calls(credential_id: int) -> list[tuple[str, str]]:
    return [
        ("get", LIST_URL),
        ("post", verify_url(credential_id)),
        ("post", reject_url(credential_id)),
    ]


def _call(client, method: str, url: str):
    if method == "get":
        return client.get(url)
    return client.post(url, {"note": "Checked against the register."}, format="json")


@pytest.mark.parametrize("who", ["owner", "other practitioner"])
def test_non_staff_get_403(practitioner, who):
    credential = CredentialFactory(owner=practitioner.user)
    user = practitioner.user if who == "owner" else PractitionerFactory().user

    for method, url in _calls(credential.pk):
        response = _call(client_for(user), method, url)
        assert response.status_code == 403, url
        assert response.json() == {"detail": "Only moderators (staff) may do this."}
    credential.refresh_from_db()
    assert credential.status == CredentialStatus.PENDING


def test_anonymous_gets_401(api_client):
    credential = CredentialFactory()

    for method, url in _calls(credential.pk):
        assert _call(api_client, method, url).status_code == 401, url
    credential.refresh_from_db()
    assert credential.status == CredentialStatus.PENDING


def test_moderator_may_use_every_endpoint():
    credential = CredentialFactory()
    client = client_for(ModeratorFactory())

    codes = [_call(client, method, url).status_code for method, url in _calls(credential.pk)]

    assert codes == [200, 200, 200]  # listed, verified, then rejected
    credential.refresh_from_db()
    assert credential.status == CredentialStatus.REJECTED
