"""The database side of matching: gates, filters and the top-k by score, in a constant
number of queries whatever the limit or the number of candidates.

The score is computed in SQL with the same formulas as matching.scoring (the reference),
so that the database sorts thousands of candidates and returns only the top `limit`.
tests/matching/test_candidates.py ranks the same candidates both ways.
"""

from dataclasses import dataclass
from datetime import date

from django.db.models import (
    Case,
    Count,
    DateField,
    ExpressionWrapper,
    F,
    FilteredRelation,
    FloatField,
    OuterRef,
    Q,
    QuerySet,
    Subquery,
    Sum,
    Value,
    When,
    Window,
)
from django.db.models.functions import Cast, Coalesce, ExtractMonth, ExtractYear, Greatest

from directory.geo import Point, bounding_box, great_circle_km, haversine_km
from directory.models import (
    Condition,
    Credential,
    CredentialKind,
    Location,
    PractitionerProfile,
    PractitionerStats,
)
from directory.models.practitioners import languages_from_db
from directory.rules import live_credentials, qualified_figures_q
from matching import constants as k
from matching.scoring import Candidate, RatingSums, ReviewFigures, SiteFigures, rating_prior_mean


@dataclass(frozen=True)
class CandidateFilters:
    condition: Condition
    today: date
    center: Point | None = None
    radius_km: float = 50.0
    languages: tuple[str, ...] = ()
    accepting_new_patients: bool | None = None


@dataclass(frozen=True)
class CandidateRow:
    """A candidate with what the result card shows besides its scores."""

    candidate: Candidate
    name: str
    profession: str
    languages: list[str]
    accepting_new_patients: bool
    clinic: str | None
    city: str | None


# The maintained figures (directory PractitionerStats) that scoring reads.
STAT_INPUTS = (
    "reviews_verified",
    "reviews_unverified",
    "communication_verified_sum",
    "communication_unverified_sum",
    "communication_unverified_excess",
    "comfort_verified_sum",
    "comfort_unverified_sum",
    "comfort_unverified_excess",
    "recommend_verified",
    "recommend_unverified",
    "referring_physicians",
)


def _f(value: float) -> Value:
    return Value(float(value), output_field=FloatField())


def _float(expression) -> Cast:
    return Cast(expression, FloatField())


def _sat(x, half: float):
    """scoring.sat in SQL, naming x once."""
    return ExpressionWrapper(_f(1.0) - _f(half) / (x + _f(half)), output_field=FloatField())


def site_figures() -> SiteFigures:
    """Site-wide priors, one aggregate over the maintained figures."""
    discount = 1 - k.UNVERIFIED_PRAISE_WEIGHT
    totals = PractitionerStats.objects.filter(practitioner__is_active=True).aggregate(
        n=Sum(F("reviews_verified") + F("reviews_unverified")),
        communication=Sum(
            _float(F("communication_verified_sum") + F("communication_unverified_sum"))
            - _f(discount) * _float(F("communication_unverified_excess"))
        ),
        comfort=Sum(
            _float(F("comfort_verified_sum") + F("comfort_unverified_sum"))
            - _f(discount) * _float(F("comfort_unverified_excess"))
        ),
        recommend=Sum(F("recommend_verified") + F("recommend_unverified")),
    )
    n = totals["n"] or 0
    if not n:
        return SiteFigures()
    return SiteFigures(
        communication_mean=totals["communication"] / n,
        comfort_mean=totals["comfort"] / n,
        recommend_share=totals["recommend"] / n,
    )


def _live_credentials(owner_ref, kind: str, today: date) -> QuerySet[Credential]:
    return live_credentials(today=today).filter(owner=owner_ref, kind=kind)


def gated(filters: CandidateFilters) -> QuerySet[PractitionerProfile]:
    """Active, qualified practitioners that pass every filter; with `distance_km` when a
    location is given (to the nearest clinic). Filters exclude; they never score."""
    # The qualified rule read from the maintained figures row (the same row the score
    # reads), instead of two credential EXISTS probes per candidate.
    qs = PractitionerProfile.objects.filter(is_active=True, user__is_active=True).filter(
        qualified_figures_q(today=filters.today)
    )
    if filters.accepting_new_patients:
        qs = qs.filter(accepting_new_patients=True)
    if filters.languages:
        spoken = Q()
        for code in filters.languages:
            spoken |= Q(languages__contains=f",{code},")
        qs = qs.filter(spoken)
    if filters.center is not None:
        box = bounding_box(filters.center, filters.radius_km)
        # One pass over the clinics in the box (the (lat, lng) index answers it) measures
        # each clinic once; the nearest-clinic distance, which only orders the result, then
        # looks up each candidate's own one or two clinics by practitioner_id.
        within = (
            Location.objects.filter(box.q())
            .annotate(d=haversine_km(filters.center))
            .filter(d__lte=filters.radius_km)
        )
        nearest = (
            Location.objects.filter(practitioner=OuterRef("pk"))
            .annotate(d=haversine_km(filters.center))
            .order_by("d")
            .values("d")[:1]
        )
        qs = qs.filter(id__in=within.values("practitioner_id")).annotate(
            distance_km=Subquery(nearest, output_field=FloatField())
        )
    else:
        qs = qs.annotate(distance_km=Value(None, output_field=FloatField()))
    return qs


def _months_since(field: str, today: date):
    """scoring.months_between(field, today) in SQL."""
    return Greatest(
        (Value(today.year) - ExtractYear(field)) * Value(12)
        + (Value(today.month) - ExtractMonth(field)),
        Value(0),
    )


def _credential_inputs(today: date) -> dict:
    """First IMS date, whole months since it, and verified trainings.

    Read from the maintained figures while none of the counted IMS certifications and
    trainings has expired (then they are exactly the figures as of today); otherwise from
    the credentials, as of today. PostgreSQL evaluates a CASE branch only when it is taken,
    so the subqueries run for those few candidates only."""
    ims = _live_credentials(OuterRef("user_id"), CredentialKind.IMS_CERTIFICATION, today)
    trainings = (
        _live_credentials(OuterRef("user_id"), CredentialKind.TRAINING, today)
        .values("owner")
        .annotate(n=Count("id"))
        .values("n")
    )
    zero = Value(0)
    first_ims = ims.order_by("issued_on")
    fresh = Q(stats__facts_expire_on__isnull=True) | Q(stats__facts_expire_on__gte=today)
    return {
        "ims_certified_on": Case(
            When(fresh, then=F("stats__ims_first_on")),
            default=Subquery(first_ims.values("issued_on")[:1]),
            output_field=DateField(),
        ),
        # Months computed inside the one subquery: an expression over a subquery
        # annotation would re-run it per reference.
        "ims_months": Case(
            When(fresh, then=Coalesce(_months_since("stats__ims_first_on", today), zero)),
            default=Coalesce(
                Subquery(first_ims.annotate(m=_months_since("issued_on", today)).values("m")[:1]),
                zero,
            ),
        ),
        "verified_trainings": Case(
            When(fresh, then=F("stats__verified_trainings")),
            default=Coalesce(Subquery(trainings), zero),
        ),
    }


def _annotate_inputs(qs: QuerySet, filters: CandidateFilters) -> QuerySet:
    zero = Value(0)
    qs = qs.annotate(
        condition_experience=FilteredRelation(
            "experience", condition=Q(experience__condition=filters.condition)
        ),
        condition_counts=FilteredRelation(
            "condition_stats", condition=Q(condition_stats__condition=filters.condition)
        ),
        **_credential_inputs(filters.today),
    )
    stat = {name: Coalesce(F(f"stats__{name}"), zero) for name in STAT_INPUTS}
    return qs.annotate(
        experience_years=F("condition_experience__years"),
        experience_patients=F("condition_experience__patients_treated"),
        condition_referrals=Coalesce(F("condition_counts__completed_referrals"), zero),
        **stat,
    )


def _rating_score(prefix: str, site_mean: float):
    """((Σ effective rating + P·m) / (n + P) − 1) / 4, as in scoring.score_rating."""
    discount = 1 - k.UNVERIFIED_PRAISE_WEIGHT
    effective = (
        _float(F(f"{prefix}_verified_sum"))
        + _float(F(f"{prefix}_unverified_sum"))
        - _f(discount) * _float(F(f"{prefix}_unverified_excess"))
    )
    n = _float(F("reviews_verified") + F("reviews_unverified"))
    prior = k.RATING_PRIOR_REVIEWS
    bayes = (effective + _f(prior * rating_prior_mean(site_mean))) / (n + _f(prior))
    return (bayes - _f(1.0)) / _f(4.0)


def _criterion_expressions(site: SiteFigures) -> dict:
    years = _float(F("ims_months")) / _f(12.0)
    qualifications = (
        _f(k.QUAL_BASE)
        + _f(k.QUAL_TENURE_WEIGHT) * _sat(years, k.QUAL_TENURE_HALF_YEARS)
        + _f(k.QUAL_TRAINING_WEIGHT) * _sat(_float(F("verified_trainings")), k.QUAL_TRAINING_HALF)
    )
    experience = (
        _f(k.EXP_YEARS_WEIGHT)
        * _sat(_float(Coalesce(F("experience_years"), Value(0))), k.EXP_YEARS_HALF)
        + _f(k.EXP_PATIENTS_WEIGHT)
        * _sat(_float(Coalesce(F("experience_patients"), Value(0))), k.EXP_PATIENTS_HALF)
        + _f(k.EXP_REFERRALS_WEIGHT) * _sat(_float(F("condition_referrals")), k.EXP_REFERRALS_HALF)
    )
    n = _float(F("reviews_verified") + F("reviews_unverified"))
    yes = _float(F("recommend_verified")) + _f(k.UNVERIFIED_PRAISE_WEIGHT) * _float(
        F("recommend_unverified")
    )
    prior = k.RECOMMEND_PRIOR_REVIEWS
    share = (yes + _f(prior * site.recommend_share)) / (n + _f(prior))
    referrals = (
        _f(k.REF_PHYSICIANS_WEIGHT) * _sat(_float(F("referring_physicians")), k.REF_PHYSICIANS_HALF)
        + _f(k.REF_RECOMMEND_WEIGHT) * share
    )
    return {
        "qualifications": qualifications,
        "experience": experience,
        "referrals": referrals,
        "communication": _rating_score("communication", site.communication_mean),
        "comfort": _rating_score("comfort", site.comfort_mean),
    }


def scored(filters: CandidateFilters, *, weights: dict[str, float], site: SiteFigures):
    """The gated candidates annotated with `score`, best first (ties: distance, then id)."""
    criteria = _criterion_expressions(site)
    terms = [_f(weights[name]) * criteria[name] for name in k.CRITERIA if weights[name]]
    total = terms[0]
    for term in terms[1:]:
        total = total + term
    qs = _annotate_inputs(gated(filters), filters).annotate(
        score=ExpressionWrapper(total, output_field=FloatField())
    )
    order = ["-score", "id"]
    if filters.center is not None:
        order.insert(1, "distance_km")
    return qs.order_by(*order)


INPUT_FIELDS = (
    "id",
    "user__name",
    "profession",
    "languages",
    "accepting_new_patients",
    "distance_km",
    "ims_certified_on",
    "verified_trainings",
    "experience_years",
    "experience_patients",
    "condition_referrals",
    *STAT_INPUTS,
)


def candidate_from_row(row: dict, licence: tuple[str, str]) -> Candidate:
    return Candidate(
        id=row["id"],
        qualified=True,
        profession=licence[0],
        jurisdiction=licence[1],
        ims_certified_on=row["ims_certified_on"],
        verified_trainings=row["verified_trainings"],
        experience_years=row["experience_years"],
        experience_patients=row["experience_patients"],
        condition_referrals=row["condition_referrals"],
        referring_physicians=row["referring_physicians"],
        distance_km=row["distance_km"],
        reviews=ReviewFigures(
            verified_count=row["reviews_verified"],
            unverified_count=row["reviews_unverified"],
            communication=RatingSums(
                row["communication_verified_sum"],
                row["communication_unverified_sum"],
                row["communication_unverified_excess"],
            ),
            comfort=RatingSums(
                row["comfort_verified_sum"],
                row["comfort_unverified_sum"],
                row["comfort_unverified_excess"],
            ),
            recommend_verified=row["recommend_verified"],
            recommend_unverified=row["recommend_unverified"],
        ),
    )


def _licences(user_ids: list[int], today: date) -> dict[int, tuple[str, str]]:
    """The newest verified, unexpired licence of each user: what the reasons name."""
    rows = (
        live_credentials(today=today)
        .filter(owner_id__in=user_ids, kind=CredentialKind.LICENSE)
        .order_by("owner_id", "-expires_on", "-id")
        .values_list("owner_id", "profession", "jurisdiction")
    )
    licences: dict[int, tuple[str, str]] = {}
    for owner_id, profession, jurisdiction in rows:
        licences.setdefault(owner_id, (profession, jurisdiction))
    return licences


def _clinics(ids: list[int], center: Point | None) -> dict[int, Location]:
    """The clinic a card names: the nearest one to the search, else the first listed."""
    clinics: dict[int, Location] = {}
    for location in Location.objects.filter(practitioner_id__in=ids).order_by("id"):
        current = clinics.get(location.practitioner_id)
        if current is None or (
            center is not None
            and great_circle_km(center, Point(location.lat, location.lng))
            < great_circle_km(center, Point(current.lat, current.lng))
        ):
            clinics[location.practitioner_id] = location
    return clinics


def top_candidates(
    filters: CandidateFilters, *, weights: dict[str, float], site: SiteFigures, limit: int
) -> tuple[int, list[CandidateRow]]:
    """How many candidates pass the gates, and the best `limit` of them: three queries."""
    # COUNT(*) OVER () counts every gated row before the LIMIT, in the same pass that sorts
    # them, instead of a second query that would gate and measure them all again.
    rows = list(
        scored(filters, weights=weights, site=site)
        .annotate(candidates=Window(Count("*")))
        .values(*INPUT_FIELDS, "user_id", "candidates")[:limit]
    )
    count = rows[0]["candidates"] if rows else 0
    ids = [row["id"] for row in rows]
    licences = _licences([row["user_id"] for row in rows], filters.today)
    clinics = _clinics(ids, filters.center)
    result = []
    for row in rows:
        clinic = clinics.get(row["id"])
        result.append(
            CandidateRow(
                candidate=candidate_from_row(row, licences.get(row["user_id"], ("", ""))),
                name=row["user__name"],
                profession=row["profession"],
                languages=languages_from_db(row["languages"]),
                accepting_new_patients=row["accepting_new_patients"],
                clinic=clinic.name if clinic else None,
                city=clinic.city if clinic else None,
            )
        )
    return count, result
