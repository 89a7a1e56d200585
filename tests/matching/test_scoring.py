"""The pure ranking functions: table-driven cases and properties. No database."""

from dataclasses import replace
from datetime import date

import pytest
from hypothesis import given
from hypothesis import strategies as st

from matching import constants as k
from matching.scoring import (
    Candidate,
    InvalidPriorities,
    RatingSums,
    ReviewFigures,
    SiteFigures,
    months_between,
    rank,
    sat,
    score_candidate,
    score_experience,
    score_qualifications,
    score_rating,
    score_referrals,
    weights_from_priorities,
)

TODAY = date(2026, 11, 25)
SITE = SiteFigures(communication_mean=4.2, comfort_mean=4.3, recommend_share=0.85)
EQUAL = weights_from_priorities({})


def reviews_of(
    ratings: list[int], *, verified: bool, recommend: int | None = None
) -> ReviewFigures:
    """Figures for reviews that all give `ratings` for communication and comfort."""
    excess = sum(max(r - k.NEUTRAL_RATING, 0) for r in ratings)
    total = sum(ratings)
    sums = RatingSums(total, 0, 0) if verified else RatingSums(0, total, excess)
    yes = len(ratings) if recommend is None else recommend
    return ReviewFigures(
        verified_count=len(ratings) if verified else 0,
        unverified_count=0 if verified else len(ratings),
        communication=sums,
        comfort=sums,
        recommend_verified=yes if verified else 0,
        recommend_unverified=0 if verified else yes,
    )


@pytest.mark.parametrize(
    ("x", "half", "expected"),
    [(0, 5, 0.0), (5, 5, 0.5), (15, 5, 0.75), (-3, 5, 0.0)],
)
def test_sat_is_zero_at_zero_and_half_at_half(x, half, expected):
    assert sat(x, half) == pytest.approx(expected)


@pytest.mark.parametrize(
    ("start", "today", "months"),
    [
        (date(2020, 1, 31), date(2020, 2, 1), 1),
        (date(2012, 6, 1), date(2026, 11, 25), 173),
        (date(2027, 1, 1), date(2026, 11, 25), 0),
    ],
)
def test_months_between_counts_calendar_months(start, today, months):
    assert months_between(start, today) == months


@pytest.mark.parametrize(
    ("candidate", "score", "reasons"),
    [
        (
            Candidate(id=1, qualified=False),
            0.0,
            ("Not verified: needs a verified licence and IMS certification",),
        ),
        (
            Candidate(id=1, qualified=True, profession="physiotherapist", jurisdiction="CA-BC"),
            0.5,
            ("Licensed physiotherapist (CA-BC), verified",),
        ),
        (
            Candidate(
                id=1,
                qualified=True,
                profession="physician",
                jurisdiction="CA-ON",
                ims_certified_on=date(2021, 11, 1),
                verified_trainings=2,
            ),
            0.5 + 0.3 * 0.5 + 0.2 * 0.5,
            (
                "Licensed physician (CA-ON), verified",
                "IMS certified since 2021",
                "2 further verified trainings",
            ),
        ),
    ],
)
def test_score_qualifications(candidate, score, reasons):
    result = score_qualifications(candidate, today=TODAY)
    assert result.score == pytest.approx(score)
    assert result.reasons == reasons


@pytest.mark.parametrize(
    ("candidate", "score", "reasons"),
    [
        (Candidate(id=1, qualified=True), 0.0, ("No experience with sciatica reported",)),
        (
            Candidate(id=1, qualified=True, experience_years=26, experience_patients=1092),
            0.4 * (1 - 5 / 31) + 0.3 * (1 - 150 / 1242),
            ("26 years treating sciatica, about 1,092 patients (self-reported)",),
        ),
        (
            Candidate(id=1, qualified=True, experience_years=5, experience_patients=150),
            0.4 * 0.5 + 0.3 * 0.5,
            ("5 years treating sciatica, about 150 patients (self-reported)",),
        ),
        (
            Candidate(
                id=1,
                qualified=True,
                experience_years=1,
                experience_patients=1,
                condition_referrals=3,
            ),
            0.4 * 1 / 6 + 0.3 * 1 / 151 + 0.3 * 0.5,
            (
                "1 year treating sciatica, about 1 patient (self-reported)",
                "3 completed physician referrals for sciatica",
            ),
        ),
    ],
)
def test_score_experience(candidate, score, reasons):
    result = score_experience(candidate, condition_name="Sciatica")
    assert result.score == pytest.approx(score)
    assert result.reasons == reasons


@pytest.mark.parametrize(
    ("candidate", "score", "reasons"),
    [
        (
            Candidate(id=1, qualified=True),
            0.4 * 0.85,
            ("No completed physician referrals yet", "No reviews yet"),
        ),
        (
            Candidate(
                id=1,
                qualified=True,
                referring_physicians=3,
                reviews=reviews_of([5] * 5, verified=True, recommend=4),
            ),
            0.6 * 0.5 + 0.4 * (4 + 5 * 0.85) / 10,
            ("Referred by 3 physicians", "80% of 5 reviewers would recommend"),
        ),
    ],
)
def test_score_referrals(candidate, score, reasons):
    result = score_referrals(candidate, site=SITE)
    assert result.score == pytest.approx(score)
    assert result.reasons == reasons


@pytest.mark.parametrize(
    ("reviews", "score", "reasons"),
    [
        (ReviewFigures(), (4.2 - 1) / 4, ("No reviews yet: scored at the site-wide average",)),
        (
            reviews_of([5, 4], verified=True),
            ((9 + 10 * 4.2) / 12 - 1) / 4,
            ("4.5/5 from 2 reviews (2 verified)",),
        ),
        (
            # Unverified praise above 3 counts at 0.75: 5 → 4.5, 4 → 3.75.
            reviews_of([5, 4], verified=False),
            ((8.25 + 10 * 4.2) / 12 - 1) / 4,
            ("4.5/5 from 2 reviews (0 verified)",),
        ),
        (
            # Criticism counts in full whether verified or not.
            reviews_of([2], verified=False),
            ((2 + 10 * 4.2) / 11 - 1) / 4,
            ("2.0/5 from 1 review (0 verified)",),
        ),
    ],
)
def test_score_rating_is_a_bayesian_average(reviews, score, reasons):
    result = score_rating(reviews, reviews.communication, site_mean=4.2, show_verified=True)
    assert result.score == pytest.approx(score)
    assert result.reasons == reasons


@pytest.mark.parametrize(
    ("lone_verified", "many_verified"), [(True, True), (False, False), (True, False)]
)
def test_one_five_star_review_ranks_below_thirty_averaging_four_point_eight(
    lone_verified, many_verified
):
    one = reviews_of([5], verified=lone_verified)
    thirty = reviews_of([5] * 24 + [4] * 6, verified=many_verified)  # mean 4.8
    lone = score_rating(one, one.communication, site_mean=4.2, show_verified=True)
    many = score_rating(thirty, thirty.communication, site_mean=4.2, show_verified=True)
    assert many.score > lone.score


@pytest.mark.parametrize(
    ("priorities", "weights"),
    [
        ({}, {name: 0.2 for name in k.CRITERIA}),
        (
            {"experience": 2},
            {
                "qualifications": 1 / 6,
                "experience": 2 / 6,
                "referrals": 1 / 6,
                "communication": 1 / 6,
                "comfort": 1 / 6,
            },
        ),
        (
            {
                "qualifications": 0,
                "referrals": 0,
                "communication": 0,
                "comfort": 0,
                "experience": 3,
            },
            {
                "qualifications": 0,
                "experience": 1,
                "referrals": 0,
                "communication": 0,
                "comfort": 0,
            },
        ),
    ],
)
def test_weights_are_priorities_normalised(priorities, weights):
    assert weights_from_priorities(priorities) == pytest.approx(weights)


@pytest.mark.parametrize(
    "priorities",
    [{name: 0 for name in k.CRITERIA}, {"comfort": 6}, {"experience": -1}],
)
def test_invalid_priorities_are_refused(priorities):
    with pytest.raises(InvalidPriorities):
        weights_from_priorities(priorities)


def test_ties_break_by_distance_then_id():
    twins = [
        Candidate(id=3, qualified=True, distance_km=2.0),
        Candidate(id=2, qualified=True, distance_km=5.0),
        Candidate(id=1, qualified=True, distance_km=2.0),
        Candidate(id=0, qualified=True, distance_km=None),
    ]
    ranked = rank(twins, condition_name="Sciatica", weights=EQUAL, site=SITE, today=TODAY)
    assert [s.candidate.id for s in ranked] == [1, 3, 2, 0]


# --- properties -------------------------------------------------------------------------

counts = st.integers(min_value=0, max_value=2000)


@st.composite
def review_figures(draw) -> ReviewFigures:
    verified = draw(st.lists(st.integers(1, 5), max_size=40))
    unverified = draw(st.lists(st.integers(1, 5), max_size=40))
    sums = RatingSums(
        sum(verified), sum(unverified), sum(max(r - k.NEUTRAL_RATING, 0) for r in unverified)
    )
    return ReviewFigures(
        verified_count=len(verified),
        unverified_count=len(unverified),
        communication=sums,
        comfort=sums,
        recommend_verified=draw(st.integers(0, len(verified))),
        recommend_unverified=draw(st.integers(0, len(unverified))),
    )


@st.composite
def candidates(draw) -> Candidate:
    has_experience = draw(st.booleans())
    return Candidate(
        id=draw(st.integers(1, 10_000)),
        qualified=draw(st.booleans()),
        ims_certified_on=draw(st.none() | st.dates(date(1975, 1, 1), date(2030, 1, 1))),
        verified_trainings=draw(st.integers(0, 20)),
        experience_years=draw(st.integers(0, 70)) if has_experience else None,
        experience_patients=draw(st.integers(0, 100_000)) if has_experience else None,
        condition_referrals=draw(counts),
        referring_physicians=draw(counts),
        reviews=draw(review_figures()),
        distance_km=draw(st.none() | st.floats(0, 500)),
    )


sites = st.builds(
    SiteFigures,
    communication_mean=st.floats(1, 5),
    comfort_mean=st.floats(1, 5),
    recommend_share=st.floats(0, 1),
)
priorities = st.fixed_dictionaries({name: st.integers(0, 5) for name in k.CRITERIA}).filter(
    lambda p: sum(p.values()) > 0
)


def total(candidate: Candidate, weights, site) -> float:
    return score_candidate(
        candidate, condition_name="Sciatica", weights=weights, site=site, today=TODAY
    ).score


@given(candidates(), priorities, sites)
def test_every_criterion_is_in_unit_interval_and_score_is_the_weighted_sum(c, prio, site):
    weights = weights_from_priorities(prio)
    result = score_candidate(c, condition_name="Sciatica", weights=weights, site=site, today=TODAY)
    for criterion in result.criteria.values():
        assert 0.0 <= criterion.score <= 1.0
    assert result.score == pytest.approx(
        sum(weights[name] * result.criteria[name].score for name in k.CRITERIA)
    )
    assert 0.0 <= result.score <= 1.0 + 1e-9


def improvements(c: Candidate):
    """Each way of improving one input of a practitioner."""
    r = c.reviews
    yield replace(
        c,
        experience_years=(c.experience_years or 0) + 1,
        experience_patients=c.experience_patients or 0,
    )
    yield replace(
        c,
        experience_years=c.experience_years or 0,
        experience_patients=(c.experience_patients or 0) + 10,
    )
    yield replace(c, condition_referrals=c.condition_referrals + 1)
    yield replace(c, referring_physicians=c.referring_physicians + 1)
    yield replace(c, verified_trainings=c.verified_trainings + 1)
    if c.ims_certified_on and c.ims_certified_on.year > 1975:
        yield replace(
            c, ims_certified_on=c.ims_certified_on.replace(year=c.ims_certified_on.year - 1, day=1)
        )
    if r.recommend_unverified < r.unverified_count:
        yield replace(c, reviews=replace(r, recommend_unverified=r.recommend_unverified + 1))
    if r.recommend_verified < r.verified_count:
        yield replace(c, reviews=replace(r, recommend_verified=r.recommend_verified + 1))


def better_rating(r: ReviewFigures, rating: int, *, verified: bool) -> ReviewFigures:
    """One review's communication rating raised from `rating` to `rating + 1`."""
    s = r.communication
    if verified:
        sums = replace(s, verified_sum=s.verified_sum + 1)
    else:
        gain = 1 if rating >= k.NEUTRAL_RATING else 0
        sums = replace(
            s, unverified_sum=s.unverified_sum + 1, unverified_excess=s.unverified_excess + gain
        )
    return replace(r, communication=sums)


def verified_instead(r: ReviewFigures, rating: int, recommends: bool) -> ReviewFigures:
    """One unverified review (rating for both dimensions) becomes verified."""
    excess = max(rating - k.NEUTRAL_RATING, 0)

    def move(s: RatingSums) -> RatingSums:
        return RatingSums(
            s.verified_sum + rating, s.unverified_sum - rating, s.unverified_excess - excess
        )

    return ReviewFigures(
        verified_count=r.verified_count + 1,
        unverified_count=r.unverified_count - 1,
        communication=move(r.communication),
        comfort=move(r.comfort),
        recommend_verified=r.recommend_verified + recommends,
        recommend_unverified=r.recommend_unverified - recommends,
    )


@given(candidates(), priorities, sites)
def test_improving_any_single_input_never_lowers_the_score(c, prio, site):
    weights = weights_from_priorities(prio)
    before = total(c, weights, site)
    for better in improvements(c):
        assert total(better, weights, site) >= before - 1e-12


@given(candidates(), priorities, sites, st.integers(1, 4), st.booleans())
def test_a_better_rating_never_lowers_the_score(c, prio, site, rating, verified):
    weights = weights_from_priorities(prio)
    base = c.reviews
    # Add the review at `rating`, then compare with the same review one star better.
    excess = max(rating - k.NEUTRAL_RATING, 0)
    added = RatingSums(
        base.communication.verified_sum + (rating if verified else 0),
        base.communication.unverified_sum + (0 if verified else rating),
        base.communication.unverified_excess + (0 if verified else excess),
    )
    with_review = replace(
        base,
        communication=added,
        verified_count=base.verified_count + verified,
        unverified_count=base.unverified_count + (not verified),
    )
    worse = replace(c, reviews=with_review)
    better = replace(c, reviews=better_rating(with_review, rating, verified=verified))
    assert total(better, weights, site) >= total(worse, weights, site) - 1e-12


@given(candidates(), priorities, sites, st.integers(1, 5), st.booleans())
def test_a_verified_instead_of_unverified_review_never_lowers_the_score(c, prio, site, rating, rec):
    weights = weights_from_priorities(prio)
    r = c.reviews
    excess = max(rating - k.NEUTRAL_RATING, 0)
    extra = RatingSums(0, rating, excess)

    def plus(s: RatingSums) -> RatingSums:
        return RatingSums(
            s.verified_sum, s.unverified_sum + extra.unverified_sum, s.unverified_excess + excess
        )

    with_unverified = ReviewFigures(
        verified_count=r.verified_count,
        unverified_count=r.unverified_count + 1,
        communication=plus(r.communication),
        comfort=plus(r.comfort),
        recommend_verified=r.recommend_verified,
        recommend_unverified=r.recommend_unverified + rec,
    )
    unverified = replace(c, reviews=with_unverified)
    verified = replace(c, reviews=verified_instead(with_unverified, rating, rec))
    assert total(verified, weights, site) >= total(unverified, weights, site) - 1e-12


@given(
    st.lists(candidates(), max_size=30, unique_by=lambda c: c.id), priorities, sites, st.randoms()
)
def test_the_order_is_deterministic_whatever_the_input_order(cs, prio, site, rnd):
    weights = weights_from_priorities(prio)
    shuffled = list(cs)
    rnd.shuffle(shuffled)
    first = rank(cs, condition_name="Sciatica", weights=weights, site=site, today=TODAY)
    second = rank(shuffled, condition_name="Sciatica", weights=weights, site=site, today=TODAY)
    assert [s.candidate.id for s in first] == [s.candidate.id for s in second]
