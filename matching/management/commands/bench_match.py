"""Benchmark POST /api/v1/match/ in-process against a floor, on synthetic data.

    manage.py bench_match --practitioners 100000 --requests 30 --distribution realistic

Builds (or reuses) N synthetic practitioners with credentials, clinics, experience and
review/referral figures, spread over Canada as the distribution says (_bench_places:
*realistic*, about 3 % within 25 km of Toronto, or *stress*, 30 % in Vancouver), then the
floor table (_bench_floor). Each repetition sends every request kind once through the
real view and answers the same request from the floor right after, so that load from
other jobs hits both alike. Prints per kind the candidates, the API's latency percentiles
(nearest rank), the floor's median and queries per API request. Figures are printed, never
asserted.

A database holds one distribution: a run with another refuses, unless --rebuild, which
deletes every bench row first. A run that reuses the data still rebuilds the match index
(directory.services.match_index) and, when it was built on another day, the floor.
"""

import gc
import random
import time
from collections.abc import Callable

from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.db import connection, transaction
from django.test.utils import override_settings
from django.utils import timezone
from rest_framework.test import APIRequestFactory

from directory.gazetteer import resolve_city
from directory.geo import Point
from directory.models import Condition, Location
from directory.rules import within_radius_q
from directory.services.match_index import match_index_rebuild, match_index_vacuum
from directory.services.stats import stats_credentials_rebuild
from matching.apis import MatchApi
from matching.management.commands._bench_data import (
    CHUNK,
    BenchData,
    bench_counts,
    bench_practitioners,
    bench_wipe,
)
from matching.management.commands._bench_floor import (
    FloorRequest,
    floor_drop,
    floor_is_current,
    floor_query,
    floor_rebuild,
)
from matching.management.commands._bench_places import (
    DISTRIBUTIONS,
    Distribution,
    distribution_named,
)
from matching.management.commands._bench_report import HEADER, KindFigures, kind_row, load_average
from matching.scoring import weights_from_priorities
from matching.serializers import MatchRequestSerializer

WARMUP = 2  # repetitions not counted: they fill caches (gazetteer, connection, pages)


class QueryCounter:
    """Counts the statements a request runs and the time they take (until the statement
    returns; the ranking's rows are then fetched from the client's buffer), as a connection
    execute wrapper: unlike CaptureQueriesContext it does not switch on Django's debug
    cursor, whose rendering of each statement with its parameters production never pays
    (DEBUG is off there, and the API is measured with DEBUG off here too)."""

    def __init__(self) -> None:
        self.count = 0
        self.ms = 0.0

    def __call__(self, execute, sql, params, many, context):
        self.count += 1
        started = time.perf_counter()
        try:
            return execute(sql, params, many, context)
        finally:
            self.ms += (time.perf_counter() - started) * 1000


def _at(city: str) -> dict:
    return {"city": city, "country": "CA"}


# The fixed request kinds; every other field takes the API's default (priorities 1, limit 20).
REQUEST_KINDS = {
    "Calgary 10 km, neck pain": {
        "condition": "neck-pain", "location": _at("Calgary"), "radius_km": 10,
    },
    "Toronto 25 km, back pain": {
        "condition": "back-pain", "location": _at("Toronto"), "radius_km": 25,
    },
    "Vancouver 25 km, sciatica": {
        "condition": "sciatica", "location": _at("Vancouver"), "radius_km": 25,
    },
    "Vancouver 500 km, limit 100": {
        "condition": "back-pain", "location": _at("Vancouver"), "radius_km": 500, "limit": 100,
    },
    "no location, fibromyalgia": {"condition": "fibromyalgia"},
}  # fmt: skip
MIXED = "mixed random"


class Command(BaseCommand):
    help = "Benchmark the match endpoint against a floor on N synthetic practitioners."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--practitioners", type=int, default=10_000)
        parser.add_argument("--requests", type=int, default=30, help="per request kind")
        parser.add_argument(
            "--distribution", default="realistic", help=f"one of {', '.join(DISTRIBUTIONS)}"
        )
        parser.add_argument("--seed", type=int, default=7)
        parser.add_argument(
            "--rebuild", action="store_true", help="delete every bench row first (any distribution)"
        )

    def handle(self, *args, practitioners, requests, distribution, seed, rebuild, **options):
        _check_options(practitioners, requests, distribution)
        places = distribution_named(distribution)
        today = timezone.localdate()  # the API's today
        self.stdout.write(
            f"bench_match {today} · database {connection.vendor} "
            f"({connection.settings_dict['NAME']}) · distribution {distribution} · "
            f"{requests} requests per kind\nload average at start: {load_average()}"
        )
        built = self._data(places, practitioners, seed, rebuild)
        if built or not floor_is_current(today=today):
            started = time.perf_counter()
            rows = floor_rebuild(today=today)
            took = time.perf_counter() - started
            self.stdout.write(f"floor table: {rows} rows (clinic × condition) in {took:.1f} s")
        self._toronto_share(places)
        self._run(places, requests, random.Random(seed))
        self.stdout.write(f"load average at end: {load_average()}")

    def _data(self, places: Distribution, practitioners: int, seed: int, rebuild: bool) -> bool:
        """Reuse or build the data set; True when rows were added."""
        if rebuild:
            floor_drop()
            self.stdout.write(f"deleted {bench_wipe()} bench practitioners (--rebuild)")
        others = {name: n for name, n in bench_counts().items() if n and name != places.name}
        if others:
            held = ", ".join(f"{n} of {name}" for name, n in others.items())
            raise CommandError(
                f"This database holds bench practitioners of another distribution ({held}). "
                f"Run with that --distribution, use another database (DATABASE_URL), or add "
                f"--rebuild to delete every bench row and build {places.name} afresh."
            )
        existing = bench_practitioners(places.name).count()
        if existing >= practitioners:
            self._reindex(existing, places.name)
            return False
        self._build(places, existing, practitioners, random.Random(seed + existing))
        return True

    def _build(self, places: Distribution, start: int, end: int, rnd: random.Random) -> None:
        timings: dict[str, float] = {}

        def timed(part: str, work: Callable[[], object]) -> object:
            started = time.perf_counter()
            result = work()
            timings[part] = time.perf_counter() - started
            return result

        with transaction.atomic():
            ids = timed("source rows", lambda: BenchData(places, rnd).build(start, end))
            # The credentials went in past the services: derive their facts (the gate's input).
            timed(
                "credential facts",
                lambda: [
                    stats_credentials_rebuild(ids[i : i + CHUNK]) for i in range(0, len(ids), CHUNK)
                ],
            )
            index_rows = timed("match index", match_index_rebuild)
        if connection.vendor == "postgresql":
            # Fresh planner statistics and visibility maps, as autovacuum would have them.
            timed("ANALYZE", _analyze)
            timed("VACUUM match index", match_index_vacuum)
        parts = ", ".join(f"{part} {took:.1f} s" for part, took in timings.items())
        self.stdout.write(
            f"built {end - start} practitioners in {sum(timings.values()):.1f} s: {parts} "
            f"(match index rows: {index_rows})"
        )

    def _reindex(self, existing: int, name: str) -> None:
        """Data reused: the match index is still rebuilt, as the code that fills it may have
        changed since the data went in (a rebuild is idempotent)."""
        started = time.perf_counter()
        with transaction.atomic():
            rows = match_index_rebuild()
        match_index_vacuum()
        took = time.perf_counter() - started
        self.stdout.write(
            f"reusing {existing} {name} practitioners; match index rebuilt: {rows} rows "
            f"in {took:.1f} s (with VACUUM ANALYZE)"
        )

    def _toronto_share(self, places: Distribution) -> None:
        place = resolve_city("Toronto", "CA")
        center = Point(place.lat, place.lng)
        near = Location.objects.filter(within_radius_q(center, 25))
        practitioners = bench_practitioners(places.name)
        total = practitioners.count()
        inside = practitioners.filter(id__in=near.values("practitioner_id")).count()
        share = 100 * inside / total
        self.stdout.write(
            f"practitioners: {total}; within 25 km of Toronto: {inside} ({share:.1f} %)"
        )

    def _run(self, places: Distribution, requests: int, rnd: random.Random) -> None:
        factory, view = APIRequestFactory(), MatchApi.as_view()
        conditions = dict(Condition.objects.values_list("slug", "pk"))
        kinds = {name: KindFigures(name, varied=name == MIXED) for name in [*REQUEST_KINDS, MIXED]}
        # As a gunicorn worker does after loading the application (config/gunicorn.conf.py):
        # the objects that live on — here also whatever the build left — are frozen out of
        # the collector's walks, so a full collection does not land in one request's time.
        gc.collect()
        gc.freeze()
        with override_settings(DEBUG=False):  # as production: no debug cursor
            self._repeat(kinds, conditions, places, requests, rnd, factory, view)
        gc.unfreeze()
        self.stdout.write(
            "latency in ms; API p50/p95/p99 by nearest rank; sql: the API's statements;"
            " floor rows count every clinic; x*: the p95 of each request's time over its own"
            " floor's\n" + HEADER
        )
        for figures in kinds.values():
            self.stdout.write(kind_row(figures))

    def _repeat(self, kinds, conditions, places, requests, rnd, factory, view) -> None:
        """Each repetition runs every kind once through the view, then on the floor."""
        for repetition in range(WARMUP + requests):
            for name, figures in kinds.items():
                body = REQUEST_KINDS.get(name) or _mixed_body(rnd, places, list(conditions))
                request = factory.post("/api/v1/match/", body, format="json")
                queries = QueryCounter()
                with connection.execute_wrapper(queries):
                    started = time.perf_counter()
                    response = view(request)
                    response.render()  # the body as the client gets it
                    api_ms = (time.perf_counter() - started) * 1000
                if response.status_code != 200:
                    raise CommandError(f"match answered {response.status_code}: {response.data}")
                floor_request = _floor_request(body, conditions)
                started = time.perf_counter()
                floor_rows, _ = floor_query(floor_request)
                floor_ms = (time.perf_counter() - started) * 1000
                if repetition >= WARMUP:
                    figures.api_ms.append(api_ms)
                    figures.sql_ms.append(queries.ms)
                    figures.floor_ms.append(floor_ms)
                    figures.queries.append(queries.count)
                    figures.candidates.append(response.data["count"])
                    figures.floor_rows.append(floor_rows)


def _analyze() -> None:
    with connection.cursor() as cursor:
        cursor.execute("ANALYZE")


def _check_options(practitioners: int, requests: int, distribution: str) -> None:
    if practitioners < 1:
        raise CommandError(f"--practitioners must be 1 or more (got {practitioners}).")
    if requests < 1:
        raise CommandError(f"--requests must be 1 or more per request kind (got {requests}).")
    if distribution not in DISTRIBUTIONS:
        allowed = " or ".join(DISTRIBUTIONS)
        raise CommandError(f"Unknown --distribution {distribution!r}: use {allowed}.")


def _mixed_body(rnd: random.Random, places: Distribution, slugs: list[str]) -> dict:
    """Varied requests around the metros, as many as the distribution puts there."""
    center = places.metro(rnd).center
    body = {
        "condition": rnd.choice(slugs),
        "location": {
            "lat": center.lat + rnd.uniform(-0.05, 0.05),
            "lng": center.lng + rnd.uniform(-0.05, 0.05),
        },
        "radius_km": rnd.choice([10, 25, 50, 100]),
        "priorities": {"experience": rnd.randint(0, 5), "comfort": rnd.randint(1, 5)},
        "limit": rnd.choice([20, 20, 20, 100]),
    }
    if rnd.random() < 0.2:
        body["languages"] = ["fr"]
    if rnd.random() < 0.3:
        body["accepting_new_patients"] = True
    return body


def _floor_request(body: dict, conditions: dict[str, int]) -> FloorRequest:
    """The API body as a floor query, with the API's own defaults."""
    defaults = MatchRequestSerializer().fields
    location, center = body.get("location"), None
    if location and "lat" in location:
        center = Point(location["lat"], location["lng"])
    elif location:
        place = resolve_city(location["city"], location["country"])
        center = Point(place.lat, place.lng)
    return FloorRequest(
        condition_id=conditions[body["condition"]],
        weights=weights_from_priorities(body.get("priorities", {})),
        limit=body.get("limit", defaults["limit"].default),
        center=center,
        radius_km=body.get("radius_km", defaults["radius_km"].default),
        languages=tuple(body.get("languages", ())),
        accepting_new_patients=body.get("accepting_new_patients"),
    )
