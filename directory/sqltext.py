"""Small SQL fragments that differ between PostgreSQL and SQLite, for the few queries
written as SQL text (the match index and the ranking query built on it)."""

from django.db import connection


def is_postgresql() -> bool:
    return connection.vendor == "postgresql"


def table_sql(model) -> str:
    """A model's table name, quoted for the database."""
    return connection.ops.quote_name(model._meta.db_table)


def greatest(a: str, b: str) -> str:
    """GREATEST on PostgreSQL (which ignores a NULL argument), MAX on SQLite (where a NULL
    argument gives NULL): callers COALESCE what may be NULL."""
    return f"GREATEST({a}, {b})" if is_postgresql() else f"MAX({a}, {b})"


def least(a: str, b: str) -> str:
    return f"LEAST({a}, {b})" if is_postgresql() else f"MIN({a}, {b})"


def month_index(date_sql: str) -> str:
    """year * 12 + month of a date, as an integer: whole months between two dates are then
    one subtraction (matching.scoring.months_between)."""
    if is_postgresql():
        return (
            f"(CAST(EXTRACT(YEAR FROM {date_sql}) AS INTEGER) * 12"
            f" + CAST(EXTRACT(MONTH FROM {date_sql}) AS INTEGER))"
        )
    # %% because these statements run with named parameters.
    return (
        f"(CAST(strftime('%%Y', {date_sql}) AS INTEGER) * 12"
        f" + CAST(strftime('%%m', {date_sql}) AS INTEGER))"
    )


def date_param(value):
    """A date as a query parameter: PostgreSQL takes the date, SQLite compares ISO text."""
    return value if is_postgresql() else value.isoformat()


def float_sql(value: float) -> str:
    """A float literal both databases treat as double precision (a bare 2.0 is NUMERIC on
    PostgreSQL, slower and rounded differently from Python's floats)."""
    literal = repr(float(value))
    return f"{literal}::float8" if is_postgresql() else f"CAST({literal} AS REAL)"


def as_float(sql: str) -> str:
    # The short PostgreSQL spelling keeps the ranking statement under psycopg's 4 KB limit
    # for caching a statement's parsed form.
    return f"({sql})::float8" if is_postgresql() else f"CAST({sql} AS REAL)"
