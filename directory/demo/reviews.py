"""Demo reviews: demo patients review qualified practitioners.

Practitioner i's reviews come from their own generator, seeded with (SEED, "reviews", i):
how many (mostly 0-25), by which patients (distinct, so one review per patient), the
ratings (mostly 4-5), the text, and whether the review was verified by an invitation
(about 40 %) or answered by the practitioner (about 30 %). Two practitioners in every
hundred had one review removed by the demo moderator.
"""

import random
from dataclasses import dataclass
from datetime import date, datetime, timedelta

from django.conf import settings
from django.db import models

from directory.demo.data import (
    DEMO_INVITATION_CODE,
    PATIENT_EMAIL,
    PATIENTS,
    PRACTITIONER_EMAIL,
    SEED,
)
from directory.demo.plans import PractitionerPlan, latest_moment, moment_between
from directory.demo.seed import create_missing
from directory.demo.texts import APOLOGIES, CRITICAL, MIXED, PRAISE, REMOVED, THANKS
from directory.models import Condition, PractitionerProfile, Review, ReviewInvitation, User
from directory.services.invitations import (
    CODE_ALPHABET,
    CODE_LENGTH,
    invitation_code_format,
    invitation_code_hash,
)

MEAN_REVIEWS = 9  # exponential: a tenth get none, a twentieth more than 25
MAX_REVIEWS = 40
DEMO_PRACTITIONER_REVIEWS = 18
# Practitioner i had a review removed when i % 100 is one of these (both are qualified
# slots: every fourth practitioner, i % 4 == 3, is not).
REMOVAL_SLOTS = (6, 37)
OVERALL_WEIGHTS = ((5, 52), (4, 30), (3, 9), (2, 6), (1, 3))
VERIFIED_SHARE, REPLY_SHARE, CONDITION_SHARE, EMPTY_BODY_SHARE = 0.4, 0.3, 0.85, 0.08


@dataclass(frozen=True)
class ReviewPlan:
    author_email: str
    practitioner_email: str
    overall: int
    communication: int
    comfort: int
    would_recommend: bool
    condition: str | None  # slug
    body: str
    created_at: datetime
    invitation_code: str = ""  # set iff the review is verified
    invited_at: datetime | None = None
    reply: str = ""
    replied_at: datetime | None = None
    removal_note: str = ""
    removed_at: datetime | None = None


def _ratings(rng: random.Random) -> tuple[int, int, int, bool]:
    overall = rng.choices(*zip(*OVERALL_WEIGHTS, strict=True))[0]
    communication = min(5, max(1, overall + rng.choice((-1, 0, 0, 0, 1))))
    # Needling is uncomfortable: comfort trails the overall rating a little.
    comfort = min(5, max(1, overall + rng.choice((-2, -1, -1, 0, 0, 0, 1))))
    # Nobody recommends after a 1 or 2; most do after a 4 or 5; a 3 is a toss-up.
    recommend_share = 0.97 if overall >= 4 else 0.4 if overall == 3 else 0.0
    recommend = rng.random() < recommend_share
    return overall, communication, comfort, recommend


def _body(rng: random.Random, overall: int, condition_name: str | None) -> str:
    if rng.random() < EMPTY_BODY_SHARE:
        return ""
    templates = PRAISE if overall >= 4 else MIXED if overall == 3 else CRITICAL
    return rng.choice(templates).format(
        condition=condition_name or "the pain", sessions=rng.randint(3, 8)
    )


def _invitation_code(rng: random.Random) -> str:
    return invitation_code_format("".join(rng.choices(CODE_ALPHABET, k=CODE_LENGTH)))


def _verification_and_reply(
    rng: random.Random, *, created: datetime, overall: int, joined: datetime, today: date
) -> dict:
    """The optional parts of a review: the invitation that verified it, the reply."""
    extras: dict = {}
    if rng.random() < VERIFIED_SHARE:
        # The practitioner handed the code over at an appointment shortly before (and
        # before it expired, should INVITATION_TTL_DAYS be set shorter than three weeks).
        lead = min(rng.randint(2, 21 * 24), settings.INVITATION_TTL_DAYS * 24 - 1)
        invited = max(created - timedelta(hours=lead), joined)
        extras |= {"invitation_code": _invitation_code(rng), "invited_at": invited}
    if rng.random() < REPLY_SHARE:
        replied = created + timedelta(hours=rng.randint(3, 14 * 24))
        extras |= {
            "reply": rng.choice(THANKS if overall >= 4 else APOLOGIES),
            "replied_at": min(replied, latest_moment(today)),
        }
    return extras


def _plan_review(
    rng: random.Random,
    *,
    author_email: str,
    practitioner: PractitionerPlan,
    conditions: dict[str, str],
    today: date,
) -> ReviewPlan:
    overall, communication, comfort, recommend = _ratings(rng)
    slugs = [slug for slug, _, _ in practitioner.experience]
    slug = rng.choice(slugs) if rng.random() < CONDITION_SHARE else None
    joined = practitioner.account.date_joined
    first_day = max(joined.date() + timedelta(days=1), today - timedelta(days=730))
    yesterday = today - timedelta(days=1)
    created = min(moment_between(rng, first_day, yesterday), latest_moment(today))
    return ReviewPlan(
        author_email=author_email,
        practitioner_email=practitioner.account.email,
        overall=overall,
        communication=communication,
        comfort=comfort,
        would_recommend=recommend,
        condition=slug,
        body=_body(rng, overall, conditions[slug].lower() if slug else None),
        created_at=created,
        **_verification_and_reply(
            rng, created=created, overall=overall, joined=joined, today=today
        ),
    )


def _removed(plan: ReviewPlan, rng: random.Random, *, slot: int, today: date) -> ReviewPlan:
    """`plan` as the off-topic review a moderator took down (it was never verified)."""
    body, note = REMOVED[slot % len(REMOVED)]
    removed = plan.created_at + timedelta(hours=rng.randint(4, 10 * 24))
    return ReviewPlan(
        **{
            **vars(plan),
            "body": body,
            "invitation_code": "",
            "invited_at": None,
            "reply": "",
            "replied_at": None,
            "removal_note": note,
            "removed_at": min(removed, latest_moment(today)),
        }
    )


def _plan_reviews_by(
    rng: random.Random,
    authors: list[int],
    practitioner: PractitionerPlan,
    *,
    conditions: dict[str, str],
    today: date,
) -> list[ReviewPlan]:
    return [
        _plan_review(
            rng,
            author_email=f"patient{number:03d}@demo.test",
            practitioner=practitioner,
            conditions=conditions,
            today=today,
        )
        for number in authors
    ]


def plan_reviews(
    index: int, practitioner: PractitionerPlan, *, conditions: dict[str, str], today: date
) -> list[ReviewPlan]:
    """Generated practitioner `index`'s reviews (call only for qualified practitioners)."""
    rng = random.Random(f"{SEED}:reviews:{index}")
    count = min(MAX_REVIEWS, int(rng.expovariate(1 / MEAN_REVIEWS)))
    removal = index % 100 in REMOVAL_SLOTS
    if removal:
        count = max(count, 3)
    authors = sorted(rng.sample(range(1, PATIENTS + 1), count))
    reviews = _plan_reviews_by(rng, authors, practitioner, conditions=conditions, today=today)
    if removal:
        reviews[0] = _removed(reviews[0], rng, slot=REMOVAL_SLOTS.index(index % 100), today=today)
    return reviews


def plan_demo_reviews(
    practitioner: PractitionerPlan, *, conditions: dict[str, str], today: date
) -> list[ReviewPlan]:
    """practitioner@demo.test's reviews, ending with patient@demo.test's: unverified and
    unanswered, so both demo accounts have something to try (verify it with the demo
    invitation code, reply to it)."""
    rng = random.Random(f"{SEED}:reviews:demo")
    authors = sorted(rng.sample(range(1, PATIENTS + 1), DEMO_PRACTITIONER_REVIEWS))
    reviews = _plan_reviews_by(rng, authors, practitioner, conditions=conditions, today=today)
    written = moment_between(rng, today - timedelta(days=12), today - timedelta(days=1))
    own = ReviewPlan(
        author_email=PATIENT_EMAIL,
        practitioner_email=practitioner.account.email,
        overall=5,
        communication=5,
        comfort=4,
        would_recommend=True,
        condition="sciatica",
        body="Two months of sciatica, gone after five sessions. Explains every step first.",
        created_at=min(written, latest_moment(today)),
    )
    return [*reviews, own]


def _invitations(
    reviews: list[ReviewPlan], profiles: dict[str, PractitionerProfile], *, today: date
) -> list[ReviewInvitation]:
    """The used invitations behind the verified reviews, and practitioner@demo.test's
    unused one with the code the README documents."""
    ttl = timedelta(days=settings.INVITATION_TTL_DAYS)
    used = [
        ReviewInvitation(
            practitioner=profiles[plan.practitioner_email],
            code_hash=invitation_code_hash(plan.invitation_code),
            created_at=plan.invited_at,
            expires_at=plan.invited_at + ttl,
            used_at=plan.created_at,
        )
        for plan in reviews
        if plan.invitation_code
    ]
    issued = latest_moment(today) - timedelta(days=1)
    unused = ReviewInvitation(
        practitioner=profiles[PRACTITIONER_EMAIL],
        code_hash=invitation_code_hash(DEMO_INVITATION_CODE),
        created_at=issued,
        expires_at=issued + ttl,
    )
    return [*used, unused]


def _review_row(
    plan: ReviewPlan,
    *,
    users: dict[str, User],
    profiles: dict[str, PractitionerProfile],
    condition_ids: dict[str, int],
    invitation_ids: dict[str, int],
    moderator: User,
) -> Review:
    code = plan.invitation_code
    return Review(
        author=users[plan.author_email],
        practitioner=profiles[plan.practitioner_email],
        overall=plan.overall,
        communication=plan.communication,
        comfort=plan.comfort,
        would_recommend=plan.would_recommend,
        condition_id=condition_ids[plan.condition] if plan.condition else None,
        body=plan.body,
        verified=bool(code),
        invitation_id=invitation_ids[invitation_code_hash(code)] if code else None,
        reply=plan.reply,
        replied_at=plan.replied_at,
        removed_at=plan.removed_at,
        # The database insists that a removed review names the moderator.
        removed_by=moderator if plan.removed_at else None,
        removal_note=plan.removal_note,
        created_at=plan.created_at,
        updated_at=plan.created_at,
    )


def seed_reviews(
    plans: list[ReviewPlan],
    *,
    users: dict[str, User],
    profiles: dict[str, PractitionerProfile],
    moderator: User,
    today: date,
) -> dict[str, int]:
    """Creates the reviews missing by (author, practitioner), with their invitations."""
    scope = models.Q(practitioner__in=list(profiles.values()))
    existing = set(Review.objects.filter(scope).values_list("author_id", "practitioner_id"))
    missing = [
        plan
        for plan in plans
        if (users[plan.author_email].pk, profiles[plan.practitioner_email].pk) not in existing
    ]
    invitations = create_missing(
        ReviewInvitation,
        _invitations(missing, profiles, today=today),
        ("code_hash",),
        scope,
        stamped=("created_at",),
    )
    invitation_ids = dict(ReviewInvitation.objects.filter(scope).values_list("code_hash", "id"))
    condition_ids = dict(Condition.objects.values_list("slug", "id"))
    rows = (
        _review_row(
            plan,
            users=users,
            profiles=profiles,
            condition_ids=condition_ids,
            invitation_ids=invitation_ids,
            moderator=moderator,
        )
        for plan in missing
    )
    key = ("author_id", "practitioner_id")
    reviews = create_missing(Review, rows, key, scope, stamped=("created_at", "updated_at"))
    return {"review invitations": len(invitations), "reviews": len(reviews)}
