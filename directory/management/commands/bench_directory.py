"""Benchmark the public directory in-process against GET /healthz.

    manage.py seed_demo --if-empty && manage.py bench_directory --requests 200

Runs the requests through Django's full handler (middleware, URL resolver, view) with the
test Client, interleaved so that a burst of load on a shared machine hits every endpoint
alike, and prints the median milliseconds per request (wall clock, and this process's CPU
time, which a shared, loaded machine disturbs less; the database's own time is only in the
first), the ratio to /healthz (which does one trivial query) and the queries per request.
Figures are printed, never asserted.
"""

import statistics
import time
from collections.abc import Callable

from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext, override_settings

from directory.models import PractitionerProfile
from directory.rules import active_practitioner_q

README_FILTERS = "condition=sciatica&near=49.2827,-123.1207&radius_km=25&qualified=true"


class Command(BaseCommand):
    help = "Median ms per request of the directory endpoints and their ratio to /healthz."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--requests", type=int, default=200)
        parser.add_argument("--warmup", type=int, default=20)

    def handle(self, *args, requests: int, warmup: int, **options) -> None:
        practitioner = (
            PractitionerProfile.objects.filter(user__email="practitioner@demo.test").first()
            or PractitionerProfile.objects.filter(active_practitioner_q()).order_by("id").first()
        )
        if practitioner is None:
            raise CommandError("No practitioner: run `manage.py seed_demo --if-empty` first.")
        urls = {
            "healthz": "/healthz",
            "detail": f"/api/v1/practitioners/{practitioner.pk}/",
            "list": "/api/v1/practitioners/",
            "list filtered": f"/api/v1/practitioners/?{README_FILTERS}",
        }
        # As in production: no per-query logging (DEBUG), HTTPS as the proxy would give it.
        with override_settings(DEBUG=False, SECURE_SSL_REDIRECT=False):
            client = Client(HTTP_HOST="localhost")
            self._check(client, urls)
            queries = {name: self._queries(client, url) for name, url in urls.items()}
            timings = self._time(client, urls, requests=requests, warmup=warmup)
        self._report(timings, queries, requests=requests)

    def _check(self, client: Client, urls: dict[str, str]) -> None:
        for name, url in urls.items():
            status = client.get(url).status_code
            if status != 200:
                raise CommandError(f"{name}: {url} answered {status}")

    def _queries(self, client: Client, url: str) -> int:
        with CaptureQueriesContext(connection) as captured:
            client.get(url)
        return len(captured)

    def _time(
        self, client: Client, urls: dict[str, str], *, requests: int, warmup: int
    ) -> dict[str, tuple[list[float], list[float]]]:
        timings: dict[str, tuple[list[float], list[float]]] = {name: ([], []) for name in urls}
        get: Callable[[str], object] = client.get
        for round_ in range(warmup + requests):
            for name, url in urls.items():
                started, cpu_started = time.perf_counter(), time.process_time()
                get(url)
                took, cpu = time.perf_counter() - started, time.process_time() - cpu_started
                if round_ >= warmup:
                    timings[name][0].append(took * 1000)
                    timings[name][1].append(cpu * 1000)
        return timings

    def _report(
        self,
        timings: dict[str, tuple[list[float], list[float]]],
        queries: dict[str, int],
        *,
        requests: int,
    ) -> None:
        with open("/proc/loadavg") as loadavg:
            load = loadavg.read().split()[:3]
        self.stdout.write(
            f"{connection.vendor}, {requests} requests each, load average {' '.join(load)}"
        )
        base = statistics.median(timings["healthz"][0])
        cpu_base = statistics.median(timings["healthz"][1])
        self.stdout.write(
            f"{'endpoint':<15}{'median ms':>10}{'p90 ms':>9}{'× healthz':>11}"
            f"{'cpu ms':>8}{'× healthz':>11}{'q':>4}"
        )
        for name, (samples, cpu) in timings.items():
            median, cpu_median = statistics.median(samples), statistics.median(cpu)
            p90 = statistics.quantiles(samples, n=10)[-1]
            self.stdout.write(
                f"{name:<15}{median:>10.2f}{p90:>9.2f}{median / base:>11.1f}"
                f"{cpu_median:>8.2f}{cpu_median / cpu_base:>11.1f}{queries[name]:>4}"
            )
