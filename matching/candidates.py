"""The database side of matching: gates, filters and one page of the ranking (the top-k by
score, or nearest first), with the counts, in one statement over the match index
(matching.ranking_sql), whatever the limit, the offset or the number of candidates.

The score is computed in SQL with the same formulas as matching.scoring (the reference),
so that the database sorts thousands of candidates and returns only the top `limit`.
tests/matching/test_candidates.py ranks the same candidates both ways.
"""

import re
from dataclasses import dataclass
from datetime import date
from decimal import Decimal
from functools import lru_cache

import psycopg
from django.core.cache import cache
from django.db import connection
from django.db.models import F, FloatField, Sum, Value
from django.db.models.functions import Cast

from directory.geo import Point, bounding_box
from directory.limits import RADIUS_DEFAULT_KM
from directory.models import Condition, PractitionerStats
from directory.models.practitioners import languages_from_db
from directory.rules import active_practitioner_q, within_radius_params
from directory.sqltext import date_param
from matching import constants as k
from matching.ranking_sql import ranking_sql, shape_of
from matching.scoring import Candidate, RatingSums, ReviewFigures, SiteFigures, rating_prior_mean


@dataclass(frozen=True)
class CandidateFilters:
    condition: Condition
    today: date
    center: Point | None = None
    radius_km: float = RADIUS_DEFAULT_KM
    languages: tuple[str, ...] = ()
    accepting_new_patients: bool | None = None
    # At most this fee per session (a practitioner with no fee given is left out).
    max_fee: float | None = None
    # True: only practitioners who bill insurers directly; False: no filter.
    direct_billing: bool = False
    # True: only practitioners experienced with the condition (directory.rules.experienced_sql).
    experience_required: bool = False


@dataclass(frozen=True)
class Page:
    """Where a page of results sits: `limit` rows from `offset` (0-based), in `sort` order."""

    limit: int
    offset: int = 0
    sort: str = k.SORT_BEST


@dataclass(frozen=True, slots=True)
class CandidateRow:
    """A candidate with what the result card shows besides its scores."""

    candidate: Candidate
    name: str
    profession: str
    languages: list[str]
    accepting_new_patients: bool
    clinic: str | None
    city: str | None
    fee_per_session: Decimal | None = None
    direct_billing: bool = False
    # The named clinic's contact, "" where not given.
    phone: str = ""
    website: str = ""
    booking_url: str = ""


def _f(value: float) -> Value:
    return Value(float(value), output_field=FloatField())


def _float(expression) -> Cast:
    return Cast(expression, FloatField())


def site_figures_now() -> SiteFigures:
    """Site-wide priors, one aggregate over every active practitioner's figures."""
    discount = 1 - k.UNVERIFIED_PRAISE_WEIGHT
    totals = PractitionerStats.objects.filter(
        active_practitioner_q(practitioner_path="practitioner")
    ).aggregate(
        n=Sum(F("reviews_verified") + F("reviews_unverified")),
        communication=Sum(
            _float(F("communication_verified_sum") + F("communication_unverified_sum"))
            - _f(discount) * _float(F("communication_unverified_excess"))
        ),
        comfort=Sum(
            _float(F("comfort_verified_sum") + F("comfort_unverified_sum"))
            - _f(discount) * _float(F("comfort_unverified_excess"))
        ),
        recommend=Sum(F("recommend_verified") + F("recommend_unverified")),
    )
    n = totals["n"] or 0
    if not n:
        return SiteFigures()
    return SiteFigures(
        communication_mean=totals["communication"] / n,
        comfort_mean=totals["comfort"] / n,
        recommend_share=totals["recommend"] / n,
    )


SITE_FIGURES_CACHE_KEY = "matching:site-figures:v1"


def site_figures() -> SiteFigures:
    """site_figures_now, at most SITE_PRIORS_MAX_AGE_SECONDS old: a scan of every
    practitioner's figures once a minute instead of once per match. Shared by every process
    when REDIS_URL is set; per process otherwise."""
    return cache.get_or_set(
        SITE_FIGURES_CACHE_KEY, site_figures_now, timeout=k.SITE_PRIORS_MAX_AGE_SECONDS
    )


def ranking_params(
    filters: CandidateFilters, *, weights: dict[str, float], site: SiteFigures, page: Page
) -> dict:
    """The parameters of ranking_sql's statement for one request."""
    today = filters.today
    params = {
        "condition": filters.condition.pk,
        "today": date_param(today),
        "today_month": today.year * 12 + today.month,
        "limit": page.limit,
        "offset": page.offset,
        # The site-wide priors, which the stored score parts are weighted by.
        "share": site.recommend_share,
        "communication_mean": rating_prior_mean(site.communication_mean),
        "comfort_mean": rating_prior_mean(site.comfort_mean),
        **{f"weight_{name}": float(weights[name]) for name in k.CRITERIA},
        **{f"language_{i}": f"%,{code},%" for i, code in enumerate(filters.languages)},
    }
    if filters.center is not None:
        params |= within_radius_params(filters.center, filters.radius_km)
    if filters.max_fee is not None:
        params["max_fee"] = float(filters.max_fee)
    return params


@dataclass(frozen=True)
class RankedRows:
    """A page of the ranking as the statement returns it."""

    count: int  # every candidate past the gates and filters
    experienced_count: int  # of those, experienced with the condition
    # The page's rows as dicts (the entry's columns ranking_sql.ENTRY_OUTPUTS, distance_km,
    # score, ims_certified_on, name, profession, clinic, city, …), in the page's order.
    rows: list[dict]


def ranked_rows(
    filters: CandidateFilters, *, weights: dict[str, float], site: SiteFigures, page: Page
) -> RankedRows:
    """One page of the candidates with the counts of all of them: one query. Each row holds
    the entry's columns ranking_sql.ENTRY_OUTPUTS (licence_profession and _jurisdiction
    among them), distance_km, score, ims_certified_on, name, profession, clinic, city,
    practitioner_fee, practitioner_direct_billing and clinic_phone/_website/_booking_url."""
    center = filters.center
    shape = shape_of(
        located=center is not None,
        wraps=center is not None and bounding_box(center, filters.radius_km).wraps,
        languages=len(filters.languages),
        accepting_only=bool(filters.accepting_new_patients),
        max_fee=filters.max_fee is not None,
        direct_billing_only=filters.direct_billing,
        experienced_only=filters.experience_required,
        sort=page.sort,
    )
    with _prepared_cursor() as cursor:
        params = ranking_params(filters, weights=weights, site=site, page=page)
        if connection.vendor == "postgresql":
            sql, order = native_placeholders(ranking_sql(shape))
            cursor.execute(sql, [params[name] for name in order])
        else:
            cursor.execute(ranking_sql(shape), params)
        names = _column_names((connection.vendor, shape), cursor)
        rows = [dict(zip(names, row, strict=True)) for row in cursor.fetchall()]
    # The counts come on every row; a page past the last candidate is one row without an
    # entry, which carries them alone.
    count, experienced = (rows[0]["candidates"], rows[0]["n_experienced"])
    rows = [row for row in rows if row["id"] is not None]
    for row in rows:
        # The entry's stored trainings are those on record; the reasons name today's.
        row["verified_trainings"] = row.pop("trainings_as_of_today")
        row["user_id"] = row["credential_owner"]
    return RankedRows(count, experienced, rows)


_COLUMN_NAMES: dict[tuple, tuple[str, ...]] = {}


def _column_names(statement: tuple, cursor) -> tuple[str, ...]:
    """The result's column names, read once per statement (vendor and shape: as few as the
    statements ranking_sql caches): psycopg builds a Column object per column for
    `description`, about 0.1 ms for the ranking's 56 on every request."""
    names = _COLUMN_NAMES.get(statement)
    if names is None:
        names = _COLUMN_NAMES[statement] = tuple(column[0] for column in cursor.description)
    return names


@lru_cache(maxsize=256)
def native_placeholders(sql: str) -> tuple[str, tuple[str, ...]]:
    """A statement's `%(name)s` placeholders as PostgreSQL's own `$1, $2, …` (each name
    numbered once, where it first appears), with the names in that order. psycopg parses
    `%(name)s` text on every execution once a statement passes 4 KB (its parse cache stops
    there); with native placeholders and a RawCursor it sends the text as it is."""
    order: dict[str, int] = {}

    def number(match: re.Match) -> str:
        return f"${order.setdefault(match[1], len(order) + 1)}"

    return _NAMED_PLACEHOLDER.sub(number, sql).replace("%%", "%"), tuple(order)


_NAMED_PLACEHOLDER = re.compile(r"%\((\w+)\)s")


def _prepared_cursor():
    """On PostgreSQL, a cursor that binds parameters on the server, so that psycopg prepares
    the ranking statement once per connection (after a few runs) and PostgreSQL stops
    parsing and planning its text on every request — about as long as running it at demo
    size. Django's own cursors bind on the client and never prepare. The cursor is wrapped
    like Django's, so query logging and counting still see it."""
    if connection.vendor != "postgresql":
        return connection.cursor()
    connection.ensure_connection()
    # Binary results: thirty columns of twenty rows decode faster than their text.
    server_side = psycopg.RawCursor(connection.connection)
    server_side.format = psycopg.pq.Format.BINARY
    if connection.queries_logged:
        return connection.make_debug_cursor(server_side)
    return connection.make_cursor(server_side)


def _decimal(value) -> Decimal | None:
    """SQLite returns a stored decimal as a number; str() keeps the digits it shows."""
    if value is None or isinstance(value, Decimal):
        return value
    return Decimal(str(value))


def _date(value) -> date | None:
    """SQLite returns a date written as SQL text as an ISO string."""
    return date.fromisoformat(value) if isinstance(value, str) else value


def candidate_from_row(row: dict, licence: tuple[str, str]) -> Candidate:
    return Candidate(
        id=row["practitioner_id"],
        qualified=True,
        profession=licence[0],
        jurisdiction=licence[1],
        ims_certified_on=_date(row["ims_certified_on"]),
        verified_trainings=row["verified_trainings"],
        experience_years=row["experience_years"],
        experience_patients=row["experience_patients"],
        condition_referrals=row["condition_referrals"],
        referring_physicians=row["referring_physicians"],
        distance_km=row["distance_km"],
        reviews=ReviewFigures(
            verified_count=row["reviews_verified"],
            unverified_count=row["reviews_unverified"],
            communication=RatingSums(
                row["communication_verified_sum"],
                row["communication_unverified_sum"],
                row["communication_unverified_excess"],
            ),
            comfort=RatingSums(
                row["comfort_verified_sum"],
                row["comfort_unverified_sum"],
                row["comfort_unverified_excess"],
            ),
            recommend_verified=row["recommend_verified"],
            recommend_unverified=row["recommend_unverified"],
        ),
    )


@dataclass(frozen=True)
class CandidatePage:
    count: int  # every candidate past the gates and filters
    experienced_count: int  # of those, experienced with the condition
    rows: list[CandidateRow]  # the page, in its order


def top_candidates(
    filters: CandidateFilters, *, weights: dict[str, float], site: SiteFigures, page: Page
) -> CandidatePage:
    """How many candidates pass the gates and filters (and how many of them are
    experienced), and one page of them: one query."""
    ranked = ranked_rows(filters, weights=weights, site=site, page=page)
    return CandidatePage(
        ranked.count,
        ranked.experienced_count,
        [
            CandidateRow(
                candidate=candidate_from_row(
                    row, (row["licence_profession"], row["licence_jurisdiction"])
                ),
                name=row["name"],
                profession=row["profession"],
                languages=languages_from_db(row["languages"]),
                accepting_new_patients=bool(row["accepting_new_patients"]),
                clinic=row["clinic"],
                city=row["city"],
                fee_per_session=_decimal(row["practitioner_fee"]),
                direct_billing=bool(row["practitioner_direct_billing"]),
                phone=row["clinic_phone"] or "",
                website=row["clinic_website"] or "",
                booking_url=row["clinic_booking_url"] or "",
            )
            for row in ranked.rows
        ],
    )
