"""The request-independent parts of the criterion scores, as SQL the match index computes
when it writes a row (directory.services.match_index runs it over its source aliases:
s = the practitioner's figures row, x = their experience with the row's condition,
r = their completed referrals for it). A request then needs a few operations per row:

    qualifications = qualification_base + QUAL_TENURE_WEIGHT * sat(years since the first
                     IMS certificate, QUAL_TENURE_HALF_YEARS)      (the date moves the years)
    experience     = experience_score
    referrals      = referrals_base + referrals_prior_weight * site-wide recommend share
    communication  = communication_base + rating_prior_weight * prior mean (site-wide, capped)
    comfort        = comfort_base + rating_prior_weight * prior mean

which are matching.constants' formulas with the site-wide priors factored out:
    REF_RECOMMEND_WEIGHT * (yes + P * share) / (n + P)
        = REF_RECOMMEND_WEIGHT * yes / (n + P)  +  REF_RECOMMEND_WEIGHT * P / (n + P) * share
    ((Σ effective + P * m) / (n + P) - RATING_MIN) / RATING_SPAN
        = ((Σ effective / (n + P)) - RATING_MIN) / RATING_SPAN  +  P / (n + P) / RATING_SPAN * m
Factored, the sums round differently from matching.scoring's in the last bits; the tests
compare the two to 1e-12 and rank the same candidates both ways.

Registered with the index by MatchingConfig.ready(), so the directory keeps no formula.
"""

from directory.sqltext import as_float, float_sql
from matching import constants as k


def sat_sql(x: str, half: float) -> str:
    """scoring.sat: 1 - half / (x + half), for x ≥ 0."""
    return f"({float_sql(1.0)} - {float_sql(half)} / ({x} + {float_sql(half)}))"


def _figure(name: str) -> str:
    return as_float(f"s.{name}")


def _rating_parts(prefix: str, reviews: str) -> str:
    """((Σ effective rating / (n + P)) - RATING_MIN) / RATING_SPAN, Σ effective as in
    scoring.effective_rating_sum."""
    discount = 1 - k.UNVERIFIED_PRAISE_WEIGHT
    effective = (
        f"({as_float(f's.{prefix}_verified_sum + s.{prefix}_unverified_sum')}"
        f" - {float_sql(discount)} * {_figure(f'{prefix}_unverified_excess')})"
    )
    prior = float_sql(k.RATING_PRIOR_REVIEWS)
    low, span = float_sql(k.RATING_MIN), float_sql(k.RATING_SPAN)
    return f"((({effective} / ({reviews} + {prior})) - {low}) / {span})"


def index_parts_sql() -> dict[str, str]:
    """Each derived column of directory.models.MatchEntry, as SQL over s, x and r."""
    reviews = as_float("s.reviews_verified + s.reviews_unverified")
    yes = (
        f"({_figure('recommend_verified')}"
        f" + {float_sql(k.UNVERIFIED_PRAISE_WEIGHT)} * {_figure('recommend_unverified')})"
    )
    recommend_prior = float_sql(k.RECOMMEND_PRIOR_REVIEWS)
    rating_prior = float_sql(k.RATING_PRIOR_REVIEWS)
    return {
        "qualification_base": (
            f"({float_sql(k.QUAL_BASE)} + {float_sql(k.QUAL_TRAINING_WEIGHT)}"
            f" * {sat_sql(_figure('verified_trainings'), k.QUAL_TRAINING_HALF)})"
        ),
        "experience_score": (
            f"({float_sql(k.EXP_YEARS_WEIGHT)}"
            f" * {sat_sql(as_float('COALESCE(x.years, 0)'), k.EXP_YEARS_HALF)}"
            f" + {float_sql(k.EXP_PATIENTS_WEIGHT)}"
            f" * {sat_sql(as_float('COALESCE(x.patients_treated, 0)'), k.EXP_PATIENTS_HALF)}"
            f" + {float_sql(k.EXP_REFERRALS_WEIGHT)}"
            f" * {sat_sql(as_float('COALESCE(r.completed_referrals, 0)'), k.EXP_REFERRALS_HALF)})"
        ),
        "referrals_base": (
            f"({float_sql(k.REF_PHYSICIANS_WEIGHT)}"
            f" * {sat_sql(_figure('referring_physicians'), k.REF_PHYSICIANS_HALF)}"
            f" + {float_sql(k.REF_RECOMMEND_WEIGHT)} * ({yes} / ({reviews} + {recommend_prior})))"
        ),
        "referrals_prior_weight": (
            f"({float_sql(k.REF_RECOMMEND_WEIGHT)} * {recommend_prior}"
            f" / ({reviews} + {recommend_prior}))"
        ),
        "communication_base": _rating_parts("communication", reviews),
        "comfort_base": _rating_parts("comfort", reviews),
        "rating_prior_weight": (
            f"({rating_prior} / ({reviews} + {rating_prior}) / {float_sql(k.RATING_SPAN)})"
        ),
    }
