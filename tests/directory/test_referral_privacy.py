"""GET /api/v1/referrals/ and /referrals/{id}/: only the two parties and moderators see a
referral; every moderator read is audited; neither the audit log nor the logs ever hold
the referral's content (SPEC §3)."""

import logging

import pytest
from django.utils import timezone

from directory.models import ReferralAuditLog, ReferralStatus
from tests.conftest import client_for
from tests.directory.test_referrals import (
    REFERRALS,
    ReferralFactory,
    iso,
    referral_body,
    verified_physician,
)
from tests.factories import (
    ModeratorFactory,
    PractitionerFactory,
    UserFactory,
    qualified_practitioner,
)

pytestmark = pytest.mark.django_db

NOT_FOUND = {"detail": "No referral you may see has this id."}
# Distinctive, so that a leak anywhere is found by a plain substring search.
REASON = "Zorblatt tendon pain since the marathon, worse at night"
PATIENT_REFERENCE = "QX-7731.zeta"


@pytest.fixture
def physician():
    return verified_physician()


# --- list ------------------------------------------------------------------------------


def test_physician_lists_what_they_sent_newest_first(physician, practitioner):
    older = ReferralFactory(physician=physician, practitioner=practitioner)
    newer = ReferralFactory(physician=physician, status=ReferralStatus.ACCEPTED)
    ReferralFactory(practitioner=practitioner)  # another physician's

    response = client_for(physician.user).get(REFERRALS)

    assert response.status_code == 200
    assert response.json() == {
        "count": 2,
        "next": None,
        "previous": None,
        "results": [
            referral_body(newer, allowed_actions=[]),
            referral_body(older, allowed_actions=["cancel"]),
        ],
    }


def test_practitioner_lists_what_they_received(physician, practitioner):
    sent = ReferralFactory(practitioner=practitioner)
    accepted = ReferralFactory(
        physician=physician, practitioner=practitioner, status=ReferralStatus.ACCEPTED
    )
    ReferralFactory(physician=physician)  # to another practitioner

    response = client_for(practitioner.user).get(REFERRALS)

    assert response.status_code == 200
    assert response.json()["results"] == [
        referral_body(accepted, allowed_actions=["complete"]),
        referral_body(sent, allowed_actions=["accept", "decline"]),
    ]
    assert response.json()["count"] == 2


def test_moderator_lists_every_referral_and_each_row_shown_is_audited():
    moderator = ModeratorFactory()
    first, second, third = ReferralFactory.create_batch(3)

    response = client_for(moderator).get(REFERRALS, {"page_size": 2})

    assert response.status_code == 200
    assert response.json()["count"] == 3
    assert response.json()["results"] == [
        referral_body(third, allowed_actions=[]),
        referral_body(second, allowed_actions=[]),
    ]
    assert sorted(ReferralAuditLog.objects.values_list("actor", "referral", "action")) == [
        (moderator.pk, second.pk, "list"),
        (moderator.pk, third.pk, "list"),
    ]


def test_party_lists_are_not_audited(physician, practitioner):
    ReferralFactory(physician=physician, practitioner=practitioner)

    client_for(physician.user).get(REFERRALS)
    client_for(practitioner.user).get(REFERRALS)

    assert not ReferralAuditLog.objects.exists()


def test_patient_has_no_referral_list():
    ReferralFactory()

    response = client_for(UserFactory()).get(REFERRALS)

    assert response.status_code == 403
    assert response.json() == {
        "detail": "Referrals are shown to the physicians and practitioners they concern only."
    }


def test_anonymous_cannot_list(api_client):
    response = api_client.get(REFERRALS)

    assert response.status_code == 401
    assert response.json() == {"detail": "Authentication credentials were not provided."}


def test_status_filter(physician):
    sent = ReferralFactory(physician=physician)
    ReferralFactory(physician=physician, status=ReferralStatus.DECLINED)

    response = client_for(physician.user).get(REFERRALS, {"status": "sent"})

    assert response.status_code == 200
    assert [row["id"] for row in response.json()["results"]] == [sent.pk]


@pytest.mark.parametrize("value", ["open", "sent\x00", "SENT"])
def test_invalid_status_filter_lists_the_choices(physician, value):
    response = client_for(physician.user).get(REFERRALS, {"status": value})

    assert response.status_code == 400
    assert response.json() == {
        "status": [
            f'"{value}" is not a referral status; allowed: sent, accepted, declined, '
            "completed, cancelled."
        ]
    }


@pytest.mark.parametrize("rows", [2, 20])
def test_party_list_costs_two_queries_whatever_the_rows(
    physician, practitioner, rows, django_assert_num_queries
):
    ReferralFactory.create_batch(rows, physician=physician, practitioner=practitioner)

    for user in (physician.user, practitioner.user):
        client = client_for(user)
        with django_assert_num_queries(2):  # count, page
            response = client.get(REFERRALS)
        assert len(response.json()["results"]) == rows


@pytest.mark.parametrize("rows", [2, 20])
def test_moderator_list_costs_three_queries_whatever_the_rows(rows, django_assert_num_queries):
    moderator = ModeratorFactory()
    ReferralFactory.create_batch(rows)
    client = client_for(moderator)

    with django_assert_num_queries(3):  # count, page, one audit INSERT
        response = client.get(REFERRALS)

    assert len(response.json()["results"]) == rows
    assert ReferralAuditLog.objects.count() == rows


# --- detail ----------------------------------------------------------------------------


def test_each_party_reads_the_referral_with_their_own_actions(physician, practitioner):
    referral = ReferralFactory(physician=physician, practitioner=practitioner)

    as_physician = client_for(physician.user).get(f"{REFERRALS}{referral.pk}/")
    as_practitioner = client_for(practitioner.user).get(f"{REFERRALS}{referral.pk}/")

    assert as_physician.status_code == as_practitioner.status_code == 200
    assert as_physician.json() == referral_body(referral, allowed_actions=["cancel"])
    assert as_practitioner.json() == referral_body(referral, allowed_actions=["accept", "decline"])
    assert not ReferralAuditLog.objects.exists()


def test_completed_referral_shows_its_outcome(physician):
    referral = ReferralFactory(physician=physician, completed=True)

    response = client_for(physician.user).get(f"{REFERRALS}{referral.pk}/")

    assert response.status_code == 200
    body = response.json()
    assert body == referral_body(referral, allowed_actions=[])
    assert (body["outcome"], body["completed_at"]) == ("improved", iso(referral.completed_at))


# --- privacy and audit ---------------------------------------------------------------


@pytest.fixture
def referral():
    return ReferralFactory(
        physician=verified_physician(),
        reason=REASON,
        patient_reference=PATIENT_REFERENCE,
    )


@pytest.mark.parametrize(
    "make_outsider",
    [
        lambda: verified_physician().user,
        lambda: PractitionerFactory().user,
        UserFactory,
    ],
    ids=["other_physician", "unrelated_practitioner", "patient"],
)
def test_outsider_cannot_read_it_and_cannot_tell_it_exists(referral, make_outsider):
    client = client_for(make_outsider())

    hidden = client.get(f"{REFERRALS}{referral.pk}/")
    missing = client.get(f"{REFERRALS}{referral.pk + 1000}/")

    assert hidden.status_code == missing.status_code == 404
    assert hidden.json() == missing.json() == NOT_FOUND
    assert not ReferralAuditLog.objects.exists()


@pytest.mark.parametrize(
    "make_outsider",
    [lambda: verified_physician().user, lambda: PractitionerFactory().user],
    ids=["other_physician", "unrelated_practitioner"],
)
def test_outsider_does_not_see_it_listed(referral, make_outsider):
    response = client_for(make_outsider()).get(REFERRALS)

    assert response.status_code == 200
    assert response.json() == {"count": 0, "next": None, "previous": None, "results": []}


def test_moderator_read_is_audited_each_time(referral):
    moderator = ModeratorFactory()
    client = client_for(moderator)
    start = timezone.now()

    responses = [client.get(f"{REFERRALS}{referral.pk}/") for _ in range(2)]

    assert [r.status_code for r in responses] == [200, 200]
    assert responses[0].json() == referral_body(referral, allowed_actions=[])
    rows = list(ReferralAuditLog.objects.values("actor", "referral", "action", "at"))
    assert [(row["actor"], row["referral"], row["action"]) for row in rows] == [
        (moderator.pk, referral.pk, "read"),
        (moderator.pk, referral.pk, "read"),
    ]
    assert all(start <= row["at"] <= timezone.now() for row in rows)


def test_moderator_cannot_act_on_a_referral_and_that_is_not_a_read(referral):
    response = client_for(ModeratorFactory()).post(f"{REFERRALS}{referral.pk}/accept/")

    assert response.status_code == 403
    referral.refresh_from_db()
    assert referral.status == ReferralStatus.SENT
    assert not ReferralAuditLog.objects.exists()


def test_parties_reads_are_not_audited(referral):
    for user in (referral.physician.user, referral.practitioner.user):
        assert client_for(user).get(f"{REFERRALS}{referral.pk}/").status_code == 200

    assert not ReferralAuditLog.objects.exists()


def test_audit_log_holds_no_referral_content(referral):
    moderator = ModeratorFactory()
    client = client_for(moderator)
    client.get(f"{REFERRALS}{referral.pk}/")
    client.get(REFERRALS)

    rows = list(ReferralAuditLog.objects.values())
    assert sorted((row["actor_id"], row["referral_id"], row["action"]) for row in rows) == [
        (moderator.pk, referral.pk, "list"),
        (moderator.pk, referral.pk, "read"),
    ]
    for row in rows:
        for value in row.values():
            assert REASON not in str(value)
            assert PATIENT_REFERENCE not in str(value)
    # No column could hold it either.
    assert [f.name for f in ReferralAuditLog._meta.concrete_fields] == [
        "id",
        "actor",
        "referral",
        "action",
        "at",
    ]


@pytest.fixture
def all_logs(caplog):
    """Every logger at DEBUG, including those that do not propagate to the root."""
    caplog.set_level(logging.DEBUG)
    names = list(logging.root.manager.loggerDict)
    for name in names:
        caplog.set_level(logging.DEBUG, logger=name)
    silent = [
        logger
        for logger in map(logging.getLogger, names)
        if not logger.propagate and caplog.handler not in logger.handlers
    ]
    for logger in silent:
        logger.addHandler(caplog.handler)
    yield caplog
    for logger in silent:
        logger.removeHandler(caplog.handler)


def test_referral_content_never_reaches_the_logs(all_logs):
    physician = verified_physician()
    practitioner = qualified_practitioner()
    body = {
        "practitioner": practitioner.pk,
        "condition": "sciatica",
        "reason": REASON,
        "patient_reference": PATIENT_REFERENCE,
    }
    sender = client_for(physician.user)
    receiver = client_for(practitioner.user)
    moderator = client_for(ModeratorFactory())

    created = sender.post(REFERRALS, body, format="json")
    url = f"{REFERRALS}{created.json()['id']}"
    statuses = [
        created.status_code,
        sender.post(REFERRALS, body, format="json").status_code,  # double submit
        sender.post(REFERRALS, {**body, "status": "sent"}, format="json").status_code,
        receiver.get(f"{url}/").status_code,
        moderator.get(f"{url}/").status_code,
        moderator.get(REFERRALS).status_code,
        receiver.post(f"{url}/accept/").status_code,
        receiver.post(f"{url}/complete/", {"outcome": "improved"}, format="json").status_code,
        receiver.post(f"{url}/complete/", {"outcome": "improved"}, format="json").status_code,
    ]

    assert statuses == [201, 409, 400, 200, 200, 200, 200, 200, 409]
    # The capture works: Django's request logger reported the refused requests (by path).
    assert any(record.name == "django.request" for record in all_logs.records)
    for record in all_logs.records:
        text = f"{record.getMessage()} {record.args!r} {record.__dict__!r}"
        assert REASON not in text
        assert PATIENT_REFERENCE not in text
    assert REASON not in all_logs.text
    assert PATIENT_REFERENCE not in all_logs.text
