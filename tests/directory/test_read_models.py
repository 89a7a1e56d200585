"""directory.read_models: what the public sees of a credential and of the ratings, shaped
once for the directory API and the profile page."""

from datetime import date, timedelta

import pytest
from django.utils import timezone

from directory.read_models import (
    PUBLIC_CREDENTIAL_FIELDS,
    PublicCredential,
    practitioner_ratings,
    public_credential,
)
from directory.selectors.practitioners import practitioner_get
from directory.serializers.directory import DirectoryCredentialSerializer
from directory.services.reviews import review_submit
from tests.factories import CredentialFactory, UserFactory, qualified_practitioner

pytestmark = pytest.mark.django_db

TODAY = date(2030, 6, 1)


def test_a_verified_credential_shows_its_facts_status_and_verification_time():
    credential = CredentialFactory(
        verified=True, number="PT-1", issued_on=date(2020, 1, 2), expires_on=date(2031, 1, 1)
    )

    assert public_credential(credential, today=TODAY) == PublicCredential(
        id=credential.pk,
        kind="license",
        issuer="College of Physical Therapists of British Columbia",
        number="PT-1",
        profession="physiotherapist",
        jurisdiction="CA-BC",
        needling_authorized=True,
        title="",
        issued_on=date(2020, 1, 2),
        expires_on=date(2031, 1, 1),
        status="verified",
        verified_at=credential.reviewed_at,
    )


def test_a_verified_credential_past_its_expiry_reads_expired_and_keeps_its_time():
    credential = CredentialFactory(verified=True, expires_on=TODAY - timedelta(days=1))

    public = public_credential(credential, today=TODAY)

    assert (public.status, public.verified_at) == ("expired", credential.reviewed_at)


@pytest.mark.parametrize("trait", ["pending", "rejected"])
def test_an_unverified_credential_has_no_verification_time(trait):
    # A rejection is reviewed too: its reviewed_at is no verification time.
    credential = CredentialFactory(rejected=trait == "rejected")

    public = public_credential(credential, today=timezone.localdate())

    assert (public.status, public.verified_at) == (trait, None)


def test_the_public_fields_are_the_documented_ones_and_never_the_private_ones():
    assert list(PUBLIC_CREDENTIAL_FIELDS) == list(DirectoryCredentialSerializer().fields)
    for private in ("note", "evidence", "evidence_content_type", "reviewed_by", "owner"):
        assert private not in PUBLIC_CREDENTIAL_FIELDS


def test_ratings_without_reviews_are_a_count_of_zero_and_no_averages():
    practitioner = practitioner_get(practitioner_id=qualified_practitioner().pk)

    assert practitioner_ratings(practitioner) == {
        "overall": None,
        "communication": None,
        "comfort": None,
        "would_recommend_share": None,
        "count": 0,
        "verified_count": 0,
    }


def test_ratings_average_the_live_reviews():
    practitioner = qualified_practitioner()
    for overall, recommend in ((5, True), (2, False), (4, True)):
        review_submit(
            author=UserFactory(),
            practitioner=practitioner,
            overall=overall,
            communication=3,
            comfort=4,
            would_recommend=recommend,
        )
    practitioner = practitioner_get(practitioner_id=practitioner.pk, today=timezone.localdate())

    assert practitioner_ratings(practitioner) == {
        "count": 3,
        "verified_count": 0,
        "overall": 3.67,
        "communication": 3.0,
        "comfort": 4.0,
        "would_recommend_share": 0.67,
    }
