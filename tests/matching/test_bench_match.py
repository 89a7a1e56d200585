import random
from io import StringIO

import pytest
from django.core.management import CommandError, call_command
from django.db import connection
from django.utils import timezone
from hypothesis import given
from hypothesis import strategies as st
from rest_framework.test import APIRequestFactory

from directory.models import Condition, Location, PractitionerProfile
from directory.rules import qualified_q
from directory.services.match_index import match_index_rebuild
from directory.services.stats import stats_credentials_rebuild
from matching.apis import MatchApi
from matching.management.commands._bench_data import BenchData, bench_practitioners
from matching.management.commands._bench_floor import FLOOR, floor_query, floor_rebuild
from matching.management.commands._bench_places import distribution_named
from matching.management.commands._bench_report import (
    KindFigures,
    floor_ratio,
    kind_row,
    percentile,
)
from matching.management.commands.bench_match import REQUEST_KINDS, _floor_request


@pytest.mark.django_db
def test_bench_match_builds_reuses_and_prints_each_request_kind():
    out = StringIO()
    call_command("bench_match", practitioners=40, requests=2, stdout=out)
    call_command("bench_match", practitioners=40, requests=2, stdout=out)
    text = out.getvalue()
    assert PractitionerProfile.objects.count() == 40  # the second run reused the data set
    assert text.count("built 40 practitioners") == 1
    assert "source rows" in text and "credential facts" in text and "match index" in text
    assert text.count("floor table:") == 1  # built with the data, still current the next time
    assert "reusing 40 realistic practitioners; match index rebuilt" in text
    assert "distribution realistic" in text and "load average at end:" in text
    for kind in [*REQUEST_KINDS, "mixed random"]:
        assert text.count(f"\n{kind} ") == 2
    assert "within 25 km of Toronto" in text
    assert " sql p50 " in text  # the API's statements, beside its latency


def _floor_rows() -> list[tuple[int, int]]:
    with connection.cursor() as cursor:
        cursor.execute(f"SELECT practitioner_id, condition_id FROM {FLOOR}")
        return cursor.fetchall()


@pytest.mark.django_db
def test_floor_has_a_row_per_clinic_and_condition_of_qualified_practitioners_only():
    call_command("bench_match", practitioners=40, requests=1, stdout=StringIO())
    today = timezone.localdate()
    # The credential form of "qualified", independent of the figures row the floor reads.
    qualified = set(
        PractitionerProfile.objects.filter(qualified_q(today=today)).values_list("pk", flat=True)
    )
    assert 0 < len(qualified) < 40
    rows = _floor_rows()
    assert {practitioner for practitioner, _ in rows} == qualified
    clinics = Location.objects.filter(practitioner__in=qualified).count()
    assert len(rows) == clinics * Condition.objects.count()


def _match(body: dict) -> dict:
    request = APIRequestFactory().post("/api/v1/match/", body, format="json")
    response = MatchApi.as_view()(request)
    assert response.status_code == 200
    return response.data


@pytest.mark.django_db
@pytest.mark.parametrize(
    "body",
    [
        {
            "condition": "back-pain",
            "location": {"city": "Toronto", "country": "CA"},
            "radius_km": 500,
        },
        {
            "condition": "sciatica",
            "location": {"lat": 49.25, "lng": -123.12},
            "radius_km": 400,
            "priorities": {"experience": 4, "comfort": 0},
            "languages": ["en"],
            "limit": 5,
        },
        {"condition": "fibromyalgia", "accepting_new_patients": True},
    ],
)
def test_floor_and_api_agree_when_every_practitioner_has_one_clinic(body):
    # With one clinic each, the floor's rows are practitioners, so both count alike and, the
    # scores coming from the same formulas, rank alike.
    places = distribution_named("stress")
    ids = BenchData(places, random.Random(3), max_clinics=1).build(0, 60)
    stats_credentials_rebuild(ids)
    match_index_rebuild(ids)
    floor_rebuild(today=timezone.localdate())
    conditions = dict(Condition.objects.values_list("slug", "pk"))
    floor_count, floor_top = floor_query(_floor_request(body, conditions))
    api = _match(body)
    assert api["count"] > 0
    assert floor_count == api["count"]
    assert [row[0] for row in floor_top] == [r["practitioner"]["id"] for r in api["results"]]


@pytest.mark.django_db
def test_another_distribution_is_refused_until_rebuild():
    call_command("bench_match", practitioners=10, requests=1, stdout=StringIO())
    with pytest.raises(CommandError, match="--rebuild"):
        call_command("bench_match", practitioners=10, distribution="stress", stdout=StringIO())
    out = StringIO()
    call_command(
        "bench_match", practitioners=10, requests=1, distribution="stress", rebuild=True, stdout=out
    )
    assert "deleted 10 bench practitioners" in out.getvalue()
    assert bench_practitioners("realistic").count() == 0
    assert bench_practitioners("stress").count() == PractitionerProfile.objects.count() == 10


@pytest.mark.parametrize(
    ("options", "message"),
    [
        ({"practitioners": 0}, "--practitioners must be 1 or more"),
        ({"requests": 0}, "--requests must be 1 or more"),
        ({"distribution": "urban"}, "use realistic or stress"),
    ],
)
def test_bad_options_are_rejected_saying_what_is_allowed(options, message):
    with pytest.raises(CommandError, match=message):
        call_command("bench_match", stdout=StringIO(), **options)


@pytest.mark.parametrize(
    ("values", "p", "expected"),
    [
        (list(range(1, 101)), 50, 50),
        (list(range(1, 101)), 95, 95),
        (list(range(1, 101)), 99, 99),
        (list(range(1, 101)), 100, 100),
        ([7.0], 99, 7.0),
        ([1, 2], 50, 1),
        ([1, 2], 51, 2),
        ([30, 10, 20], 99, 30),  # unsorted input; p99 of few values is the maximum
        ([30, 10, 20], 1, 10),
    ],
)
def test_percentile_is_the_nearest_rank(values, p, expected):
    assert percentile(values, p) == expected


@pytest.mark.parametrize(("values", "p"), [([], 50), ([1.0], 0), ([1.0], 101)])
def test_percentile_rejects_no_values_and_p_outside_0_to_100(values, p):
    with pytest.raises(ValueError):
        percentile(values, p)


@given(
    st.lists(st.floats(min_value=0, max_value=1e4), min_size=1, max_size=50),
    st.floats(min_value=0.01, max_value=100),
    st.floats(min_value=0.01, max_value=100),
)
def test_percentile_is_a_value_never_above_the_max_and_rises_with_p(values, p, q):
    low, high = sorted((p, q))
    assert percentile(values, high) in values
    assert percentile(values, low) <= percentile(values, high) <= max(values)


def _figures(api: list[float], floor: list[float], *, varied: bool) -> KindFigures:
    n = len(api)
    return KindFigures(
        "kind", varied=varied, api_ms=api, sql_ms=[1.0] * n, floor_ms=floor,
        queries=[1] * n, candidates=[10] * n, floor_rows=[10] * n,
    )  # fmt: skip


def test_a_fixed_kind_sets_its_api_p95_against_its_floor_p50():
    # Twenty requests: API 10 ms but one of 40 (p95 = 10), floor 2 ms but one of 50.
    figures = _figures([10.0] * 19 + [40.0], [2.0] * 19 + [50.0], varied=False)
    assert floor_ratio(figures) == 5.0
    assert kind_row(figures).split()[-2:] == ["5.0x", "1-1"]


def test_a_varied_kind_sets_each_request_against_its_own_floor():
    # A narrow search (API 4, floor 2) and a wide one (API 40, floor 20) in turn: each is 2x
    # its floor, though the API's p95 (40) is 20x the floors' p50 (2).
    figures = _figures([4.0, 40.0] * 10, [2.0, 20.0] * 10, varied=True)
    assert floor_ratio(figures) == 2.0
    assert kind_row(figures).split()[-2:] == ["2.0x*", "1-1"]
    assert floor_ratio(_figures([4.0, 40.0] * 10, [2.0, 20.0] * 10, varied=False)) == 20.0
