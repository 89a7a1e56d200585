"""Practitioner figures: maintained by delta in the caller's transaction, rebuilt from scratch
by `recompute_stats`. Credential facts are not deltas: each credential write recomputes
its owner's from their credentials (stats_credentials_changed).

Deltas are applied with F() expressions in a single UPDATE, so concurrent writers on
PostgreSQL never lose an update (each UPDATE takes the row lock and adds to the committed
value). Callers hold the review or referral row they change, so the delta is exact.
"""

from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

from django.db import IntegrityError, transaction
from django.db.models import (
    CharField,
    Count,
    DateField,
    F,
    Max,
    Min,
    OuterRef,
    Q,
    Subquery,
    Sum,
    Value,
)
from django.db.models.functions import Coalesce, Greatest

from directory.limits import NEUTRAL_RATING
from directory.models import (
    ConditionReferralStats,
    Credential,
    CredentialKind,
    CredentialStatus,
    PractitionerProfile,
    PractitionerStats,
    Referral,
    ReferralStatus,
    Review,
)
from directory.rules import NO_EXPIRY
from directory.services.changes import id_chunks, practitioner_changed, practitioners_changed
from directory.services.match_index import (
    match_index_expected,
    match_index_rebuild,
    match_index_stored,
)


@dataclass(frozen=True)
class ReviewFacts:
    """What one live review contributes to its practitioner's figures."""

    overall: int
    communication: int
    comfort: int
    would_recommend: bool
    verified: bool

    @classmethod
    def of(cls, review: Review) -> "ReviewFacts":
        return cls(
            review.overall,
            review.communication,
            review.comfort,
            review.would_recommend,
            review.verified,
        )

    def contribution(self) -> dict[str, int]:
        v = "verified" if self.verified else "unverified"
        row = {
            f"reviews_{v}": 1,
            "overall_sum": self.overall,
            f"communication_{v}_sum": self.communication,
            f"comfort_{v}_sum": self.comfort,
            f"recommend_{v}": int(self.would_recommend),
        }
        if not self.verified:
            row["communication_unverified_excess"] = max(self.communication - NEUTRAL_RATING, 0)
            row["comfort_unverified_excess"] = max(self.comfort - NEUTRAL_RATING, 0)
        return row


def _ensure_row(practitioner_id: int) -> None:
    if PractitionerStats.objects.filter(pk=practitioner_id).exists():
        return
    try:
        with transaction.atomic():
            PractitionerStats.objects.create(practitioner_id=practitioner_id)
    except IntegrityError:
        pass  # A concurrent writer created it first; its row serves us as well.


def _apply(practitioner_id: int, delta: dict[str, int]) -> None:
    delta = {name: value for name, value in delta.items() if value}
    if not delta:
        return
    _ensure_row(practitioner_id)
    PractitionerStats.objects.filter(pk=practitioner_id).update(
        **{name: F(name) + value for name, value in delta.items()}
    )


def stats_review_changed(
    *, practitioner_id: int, before: ReviewFacts | None, after: ReviewFacts | None
) -> None:
    """A live review appeared (before=None), changed, or left the figures (after=None)."""
    delta: dict[str, int] = {}
    for facts, sign in ((before, -1), (after, 1)):
        if facts is None:
            continue
        for name, value in facts.contribution().items():
            delta[name] = delta.get(name, 0) + sign * value
    _apply(practitioner_id, delta)
    practitioner_changed(practitioner_id=practitioner_id)


def stats_referral_completed(*, referral: Referral) -> None:
    """Called inside the transaction that marks `referral` completed."""
    # Lock the figures row before asking "first completion from this physician?", so that
    # two concurrent completions from one physician cannot both count them (the second
    # waits, then sees the first's committed referral).
    _ensure_row(referral.practitioner_id)
    PractitionerStats.objects.select_for_update().filter(pk=referral.practitioner_id).first()
    first_from_physician = not (
        Referral.objects.filter(
            practitioner_id=referral.practitioner_id,
            physician_id=referral.physician_id,
            status=ReferralStatus.COMPLETED,
        )
        .exclude(pk=referral.pk)
        .exists()
    )
    _apply(
        referral.practitioner_id,
        {"completed_referrals": 1, "referring_physicians": int(first_from_physician)},
    )
    _condition_row(referral.practitioner_id, referral.condition_id)
    ConditionReferralStats.objects.filter(
        practitioner_id=referral.practitioner_id, condition_id=referral.condition_id
    ).update(completed_referrals=F("completed_referrals") + 1)
    practitioner_changed(practitioner_id=referral.practitioner_id)


def _condition_row(practitioner_id: int, condition_id: int) -> None:
    lookup = {"practitioner_id": practitioner_id, "condition_id": condition_id}
    if ConditionReferralStats.objects.filter(**lookup).exists():
        return
    try:
        with transaction.atomic():
            ConditionReferralStats.objects.create(**lookup)
    except IntegrityError:
        pass


def _credential_figures(practitioner_ids: Iterable[int] | None) -> dict[int, dict[str, Any]]:
    """The credential facts of each practitioner with a verified, live credential."""
    verified = Credential.objects.filter(
        status=CredentialStatus.VERIFIED, withdrawn_at__isnull=True
    )
    live = verified.filter(owner__practitioner__isnull=False)
    if practitioner_ids is not None:
        live = live.filter(owner__practitioner__in=practitioner_ids)
    until = Coalesce("expires_on", Value(NO_EXPIRY, output_field=DateField()))
    licence = Q(kind=CredentialKind.LICENSE)
    ims, training = Q(kind=CredentialKind.IMS_CERTIFICATION), Q(kind=CredentialKind.TRAINING)
    # The licence a result names: valid longest (no expiry first), then the newest — its
    # validity is licence_valid_until.
    named = verified.filter(licence, owner__practitioner=OuterRef("owner__practitioner")).order_by(
        F("expires_on").desc(nulls_first=True), "-id"
    )
    rows = live.values("owner__practitioner").annotate(
        licence_valid_until=Max(until, filter=licence),
        licence_profession=Coalesce(Subquery(named.values("profession")[:1]), Value("")),
        licence_jurisdiction=Coalesce(Subquery(named.values("jurisdiction")[:1]), Value("")),
        ims_valid_until=Max(until, filter=ims),
        ims_first_on=Min("issued_on", filter=ims),
        verified_trainings=Count("id", filter=training),
        facts_expire_on=Min("expires_on", filter=ims | training),
    )
    return {row.pop("owner__practitioner"): row for row in rows}


@transaction.atomic
def stats_credentials_changed(*, owner_id: int) -> None:
    """Called inside the transaction of every credential write: recomputes the owner's
    credential facts (a no-op for users without a practitioner profile)."""
    practitioner_id = (
        PractitionerProfile.objects.filter(user_id=owner_id).values_list("pk", flat=True).first()
    )
    if practitioner_id is None:
        return
    _ensure_row(practitioner_id)
    # Lock the row before reading the credentials, so that of two concurrent writes for one
    # owner the second waits and then reads the first's committed credential.
    PractitionerStats.objects.select_for_update().filter(pk=practitioner_id).first()
    facts = _credential_figures([practitioner_id]).get(practitioner_id, {})
    blank = {name: _blank(name) for name in CREDENTIAL_FACT_FIELDS}
    PractitionerStats.objects.filter(pk=practitioner_id).update(**(blank | facts))
    practitioner_changed(practitioner_id=practitioner_id)


def stats_credentials_changed_many(*, owner_ids: Iterable[int]) -> list[int]:
    """stats_credentials_changed for many owners in one bulk credential write (the register
    import), in a few statements per chunk of owners; returns their practitioner ids."""
    owners = set(owner_ids)
    practitioner_ids = []
    for chunk in id_chunks(owners):
        profiles = PractitionerProfile.objects.filter(user_id__in=chunk)
        practitioner_ids += profiles.values_list("pk", flat=True)
    if not practitioner_ids:
        return []
    with transaction.atomic(savepoint=False):
        for chunk in id_chunks(practitioner_ids):
            # Locked as one at a time would be; stats_credentials_rebuild creates a missing row.
            list(PractitionerStats.objects.select_for_update().filter(pk__in=chunk).values("pk"))
        for chunk in id_chunks(practitioner_ids):
            stats_credentials_rebuild(chunk)
        practitioners_changed(practitioner_ids=practitioner_ids)
    return practitioner_ids


def stats_credentials_rebuild(practitioner_ids: Iterable[int] | None = None) -> int:
    """Recompute the credential facts of these practitioners (default: all) after credentials
    went in past the services (bulk loads: the demo seed, bench_match); returns rows written.
    The caller then rebuilds the match index (match_index_rebuild), once for the whole load."""
    profiles = PractitionerProfile.objects.all()
    if practitioner_ids is not None:
        profiles = profiles.filter(pk__in=practitioner_ids)
    ids = list(profiles.values_list("pk", flat=True))
    figures = _credential_figures(ids)
    blank = {name: _blank(name) for name in CREDENTIAL_FACT_FIELDS}
    rows = [PractitionerStats(practitioner_id=pid, **(blank | figures.get(pid, {}))) for pid in ids]
    PractitionerStats.objects.bulk_create(
        rows,
        batch_size=1000,
        update_conflicts=True,
        unique_fields=["practitioner"],
        update_fields=list(CREDENTIAL_FACT_FIELDS),
    )
    return len(rows)


def _review_figures(practitioner_ids: Iterable[int] | None) -> dict[int, dict[str, int]]:
    reviews = Review.objects.filter(removed_at__isnull=True)
    if practitioner_ids is not None:
        reviews = reviews.filter(practitioner_id__in=practitioner_ids)
    v, u = Q(verified=True), Q(verified=False)

    def excess(field: str):
        return Sum(Greatest(F(field) - NEUTRAL_RATING, 0), filter=u)

    rows = reviews.values("practitioner_id").annotate(
        reviews_verified=Count("id", filter=v),
        reviews_unverified=Count("id", filter=u),
        overall_sum=Sum("overall"),
        communication_verified_sum=Coalesce(Sum("communication", filter=v), 0),
        communication_unverified_sum=Coalesce(Sum("communication", filter=u), 0),
        communication_unverified_excess=Coalesce(excess("communication"), 0),
        comfort_verified_sum=Coalesce(Sum("comfort", filter=v), 0),
        comfort_unverified_sum=Coalesce(Sum("comfort", filter=u), 0),
        comfort_unverified_excess=Coalesce(excess("comfort"), 0),
        recommend_verified=Count("id", filter=v & Q(would_recommend=True)),
        recommend_unverified=Count("id", filter=u & Q(would_recommend=True)),
    )
    return {row.pop("practitioner_id"): row for row in rows}


def _referral_figures(practitioner_ids: Iterable[int] | None) -> dict[int, dict[str, int]]:
    completed = Referral.objects.filter(status=ReferralStatus.COMPLETED)
    if practitioner_ids is not None:
        completed = completed.filter(practitioner_id__in=practitioner_ids)
    rows = completed.values("practitioner_id").annotate(
        completed_referrals=Count("id"),
        referring_physicians=Count("physician_id", distinct=True),
    )
    return {row.pop("practitioner_id"): row for row in rows}


def expected_stats(practitioner_ids: Iterable[int] | None = None) -> dict[int, dict[str, Any]]:
    """Every practitioner's figures computed from the reviews, referrals and credentials
    themselves (only non-blank rows appear)."""
    figures: dict[int, dict[str, Any]] = {}
    sources = (
        _review_figures(practitioner_ids),
        _referral_figures(practitioner_ids),
        _credential_figures(practitioner_ids),
    )
    for source in sources:
        for practitioner_id, row in source.items():
            figures.setdefault(practitioner_id, blank_figures()).update(row)
    return figures


def expected_condition_stats() -> dict[tuple[int, int], int]:
    rows = (
        Referral.objects.filter(status=ReferralStatus.COMPLETED)
        .values("practitioner_id", "condition_id")
        .annotate(n=Count("id"))
    )
    return {(row["practitioner_id"], row["condition_id"]): row["n"] for row in rows}


STAT_FIELDS = [f.name for f in PractitionerStats._meta.concrete_fields if f.name != "practitioner"]
CREDENTIAL_FACT_FIELDS = (
    "licence_valid_until",
    "licence_profession",
    "licence_jurisdiction",
    "ims_valid_until",
    "ims_first_on",
    "verified_trainings",
    "facts_expire_on",
)


def _blank(name: str) -> int | str | None:
    """A figure's value with nothing to count: 0, no date, or no text."""
    field = PractitionerStats._meta.get_field(name)
    if field.null:
        return None
    return "" if isinstance(field, CharField) else 0


def blank_figures() -> dict[str, Any]:
    """A figures row with nothing counted: zeros, and no credential dates."""
    return {name: _blank(name) for name in STAT_FIELDS}


def stored_stats() -> dict[int, dict[str, Any]]:
    """The maintained figures, in the shape of expected_stats (all-blank rows left out)."""
    stored = {}
    for row in PractitionerStats.objects.values("practitioner_id", *STAT_FIELDS):
        practitioner_id = row.pop("practitioner_id")
        if any(row.values()):
            stored[practitioner_id] = row
    return stored


def stored_condition_stats() -> dict[tuple[int, int], int]:
    return {
        (row["practitioner_id"], row["condition_id"]): row["completed_referrals"]
        for row in ConditionReferralStats.objects.values(
            "practitioner_id", "condition_id", "completed_referrals"
        )
        if row["completed_referrals"]
    }


@transaction.atomic
def stats_recompute() -> int:
    """Rebuild every practitioner's figures from the source rows; returns rows written."""
    expected = expected_stats()
    blank = blank_figures()
    PractitionerStats.objects.update(**blank)
    rows = [
        PractitionerStats(practitioner_id=pid, **{**blank, **figures})
        for pid, figures in expected.items()
    ]
    PractitionerStats.objects.bulk_create(
        rows, update_conflicts=True, unique_fields=["practitioner"], update_fields=STAT_FIELDS
    )
    ConditionReferralStats.objects.all().delete()
    ConditionReferralStats.objects.bulk_create(
        ConditionReferralStats(practitioner_id=p, condition_id=c, completed_referrals=n)
        for (p, c), n in expected_condition_stats().items()
    )
    # The match index copies these figures.
    match_index_rebuild()
    return len(rows)


def stats_drift() -> list[str]:
    """Every maintained figure that differs from a recount of the source rows, one line each
    ("practitioner 12 review_count: stored 3, recounted 4"); empty when nothing drifted.
    Reads only: recompute_stats --check prints these, recompute_stats repairs them."""
    lines = []
    expected, stored = expected_stats(), stored_stats()
    blank = blank_figures()
    for practitioner_id in sorted(expected.keys() | stored.keys()):
        want, have = expected.get(practitioner_id, blank), stored.get(practitioner_id, blank)
        lines += [
            f"practitioner {practitioner_id} {name}: stored {have[name]}, recounted {want[name]}"
            for name in STAT_FIELDS
            if have[name] != want[name]
        ]
    expected_conditions, stored_conditions = expected_condition_stats(), stored_condition_stats()
    for practitioner_id, condition_id in sorted(
        expected_conditions.keys() | stored_conditions.keys()
    ):
        have = stored_conditions.get((practitioner_id, condition_id), 0)
        want = expected_conditions.get((practitioner_id, condition_id), 0)
        if have != want:
            lines.append(
                f"practitioner {practitioner_id} condition {condition_id} completed_referrals: "
                f"stored {have}, recounted {want}"
            )
    stored_entries, expected_entries = match_index_stored(), match_index_expected()
    if stored_entries != expected_entries:
        stale = len(set(stored_entries) - set(expected_entries))
        missing = len(set(expected_entries) - set(stored_entries))
        lines.append(f"match index: {stale} stale rows, {missing} missing rows")
    return lines
