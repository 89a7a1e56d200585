"""What bench_match prints: nearest-rank percentiles and one table row per request kind."""

import math
import statistics
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path


def percentile(values: Sequence[float], p: float) -> float:
    """The nearest-rank p-th percentile: the smallest value with at least p % of the values
    at or below it. Always one of the values, so p99 never exceeds the maximum."""
    if not values:
        raise ValueError("percentile of no values")
    if not 0 < p <= 100:
        raise ValueError("p must be above 0 and at most 100")
    ordered = sorted(values)
    return ordered[max(math.ceil(p / 100 * len(ordered)), 1) - 1]


def load_average() -> str:
    """The 1, 5 and 15 minute load averages (/proc/loadavg), or "n/a" off Linux."""
    try:
        return " ".join(Path("/proc/loadavg").read_text().split()[:3])
    except OSError:
        return "n/a"


@dataclass
class KindFigures:
    """One request kind's measurements (milliseconds)."""

    name: str
    # True when every request of the kind differs (the mixed kind): its p95 and its floor's
    # p50 then come from different requests, so each request is set against its own floor.
    varied: bool = False
    api_ms: list[float] = field(default_factory=list)
    # Of each API request, the time its statements took (execute and fetch).
    sql_ms: list[float] = field(default_factory=list)
    floor_ms: list[float] = field(default_factory=list)
    queries: list[int] = field(default_factory=list)
    candidates: list[int] = field(default_factory=list)
    floor_rows: list[int] = field(default_factory=list)


HEADER = (
    f"{'request kind':<28} {'candidates':>11} {'floor rows':>11} {'p50':>7} {'p95':>7} "
    f"{'p99':>7} {'max':>7} {'sql p50':>7} {'floor p50':>9} {'p95/floor':>9} {'queries':>7}"
)


def _count(values: list[int]) -> str:
    """One figure when every request had it, else median/max (the mixed requests)."""
    if min(values) == max(values):
        return str(values[0])
    return f"{statistics.median(values):.0f}/{max(values)}"


def floor_ratio(figures: KindFigures) -> float:
    """The API's p95 over the floor's p50; for a varied kind, the p95 of each request's time
    over its own floor's (a wide search's slow API time is not set against the floor of a
    narrow one)."""
    if figures.varied:
        return percentile(
            [
                api / floor if floor else math.inf
                for api, floor in zip(figures.api_ms, figures.floor_ms, strict=True)
            ],
            95,
        )
    floor_p50 = percentile(figures.floor_ms, 50)
    return percentile(figures.api_ms, 95) / floor_p50 if floor_p50 else math.inf


def kind_row(figures: KindFigures) -> str:
    api, floor = figures.api_ms, figures.floor_ms
    floor_p50 = percentile(floor, 50)
    ratio = floor_ratio(figures)
    queries = f"{min(figures.queries)}-{max(figures.queries)}"
    return (
        f"{figures.name:<28} {_count(figures.candidates):>11} {_count(figures.floor_rows):>11} "
        f"{percentile(api, 50):>7.1f} {percentile(api, 95):>7.1f} {percentile(api, 99):>7.1f} "
        f"{max(api):>7.1f} {percentile(figures.sql_ms, 50):>7.1f} {floor_p50:>9.2f}"
        f" {ratio:>8.1f}{'x*' if figures.varied else 'x '}{queries:>7}"
    )
