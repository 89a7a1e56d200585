"""The ranking, as pure functions over plain data: no ORM, no clock, no I/O.

This is the reference: the database picks the top results with the same formulas
(matching.candidates), and a test ranks the same candidates both ways. Formulas and
constants are documented in matching.constants.
"""

from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from datetime import date

from matching import constants as k


@dataclass(frozen=True, slots=True)
class RatingSums:
    """One rating dimension's sums over a practitioner's live reviews."""

    verified_sum: int = 0
    unverified_sum: int = 0
    # Σ max(rating - NEUTRAL_RATING, 0) over unverified reviews: their praise.
    unverified_excess: int = 0


@dataclass(frozen=True, slots=True)
class ReviewFigures:
    verified_count: int = 0
    unverified_count: int = 0
    communication: RatingSums = field(default_factory=RatingSums)
    comfort: RatingSums = field(default_factory=RatingSums)
    recommend_verified: int = 0
    recommend_unverified: int = 0

    @property
    def count(self) -> int:
        return self.verified_count + self.unverified_count


@dataclass(frozen=True, slots=True)
class Candidate:
    id: int
    qualified: bool
    profession: str = ""
    jurisdiction: str = ""
    ims_certified_on: date | None = None
    verified_trainings: int = 0
    experience_years: int | None = None
    experience_patients: int | None = None
    condition_referrals: int = 0
    referring_physicians: int = 0
    reviews: ReviewFigures = field(default_factory=ReviewFigures)
    distance_km: float | None = None


@dataclass(frozen=True, slots=True)
class SiteFigures:
    """Site-wide priors the Bayesian averages shrink toward."""

    communication_mean: float = k.DEFAULT_SITE_MEAN_RATING
    comfort_mean: float = k.DEFAULT_SITE_MEAN_RATING
    recommend_share: float = k.DEFAULT_SITE_RECOMMEND_SHARE


@dataclass(frozen=True, slots=True)
class CriterionScore:
    score: float
    reasons: tuple[str, ...]


@dataclass(frozen=True, slots=True)
class CandidateScore:
    candidate: Candidate
    score: float
    criteria: Mapping[str, CriterionScore]


class InvalidPriorities(ValueError):
    pass


def sat(x: float, half: float) -> float:
    """x / (x + half): 0 at 0, 1/2 at `half`, rising toward 1.

    Written as 1 - half / (x + half) so that SQL names x once (candidates.py): every
    reference to a correlated subquery there runs it again for each candidate."""
    x = max(x, 0.0)
    return 1.0 - half / (x + half)


def months_between(start: date, today: date) -> int:
    """Whole calendar months from start to today (never negative); SQL computes the same."""
    return max((today.year - start.year) * 12 + (today.month - start.month), 0)


def effective_rating_sum(sums: RatingSums) -> float:
    """Σ effective rating: unverified praise counts at UNVERIFIED_PRAISE_WEIGHT."""
    discount = 1 - k.UNVERIFIED_PRAISE_WEIGHT
    return sums.verified_sum + sums.unverified_sum - discount * sums.unverified_excess


def _plural(n: int, word: str) -> str:
    return f"{n:,} {word}" if n == 1 else f"{n:,} {word}s"


def score_qualifications(candidate: Candidate, *, today: date) -> CriterionScore:
    if not candidate.qualified:
        return CriterionScore(
            0.0, ("Not verified: needs a verified licence and IMS certification",)
        )
    years = (
        months_between(candidate.ims_certified_on, today) / 12 if candidate.ims_certified_on else 0
    )
    score = (
        k.QUAL_BASE
        + k.QUAL_TENURE_WEIGHT * sat(years, k.QUAL_TENURE_HALF_YEARS)
        + k.QUAL_TRAINING_WEIGHT * sat(candidate.verified_trainings, k.QUAL_TRAINING_HALF)
    )
    profession = candidate.profession.replace("_", " ") or "practitioner"
    where = f" ({candidate.jurisdiction})" if candidate.jurisdiction else ""
    reasons = [f"Licensed {profession}{where}, verified"]
    if candidate.ims_certified_on:
        reasons.append(f"IMS certified since {candidate.ims_certified_on.year}")
    if candidate.verified_trainings:
        reasons.append(f"{_plural(candidate.verified_trainings, 'further verified training')}")
    return CriterionScore(score, tuple(reasons))


def score_experience(candidate: Candidate, *, condition_name: str) -> CriterionScore:
    years = candidate.experience_years or 0
    patients = candidate.experience_patients or 0
    score = (
        k.EXP_YEARS_WEIGHT * sat(years, k.EXP_YEARS_HALF)
        + k.EXP_PATIENTS_WEIGHT * sat(patients, k.EXP_PATIENTS_HALF)
        + k.EXP_REFERRALS_WEIGHT * sat(candidate.condition_referrals, k.EXP_REFERRALS_HALF)
    )
    label = condition_name.lower()
    if candidate.experience_years is None:
        reasons = [f"No experience with {label} reported"]
    else:
        reasons = [
            f"{_plural(years, 'year')} treating {label}, about "
            f"{_plural(patients, 'patient')} (self-reported)"
        ]
    if candidate.condition_referrals:
        referrals = _plural(candidate.condition_referrals, "completed physician referral")
        reasons.append(f"{referrals} for {label}")
    return CriterionScore(score, tuple(reasons))


def recommend_share(reviews: ReviewFigures, *, site: SiteFigures) -> float:
    yes = reviews.recommend_verified + k.UNVERIFIED_PRAISE_WEIGHT * reviews.recommend_unverified
    prior = k.RECOMMEND_PRIOR_REVIEWS
    return (yes + prior * site.recommend_share) / (reviews.count + prior)


def score_referrals(candidate: Candidate, *, site: SiteFigures) -> CriterionScore:
    reviews = candidate.reviews
    score = k.REF_PHYSICIANS_WEIGHT * sat(
        candidate.referring_physicians, k.REF_PHYSICIANS_HALF
    ) + k.REF_RECOMMEND_WEIGHT * recommend_share(reviews, site=site)
    if candidate.referring_physicians:
        reasons = [f"Referred by {_plural(candidate.referring_physicians, 'physician')}"]
    else:
        reasons = ["No completed physician referrals yet"]
    if reviews.count:
        raw_share = (reviews.recommend_verified + reviews.recommend_unverified) / reviews.count
        reasons.append(
            f"{round(raw_share * 100)}% of {_plural(reviews.count, 'reviewer')} would recommend"
        )
    else:
        reasons.append("No reviews yet")
    return CriterionScore(score, tuple(reasons))


def rating_prior_mean(site_mean: float) -> float:
    return min(site_mean, k.RATING_PRIOR_MEAN_CAP)


def bayes_rating(sums: RatingSums, count: int, *, site_mean: float) -> float:
    prior = k.RATING_PRIOR_REVIEWS
    return (effective_rating_sum(sums) + prior * rating_prior_mean(site_mean)) / (count + prior)


def score_rating(
    reviews: ReviewFigures, sums: RatingSums, *, site_mean: float, show_verified: bool
) -> CriterionScore:
    """Communication or comfort: the Bayesian average mapped from 1–5 onto 0–1."""
    score = (bayes_rating(sums, reviews.count, site_mean=site_mean) - k.RATING_MIN) / k.RATING_SPAN
    if not reviews.count:
        return CriterionScore(score, ("No reviews yet: scored at the site-wide average",))
    average = (sums.verified_sum + sums.unverified_sum) / reviews.count
    reason = f"{average:.1f}/{k.RATING_MAX} from {_plural(reviews.count, 'review')}"
    if show_verified:
        reason += f" ({reviews.verified_count} verified)"
    return CriterionScore(score, (reason,))


def weights_from_priorities(priorities: Mapping[str, int]) -> dict[str, float]:
    """Priorities 0–5 per criterion (missing = DEFAULT_PRIORITY), normalised to sum 1."""
    raw = {name: priorities.get(name, k.DEFAULT_PRIORITY) for name in k.CRITERIA}
    for name, value in raw.items():
        if not 0 <= value <= k.MAX_PRIORITY:
            raise InvalidPriorities(f"{name} must be from 0 to {k.MAX_PRIORITY}")
    total = sum(raw.values())
    if total == 0:
        raise InvalidPriorities("At least one priority must be above 0.")
    return {name: value / total for name, value in raw.items()}


def score_candidate(
    candidate: Candidate,
    *,
    condition_name: str,
    weights: Mapping[str, float],
    site: SiteFigures,
    today: date,
) -> CandidateScore:
    reviews = candidate.reviews
    criteria = {
        "qualifications": score_qualifications(candidate, today=today),
        "experience": score_experience(candidate, condition_name=condition_name),
        "referrals": score_referrals(candidate, site=site),
        "communication": score_rating(
            reviews, reviews.communication, site_mean=site.communication_mean, show_verified=True
        ),
        "comfort": score_rating(
            reviews, reviews.comfort, site_mean=site.comfort_mean, show_verified=False
        ),
    }
    total = sum(weights[name] * criteria[name].score for name in k.CRITERIA)
    return CandidateScore(candidate, total, criteria)


def rank_key(scored: CandidateScore) -> tuple[float, float, int]:
    """Best score first; ties by distance (unknown last), then id: a total, stable order."""
    distance = scored.candidate.distance_km
    return (-scored.score, distance if distance is not None else float("inf"), scored.candidate.id)


def distance_key(scored: CandidateScore) -> tuple[float, float, float, int]:
    """Nearest clinic first (unknown last); ties by score, then id (sort=distance)."""
    distance = scored.candidate.distance_km
    return (distance if distance is not None else float("inf"), -scored.score, scored.candidate.id)


def rank(
    candidates: Iterable[Candidate],
    *,
    condition_name: str,
    weights: Mapping[str, float],
    site: SiteFigures,
    today: date,
) -> list[CandidateScore]:
    scored = [
        score_candidate(c, condition_name=condition_name, weights=weights, site=site, today=today)
        for c in candidates
    ]
    return sorted(scored, key=rank_key)
