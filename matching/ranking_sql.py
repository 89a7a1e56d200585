"""The ranking as one SQL statement over the match index (directory.models.MatchEntry).

The statement's text depends only on the request's *shape* — database, with or without a
location, a bounding box that wraps the antimeridian, how many languages, whether only
practitioners accepting new patients count — so it is written once per shape (cached) and
every request only fills in parameters: per-request Python cost does not grow with the
formula. The formulas are matching.constants', as in matching.scoring (the reference),
with the request-independent parts stored in the index (matching.index_parts) and the
date and site-wide priors applied here; tests/matching/test_candidates.py ranks the same
candidates both ways on SQLite and PostgreSQL.

Layers, innermost first:
1. entries of the condition that pass the gate (licence and IMS dates ≥ today) and the
   filters; with a location, inside the bounding box (the (condition, lng, lat) covering
   index answers it) and measured exactly (haversine) — without one, the practitioner's
   first row (the partial (condition) covering index); each scored, with the
   qualification inputs as of today;
2. with a location, each practitioner's nearest clinic within the radius (one row each);
3. the candidates, read once (a CTE used twice, which both databases materialise): their
   count and how many are experienced with the condition, and the page — `limit` rows
   from `offset` in the request's order (best: score, then distance, then id; distance:
   distance, then score, then id) — only (entry, practitioner, clinic, distance, score,
   experienced) travel this far;
4. the counts LEFT JOINed to the page, so that a page past the last candidate still
   answers the counts (one row whose entry is NULL), with the entry, name, profession,
   fee and clinic (with its contact) of the page's rows only (columns by name).
"""

from functools import lru_cache
from typing import NamedTuple

from directory.geo import bounding_box_sql, haversine_sql
from directory.models import Credential, CredentialKind, Location, MatchEntry, PractitionerProfile
from directory.models import User as UserModel
from directory.models.match_index import FIGURE_COLUMNS
from directory.rules import (
    clinic_order_sql,
    fee_within_sql,
    live_credential_sql,
    within_radius_sql,
)
from directory.sqltext import as_float, float_sql, greatest, is_postgresql, month_index
from directory.sqltext import table_sql as _table
from matching import constants as k
from matching.index_parts import sat_sql

# What travels through the dedupe and the sorts: the entry, its distance, its score and
# whether it is experienced with the condition (counted).
NARROW_COLUMNS = (
    "entry_id",
    "practitioner_id",
    "location_id",
    "distance_km",
    "score",
    "experienced",
)


# The entry's columns a page row carries (matching.candidates.candidate_from_row and
# top_candidates), besides those computed here.
ENTRY_OUTPUTS = (
    "credential_owner",
    "experience_years",
    "experience_patients",
    "condition_referrals",
    *FIGURE_COLUMNS,
    "languages",
    "accepting_new_patients",
    # The licence the reasons name (stored with the credential facts).
    "licence_profession",
    "licence_jurisdiction",
)


class Shape(NamedTuple):
    postgresql: bool
    located: bool
    wraps: bool
    languages: int
    accepting_only: bool
    max_fee: bool = False
    direct_billing_only: bool = False
    experienced_only: bool = False
    sort: str = k.SORT_BEST


def _credential_subquery(select: str, kind: str, *, owner: str) -> str:
    """One figure of the row's owner's credentials of `kind` that count as of today."""
    return (
        f"(SELECT {select} FROM {_table(Credential)} k"
        f" WHERE k.owner_id = {owner}.credential_owner AND k.kind = '{kind}'"
        f" AND {live_credential_sql('k')})"
    )


def _as_of_today(a: str) -> dict[str, str]:
    """The first IMS date, its month index and the verified trainings as of today: the
    stored facts while none of the IMS certifications and trainings they count has expired,
    else the credentials themselves (a CASE branch runs only when taken, so only for the
    few entries whose facts went stale since their last write)."""
    fresh = f"({a}.facts_expire_on IS NULL OR {a}.facts_expire_on >= %(today)s)"
    ims = CredentialKind.IMS_CERTIFICATION.value
    first_ims = _credential_subquery("MIN(k.issued_on)", ims, owner=a)
    # The month index rises with the date: the first certificate's is the smallest.
    first_month = _credential_subquery(f"MIN({month_index('k.issued_on')})", ims, owner=a)
    trainings = _credential_subquery("COUNT(*)", CredentialKind.TRAINING.value, owner=a)
    return {
        "fresh": fresh,
        "ims_on": f"CASE WHEN {fresh} THEN {a}.ims_first_on ELSE {first_ims} END",
        "ims_month": f"CASE WHEN {fresh} THEN {a}.ims_first_month ELSE {first_month} END",
        "trainings": f"CASE WHEN {fresh} THEN {a}.verified_trainings ELSE {trainings} END",
        "live_trainings": trainings,
    }


def _score(a: str) -> str:
    """score = Σ weight × criterion, each criterion from the row's stored parts
    (matching.index_parts) and this request's date and site-wide priors."""
    facts = _as_of_today(a)
    # Stored for the trainings on record; recomputed for an entry whose facts went stale.
    stale_base = (
        f"({float_sql(k.QUAL_BASE)} + {float_sql(k.QUAL_TRAINING_WEIGHT)}"
        f" * {sat_sql(as_float(facts['live_trainings']), k.QUAL_TRAINING_HALF)})"
    )
    base = f"CASE WHEN {facts['fresh']} THEN {a}.qualification_base ELSE {stale_base} END"
    elapsed = "%(today_month)s - (" + facts["ims_month"] + ")"
    months = "COALESCE(" + greatest(elapsed, "0") + ", 0)"
    years = f"({as_float(months)} / {float_sql(12.0)})"
    tenure = f"{float_sql(k.QUAL_TENURE_WEIGHT)} * {sat_sql(years, k.QUAL_TENURE_HALF_YEARS)}"

    def prior(name: str) -> str:
        return as_float(f"%({name})s")

    criteria = {
        "qualifications": f"({base} + {tenure})",
        "experience": f"{a}.experience_score",
        "referrals": f"({a}.referrals_base + {a}.referrals_prior_weight * {prior('share')})",
        "communication": (
            f"({a}.communication_base + {a}.rating_prior_weight * {prior('communication_mean')})"
        ),
        "comfort": f"({a}.comfort_base + {a}.rating_prior_weight * {prior('comfort_mean')})",
    }
    terms = [f"{as_float(f'%(weight_{name})s')} * {criteria[name]}" for name in k.CRITERIA]
    return "(" + " + ".join(terms) + ")"


def _entries(shape: Shape) -> str:
    """Layer 1: the condition's gated, filtered entries, with their distance and score; only
    these narrow columns travel on through the sorts (the rest is read for the top rows)."""
    where = [
        "e.condition_id = %(condition)s",
        "e.licence_valid_until >= %(today)s",
        "e.ims_valid_until >= %(today)s",
    ]
    if shape.located:
        where.append(bounding_box_sql(lat="e.lat", lng="e.lng", wraps=shape.wraps))
        distance = haversine_sql(lat="e.lat", lng="e.lng")
    else:
        where.append("e.is_first")
        distance = "NULL"
    if shape.accepting_only:
        where.append("e.accepting_new_patients")
    if shape.max_fee:
        where.append(fee_within_sql(fee="e.fee_per_session", max_fee="%(max_fee)s"))
    if shape.direct_billing_only:
        where.append("e.direct_billing")
    if shape.experienced_only:
        where.append("e.experienced")
    if shape.languages:
        spoken = " OR ".join(f"e.languages LIKE %(language_{i})s" for i in range(shape.languages))
        where.append(f"({spoken})")
    # OFFSET 0 keeps PostgreSQL from pulling the radius test of layer 2 into this scan,
    # where it would compute the distance a second time for every row in the box.
    fence = " OFFSET 0" if shape.located and shape.postgresql else ""
    return (
        f"SELECT e.id AS entry_id, e.practitioner_id, e.location_id, {distance} AS distance_km,"
        f" {_score('e')} AS score, e.experienced"
        f" FROM {_table(MatchEntry)} e WHERE {' AND '.join(where)}{fence}"
    )


def _nearest_clinic(shape: Shape, entries: str) -> str:
    """Layer 2: one row per practitioner, their nearest clinic within the radius."""
    within = f"({entries}) w WHERE {within_radius_sql(distance='w.distance_km')}"
    nearest = clinic_order_sql(distance="w.distance_km", location_id="w.location_id")
    if shape.postgresql:
        return (
            f"SELECT DISTINCT ON (w.practitioner_id) w.* FROM {within}"
            f" ORDER BY w.practitioner_id, {nearest}"
        )
    columns = ", ".join(f"n.{name}" for name in NARROW_COLUMNS)
    return (
        f"SELECT {columns} FROM (SELECT w.*, ROW_NUMBER() OVER (PARTITION BY w.practitioner_id"
        f" ORDER BY {nearest}) AS nth FROM {within}) n WHERE n.nth = 1"
    )


def _order(shape: Shape) -> list[str]:
    """The page's order; the last term makes it total (matching.scoring's rank_key and
    distance_key say the same in Python)."""
    if shape.sort == k.SORT_DISTANCE:
        return ["distance_km", "score DESC", "practitioner_id"]
    if shape.located:
        return ["score DESC", "distance_km", "practitioner_id"]
    return ["score DESC", "practitioner_id"]


@lru_cache(maxsize=256)
def ranking_sql(shape: Shape) -> str:
    """The whole statement for one shape; its parameters come from ranking_params."""
    entries = _entries(shape)
    candidates = _nearest_clinic(shape, entries) if shape.located else entries
    order = _order(shape)
    # Short SQL on purpose: psycopg caches the parsed form of statements up to 4 KB.
    counts = (
        "SELECT COUNT(*) AS candidates,"
        " COUNT(CASE WHEN experienced THEN 1 END) AS n_experienced FROM c"
    )
    page = f"SELECT * FROM c ORDER BY {', '.join(order)} LIMIT %(limit)s OFFSET %(offset)s"
    facts = _as_of_today("m")
    outputs = ", ".join(
        [
            # The entry's columns that matching.candidates reads (each costs decoding).
            "t.entry_id AS id",
            "t.practitioner_id",
            *(f"m.{name}" for name in ENTRY_OUTPUTS),
            "t.distance_km",
            "t.score",
            "n.candidates",
            "n.n_experienced",
            f"{facts['ims_on']} AS ims_certified_on",
            f"{facts['trainings']} AS trainings_as_of_today",
            "u.name AS name",
            "p.profession AS profession",
            "l.name AS clinic",
            "l.city AS city",
            # The result card's fee and the named clinic's contact (aliased apart from any
            # index column of the same name).
            "p.fee_per_session AS practitioner_fee",
            "p.direct_billing AS practitioner_direct_billing",
            "l.phone AS clinic_phone",
            "l.website AS clinic_website",
            "l.booking_url AS clinic_booking_url",
        ]
    )
    return (
        f"WITH c AS ({candidates}), n AS ({counts}), t AS ({page})"
        f" SELECT {outputs} FROM n LEFT JOIN t ON 1 = 1"
        f" LEFT JOIN {_table(MatchEntry)} m ON m.id = t.entry_id"
        f" LEFT JOIN {_table(PractitionerProfile)} p ON p.id = t.practitioner_id"
        f" LEFT JOIN {_table(UserModel)} u ON u.id = p.user_id"
        f" LEFT JOIN {_table(Location)} l ON l.id = t.location_id"
        f" ORDER BY {', '.join(f't.{term}' for term in order)}"
    )


def shape_of(
    *,
    located: bool,
    wraps: bool,
    languages: int,
    accepting_only: bool,
    max_fee: bool = False,
    direct_billing_only: bool = False,
    experienced_only: bool = False,
    sort: str = k.SORT_BEST,
) -> Shape:
    return Shape(
        is_postgresql(),
        located,
        wraps,
        languages,
        accepting_only,
        max_fee,
        direct_billing_only,
        experienced_only,
        sort,
    )
