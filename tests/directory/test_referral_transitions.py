"""POST /api/v1/referrals/{id}/accept|decline|complete|cancel/: the status machine, who
may move it, and the practitioner figures a completion updates."""

import pytest
from django.core.exceptions import PermissionDenied
from django.db import connection

from directory.exceptions import Conflict
from directory.models import (
    Condition,
    ConditionReferralStats,
    PractitionerStats,
    Referral,
    ReferralStatus,
)
from directory.services import referrals as referral_services
from directory.services.stats import (
    STAT_FIELDS,
    blank_figures,
    expected_stats,
    stored_condition_stats,
    stored_stats,
)
from tests.concurrency import run_at_once
from tests.conftest import client_for
from tests.directory.test_referrals import (
    REFERRALS,
    ReferralFactory,
    assert_stats_consistent,
    referral_body,
    referral_with_status,
    verified_physician,
)
from tests.factories import (
    ModeratorFactory,
    PractitionerFactory,
    UserFactory,
    qualified_practitioner,
)

pytestmark = pytest.mark.django_db

SENT, ACCEPTED, DECLINED, COMPLETED, CANCELLED = (
    ReferralStatus.SENT,
    ReferralStatus.ACCEPTED,
    ReferralStatus.DECLINED,
    ReferralStatus.COMPLETED,
    ReferralStatus.CANCELLED,
)

# action: (the party who takes it, the status it starts from, the status it leads to)
MACHINE = {
    "accept": ("practitioner", SENT, ACCEPTED),
    "decline": ("practitioner", SENT, DECLINED),
    "complete": ("practitioner", ACCEPTED, COMPLETED),
    "cancel": ("physician", SENT, CANCELLED),
}
ALLOWED_FROM = {
    SENT: "accept, decline, cancel",
    ACCEPTED: "complete",
    DECLINED: "none",
    COMPLETED: "none",
    CANCELLED: "none",
}
WRONG_PARTY = {
    "accept": "Only the practitioner it was sent to may accept it.",
    "decline": "Only the practitioner it was sent to may decline it.",
    "complete": "Only the practitioner it was sent to may complete it.",
    "cancel": "Only the physician who sent this referral may cancel it.",
}
NOT_FOUND = {"detail": "No referral you may see has this id."}
ROLES = [
    "physician",
    "practitioner",
    "other_physician",
    "other_practitioner",
    "moderator",
    "patient",
    "anonymous",
]
# What the party who took an action may do next, from the status it led to.
NEXT_ACTIONS = {ACCEPTED: ["complete"], DECLINED: [], COMPLETED: [], CANCELLED: []}


def body_for(action: str) -> dict:
    return {"outcome": "improved"} if action == "complete" else {}


def user_for(role: str, referral: Referral):
    return {
        "physician": lambda: referral.physician.user,
        "practitioner": lambda: referral.practitioner.user,
        "other_physician": lambda: verified_physician().user,
        "other_practitioner": lambda: PractitionerFactory().user,
        "moderator": ModeratorFactory,
        "patient": UserFactory,
        "anonymous": lambda: None,
    }[role]()


def expected_outcome(role: str, action: str, status: str) -> tuple[int, dict | None]:
    """(status code, body) the machine promises; body None means "the referral"."""
    party, source, _ = MACHINE[action]
    if role == "anonymous":
        return 401, {"detail": "Authentication credentials were not provided."}
    if role in ("other_physician", "other_practitioner", "patient"):
        return 404, NOT_FOUND  # they may not know it exists
    if role != party:  # the other side, or a moderator (who may read but not act)
        return 403, {"detail": WRONG_PARTY[action]}
    if status != source:
        return 409, {"detail": f"Referral is {status}; allowed now: {ALLOWED_FROM[status]}."}
    return 200, None


@pytest.mark.parametrize("role", ROLES)
@pytest.mark.parametrize("action", list(MACHINE))
@pytest.mark.parametrize("status", [SENT, ACCEPTED, DECLINED, COMPLETED, CANCELLED])
def test_transition_table(api_client, status, action, role):
    referral = referral_with_status(status, physician=verified_physician())
    before = Referral.objects.values().get(pk=referral.pk)
    user = user_for(role, referral)
    client = api_client if user is None else client_for(user)

    response = client.post(f"{REFERRALS}{referral.pk}/{action}/", body_for(action), format="json")

    code, expected = expected_outcome(role, action, status)
    assert response.status_code == code, response.json()
    after = Referral.objects.values().get(pk=referral.pk)
    if code != 200:
        assert response.json() == expected
        assert after == before
        return
    target = MACHINE[action][2]
    assert response.json() == referral_body(referral, allowed_actions=NEXT_ACTIONS[target])
    assert after["status"] == target
    assert after["outcome"] == ("improved" if target == COMPLETED else "")
    assert (after["completed_at"] is not None) == (target == COMPLETED)
    assert after["updated_at"] > before["updated_at"]
    assert_stats_consistent()


@pytest.fixture
def accepted() -> Referral:
    return ReferralFactory(physician=verified_physician(), status=ACCEPTED)


def complete(referral: Referral, body: dict | None):
    client = client_for(referral.practitioner.user)
    return client.post(f"{REFERRALS}{referral.pk}/complete/", body, format="json")


OUTCOME_MESSAGE = ["Give the outcome: one of improved, unchanged, worse."]


@pytest.mark.parametrize(
    "body, expected",
    [
        ({}, {"outcome": OUTCOME_MESSAGE}),
        ({"outcome": "cured"}, {"outcome": OUTCOME_MESSAGE}),
        ({"outcome": None}, {"outcome": OUTCOME_MESSAGE}),
        ({"outcome": "improved\x00"}, {"outcome": OUTCOME_MESSAGE}),
        (
            {"outcome": "improved", "status": "completed"},
            {"status": ["Unknown field. Allowed fields: outcome."]},
        ),
    ],
)
def test_complete_needs_a_valid_outcome(accepted, body, expected):
    response = complete(accepted, body)

    assert response.status_code == 400
    assert response.json() == expected
    accepted.refresh_from_db()
    assert (accepted.status, accepted.outcome, accepted.completed_at) == (ACCEPTED, "", None)
    assert not PractitionerStats.objects.exists()


@pytest.mark.parametrize("outcome", ["improved", "unchanged", "worse"])
def test_complete_stores_each_outcome(accepted, outcome):
    response = complete(accepted, {"outcome": outcome})

    assert response.status_code == 200
    assert response.json()["outcome"] == outcome
    accepted.refresh_from_db()
    assert (accepted.status, accepted.outcome) == (COMPLETED, outcome)


@pytest.mark.parametrize("action", ["accept", "decline", "cancel"])
@pytest.mark.parametrize("body", [{"status": "accepted"}, {"outcome": "improved"}])
def test_actions_without_input_refuse_any_field(action, body):
    referral = ReferralFactory(physician=verified_physician())
    user = referral.physician.user if action == "cancel" else referral.practitioner.user

    response = client_for(user).post(f"{REFERRALS}{referral.pk}/{action}/", body, format="json")

    assert response.status_code == 400
    [field] = body
    assert response.json() == {
        field: ["Unknown field. This action takes no fields; send an empty body or {}."]
    }
    referral.refresh_from_db()
    assert referral.status == SENT


def test_action_with_an_empty_body_is_fine():
    referral = ReferralFactory(physician=verified_physician())

    response = client_for(referral.practitioner.user).post(f"{REFERRALS}{referral.pk}/accept/")

    assert response.status_code == 200
    referral.refresh_from_db()
    assert referral.status == ACCEPTED


def test_wrong_party_hears_so_before_any_complaint_about_the_body(accepted):
    response = client_for(accepted.physician.user).post(
        f"{REFERRALS}{accepted.pk}/complete/", {"outcome": "cured"}, format="json"
    )

    assert response.status_code == 403
    assert response.json() == {"detail": WRONG_PARTY["complete"]}


def test_unknown_referral_is_404_for_everyone():
    physician = verified_physician()

    response = client_for(physician.user).post(f"{REFERRALS}987654/cancel/")

    assert response.status_code == 404
    assert response.json() == NOT_FOUND


# --- the practitioner's figures ------------------------------------------------------------


def test_completion_updates_the_stored_figures():
    practitioner = PractitionerFactory()
    physician = verified_physician()
    first = ReferralFactory(practitioner=practitioner, physician=physician, status=ACCEPTED)

    assert complete(first, {"outcome": "improved"}).status_code == 200

    assert_stats_consistent()
    figures = PractitionerStats.objects.values(*STAT_FIELDS).get(pk=practitioner.pk)
    assert figures == {
        **blank_figures(),
        "completed_referrals": 1,
        "referring_physicians": 1,
    }
    assert stored_condition_stats() == {(practitioner.pk, first.condition_id): 1}


def test_referring_physicians_counts_distinct_physicians():
    practitioner = PractitionerFactory()
    one, other = verified_physician(), verified_physician()
    referrals = [
        ReferralFactory(practitioner=practitioner, physician=one, status=ACCEPTED),
        ReferralFactory(practitioner=practitioner, physician=one, status=ACCEPTED),
    ]

    for referral in referrals:
        assert complete(referral, {"outcome": "unchanged"}).status_code == 200

    figures = PractitionerStats.objects.get(pk=practitioner.pk)
    assert (figures.completed_referrals, figures.referring_physicians) == (2, 1)
    assert_stats_consistent()

    third = ReferralFactory(practitioner=practitioner, physician=other, status=ACCEPTED)
    assert complete(third, {"outcome": "worse"}).status_code == 200

    figures.refresh_from_db()
    assert (figures.completed_referrals, figures.referring_physicians) == (3, 2)
    assert_stats_consistent()
    assert ConditionReferralStats.objects.get().completed_referrals == 3


@pytest.mark.parametrize("action", ["accept", "decline", "cancel"])
def test_other_transitions_leave_the_figures_alone(action):
    referral = ReferralFactory(physician=verified_physician())
    user = referral.physician.user if action == "cancel" else referral.practitioner.user

    assert client_for(user).post(f"{REFERRALS}{referral.pk}/{action}/").status_code == 200

    assert stored_stats() == expected_stats() == {}
    assert stored_condition_stats() == {}


def test_completion_and_figures_commit_together(accepted, monkeypatch):
    def fail(*, referral):
        raise RuntimeError("figures unavailable")

    monkeypatch.setattr(referral_services, "stats_referral_completed", fail)

    with pytest.raises(RuntimeError):
        referral_services.referral_complete(
            referral=accepted, actor=accepted.practitioner.user, outcome="improved"
        )

    accepted.refresh_from_db()
    assert (accepted.status, accepted.outcome, accepted.completed_at) == (ACCEPTED, "", None)


def test_services_refuse_the_other_side_too(accepted):
    with pytest.raises(PermissionDenied) as raised:
        referral_services.referral_complete(
            referral=accepted, actor=accepted.physician.user, outcome="improved"
        )

    assert str(raised.value) == WRONG_PARTY["complete"]
    accepted.refresh_from_db()
    assert accepted.status == ACCEPTED


# --- concurrency (PostgreSQL) ----------------------------------------------------------


@pytest.mark.postgres
@pytest.mark.skipif(connection.vendor != "postgresql", reason="needs PostgreSQL row locks")
@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_accept_racing_cancel_lets_exactly_one_through():
    referrals = [ReferralFactory(physician=verified_physician()) for _ in range(5)]
    jobs = []
    for referral in referrals:
        jobs.append(
            lambda r=referral: referral_services.referral_accept(
                referral=r, actor=r.practitioner.user
            )
        )
        jobs.append(
            lambda r=referral: referral_services.referral_cancel(referral=r, actor=r.physician.user)
        )

    results = run_at_once(jobs)

    pairs = zip(results[::2], results[1::2], strict=True)
    for referral, pair in zip(referrals, pairs, strict=True):
        winners = [r for r in pair if isinstance(r, Referral)]
        losers = [r for r in pair if isinstance(r, Exception)]
        assert len(winners) == 1 and [type(e) for e in losers] == [Conflict]
        referral.refresh_from_db()
        assert referral.status == winners[0].status in (ACCEPTED, CANCELLED)


@pytest.mark.postgres
@pytest.mark.skipif(connection.vendor != "postgresql", reason="needs PostgreSQL row locks")
@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_concurrent_completions_from_one_physician_count_them_once():
    practitioner = PractitionerFactory()
    physician = verified_physician()
    referrals = [
        ReferralFactory(practitioner=practitioner, physician=physician, status=ACCEPTED)
        for _ in range(6)
    ]

    results = run_at_once(
        [
            lambda r=referral: referral_services.referral_complete(
                referral=r, actor=practitioner.user, outcome="improved"
            )
            for referral in referrals
        ]
    )

    assert all(isinstance(r, Referral) for r in results), results
    figures = PractitionerStats.objects.get(pk=practitioner.pk)
    assert (figures.completed_referrals, figures.referring_physicians) == (6, 1)
    assert_stats_consistent()


@pytest.mark.postgres
@pytest.mark.skipif(connection.vendor != "postgresql", reason="needs PostgreSQL row locks")
@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_concurrent_double_submit_writes_one_referral():
    physician = verified_physician()
    practitioner = qualified_practitioner()
    condition = Condition.objects.get(slug="sciatica")

    def submit():
        return referral_services.referral_create(
            physician=physician,
            practitioner=practitioner,
            condition=condition,
            reason="Chronic pain",
            patient_reference="MC-17",
        )

    results = run_at_once([submit for _ in range(5)])

    assert sorted(type(r).__name__ for r in results) == ["Conflict"] * 4 + ["Referral"]
    assert Referral.objects.count() == 1
