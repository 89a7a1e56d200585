"""Every constant of the ranking, with the formula it feeds (README: "How ranking works").

Saturation. Counts that should help with diminishing returns go through
    sat(x, half) = x / (x + half)   (computed as 1 - half / (x + half))
which is 0 at x = 0, 1/2 at x = half, tends to 1, and rises with x (so more of a good
thing never lowers a score). It is plain arithmetic, so the database computes exactly
the same number as Python when it picks the top results.

Criterion scores, each in [0, 1]:

qualifications = 0                                   if not qualified (never matched)
               = QUAL_BASE
                 + QUAL_TENURE_WEIGHT   * sat(years since first IMS certificate,
                                              QUAL_TENURE_HALF_YEARS)
                 + QUAL_TRAINING_WEIGHT * sat(verified extra trainings, QUAL_TRAINING_HALF)

experience     = EXP_YEARS_WEIGHT     * sat(years treating the condition, EXP_YEARS_HALF)
               + EXP_PATIENTS_WEIGHT  * sat(patients treated for it, EXP_PATIENTS_HALF)
               + EXP_REFERRALS_WEIGHT * sat(completed referrals for it, EXP_REFERRALS_HALF)

referrals      = REF_PHYSICIANS_WEIGHT * sat(distinct physicians with completed referrals,
                                             REF_PHYSICIANS_HALF)
               + REF_RECOMMEND_WEIGHT  * recommend_share
  recommend_share = (verified yes + UNVERIFIED_PRAISE_WEIGHT * unverified yes
                     + RECOMMEND_PRIOR_REVIEWS * site-wide share)
                    / (reviews + RECOMMEND_PRIOR_REVIEWS)

communication, comfort = (bayes - RATING_MIN) / RATING_SPAN (the 1–5 scale onto 0–1), with
  the Bayesian average
  bayes = (Σ effective rating + RATING_PRIOR_REVIEWS * site-wide mean)
          / (reviews + RATING_PRIOR_REVIEWS)
  effective rating = the rating, for a verified review;
                   = min(r, NEUTRAL_RATING) + UNVERIFIED_PRAISE_WEIGHT * max(r - NEUTRAL_RATING, 0)
                     for an unverified one: its praise above the neutral 3 counts at a discount
                     (fake reviews are nearly always praise) while its criticism counts in full.
  The prior mean is the site-wide mean, capped at RATING_PRIOR_MEAN_CAP: were the site to
  average above ~4.78, thirty 4.8s would sit below the prior and a lone 5 would outrank them.
  So verification can only raise a review's weight in the practitioner's favour, and a
  higher rating never lowers the score (monotone), while one 5-star review stays close to
  the site-wide mean and many consistent 4.8s pull well above it.

Site-wide priors (the means and the would-recommend share above) are aggregated over every
active practitioner's figures at most once per SITE_PRIORS_MAX_AGE_SECONDS (a cache), so a
new review moves the priors of every other practitioner's score after at most that long.

The match index stores the request-independent parts of these scores (matching.index_parts),
computed when its rows are written: after changing a constant here, run
`manage.py rebuild_match_index` (a deploy that changes one should run it after migrating).

Weights: each priority is 0–5 (default 1); weight = priority / Σ priorities.
score = Σ weight × criterion score. Ties break by distance, then practitioner id.
"""

# The rating scale's home is directory (reviews are rated on it); the stored figures split
# unverified praise at NEUTRAL_RATING. Used here as k.RATING_MIN, ...
from directory.limits import NEUTRAL_RATING, RATING_MAX, RATING_MIN  # noqa: F401

# The scale's width: a rating r maps onto 0–1 as (r - RATING_MIN) / RATING_SPAN.
RATING_SPAN = RATING_MAX - RATING_MIN

QUAL_BASE = 0.5
QUAL_TENURE_WEIGHT = 0.3
QUAL_TENURE_HALF_YEARS = 5.0
QUAL_TRAINING_WEIGHT = 0.2
QUAL_TRAINING_HALF = 2.0

EXP_YEARS_WEIGHT = 0.4
EXP_YEARS_HALF = 5.0
EXP_PATIENTS_WEIGHT = 0.3
EXP_PATIENTS_HALF = 150.0
EXP_REFERRALS_WEIGHT = 0.3
EXP_REFERRALS_HALF = 3.0

REF_PHYSICIANS_WEIGHT = 0.6
REF_PHYSICIANS_HALF = 3.0
REF_RECOMMEND_WEIGHT = 0.4
RECOMMEND_PRIOR_REVIEWS = 5.0

RATING_PRIOR_REVIEWS = 10.0
RATING_PRIOR_MEAN_CAP = 4.5
UNVERIFIED_PRAISE_WEIGHT = 0.75

# How stale the site-wide priors may be (seconds): they move slowly, and recomputing them
# scans every practitioner's figures.
SITE_PRIORS_MAX_AGE_SECONDS = 60

# Used only while the whole site has no reviews yet.
DEFAULT_SITE_MEAN_RATING = 4.0
DEFAULT_SITE_RECOMMEND_SHARE = 0.8

DEFAULT_PRIORITY = 1
MAX_PRIORITY = 5
CRITERIA = ("qualifications", "experience", "referrals", "communication", "comfort")

# The order of a match's results: best score first (ties by distance, then id), or nearest
# clinic first (ties by score, then id; needs a location).
SORT_BEST = "best"
SORT_DISTANCE = "distance"
SORTS = (SORT_BEST, SORT_DISTANCE)
