"""The match index (directory.models.MatchEntry): a practitioner's rows are rewritten from
the source rows in the transaction of every write that changes one of their inputs, and
`manage.py rebuild_match_index` rebuilds every row with the same SELECT, so a maintained
row and a rebuilt one cannot differ in how they are computed — only in whether a write
path forgot to call `practitioner_changed` (tests/directory/test_match_index.py replays
random write histories and compares both after every step).

Callers: the stats services (credential facts, reviews, referral completions), the profile,
clinic and experience services, practitioner activation, and bulk loads (rebuild).
"""

from collections.abc import Iterable, Mapping

from django.db import connection, transaction

from directory.models import (
    Condition,
    ConditionExperience,
    ConditionReferralStats,
    Location,
    MatchEntry,
    PractitionerProfile,
    PractitionerStats,
    User,
)
from directory.models.match_index import DERIVED_COLUMNS, FACT_COLUMNS, FIGURE_COLUMNS
from directory.rules import active_practitioner_sql, experienced_sql
from directory.sqltext import month_index
from directory.sqltext import table_sql as _table

# Copied unchanged from the figures row (PractitionerStats).
STATS_COLUMNS = (*FACT_COLUMNS, *FIGURE_COLUMNS)


# SQL for DERIVED_COLUMNS over the SELECT's aliases (s = figures, x = experience,
# r = referral counts of the row's condition), registered at start-up by the app that owns
# the formulas (MatchingConfig.ready); NULL until then.
_derived_sql: dict[str, str] = {}


def match_index_derive(columns: Mapping[str, str]) -> None:
    """Register the SQL of derived columns; rows written from now on carry them."""
    unknown = set(columns) - set(DERIVED_COLUMNS)
    if unknown:
        raise ValueError(f"Not derived columns of the match index: {sorted(unknown)}")
    _derived_sql.update(columns)


def _select_sql(where: str = "") -> tuple[str, str]:
    """The index rows as (column list, SELECT) computed from the source rows; `where` adds
    a condition on the practitioner p or the condition c."""
    columns = {
        "practitioner_id": "p.id",
        "location_id": "l.id",
        "condition_id": "c.id",
        "credential_owner": "p.user_id",
        # The clinic a result shows without a centre: the first in the order of
        # directory.rules.clinics_nearest_first, the lowest id (f below).
        "is_first": "(l.id IS NULL OR l.id = f.first_id)",
        "lat": "l.lat",
        "lng": "l.lng",
        **{name: f"s.{name}" for name in STATS_COLUMNS},
        "ims_first_month": month_index("s.ims_first_on"),
        "accepting_new_patients": "p.accepting_new_patients",
        "languages": "p.languages",
        "fee_per_session": "p.fee_per_session",
        "direct_billing": "p.direct_billing",
        "experience_years": "x.years",
        "experience_patients": "x.patients_treated",
        "condition_referrals": "COALESCE(r.completed_referrals, 0)",
        "experienced": experienced_sql(
            experience_years="x.years", condition_referrals="COALESCE(r.completed_referrals, 0)"
        ),
        **{name: _derived_sql.get(name, "NULL") for name in DERIVED_COLUMNS},
    }
    select = f"""
        SELECT {", ".join(columns.values())}
        FROM {_table(PractitionerProfile)} p
        JOIN {_table(User)} u ON u.id = p.user_id
        JOIN {_table(PractitionerStats)} s ON s.practitioner_id = p.id
        CROSS JOIN {_table(Condition)} c
        LEFT JOIN {_table(Location)} l ON l.practitioner_id = p.id
        LEFT JOIN (
            SELECT practitioner_id, MIN(id) AS first_id
            FROM {_table(Location)} GROUP BY practitioner_id
        ) f ON f.practitioner_id = p.id
        LEFT JOIN {_table(ConditionExperience)} x
            ON x.practitioner_id = p.id AND x.condition_id = c.id
        LEFT JOIN {_table(ConditionReferralStats)} r
            ON r.practitioner_id = p.id AND r.condition_id = c.id
        WHERE {active_practitioner_sql(profile="p", user="u")}
            AND s.licence_valid_until IS NOT NULL AND s.ims_valid_until IS NOT NULL
            {f"AND ({where})" if where else ""}
    """
    return ", ".join(columns), select


def _insert(where: str = "", params: dict | None = None) -> int:
    columns, select = _select_sql(where)
    with connection.cursor() as cursor:
        cursor.execute(f"INSERT INTO {_table(MatchEntry)} ({columns}) {select}", params or {})
        return cursor.rowcount


@transaction.atomic
def match_index_refresh(*, practitioner_id: int) -> None:
    """Rewrite one practitioner's rows from the source rows; called inside the transaction
    of every write that changes one of their inputs."""
    # The profile's row lock orders concurrent refreshes of one practitioner: the second
    # waits, then reads what the first committed (each statement sees a fresh snapshot).
    list(
        PractitionerProfile.objects.select_for_update()
        .filter(pk=practitioner_id)
        .values_list("pk", flat=True)
    )
    MatchEntry.objects.filter(practitioner_id=practitioner_id).delete()
    _insert("p.id = %(practitioner)s", {"practitioner": practitioner_id})


@transaction.atomic
def match_index_add_condition(*, condition_id: int) -> int:
    """Rows for a condition added to the taxonomy: every practitioner is a candidate."""
    MatchEntry.objects.filter(condition_id=condition_id).delete()
    return _insert("c.id = %(condition)s", {"condition": condition_id})


@transaction.atomic
def match_index_rebuild(practitioner_ids: Iterable[int] | None = None) -> int:
    """Rebuild the rows of these practitioners (default: every row) from the source rows,
    after writes that went past the services (bulk loads, recompute_stats); returns rows
    written."""
    if practitioner_ids is None:
        if connection.vendor == "postgresql":
            return _rebuild_all_postgresql()
        MatchEntry.objects.all().delete()
        return _insert()
    written = 0
    ids = list(practitioner_ids)
    for start in range(0, len(ids), 500):
        chunk = ids[start : start + 500]
        MatchEntry.objects.filter(practitioner_id__in=chunk).delete()
        placeholders = ", ".join(f"%(p{i})s" for i in range(len(chunk)))
        written += _insert(
            f"p.id IN ({placeholders})", {f"p{i}": pid for i, pid in enumerate(chunk)}
        )
    return written


def _rebuild_all_postgresql() -> int:
    """Every row anew, in the caller's transaction. TRUNCATE frees the table at once instead
    of leaving a million dead rows for vacuum (it takes a lock that waits for readers; a
    rebuild is rare). The foreign keys, the unique constraint and the indexes go with the
    rows and come back once the rows are in: a foreign key is then checked in one join
    instead of once per row, and an index is built in one sort instead of a million and
    more insertions (100,000 practitioners: 28 s instead of 75; see the README). While the
    foreign keys come back, writes to the practitioners, clinics and conditions wait a few
    seconds — as every practitioner write already waits for the truncated table."""
    table = _table(MatchEntry)
    with connection.cursor() as cursor:
        # Deferred foreign-key checks of rows this transaction wrote would block it.
        cursor.execute("SET CONSTRAINTS ALL IMMEDIATE")
        cursor.execute(f"TRUNCATE {table}")
        # Room to sort each index in memory (this transaction only).
        cursor.execute("SET LOCAL maintenance_work_mem = '256MB'")
        cursor.execute(
            "SELECT conname, pg_get_constraintdef(oid) FROM pg_constraint"
            " WHERE conrelid = %s::regclass AND contype = 'f'",
            [MatchEntry._meta.db_table],
        )
        foreign_keys = cursor.fetchall()
        for name, _ in foreign_keys:
            cursor.execute(f'ALTER TABLE {table} DROP CONSTRAINT "{name}"')
    indexes, constraints = MatchEntry._meta.indexes, MatchEntry._meta.constraints
    with connection.schema_editor(atomic=False) as editor:
        for index in indexes:
            editor.remove_index(MatchEntry, index)
        for constraint in constraints:
            editor.remove_constraint(MatchEntry, constraint)
    written = _insert()
    with connection.schema_editor(atomic=False) as editor:
        for constraint in constraints:
            editor.add_constraint(MatchEntry, constraint)
        for index in indexes:
            editor.add_index(MatchEntry, index)
    with connection.cursor() as cursor:
        for name, definition in foreign_keys:
            cursor.execute(f'ALTER TABLE {table} ADD CONSTRAINT "{name}" {definition}')
    return written


def match_index_vacuum() -> None:
    """After a rebuild, outside any transaction: fresh planner statistics, and on
    PostgreSQL the visibility map that lets the covering indexes answer without reading the
    table (index-only scans). Autovacuum keeps both up in production."""
    with connection.cursor() as cursor:
        # VACUUM cannot run inside a transaction (a test's, say): then ANALYZE alone.
        if connection.vendor == "postgresql" and not connection.in_atomic_block:
            cursor.execute(f"VACUUM ANALYZE {_table(MatchEntry)}")
        else:
            cursor.execute(f"ANALYZE {_table(MatchEntry)}")


ENTRY_COLUMNS = tuple(f.attname for f in MatchEntry._meta.concrete_fields if f.attname != "id")


def match_index_stored() -> list[tuple]:
    """Every stored row (without its id), sorted: to compare with match_index_expected."""
    return sorted(MatchEntry.objects.values_list(*ENTRY_COLUMNS), key=repr)


def match_index_expected() -> list[tuple]:
    """The rows a rebuild would write now, in the shape of match_index_stored."""
    with transaction.atomic():
        savepoint = transaction.savepoint()
        match_index_rebuild()
        rows = match_index_stored()
        transaction.savepoint_rollback(savepoint)
    return rows
