"""Demo referrals: the demo physicians refer patients to qualified, active practitioners.

Practitioner i's referrals come from their own generator, seeded with (SEED, "referrals",
i): mostly from physicians in the practitioner's province, for conditions the practitioner
treats, in every status; completed ones carry an outcome, mostly "improved". Patients
appear only as the physician's reference code ("PR-0042"), as in real referrals.
"""

import random
from dataclasses import dataclass
from datetime import date, datetime, timedelta

from django.db import models

from directory.demo.accounts import PhysicianPlan
from directory.demo.data import SEED
from directory.demo.plans import PractitionerPlan, latest_moment, moment_between, weighted
from directory.demo.seed import create_missing
from directory.demo.texts import REFERRAL_REASONS
from directory.models import (
    Condition,
    PractitionerProfile,
    Referral,
    ReferralOutcome,
    ReferralStatus,
)

S = ReferralStatus
STATUS_WEIGHTS = ((S.COMPLETED, 45), (S.ACCEPTED, 14), (S.SENT, 14), (S.DECLINED, 13),
                  (S.CANCELLED, 14))  # fmt: skip
OUTCOME_WEIGHTS = ((ReferralOutcome.IMPROVED, 72), (ReferralOutcome.UNCHANGED, 22),
                   (ReferralOutcome.WORSE, 6))  # fmt: skip
LOCAL_SHARE = 0.85  # the rest come from a physician in another province
MAX_REFERRALS = 8
# (days ago the referral was sent: from, to) by status: open ones are recent.
SENT_DAYS_AGO = {S.SENT: (1, 10), S.ACCEPTED: (5, 60), S.DECLINED: (10, 400),
                 S.CANCELLED: (10, 400), S.COMPLETED: (50, 540)}  # fmt: skip
# practitioner@demo.test's referrals, so both dashboards have something to act on:
# (position in plan_physicians — 0 is physician@demo.test —, status, outcome).
DEMO_REFERRALS = (
    (0, S.SENT, ""), (0, S.SENT, ""), (0, S.ACCEPTED, ""), (0, S.ACCEPTED, ""),
    (0, S.COMPLETED, ReferralOutcome.IMPROVED), (0, S.COMPLETED, ReferralOutcome.IMPROVED),
    (0, S.COMPLETED, ReferralOutcome.UNCHANGED), (0, S.DECLINED, ""), (0, S.CANCELLED, ""),
    (1, S.COMPLETED, ReferralOutcome.IMPROVED), (1, S.COMPLETED, ReferralOutcome.IMPROVED),
    (2, S.COMPLETED, ReferralOutcome.IMPROVED), (3, S.SENT, ""),
)  # fmt: skip


@dataclass(frozen=True)
class ReferralPlan:
    physician_email: str
    practitioner_email: str
    condition: str  # slug
    reason: str
    patient_reference: str
    status: str
    outcome: str
    created_at: datetime
    updated_at: datetime
    completed_at: datetime | None


def _reason(rng: random.Random, condition_name: str) -> str:
    return rng.choice(REFERRAL_REASONS).format(
        condition=condition_name.lower(),
        condition_sentence=condition_name,
        months=rng.randint(3, 24),
    )


def _timeline(
    rng: random.Random, status: str, *, earliest: datetime, today: date
) -> tuple[datetime, datetime, datetime | None]:
    """(created_at, updated_at, completed_at): sent after both parties joined; answered
    within days; completed three weeks to four months after it was sent."""
    oldest, newest = SENT_DAYS_AGO[status]
    sent = moment_between(rng, today - timedelta(days=newest), today - timedelta(days=oldest))
    sent = min(max(sent, earliest), latest_moment(today))
    if status == S.SENT:
        return sent, sent, None
    if status == S.COMPLETED:
        done = min(sent + timedelta(days=rng.randint(21, 120)), latest_moment(today))
        return sent, done, done
    answered = min(sent + timedelta(hours=rng.randint(4, 6 * 24)), latest_moment(today))
    return sent, answered, None


def _plan_referral(
    rng: random.Random,
    *,
    physician: PhysicianPlan,
    practitioner: PractitionerPlan,
    status: str,
    outcome: str,
    references: set[tuple[str, str]],
    conditions: dict[str, str],
    today: date,
) -> ReferralPlan:
    slug = rng.choice([slug for slug, _, _ in practitioner.experience])
    reference = f"PR-{rng.randint(1, 9999):04d}"
    while (physician.account.email, reference) in references:
        reference = f"PR-{rng.randint(1, 9999):04d}"
    references.add((physician.account.email, reference))
    earliest = max(physician.account.date_joined, practitioner.account.date_joined)
    created, updated, completed = _timeline(
        rng, status, earliest=earliest + timedelta(days=1), today=today
    )
    return ReferralPlan(
        physician_email=physician.account.email,
        practitioner_email=practitioner.account.email,
        condition=slug,
        reason=_reason(rng, conditions[slug]),
        patient_reference=reference,
        status=status,
        outcome=outcome,
        created_at=created,
        updated_at=updated,
        completed_at=completed,
    )


def _physician(
    rng: random.Random, practitioner: PractitionerPlan, physicians: list[PhysicianPlan]
) -> PhysicianPlan:
    region = practitioner.clinics[0].region
    local = [physician for physician in physicians if physician.region == region]
    return rng.choice(local if local and rng.random() < LOCAL_SHARE else physicians)


def plan_referrals(
    index: int,
    practitioner: PractitionerPlan,
    *,
    physicians: list[PhysicianPlan],
    conditions: dict[str, str],
    today: date,
) -> list[ReferralPlan]:
    """Generated practitioner `index`'s referrals (call only for qualified, active ones)."""
    rng = random.Random(f"{SEED}:referrals:{index}")
    count = 0 if rng.random() < 0.3 else rng.randint(1, MAX_REFERRALS)
    references: set[tuple[str, str]] = set()
    referrals = []
    for _ in range(count):
        status = weighted(rng, STATUS_WEIGHTS)
        outcome = weighted(rng, OUTCOME_WEIGHTS) if status == S.COMPLETED else ""
        referrals.append(
            _plan_referral(
                rng,
                physician=_physician(rng, practitioner, physicians),
                practitioner=practitioner,
                status=status,
                outcome=outcome,
                references=references,
                conditions=conditions,
                today=today,
            )
        )
    return referrals


def plan_demo_referrals(
    practitioner: PractitionerPlan,
    *,
    physicians: list[PhysicianPlan],
    conditions: dict[str, str],
    today: date,
) -> list[ReferralPlan]:
    """practitioner@demo.test's referrals (DEMO_REFERRALS)."""
    rng = random.Random(f"{SEED}:referrals:demo")
    references: set[tuple[str, str]] = set()
    return [
        _plan_referral(
            rng,
            physician=physicians[position],
            practitioner=practitioner,
            status=status,
            outcome=outcome,
            references=references,
            conditions=conditions,
            today=today,
        )
        for position, status, outcome in DEMO_REFERRALS
    ]


def seed_referrals(
    plans: list[ReferralPlan],
    *,
    physician_ids: dict[str, int],
    profiles: dict[str, PractitionerProfile],
) -> int:
    """Creates the referrals missing by (physician, practitioner, patient reference)."""
    condition_ids = dict(Condition.objects.values_list("slug", "id"))
    rows = (
        Referral(
            physician_id=physician_ids[plan.physician_email],
            practitioner=profiles[plan.practitioner_email],
            condition_id=condition_ids[plan.condition],
            reason=plan.reason,
            patient_reference=plan.patient_reference,
            status=plan.status,
            outcome=plan.outcome,
            created_at=plan.created_at,
            updated_at=plan.updated_at,
            completed_at=plan.completed_at,
        )
        for plan in plans
    )
    key = ("physician_id", "practitioner_id", "patient_reference")
    scope = models.Q(practitioner__in=list(profiles.values()))
    return len(create_missing(Referral, rows, key, scope, stamped=("created_at", "updated_at")))
