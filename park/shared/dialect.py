"""SQL that differs between SQLite and PostgreSQL: one function per difference.

Each returns a fragment for hand-written SQL run with `park.shared.db.fetch` ($1, $2
placeholders) or a Piccolo condition; the database is the one bound now (park.shared.db).
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime, timezone
from typing import Any

from park.shared.db import is_sqlite


def instant(placeholder: str) -> str:
    """An aware datetime parameter such as `$1` (PostgreSQL needs it cast to compare)."""
    return placeholder if is_sqlite() else f"CAST({placeholder} AS TIMESTAMPTZ)"


def json_value(placeholder: str) -> str:
    """A JSON text parameter such as `$1` stored in a JSON column."""
    return placeholder if is_sqlite() else f"CAST({placeholder} AS JSON)"


def table_through_index(table: str, index: str) -> str:
    """`table` (with its alias) read through `index`: SQLite's planner needs the hint, PostgreSQL's does not."""
    return f"{table} INDEXED BY {index}" if is_sqlite() else table


def epoch_seconds(expression: str) -> str:
    """Whole Unix seconds of a timestamp expression."""
    if is_sqlite():
        # Piccolo stores Timestamptz as UTC text; julianday reads it with its offset.
        return f"CAST(ROUND((julianday({expression}) - 2440587.5) * 86400.0) AS INTEGER)"
    return f"CAST(EXTRACT(EPOCH FROM {expression}) AS BIGINT)"


def seconds_between(start: str, end: str) -> str:
    """Seconds from timestamp expression `start` to `end` (whole seconds on SQLite)."""
    if is_sqlite():
        # One subtraction of Julian days is cheaper than two epoch conversions.
        # Rounded to whole seconds: Julian-day doubles carry a few microseconds of noise.
        return f"ROUND((julianday({end}) - julianday({start})) * 86400.0)"
    return f"EXTRACT(EPOCH FROM ({end} - {start}))"


def greatest(a: str, b: str) -> str:
    """The later (larger) of two expressions."""
    return f"MAX({a}, {b})" if is_sqlite() else f"GREATEST({a}, {b})"


def least(a: str, b: str) -> str:
    """The earlier (smaller) of two expressions."""
    return f"MIN({a}, {b})" if is_sqlite() else f"LEAST({a}, {b})"


def matches(column: Any, pattern: str) -> Any:
    """Case-insensitive LIKE on both databases (SQLite's LIKE already ignores ASCII case; it has no ILIKE)."""
    return column.like(pattern) if is_sqlite() else column.ilike(pattern)


def stored_instant(column: str) -> str:
    """A Timestamptz column read as stored, for reads of thousands of rows: parse each value with `instant_from_stored`.

    SQLite keeps the UTC text Piccolo wrote and runs Piccolo's converter on every value of a
    declared TIMESTAMPTZ column (about a microsecond each); a CAST has no declared type, so
    the text comes back untouched. PostgreSQL's driver decodes the column itself.
    """
    return f"CAST({column} AS TEXT)" if is_sqlite() else column


def instant_from_stored() -> Callable[[Any], datetime] | None:
    """How to turn a `stored_instant` value into an aware datetime; None when it already is one."""
    return _utc_from_text if is_sqlite() else None


def _utc_from_text(text: str) -> datetime:
    # Piccolo's own converter (the stored text is UTC), without its `replace` when the text says
    # +00:00 already, as Piccolo writes it: `replace` costs several times the parse.
    value = datetime.fromisoformat(text)
    return value if value.tzinfo is timezone.utc else value.replace(tzinfo=timezone.utc)
