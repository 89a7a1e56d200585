"""seed_demo: plan everything, then create whatever is missing in one transaction."""

from dataclasses import dataclass
from datetime import date

from django.contrib.auth.hashers import make_password
from django.db import transaction
from django.db.models import Count, Q

from directory.demo.accounts import PhysicianPlan, plan_accounts, plan_patients, plan_physicians
from directory.demo.data import (
    DEFAULT_PRACTITIONERS,
    DEMO_PASSWORD,
    DEMO_SALT,
    MODERATOR_EMAIL,
)
from directory.demo.plans import (
    AccountPlan,
    CredentialPlan,
    PractitionerPlan,
    plan_demo_practitioner,
    plan_practitioner,
)
from directory.demo.referrals import plan_demo_referrals, plan_referrals, seed_referrals
from directory.demo.reviews import plan_demo_reviews, plan_reviews, seed_reviews
from directory.demo.seed import (
    seed_credentials,
    seed_experience,
    seed_locations,
    seed_physicians,
    seed_practitioners,
    seed_users,
)
from directory.models import (
    Condition,
    ConditionExperience,
    Credential,
    CredentialStatus,
    Location,
    PhysicianProfile,
    PractitionerProfile,
    Referral,
    ReferralStatus,
    Review,
    ReviewInvitation,
    User,
)
from directory.rules import active_practitioner_q, qualified_q
from directory.services.match_index import match_index_rebuild
from directory.services.stats import stats_credentials_rebuild, stats_recompute


@dataclass(frozen=True)
class DemoPlan:
    """The whole demo but its reviews and referrals, which go to the practitioners the
    database finds qualified (the one home of that rule is directory.rules)."""

    practitioners: list[PractitionerPlan]  # practitioner@demo.test first, then index order
    physicians: list[PhysicianPlan]  # physician@demo.test first
    accounts: list[AccountPlan]
    credentials: dict[str, tuple[CredentialPlan, ...]]  # by owner e-mail
    conditions: dict[str, str]  # slug -> name


def plan_demo(*, practitioners: int, today: date) -> DemoPlan:
    conditions = dict(Condition.objects.values_list("slug", "name"))
    plans = [plan_demo_practitioner(today=today)] + [
        plan_practitioner(index, today=today, conditions=conditions)
        for index in range(practitioners)
    ]
    physicians = plan_physicians(today=today)
    people = plan_accounts() + plan_patients(today=today)
    credentials = {plan.account.email: plan.credentials for plan in plans}
    credentials |= {physician.account.email: (physician.licence,) for physician in physicians}
    return DemoPlan(
        practitioners=plans,
        physicians=physicians,
        accounts=people + [p.account for p in physicians] + [p.account for p in plans],
        credentials=credentials,
        conditions=conditions,
    )


def _seed_activity(
    demo: DemoPlan,
    users: dict[str, User],
    profiles: dict[str, PractitionerProfile],
    *,
    today: date,
) -> dict[str, int]:
    """Reviews and referrals of the qualified, listed practitioners (the ones the referral
    service accepts: directory.services.referrals.referral_recipient_refusal), then their
    figures. practitioner@demo.test is planned qualified and listed."""
    reviewable = set(
        PractitionerProfile.objects.filter(
            active_practitioner_q(),
            qualified_q(today=today),
            pk__in=[p.pk for p in profiles.values()],
        ).values_list("user__email", flat=True)
    )
    options = {"conditions": demo.conditions, "today": today}
    own, *generated = demo.practitioners
    reviews = plan_demo_reviews(own, **options)
    referrals = plan_demo_referrals(own, physicians=demo.physicians, **options)
    for index, plan in enumerate(generated):
        if plan.account.email in reviewable:
            reviews += plan_reviews(index, plan, **options)
            referrals += plan_referrals(index, plan, physicians=demo.physicians, **options)
    physician_ids = dict(
        PhysicianProfile.objects.filter(
            user__email__in=[p.account.email for p in demo.physicians]
        ).values_list("user__email", "pk")
    )
    moderator = users[MODERATOR_EMAIL]
    created = seed_reviews(
        reviews, users=users, profiles=profiles, moderator=moderator, today=today
    )
    created["referrals"] = seed_referrals(
        referrals,
        physician_ids=physician_ids,
        profiles=profiles,
    )
    if created["reviews"] or created["referrals"]:
        # Rows went in by bulk_create, past the services that keep the figures; rebuild
        # them. Only then: a run that created nothing leaves every row as it was.
        stats_recompute()
    return created


def seed_demo(*, practitioners: int = DEFAULT_PRACTITIONERS, today: date) -> dict[str, int]:
    """Create whatever demo rows are missing, in one transaction; returns rows created."""
    demo = plan_demo(practitioners=practitioners, today=today)
    # Hashing is deliberately slow (~0.3 s): once for all, never once per user.
    password = make_password(DEMO_PASSWORD, salt=DEMO_SALT)
    created: dict[str, int] = {}
    with transaction.atomic():
        users, created["users"] = seed_users(demo.accounts, password=password)
        physician_emails = [physician.account.email for physician in demo.physicians]
        created["physician profiles"] = seed_physicians(physician_emails, users)
        profiles, created["practitioner profiles"] = seed_practitioners(demo.practitioners, users)
        created["locations"] = seed_locations(demo.practitioners, profiles)
        created["experience"] = seed_experience(demo.practitioners, profiles)
        created["credentials"] = seed_credentials(
            demo.credentials, users, reviewer=users[MODERATOR_EMAIL]
        )
        if created["credentials"] or created["practitioner profiles"]:
            # Credentials went in by bulk_create, past the services that keep each
            # practitioner's credential facts (the ranking's gate reads them); rebuild them.
            stats_credentials_rebuild()
        created |= _seed_activity(demo, users, profiles, today=today)
        if any(created.values()):
            # Everything went in past the services that keep the match index.
            match_index_rebuild()
    return created


def demo_totals(*, today: date) -> dict[str, int]:
    """What the database now holds, for the command's summary."""
    practitioners = PractitionerProfile.objects.all()
    totals = {
        "users": User.objects.count(),
        "practitioners": practitioners.count(),
        "practitioners deactivated": practitioners.filter(is_active=False).count(),
        "practitioners qualified": practitioners.filter(qualified_q(today=today)).count(),
        "physicians": PhysicianProfile.objects.count(),
        "cities": Location.objects.values("city").distinct().count(),
        "clinic locations": Location.objects.count(),
        "condition experience rows": ConditionExperience.objects.count(),
    }
    for status in CredentialStatus:
        count = Credential.objects.filter(status=status).count()
        totals[f"credentials {status.value}"] = count
    return totals | _activity_totals()


def _activity_totals() -> dict[str, int]:
    reviews = Review.objects.aggregate(
        total=Count("id"),
        verified=Count("id", filter=Q(verified=True)),
        replied=Count("id", filter=Q(replied_at__isnull=False)),
        removed=Count("id", filter=Q(removed_at__isnull=False)),
    )
    totals = {
        "reviews": reviews["total"],
        "reviews verified": reviews["verified"],
        "reviews with a reply": reviews["replied"],
        "reviews removed": reviews["removed"],
        "invitations unused": ReviewInvitation.objects.filter(used_at__isnull=True).count(),
    }
    by_status = dict(
        Referral.objects.order_by()
        .values("status")
        .annotate(n=Count("id"))
        .values_list("status", "n")
    )
    for status in ReferralStatus:
        totals[f"referrals {status.value}"] = by_status.get(status.value, 0)
    return totals
