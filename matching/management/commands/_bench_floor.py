"""The floor: the fastest the match request could be answered from one narrow table.

`bench_floor` (raw SQL, created and dropped by bench_match, no model or migration) holds
one row per (clinic, condition) of every active, qualified practitioner — every condition
of the taxonomy, since the match ranks practitioners without experience of the condition
too — with the clinic's point and the five criterion scores precomputed by the pure
functions of matching.scoring (the reference) as of today, with today's site figures. A
request is then one index range scan: the bounding box, the exact great-circle distance
(directory.geo's haversine), Σ weight × criterion score, the top `limit` and the count of
all candidates in the same pass. It is a floor, not an answer: a practitioner with two
clinics in the circle appears twice (no deduplication), and the scores are as of the day
the table was built (`bench_floor_state` records it; the command rebuilds when stale).
"""

import math
from collections import defaultdict
from dataclasses import dataclass, replace
from datetime import date

from django.db import connection
from django.db.models import Count, F, Min
from django.db.models.functions import Coalesce

from directory.geo import EARTH_RADIUS_KM, Point, bounding_box
from directory.limits import RADIUS_DEFAULT_KM
from directory.models import (
    Condition,
    ConditionExperience,
    ConditionReferralStats,
    CredentialKind,
    Location,
    PractitionerProfile,
)
from directory.models.match_index import FIGURE_COLUMNS
from directory.rules import active_practitioner_q, live_credentials, qualified_figures_q
from matching import constants as k
from matching.candidates import candidate_from_row, site_figures
from matching.scoring import (
    Candidate,
    SiteFigures,
    score_experience,
    score_qualifications,
    score_rating,
    score_referrals,
)

FLOOR = "bench_floor"
STATE = "bench_floor_state"
COLUMNS = (
    "practitioner_id", "condition_id", "lat", "lng", *k.CRITERIA,
    "accepting_new_patients", "languages",
)  # fmt: skip
COVERED = ", ".join((*k.CRITERIA, "practitioner_id", "accepting_new_patients", "languages"))


@dataclass(frozen=True)
class FloorRequest:
    condition_id: int
    weights: dict[str, float]
    limit: int
    center: Point | None = None
    radius_km: float = RADIUS_DEFAULT_KM
    languages: tuple[str, ...] = ()
    accepting_new_patients: bool | None = None


def floor_is_current(*, today: date) -> bool:
    """Built today for as many practitioners as there are now."""
    if STATE not in connection.introspection.table_names():
        return False
    with connection.cursor() as cursor:
        cursor.execute(f"SELECT built_on, practitioners FROM {STATE}")
        state = cursor.fetchone()
    return state is not None and (str(state[0]), state[1]) == (
        today.isoformat(),
        PractitionerProfile.objects.count(),
    )


def floor_drop() -> None:
    with connection.cursor() as cursor:
        cursor.execute(f"DROP TABLE IF EXISTS {FLOOR}")
        cursor.execute(f"DROP TABLE IF EXISTS {STATE}")


def floor_rebuild(*, today: date) -> int:
    """(Re)create the floor table from the database; returns its rows."""
    floor_drop()
    columns = ", ".join(
        f"{name} integer NOT NULL" if name.endswith("_id") else f"{name} double precision NOT NULL"
        for name in COLUMNS[:-2]
    )
    with connection.cursor() as cursor:
        cursor.execute(
            f"CREATE TABLE {FLOOR} ({columns}, accepting_new_patients boolean NOT NULL,"
            " languages varchar(200) NOT NULL)"
        )
        rows = _write(cursor, _rows(_inputs(today)))
        postgres = connection.vendor == "postgresql"
        # PostgreSQL answers from the index alone; SQLite has no INCLUDE.
        include = f" INCLUDE ({COVERED})" if postgres else ""
        # In the order of the match index's (directory.models.MatchEntry): longitude first.
        cursor.execute(f"CREATE INDEX {FLOOR}_near ON {FLOOR} (condition_id, lng, lat){include}")
        cursor.execute(f"CREATE INDEX {FLOOR}_condition ON {FLOOR} (condition_id){include}")
        cursor.execute(f"CREATE TABLE {STATE} (built_on date NOT NULL, practitioners integer)")
        cursor.execute(
            f"INSERT INTO {STATE} VALUES (%s, %s)", [today, PractitionerProfile.objects.count()]
        )
        # VACUUM sets the visibility map an index-only scan needs; it cannot run in a
        # transaction (the tests'), where ANALYZE alone will do.
        if postgres:
            cursor.execute(
                f"{'ANALYZE' if connection.in_atomic_block else 'VACUUM ANALYZE'} {FLOOR}"
            )
    return rows


def _write(cursor, rows) -> int:
    written = 0
    if connection.vendor == "postgresql":
        with cursor.copy(f"COPY {FLOOR} ({', '.join(COLUMNS)}) FROM STDIN") as copy:
            for row in rows:
                copy.write_row(row)
                written += 1
        return written
    batch: list[tuple] = []
    marks = ", ".join(["%s"] * len(COLUMNS))
    for row in [*rows, None]:
        if row is not None:
            batch.append(row)
        if batch and (row is None or len(batch) == 1000):
            cursor.executemany(f"INSERT INTO {FLOOR} VALUES ({marks})", batch)
            written, batch = written + len(batch), []
    return written


@dataclass(frozen=True)
class FloorInputs:
    """Everything the rows are computed from, read before COPY starts (the connection
    can run no other query while a COPY is open)."""

    today: date
    site: SiteFigures
    conditions: list[int]
    profiles: list[dict]
    stale: dict[int, tuple]
    per_condition: dict[int, dict[int, tuple]]
    clinics: dict[int, list[tuple[float, float]]]


def _inputs(today: date) -> FloorInputs:
    profiles = list(
        PractitionerProfile.objects.filter(active_practitioner_q())
        .filter(qualified_figures_q(today=today))
        .values(
            "id", "user_id", "languages", "accepting_new_patients",
            "stats__ims_first_on", "stats__verified_trainings", "stats__facts_expire_on",
            **{name: Coalesce(F(f"stats__{name}"), 0) for name in FIGURE_COLUMNS},
        )
    )  # fmt: skip
    clinics = defaultdict(list)
    for practitioner_id, lat, lng in Location.objects.values_list("practitioner_id", "lat", "lng"):
        clinics[practitioner_id].append((lat, lng))
    return FloorInputs(
        today=today,
        site=site_figures(),
        conditions=list(Condition.objects.values_list("pk", flat=True)),
        profiles=profiles,
        stale=_credential_inputs_as_of(today, profiles),
        per_condition=_condition_inputs(),
        clinics=clinics,
    )


def _rows(inputs: FloorInputs):
    """One row per (clinic, condition) of every active, qualified practitioner."""
    for profile in inputs.profiles:
        candidate = _candidate(profile, inputs.stale.get(profile["user_id"]))
        fixed = _fixed_scores(candidate, site=inputs.site, today=inputs.today)
        experience = _experience_scores(candidate, inputs.per_condition.get(profile["id"], {}))
        for condition_id in inputs.conditions:
            scores = (fixed[0], experience.get(condition_id, experience[None]), *fixed[1:])
            for lat, lng in inputs.clinics[profile["id"]]:
                yield (profile["id"], condition_id, lat, lng, *scores,
                       profile["accepting_new_patients"], profile["languages"])  # fmt: skip


def _experience_scores(candidate: Candidate, inputs: dict[int, tuple]) -> dict:
    """condition → experience score; None → the score of a condition with no inputs."""
    scores = {None: score_experience(candidate, condition_name="").score}
    for condition_id, (years, patients, referrals) in inputs.items():
        with_inputs = replace(
            candidate,
            experience_years=years,
            experience_patients=patients,
            condition_referrals=referrals,
        )
        scores[condition_id] = score_experience(with_inputs, condition_name="").score
    return scores


def _condition_inputs() -> dict[int, dict[int, tuple]]:
    """practitioner → condition → (years, patients, completed referrals), as the match's
    joins read them: no experience row = None, no referral row = 0."""
    inputs: dict[int, dict[int, tuple]] = defaultdict(dict)
    for row in ConditionExperience.objects.values_list(
        "practitioner_id", "condition_id", "years", "patients_treated"
    ):
        inputs[row[0]][row[1]] = (row[2], row[3], 0)
    for practitioner_id, condition_id, referrals in ConditionReferralStats.objects.values_list(
        "practitioner_id", "condition_id", "completed_referrals"
    ):
        years, patients, _ = inputs[practitioner_id].get(condition_id, (None, None, 0))
        inputs[practitioner_id][condition_id] = (years, patients, referrals)
    return inputs


def _credential_inputs_as_of(today: date, profiles: list[dict]) -> dict[int, tuple]:
    """(first IMS date, trainings) from the credentials themselves, for the practitioners
    whose figures row no longer holds them (a counted credential expired since): the
    match's own fallback (matching.ranking_sql._as_of_today)."""
    owners = [
        p["user_id"]
        for p in profiles
        if p["stats__facts_expire_on"] is not None and p["stats__facts_expire_on"] < today
    ]
    live = live_credentials(today=today).filter(owner_id__in=owners).values("owner_id")
    ims = live.filter(kind=CredentialKind.IMS_CERTIFICATION).annotate(first=Min("issued_on"))
    trainings = live.filter(kind=CredentialKind.TRAINING).annotate(n=Count("id"))
    found = {owner: (None, 0) for owner in owners}
    for row in ims:
        found[row["owner_id"]] = (row["first"], 0)
    for row in trainings:
        found[row["owner_id"]] = (found[row["owner_id"]][0], row["n"])
    return found


def _candidate(profile: dict, stale: tuple | None) -> Candidate:
    """The match's own row-to-Candidate mapping, with no condition inputs yet."""
    ims_on, trainings = stale or (
        profile["stats__ims_first_on"],
        profile["stats__verified_trainings"],
    )
    row = profile | {
        "practitioner_id": profile["id"],
        "ims_certified_on": ims_on,
        "verified_trainings": trainings or 0,
        "experience_years": None,
        "experience_patients": None,
        "condition_referrals": 0,
        "distance_km": None,
    }
    return candidate_from_row(row, ("", ""))


def _fixed_scores(candidate: Candidate, *, site: SiteFigures, today: date) -> tuple[float, ...]:
    """The four criterion scores that do not depend on the condition."""
    reviews = candidate.reviews
    return (
        score_qualifications(candidate, today=today).score,
        score_referrals(candidate, site=site).score,
        score_rating(
            reviews, reviews.communication, site_mean=site.communication_mean, show_verified=True
        ).score,
        score_rating(
            reviews, reviews.comfort, site_mean=site.comfort_mean, show_verified=False
        ).score,
    )


def _distance_sql(center: Point) -> tuple[str, list[float]]:
    """directory.geo.haversine_km as raw SQL."""
    least = "LEAST" if connection.vendor == "postgresql" else "MIN"
    lat1 = math.radians(center.lat)
    sql = (
        f"%s * asin({least}(sqrt(power(sin((radians(lat) - %s) / 2.0), 2)"
        " + %s * cos(radians(lat)) * power(sin((radians(lng) - %s) / 2.0), 2)), 1.0))"
    )
    return sql, [2 * EARTH_RADIUS_KM, lat1, math.cos(lat1), math.radians(center.lng)]


def floor_query(request: FloorRequest) -> tuple[int, list[tuple]]:
    """(candidate rows, the top `limit` as (practitioner_id, score, distance_km))."""
    score = " + ".join(f"%s * {name}" for name in k.CRITERIA)
    params: list = [request.weights[name] for name in k.CRITERIA]
    where, where_params = ["condition_id = %s"], [request.condition_id]
    if request.accepting_new_patients:
        where.append("accepting_new_patients")
    if request.languages:
        where.append("(" + " OR ".join(["languages LIKE %s"] * len(request.languages)) + ")")
        where_params += [f"%,{code},%" for code in request.languages]
    if request.center is None:
        sql = (
            f"SELECT practitioner_id, {score} AS score, NULL, count(*) OVER () FROM {FLOOR}"
            f" WHERE {' AND '.join(where)} ORDER BY score DESC, practitioner_id LIMIT %s"
        )
        params += [*where_params, request.limit]
    else:
        box = bounding_box(request.center, request.radius_km)
        lng = "lng BETWEEN %s AND %s" if box.min_lng <= box.max_lng else "(lng >= %s OR lng <= %s)"
        where += ["lat BETWEEN %s AND %s", lng]
        where_params += [box.min_lat, box.max_lat, box.min_lng, box.max_lng]
        distance, distance_params = _distance_sql(request.center)
        sql = (
            f"SELECT practitioner_id, score, distance_km, count(*) OVER () FROM"
            f" (SELECT practitioner_id, {score} AS score, {distance} AS distance_km"
            f" FROM {FLOOR} WHERE {' AND '.join(where)}) AS near WHERE distance_km <= %s"
            " ORDER BY score DESC, distance_km, practitioner_id LIMIT %s"
        )
        params += [*distance_params, *where_params, request.radius_km, request.limit]
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        rows = cursor.fetchall()
    return (rows[0][3] if rows else 0), [row[:3] for row in rows]
