"""Referrals go to listed (active), qualified practitioners only (issue 9): the referral
service refuses anyone else with a message that says why, the API answers 400 with it on
`practitioner`, and nothing is written. (The API's refusal of a deactivated practitioner
is test_referrals.test_deactivated_practitioner_cannot_be_referred_to.)"""

from datetime import timedelta

import pytest
from django.core.exceptions import ValidationError
from django.utils import timezone

from directory.models import Condition, PractitionerProfile, Referral, ReferralAuditLog
from directory.services.credentials import credential_withdraw
from directory.services.referrals import (
    INACTIVE_MESSAGE,
    NOT_QUALIFIED_MESSAGE,
    referral_create,
    referral_recipient_refusal,
)
from tests.conftest import client_for
from tests.directory.test_referrals import REASON, REFERRALS, payload, verified_physician
from tests.factories import CredentialFactory, PractitionerFactory, qualified_practitioner

pytestmark = pytest.mark.django_db


def _nothing(practitioner: PractitionerProfile) -> None:
    pass


def _pending_ims(practitioner: PractitionerProfile) -> None:
    # The case: the profile says "Not verified", yet "Referral sent" followed.
    CredentialFactory(owner=practitioner.user, verified=True)
    CredentialFactory(owner=practitioner.user, ims=True)


def _licence_only(practitioner: PractitionerProfile) -> None:
    CredentialFactory(owner=practitioner.user, verified=True)


def _rejected_licence(practitioner: PractitionerProfile) -> None:
    CredentialFactory(owner=practitioner.user, rejected=True)
    CredentialFactory(owner=practitioner.user, verified=True, ims=True)


def _expired_licence(practitioner: PractitionerProfile) -> None:
    yesterday = timezone.localdate() - timedelta(days=1)
    CredentialFactory(owner=practitioner.user, verified=True, expires_on=yesterday)
    CredentialFactory(owner=practitioner.user, verified=True, ims=True)


def _withdrawn_ims(practitioner: PractitionerProfile) -> None:
    CredentialFactory(owner=practitioner.user, verified=True)
    CredentialFactory(owner=practitioner.user, verified=True, ims=True, withdrawn_at=timezone.now())


FALLING_SHORT = [
    _nothing,
    _pending_ims,
    _licence_only,
    _rejected_licence,
    _expired_licence,
    _withdrawn_ims,
]


def unqualified_practitioner(give_credentials) -> PractitionerProfile:
    practitioner = PractitionerFactory(user__name="Sam Okafor")
    give_credentials(practitioner)
    return practitioner


def deactivated(practitioner: PractitionerProfile, what: str) -> PractitionerProfile:
    if what == "profile":
        practitioner.is_active = False
        practitioner.save()
    else:
        practitioner.user.is_active = False
        practitioner.user.save()
    return practitioner


def not_qualified(practitioner: PractitionerProfile) -> str:
    return NOT_QUALIFIED_MESSAGE.format(pk=practitioner.pk)


def test_the_messages_say_why():
    assert not_qualified(PractitionerProfile(pk=7)) == (
        "Practitioner 7 is not accepting referrals: their licence or IMS certification is "
        "not verified or not current. Referrals go to qualified practitioners only."
    )
    assert INACTIVE_MESSAGE.format(pk=7) == (
        "Practitioner 7 is no longer active; referrals go to active practitioners only."
    )


# --- the service -------------------------------------------------------------------------


def _create(practitioner: PractitionerProfile) -> Referral:
    return referral_create(
        physician=verified_physician(),
        practitioner=practitioner,
        condition=Condition.objects.get(slug="sciatica"),
        reason=REASON,
        patient_reference="MC-17",
    )


@pytest.mark.parametrize("give_credentials", FALLING_SHORT)
def test_service_refuses_an_unqualified_practitioner_and_writes_nothing(give_credentials):
    practitioner = unqualified_practitioner(give_credentials)

    with pytest.raises(ValidationError) as refused:
        _create(practitioner)

    assert refused.value.message_dict == {"practitioner": [not_qualified(practitioner)]}
    assert not Referral.objects.exists()


@pytest.mark.parametrize("what", ["profile", "account"])
def test_service_refuses_a_deactivated_practitioner_even_a_qualified_one(what):
    practitioner = deactivated(qualified_practitioner(), what)

    with pytest.raises(ValidationError) as refused:
        _create(practitioner)

    assert refused.value.message_dict == {
        "practitioner": [INACTIVE_MESSAGE.format(pk=practitioner.pk)]
    }
    assert not Referral.objects.exists()


def test_a_deactivated_unqualified_practitioner_hears_that_they_left():
    practitioner = deactivated(PractitionerFactory(), "profile")

    assert referral_recipient_refusal(
        practitioner_id=practitioner.pk, today=timezone.localdate()
    ) == INACTIVE_MESSAGE.format(pk=practitioner.pk)


def test_service_sends_to_a_qualified_practitioner():
    practitioner = qualified_practitioner()

    referral = _create(practitioner)

    today = timezone.localdate()
    assert referral_recipient_refusal(practitioner_id=practitioner.pk, today=today) is None
    assert Referral.objects.get() == referral
    assert referral.practitioner == practitioner


def test_the_rule_is_read_on_the_day_of_the_referral():
    practitioner = PractitionerFactory()
    expires = timezone.localdate() + timedelta(days=10)
    CredentialFactory(owner=practitioner.user, verified=True, expires_on=expires)
    CredentialFactory(owner=practitioner.user, verified=True, ims=True)

    on_expiry = referral_recipient_refusal(practitioner_id=practitioner.pk, today=expires)
    after = referral_recipient_refusal(
        practitioner_id=practitioner.pk, today=expires + timedelta(days=1)
    )

    assert (on_expiry, after) == (None, not_qualified(practitioner))


# --- the API -----------------------------------------------------------------------------


@pytest.mark.parametrize("give_credentials", FALLING_SHORT)
def test_api_refuses_an_unqualified_practitioner_with_400(give_credentials):
    practitioner = unqualified_practitioner(give_credentials)
    physician = verified_physician()

    response = client_for(physician.user).post(REFERRALS, payload(practitioner), format="json")

    assert response.status_code == 400
    assert response.json() == {"practitioner": [not_qualified(practitioner)]}
    assert not Referral.objects.exists()
    assert not ReferralAuditLog.objects.exists()


def test_api_refuses_once_the_ims_certification_is_withdrawn():
    practitioner = qualified_practitioner()
    physician = verified_physician()
    client = client_for(physician.user)
    sent = client.post(REFERRALS, payload(practitioner, patient_reference="P1"), format="json")
    credential_withdraw(credential=practitioner.user.credentials.get(kind="ims_certification"))

    refused = client.post(REFERRALS, payload(practitioner, patient_reference="P2"), format="json")

    assert (sent.status_code, refused.status_code) == (201, 400)
    assert refused.json() == {"practitioner": [not_qualified(practitioner)]}
    assert list(Referral.objects.values_list("patient_reference", flat=True)) == ["P1"]
