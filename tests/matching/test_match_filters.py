"""POST /api/v1/match/: the fee, direct-billing and experience filters, experienced_count,
paging (offset) and sort=distance, and their bad input."""

from decimal import Decimal

import pytest

from directory.limits import MATCH_OFFSET_MAX
from directory.models import Condition, ConditionReferralStats
from directory.services.match_index import match_index_refresh
from tests.factories import ExperienceFactory, LocationFactory, qualified_practitioner

URL = "/api/v1/match/"
VANCOUVER = {"lat": 49.2827, "lng": -123.1207}


def practitioner_at(lat=49.2827, lng=-123.1207, **kwargs):
    practitioner = qualified_practitioner(**kwargs)
    LocationFactory(practitioner=practitioner, lat=lat, lng=lng, city="Vancouver")
    return practitioner


def completed_referrals(practitioner, n: int, condition: str = "sciatica") -> None:
    """Figures as the referral services keep them, for one condition."""
    ConditionReferralStats.objects.create(
        practitioner=practitioner,
        condition=Condition.objects.get(slug=condition),
        completed_referrals=n,
    )
    match_index_refresh(practitioner_id=practitioner.pk)


def ids(response) -> list[int]:
    return [item["practitioner"]["id"] for item in response.json()["results"]]


def match(api_client, **body):
    response = api_client.post(URL, {"condition": "sciatica", **body}, format="json")
    assert response.status_code == 200, response.content
    return response


# --- Filters: each has a practitioner it keeps and one it leaves out ---------------------------


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("body", "kept", "left_out"),
    [
        ({"max_fee": 100}, "cheap", "dear"),
        ({"max_fee": 100}, "exactly_100", "no_fee"),
        ({"max_fee": 99.99}, "cheap", "exactly_100"),
        ({"direct_billing": True}, "dear", "cheap"),
        ({"experience_required": True}, "exactly_100", "cheap"),
        ({"experience_required": True}, "referred", "no_fee"),
    ],
)
def test_filters_keep_one_and_leave_out_the_other(api_client, body, kept, left_out):
    people = {
        "cheap": practitioner_at(fee_per_session=Decimal("60.00")),
        "exactly_100": practitioner_at(fee_per_session=Decimal("100.00")),
        "dear": practitioner_at(fee_per_session=Decimal("140.00"), direct_billing=True),
        "no_fee": practitioner_at(fee_per_session=None),
        "referred": practitioner_at(fee_per_session=Decimal("150.00")),
    }
    ExperienceFactory(practitioner=people["exactly_100"])
    # Experience with another condition does not count for sciatica.
    ExperienceFactory(
        practitioner=people["cheap"], condition=Condition.objects.get(slug="neck-pain")
    )
    completed_referrals(people["referred"], 2)
    completed_referrals(people["no_fee"], 3, condition="neck-pain")
    found = ids(match(api_client, **body))
    assert people[kept].id in found
    assert people[left_out].id not in found


@pytest.mark.django_db
@pytest.mark.parametrize("body", [{}, {"direct_billing": False}, {"experience_required": False}])
def test_false_or_absent_filters_leave_everyone_in(api_client, body):
    everyone = {
        practitioner_at(direct_billing=True).id,
        practitioner_at(direct_billing=False, fee_per_session=None).id,
    }
    assert set(ids(match(api_client, **body))) == everyone


@pytest.mark.django_db
def test_experienced_count_counts_every_candidate_not_only_the_page(api_client):
    experienced = [practitioner_at() for _ in range(3)]
    for practitioner in experienced[:2]:
        ExperienceFactory(practitioner=practitioner, years=0, patients_treated=0)
    completed_referrals(experienced[2], 1)
    for _ in range(4):
        practitioner_at()
    body = match(api_client, limit=2).json()
    assert (body["count"], body["experienced_count"], len(body["results"])) == (7, 3, 2)
    only = match(api_client, experience_required=True).json()
    assert (only["count"], only["experienced_count"]) == (3, 3)
    assert set(ids_of(only)) == {p.id for p in experienced}
    # The filters and the count see the same candidates: a fee filter lowers both.
    practitioner_at(fee_per_session=Decimal("50.00"))
    ExperienceFactory(practitioner=practitioner_at(fee_per_session=Decimal("50.00")))
    cheap = match(api_client, max_fee=50).json()
    assert (cheap["count"], cheap["experienced_count"]) == (2, 1)


def ids_of(body: dict) -> list[int]:
    return [item["practitioner"]["id"] for item in body["results"]]


@pytest.mark.django_db
def test_no_candidates_counts_zero(api_client):
    body = match(api_client, max_fee=0).json()
    assert (body["count"], body["experienced_count"], body["results"]) == (0, 0, [])


# --- Paging --------------------------------------------------------------------------------------


@pytest.mark.django_db
def test_offset_continues_the_ranks(api_client):
    for years in range(25):
        ExperienceFactory(practitioner=practitioner_at(), years=years, patients_treated=years)
    whole = match(api_client, limit=25).json()
    page = match(api_client, limit=20, offset=20).json()
    assert [item["rank"] for item in page["results"]] == [21, 22, 23, 24, 25]
    assert page["results"] == whole["results"][20:]
    assert (page["count"], page["experienced_count"]) == (25, 25)
    # Every page together is the whole ranking, each practitioner once.
    pages = [match(api_client, limit=7, offset=offset).json() for offset in (0, 7, 14, 21)]
    assert [item for p in pages for item in p["results"]] == whole["results"]


@pytest.mark.django_db
def test_a_page_past_the_last_candidate_is_empty_but_still_counts(api_client):
    ExperienceFactory(practitioner=practitioner_at())
    practitioner_at()
    body = match(api_client, offset=MATCH_OFFSET_MAX).json()
    assert (body["count"], body["experienced_count"], body["results"]) == (2, 1, [])


# --- Sort ----------------------------------------------------------------------------------------


@pytest.mark.django_db
def test_sort_distance_orders_nearest_first_ties_by_score_then_id(api_client):
    far_best = practitioner_at(49.40, -123.12)
    ExperienceFactory(practitioner=far_best, years=30, patients_treated=3000)
    middle = practitioner_at(49.32, -123.12)
    near = practitioner_at(49.2828, -123.1207)
    # Two at the same clinic spot: the better score first.
    tie_low = practitioner_at(49.30, -123.12)
    tie_high = practitioner_at(49.30, -123.12)
    ExperienceFactory(practitioner=tie_high, years=10, patients_treated=500)
    best = match(api_client, location=VANCOUVER).json()
    assert ids_of(best)[0] == far_best.id
    nearest = match(api_client, location=VANCOUVER, sort="distance").json()
    assert ids_of(nearest) == [near.id, tie_high.id, tie_low.id, middle.id, far_best.id]
    distances = [item["distance_km"] for item in nearest["results"]]
    assert distances == sorted(distances)
    assert [item["rank"] for item in nearest["results"]] == [1, 2, 3, 4, 5]
    # The same cards, in another order, and the same counts.
    assert sorted(nearest["results"], key=lambda item: -item["score"])[0] == {
        **best["results"][0],
        "rank": 5,
    }
    assert nearest["count"] == best["count"] == 5
    # Paged, nearest first still.
    second = match(api_client, location=VANCOUVER, sort="distance", limit=2, offset=2).json()
    assert ids_of(second) == [tie_low.id, middle.id]
    assert [item["rank"] for item in second["results"]] == [3, 4]


@pytest.mark.django_db
def test_sort_best_is_the_default(api_client):
    low, high = practitioner_at(49.2828, -123.1207), practitioner_at(49.35, -123.12)
    ExperienceFactory(practitioner=high, years=20, patients_treated=900)
    assert ids(match(api_client, location=VANCOUVER)) == [high.id, low.id]
    assert ids(match(api_client, location=VANCOUVER, sort="best")) == [high.id, low.id]
    assert ids(match(api_client, location=VANCOUVER, sort="distance")) == [low.id, high.id]


# --- Bad input: a 400 whose whole body says what is allowed; nothing else happens -------------

OFFSET = f"Use a whole number from 0 to {MATCH_OFFSET_MAX}."
FEE = "Use a number of dollars from 0 to 10000."
SORT = "Use one of: best, distance (distance needs a location)."


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("body", "errors"),
    [
        ({"max_fee": -1}, {"max_fee": [FEE]}),
        ({"max_fee": -0.01}, {"max_fee": [FEE]}),
        ({"max_fee": "cheap"}, {"max_fee": [FEE]}),
        ({"max_fee": 10000.01}, {"max_fee": [FEE]}),
        ({"max_fee": None}, {"max_fee": ["This field may not be null."]}),
        ({"max_fee": [100]}, {"max_fee": [FEE]}),
        ({"direct_billing": "sometimes"}, {"direct_billing": ["Must be a valid boolean."]}),
        (
            {"experience_required": "yes please"},
            {"experience_required": ["Must be a valid boolean."]},
        ),
        ({"offset": -1}, {"offset": [OFFSET]}),
        ({"offset": MATCH_OFFSET_MAX + 1}, {"offset": [OFFSET]}),
        ({"offset": 1.5}, {"offset": [OFFSET]}),
        ({"offset": "next"}, {"offset": [OFFSET]}),
        ({"sort": "price"}, {"sort": [SORT]}),
        ({"sort": "Distance"}, {"sort": [SORT]}),
        ({"sort": "distance"}, {"sort": ["sort=distance needs a location."]}),
    ],
)
def test_bad_paging_sort_and_filters_are_a_400_with_the_whole_body(api_client, body, errors):
    practitioner_at()
    response = api_client.post(URL, {"condition": "sciatica", **body}, format="json")
    assert response.status_code == 400, response.content
    assert response.json() == errors


@pytest.mark.django_db
def test_nan_and_infinite_fees_are_refused(api_client):
    for raw in (
        b'{"condition": "sciatica", "max_fee": "NaN"}',
        b'{"condition": "sciatica", "max_fee": "Infinity"}',
    ):
        response = api_client.post(URL, raw, content_type="application/json")
        assert response.status_code == 400
        assert response.json() == {"max_fee": [FEE]}
