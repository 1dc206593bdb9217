"""Per-day report sums: what a snapshot reads instead of every booking of its period.

`report_day_sum` holds, for each local day of the park's zone (keyed by the Unix second
its midnight falls on), the day's booked seat-hours per facility, per tenant and facility
kind, booked seat-seconds per 15-minute step, and the count of bookings starting that day
per status. They are the same queries the live reports run (park.reports.queries), run
over one day at a time, so a period's sum is the period's figure.

Triggers (migration 2026-12-03T12:50:00) log the times of every booking written to
`report_change`. `fold_changes` takes the logged changes, works out the local days they
touch and recomputes exactly those days from the raw bookings. It runs as a scheduled job
and before every snapshot, so a snapshot never reads a day with changes not yet folded.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import date, datetime, timedelta, timezone
from typing import Any
from zoneinfo import ZoneInfo

from park.reports import queries
from park.reports.occupancy import BookedGroup, merge_by_kind
from park.reports.periods import local_midnight
from park.shared.db import fetch, is_sqlite, transaction
from park.shared.dialect import epoch_seconds

STEP_SECONDS = 900
"""Steps of the heat map's sums: 15 minutes divides every zone offset, so any bucket the
heat map asks for (1 h or 15 min, see heatmap.bucket_seconds) is a whole number of them."""

# Serialises folds on PostgreSQL (two folds rewriting one day must not interleave);
# SQLite's IMMEDIATE transaction already holds the single write lock.
_FOLD_LOCK = 0x7061726B5F646179  # "park_day"

_ROWS_PER_INSERT = 150  # 5 parameters a row: under SQLite's oldest 999-parameter limit


def days_touched(spans: Iterable[tuple[int, int]], zone: ZoneInfo) -> list[date]:
    """The local days (in `zone`) that the spans of Unix seconds [start, end] touch, sorted."""
    days: set[date] = set()
    for start, end in spans:
        first = datetime.fromtimestamp(start, timezone.utc).astimezone(zone).date()
        last = datetime.fromtimestamp(max(start, end - 1), timezone.utc).astimezone(zone).date()
        day = first
        while day <= last:
            days.add(day)
            day += timedelta(days=1)
    return sorted(days)


async def _take_changes() -> list[tuple[int, int]]:
    """Remove the logged changes and return the spans they cover, in whole hours widened outwards.

    On PostgreSQL one statement deletes and reports the same rows, so a change committed
    meanwhile is either taken here or left for the next fold, never lost.
    """
    start, end = epoch_seconds("starts_at"), epoch_seconds("ends_at")
    spans = f"SELECT DISTINCT {start} / 3600 AS s, ({end} + 3599) / 3600 AS e FROM "
    if is_sqlite():
        rows = await fetch(spans + "report_change")
        await fetch("DELETE FROM report_change")
    else:
        await fetch("SELECT pg_advisory_xact_lock($1)", _FOLD_LOCK)
        rows = await fetch(
            "WITH gone AS (DELETE FROM report_change RETURNING starts_at, ends_at) " + spans + "gone"
        )
    return [(int(row["s"]) * 3600, int(row["e"]) * 3600) for row in rows]


async def _day_rows(day: date, zone: ZoneInfo) -> list[tuple[int, str, str, str, float]]:
    """The sums of one local day, recomputed from the raw bookings."""
    starts_at = local_midnight(day, zone)
    ends_at = local_midnight(day + timedelta(days=1), zone)
    key = int(starts_at.timestamp())
    rows: list[tuple[int, str, str, str, float]] = []
    for group in await queries.booked_by_group("facility", starts_at, ends_at):
        if group.seat_hours:
            rows.append((key, "facility", group.key, "", group.seat_hours))
    for group in await queries.booked_by_group("tenant", starts_at, ends_at):
        for kind, hours in group.by_kind:
            if hours:
                rows.append((key, "tenant", group.key, kind or "", hours))
    for step, seconds in (await queries.booked_by_step(starts_at, ends_at, STEP_SECONDS)).items():
        if seconds:
            rows.append((key, "step", str(step), "", float(seconds)))
    for status, count in (await queries.status_counts(starts_at, ends_at)).items():
        rows.append((key, "status", status, "", float(count)))
    return rows


async def _replace_day(day: date, zone: ZoneInfo) -> None:
    key = int(local_midnight(day, zone).timestamp())
    rows = await _day_rows(day, zone)
    await fetch("DELETE FROM report_day_sum WHERE day = $1", key)
    for first in range(0, len(rows), _ROWS_PER_INSERT):
        chunk = rows[first:first + _ROWS_PER_INSERT]
        values = ", ".join(
            f"(${5 * i + 1}, ${5 * i + 2}, ${5 * i + 3}, ${5 * i + 4}, ${5 * i + 5})" for i in range(len(chunk))
        )
        await fetch(
            f"INSERT INTO report_day_sum (day, measure, key, kind, value) VALUES {values}",
            *[value for row in chunk for value in row],
        )


async def fold_changes(zone: ZoneInfo) -> int:
    """Recompute the days the logged booking changes touch; how many days were recomputed."""
    async with transaction():
        days = days_touched(await _take_changes(), zone)
        for day in days:
            await _replace_day(day, zone)
    return len(days)


async def rebuild(zone: ZoneInfo) -> int:
    """Log every booking as changed and fold: after the park's zone changed, or to repair."""
    async with transaction():
        await fetch("DELETE FROM report_day_sum")
        await fetch("INSERT INTO report_change (starts_at, ends_at) SELECT starts_at, ends_at FROM booking")
    return await fold_changes(zone)


@dataclass(frozen=True)
class BookedFigures:
    """What a snapshot needs from the bookings of its window."""

    by_facility: list[BookedGroup]
    by_tenant: list[BookedGroup]
    steps: dict[int, float]
    """Booked seat-seconds per epoch step of `step_seconds`."""
    step_seconds: int
    statuses: dict[str, int]


async def raw_figures(starts_at: datetime, ends_at: datetime, step_seconds: int) -> BookedFigures:
    """The figures computed from every booking of the window (what the sums must equal)."""
    return BookedFigures(
        await queries.booked_by_group("facility", starts_at, ends_at),
        await queries.booked_by_group("tenant", starts_at, ends_at),
        await queries.booked_by_step(starts_at, ends_at, step_seconds),
        step_seconds,
        await queries.status_counts(starts_at, ends_at),
    )


async def summed_figures(
    starts_at: datetime, ends_at: datetime, step_seconds: int, zone: ZoneInfo
) -> BookedFigures:
    """The figures of a window made of whole local days, from the day sums (changes folded first)."""
    if step_seconds % STEP_SECONDS:
        return await raw_figures(starts_at, ends_at, step_seconds)
    await fold_changes(zone)
    rows = await fetch(
        "SELECT measure, key, kind, SUM(value) AS value FROM report_day_sum "
        "WHERE day >= $1 AND day < $2 GROUP BY measure, key, kind",
        int(starts_at.timestamp()),
        int(ends_at.timestamp()),
    )
    names = {
        str(row["id"]): (row["name"] or "", row["name_en"] or "")
        for row in await fetch("SELECT id, name, name_en FROM tenant")
    }
    return figures_of_sums(rows, step_seconds, names)


def figures_of_sums(
    rows: Sequence[dict[str, Any]], step_seconds: int, tenant_names: dict[str, tuple[str, str]]
) -> BookedFigures:
    by_facility: list[BookedGroup] = []
    tenants: dict[str, list[tuple[str, float]]] = {}
    steps: dict[int, float] = {}
    statuses: dict[str, int] = {}
    ratio = step_seconds // STEP_SECONDS
    for row in rows:
        measure, key, value = row["measure"], str(row["key"]), float(row["value"])
        if measure == "facility":
            by_facility.append(BookedGroup(key=key, label="", seat_hours=value, label_en=""))
        elif measure == "tenant":
            tenants.setdefault(key, []).append((str(row["kind"]), value))
        elif measure == "step":
            step = int(key) // ratio
            steps[step] = steps.get(step, 0.0) + value
        elif measure == "status":
            statuses[key] = int(round(value))
    by_tenant = [
        BookedGroup(key=key, label=tenant_names.get(key, ("", ""))[0],
                    seat_hours=sum(hours for _, hours in kinds),
                    label_en=tenant_names.get(key, ("", ""))[1], by_kind=merge_by_kind(kinds))
        for key, kinds in tenants.items()
    ]
    return BookedFigures(by_facility, by_tenant, steps, step_seconds, statuses)
