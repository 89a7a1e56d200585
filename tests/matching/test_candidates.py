"""The database's top-k agrees with the pure scoring functions (the reference)."""

import random
from datetime import date, timedelta
from decimal import Decimal

import pytest
from django.db import connection

from directory.geo import Point, great_circle_km, haversine_params, haversine_sql
from directory.models import (
    Condition,
    ConditionExperience,
    ConditionReferralStats,
    PractitionerProfile,
    PractitionerStats,
)
from directory.rules import fee_within_q, is_experienced
from directory.selectors.practitioners import practitioner_list
from directory.services.match_index import match_index_refresh
from directory.services.stats import stats_credentials_changed
from matching import constants as k
from matching.candidates import (
    CandidateFilters,
    Page,
    native_placeholders,
    ranked_rows,
    site_figures,
    site_figures_now,
    top_candidates,
)
from matching.scoring import (
    SiteFigures,
    distance_key,
    rank,
    score_candidate,
    weights_from_priorities,
)
from tests.factories import (
    CredentialFactory,
    ExperienceFactory,
    LocationFactory,
    qualified_practitioner,
)

TODAY = date(2026, 11, 25)
VANCOUVER = Point(49.2827, -123.1207)


def random_practitioner(rnd: random.Random, condition: Condition):
    practitioner = qualified_practitioner(
        fee_per_session=rnd.choice([None, Decimal("60.00"), Decimal("120.00"), Decimal("180.50")]),
        direct_billing=rnd.random() < 0.5,
    )
    ims = practitioner.user.credentials.get(kind="ims_certification")
    ims.issued_on = date(rnd.randint(1990, 2026), rnd.randint(1, 12), rnd.randint(1, 28))
    ims.save()
    stats_credentials_changed(owner_id=practitioner.user_id)
    for _ in range(rnd.randint(0, 3)):
        CredentialFactory(owner=practitioner.user, verified=True, training=True)
    for _ in range(rnd.randint(1, 2)):
        LocationFactory(
            practitioner=practitioner,
            lat=VANCOUVER.lat + rnd.uniform(-0.2, 0.2),
            lng=VANCOUVER.lng + rnd.uniform(-0.2, 0.2),
        )
    if rnd.random() < 0.8:
        ExperienceFactory(
            practitioner=practitioner,
            condition=condition,
            years=rnd.randint(0, 30),
            patients_treated=rnd.randint(0, 2000),
        )
    verified, unverified = rnd.randint(0, 30), rnd.randint(0, 30)
    u_comm = [rnd.randint(1, 5) for _ in range(unverified)]
    u_comf = [rnd.randint(1, 5) for _ in range(unverified)]
    PractitionerStats.objects.filter(practitioner=practitioner).update(
        reviews_verified=verified,
        reviews_unverified=unverified,
        overall_sum=rnd.randint(verified + unverified, 5 * (verified + unverified)),
        communication_verified_sum=sum(rnd.randint(1, 5) for _ in range(verified)),
        communication_unverified_sum=sum(u_comm),
        communication_unverified_excess=sum(max(r - 3, 0) for r in u_comm),
        comfort_verified_sum=sum(rnd.randint(1, 5) for _ in range(verified)),
        comfort_unverified_sum=sum(u_comf),
        comfort_unverified_excess=sum(max(r - 3, 0) for r in u_comf),
        recommend_verified=rnd.randint(0, verified),
        recommend_unverified=rnd.randint(0, unverified),
        referring_physicians=rnd.randint(0, 8),
    )
    if rnd.random() < 0.5:
        ConditionReferralStats.objects.create(
            practitioner=practitioner, condition=condition, completed_referrals=rnd.randint(0, 9)
        )
    # The figures went in past the services: rewrite the practitioner's index rows as they do.
    match_index_refresh(practitioner_id=practitioner.pk)
    return practitioner


FILTERS = [
    {},
    {"max_fee": 120.0},
    {"direct_billing": True},
    {"experience_required": True},
    {"max_fee": 180.5, "direct_billing": True, "experience_required": True},
]


def passes(practitioner: PractitionerProfile, condition: Condition, filters: dict) -> bool:
    """The filters, read from the directory's own rows (not the index)."""
    if "max_fee" in filters:
        # The directory's form of the rule (directory.rules.fee_within_q): both must agree.
        within = PractitionerProfile.objects.filter(
            fee_within_q(Decimal(str(filters["max_fee"]))), pk=practitioner.pk
        )
        if not within.exists():
            return False
    if filters.get("direct_billing") and not practitioner.direct_billing:
        return False
    return not filters.get("experience_required") or experienced(practitioner, condition)


def experienced(practitioner: PractitionerProfile, condition: Condition) -> bool:
    reported = ConditionExperience.objects.filter(
        practitioner=practitioner, condition=condition
    ).first()
    referrals = ConditionReferralStats.objects.filter(
        practitioner=practitioner, condition=condition
    ).first()
    return is_experienced(
        experience_years=reported.years if reported else None,
        condition_referrals=referrals.completed_referrals if referrals else 0,
    )


@pytest.mark.django_db
@pytest.mark.parametrize("seed", [1, 2, 3])
@pytest.mark.parametrize("with_location", [True, False])
def test_database_ranks_like_the_pure_reference(seed, with_location):
    rnd = random.Random(seed)
    condition = Condition.objects.get(slug="sciatica")
    everyone = [random_practitioner(rnd, condition) for _ in range(25)]
    priorities = {name: rnd.randint(0, 5) for name in ("experience", "comfort", "referrals")}
    weights = weights_from_priorities(priorities)
    site = site_figures()
    # Every candidate's Candidate, as the database reads it without filters.
    unfiltered = CandidateFilters(
        condition=condition, today=TODAY, center=VANCOUVER if with_location else None, radius_km=500
    )
    all_rows = top_candidates(unfiltered, weights=weights, site=site, page=Page(limit=100)).rows
    candidates = {row.candidate.id: row.candidate for row in all_rows}
    assert len(candidates) == 25
    for chosen in FILTERS:
        filters = CandidateFilters(
            condition=condition,
            today=TODAY,
            center=VANCOUVER if with_location else None,
            radius_km=500,
            **chosen,
        )
        kept = [p for p in everyone if passes(p, condition, chosen)]
        found = top_candidates(filters, weights=weights, site=site, page=Page(limit=100))
        assert found.count == len(kept), chosen
        assert found.experienced_count == sum(experienced(p, condition) for p in kept)
        reference = rank(
            [candidates[p.id] for p in kept],
            condition_name=condition.name,
            weights=weights,
            site=site,
            today=TODAY,
        )
        assert [row.candidate.id for row in found.rows] == [s.candidate.id for s in reference]
        sql_scores = {
            row["practitioner_id"]: row["score"]
            for row in ranked_rows(filters, weights=weights, site=site, page=Page(limit=100)).rows
        }
        for s in reference:
            assert sql_scores[s.candidate.id] == pytest.approx(s.score, abs=1e-12)
        # Pages: the database picks exactly the reference's rows at each offset, in order.
        for offset in (0, 3, 7, 24):
            page = top_candidates(
                filters, weights=weights, site=site, page=Page(limit=7, offset=offset)
            )
            assert [row.candidate.id for row in page.rows] == [
                s.candidate.id for s in reference[offset : offset + 7]
            ]
            assert (page.count, page.experienced_count) == (
                found.count,
                found.experienced_count,
            )
        if with_location:
            nearest = sorted(reference, key=distance_key)
            for offset in (0, 5):
                page = top_candidates(
                    filters,
                    weights=weights,
                    site=site,
                    page=Page(limit=9, offset=offset, sort=k.SORT_DISTANCE),
                )
                assert [row.candidate.id for row in page.rows] == [
                    s.candidate.id for s in nearest[offset : offset + 9]
                ]


@pytest.mark.django_db
@pytest.mark.parametrize("seed", [1, 2])
@pytest.mark.parametrize("located", [True, False])
def test_the_directory_and_the_match_show_the_same_clinic_at_the_same_distance(seed, located):
    """One rule for "within the radius" and "the nearest clinic" (directory.rules): both
    pick the same practitioners, clinic and distance; equal distances go to the first
    clinic added, and without a centre both show the first clinic added."""
    rnd = random.Random(seed)
    condition = Condition.objects.get(slug="sciatica")
    for _ in range(15):
        practitioner = qualified_practitioner()
        points = [
            (VANCOUVER.lat + rnd.uniform(-0.3, 0.3), VANCOUVER.lng + rnd.uniform(-0.3, 0.3))
            for _ in range(rnd.randint(1, 3))
        ]
        if rnd.random() < 0.4:
            points.insert(0, points[-1])  # a tie: the same point added twice
        for lat, lng in points:
            LocationFactory(practitioner=practitioner, lat=lat, lng=lng)
    radius = 20.0
    near = {"near": f"{VANCOUVER.lat},{VANCOUVER.lng}", "radius_km": str(radius)}
    listed = {
        row["id"]: (row["clinic_name"], row["distance_km"])
        for row in practitioner_list(filters=near if located else {}, today=TODAY)
    }
    center = VANCOUVER if located else None
    filters = CandidateFilters(condition=condition, today=TODAY, center=center, radius_km=radius)
    rows = top_candidates(
        filters, weights=weights_from_priorities({}), site=SiteFigures(), page=Page(limit=100)
    ).rows
    matched = {row.candidate.id: (row.clinic, row.candidate.distance_km) for row in rows}
    assert 0 < len(matched) < 15 if located else len(matched) == 15
    assert matched.keys() == listed.keys()
    for practitioner_id, (clinic, distance) in listed.items():
        assert matched[practitioner_id][0] == clinic
        if located:
            assert matched[practitioner_id][1] == pytest.approx(distance, abs=1e-9)
        else:
            assert matched[practitioner_id][1] is distance is None


@pytest.mark.django_db
def test_site_figures_without_reviews_use_the_defaults():
    assert site_figures() == SiteFigures()


@pytest.mark.django_db
def test_site_figures_count_active_practitioners_only():
    """A deactivated profile and a closed account are both left out of the priors."""
    for flags in ({}, {"is_active": False}, {"user__is_active": False}):
        practitioner = qualified_practitioner(**flags)
        recommend = 2 if flags else 0
        PractitionerStats.objects.filter(practitioner=practitioner).update(
            reviews_verified=2,
            communication_verified_sum=10 if flags else 4,
            comfort_verified_sum=10 if flags else 6,
            recommend_verified=recommend,
        )
    assert site_figures_now() == SiteFigures(
        communication_mean=2.0, comfort_mean=3.0, recommend_share=0.0
    )


@pytest.mark.django_db
def test_expired_pending_rejected_and_deactivated_are_gated_out():
    condition = Condition.objects.get(slug="sciatica")
    keep = qualified_practitioner()
    expired = qualified_practitioner()
    expired.user.credentials.filter(kind="license").update(expires_on=TODAY - timedelta(days=1))
    pending = qualified_practitioner()
    pending.user.credentials.filter(kind="ims_certification").update(status="pending")
    # Past the services: keep the maintained credential facts as they would.
    for practitioner in (expired, pending):
        stats_credentials_changed(owner_id=practitioner.user_id)
    gone = qualified_practitioner(is_active=False)
    filters = CandidateFilters(condition=condition, today=TODAY)
    found = top_candidates(
        filters, weights=weights_from_priorities({}), site=SiteFigures(), page=Page(limit=10)
    )
    count, rows = found.count, found.rows
    assert count == 1
    assert [row.candidate.id for row in rows] == [keep.id]
    assert {expired.id, pending.id, gone.id}.isdisjoint(row.candidate.id for row in rows)
    s = score_candidate(
        rows[0].candidate,
        condition_name="Sciatica",
        weights=weights_from_priorities({}),
        site=SiteFigures(),
        today=TODAY,
    )
    assert s.criteria["qualifications"].reasons[0] == "Licensed physiotherapist (CA-BC), verified"


@pytest.mark.django_db
@pytest.mark.parametrize("seed", [1, 2])
def test_haversine_sql_agrees_with_the_python_formula(seed):
    rnd = random.Random(seed)
    for _ in range(50):
        center = Point(rnd.uniform(-89, 89), rnd.uniform(-180, 180))
        other = Point(rnd.uniform(-89, 89), rnd.uniform(-180, 180))
        with connection.cursor() as cursor:
            sql = haversine_sql(lat="%(lat)s", lng="%(lng)s")
            cursor.execute(
                f"SELECT {sql}", haversine_params(center) | {"lat": other.lat, "lng": other.lng}
            )
            (distance,) = cursor.fetchone()
        assert distance == pytest.approx(great_circle_km(center, other), abs=1e-9)


def test_native_placeholders_number_each_name_once_in_order_of_first_use():
    sql = "SELECT %(a)s, %(b)s WHERE x = %(a)s AND strftime('%%Y') = %(c)s"

    text, names = native_placeholders(sql)

    assert text == "SELECT $1, $2 WHERE x = $1 AND strftime('%Y') = $3"
    assert names == ("a", "b", "c")
