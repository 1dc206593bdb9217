"""Report reads: sums computed by the database, on SQLite and PostgreSQL alike.

No query here loads bookings one by one: each returns at most one row per
group (facility, kind, tenant…), per time step, or per status. Times are
clipped to the report window inside the SQL, so a booking that crosses
midnight or a period boundary counts only for the part inside.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, datetime, timedelta, timezone
from typing import Any

from park.reports.occupancy import BOOKED_STATUSES, BOOKER_GROUPINGS, BookedGroup, merge_by_kind
from park.reports.heatmap import seat_seconds_by_step
from park.shared.db import fetch
from park.shared.dialect import epoch_seconds, greatest, instant, least, seconds_between, table_through_index


@dataclass(frozen=True)
class Filters:
    """Which facilities a report covers; empty means all."""

    kind: str = ""
    building_id: int | None = None

    def sql(self, alias: str = "f", first: int = 1) -> tuple[str, list[Any]]:
        """` AND …` clauses numbered from placeholder `$first`, and their arguments."""
        clauses: list[str] = []
        args: list[Any] = []
        if self.kind:
            clauses.append(f"{alias}.kind = ${first + len(args)}")
            args.append(self.kind)
        if self.building_id is not None:
            clauses.append(f"{alias}.building = ${first + len(args)}")
            args.append(self.building_id)
        return "".join(f" AND {clause}" for clause in clauses), args


# Bookings never run longer than their facility's maximum duration; a window
# therefore only needs bookings that start at most this long before it, which
# bounds the index range on starts_at from both sides.
MIN_LOOKBACK = timedelta(days=1)


async def lookback_start(starts_at: datetime) -> datetime:
    """The earliest start a booking overlapping a window from `starts_at` can have."""
    rows = await fetch("SELECT MAX(max_duration_minutes) AS longest FROM facility")
    longest = rows[0]["longest"] if rows and rows[0]["longest"] is not None else 0
    return starts_at - max(MIN_LOOKBACK, timedelta(minutes=int(longest)) + timedelta(hours=1))


def _bookings() -> str:
    """The booking table as reports read it: through the covering index on SQLite."""
    return table_through_index("booking b", "booking_report_cover")


def _status_list(statuses: Sequence[str]) -> str:
    # Statuses are our own constants, never user input: safe to inline, and
    # inlining lets both databases use the status index.
    return ", ".join(f"'{status}'" for status in statuses)


def _window() -> str:
    """Bookings overlapping the window, bounded on starts_at from both sides for the index.

    The window's parameters in every booking query below: $1 its start, $2 its end, $3 the
    lookback start (see lookback_start); the filters' follow from $4.
    """
    return f"b.starts_at < {instant('$2')} AND b.starts_at >= {instant('$3')} AND b.ends_at > {instant('$1')}"


def _clipped_seconds(alias: str = "b") -> tuple[str, str]:
    """SQL for the clipped start and end of a booking, in seconds since the epoch ($1, $2: the window)."""
    start = epoch_seconds(greatest(f"{alias}.starts_at", instant("$1")))
    end = epoch_seconds(least(f"{alias}.ends_at", instant("$2")))
    return start, end


def _clipped_duration() -> str:
    """SQL for the seconds of a booking inside the window ($1, $2)."""
    return seconds_between(greatest("b.starts_at", instant("$1")), least("b.ends_at", instant("$2")))


# What each grouping sums by: (key expression, label, English label, joins).
_GROUPS: dict[str, tuple[str, str, str, str]] = {
    "facility": ("f.id", "MIN(f.name)", "MIN(f.name_en)", ""),
    "kind": ("f.kind", "f.kind", "f.kind", ""),
    "building": (
        "f.building",
        "MIN(bu.name)",
        "MIN(bu.name_en)",
        " JOIN building bu ON bu.id = f.building",
    ),
    "platform": ("f.platform", "f.platform", "MIN(f.platform_en)", ""),
    "tenant": ("b.tenant", "MIN(t.name)", "MIN(t.name_en)", " JOIN tenant t ON t.id = b.tenant"),
    "sector": ("t.sector", "t.sector", "t.sector", " JOIN tenant t ON t.id = b.tenant"),
}


async def booked_by_group(
    group_by: str,
    starts_at: datetime,
    ends_at: datetime,
    filters: Filters = Filters(),
    statuses: Sequence[str] = BOOKED_STATUSES,
) -> list[BookedGroup]:
    """Booked seat-hours inside `[starts_at, ends_at)` per group."""
    key, label, label_en, joins = _GROUPS[group_by]
    where, where_args = filters.sql(first=4)
    facility_join = " JOIN facility f ON f.id = b.facility"
    if group_by == "facility" and not where:
        # Facility names come from the facility list; skipping the join saves a lookup per booking.
        key, label, label_en, facility_join = "b.facility", "''", "''", ""
    # Rows by who booked also say how their hours spread over facility kinds.
    per_kind = group_by in BOOKER_GROUPINGS
    sql = (
        f"SELECT {key} AS key, {label} AS label, {label_en} AS label_en, "
        + ("f.kind AS facility_kind, " if per_kind else "")
        + f"SUM(b.seats * {_clipped_duration()}) AS seat_seconds "
        f"FROM {_bookings()}{facility_join}{joins} "
        f"WHERE b.status IN ({_status_list(statuses)}) AND {_window()}{where} "
        f"GROUP BY {key}" + (", f.kind" if per_kind else "")
    )
    rows = await fetch(sql, starts_at, ends_at, await lookback_start(starts_at), *where_args)
    groups = [
        BookedGroup(
            key=str(row["key"] if row["key"] is not None else ""),
            label=str(row["label"] or ""),
            seat_hours=float(row["seat_seconds"] or 0) / 3600,
            label_en=str(row["label_en"] or ""),
            by_kind=((row["facility_kind"], float(row["seat_seconds"] or 0) / 3600),) if per_kind else (),
        )
        for row in rows
    ]
    if not per_kind:
        return groups
    merged: dict[str, BookedGroup] = {}
    for group in groups:
        known = merged.get(group.key)
        merged[group.key] = group if known is None else BookedGroup(
            group.key, known.label, known.seat_hours + group.seat_hours, known.label_en,
            merge_by_kind(known.by_kind, group.by_kind),
        )
    return list(merged.values())


async def booked_by_step(
    starts_at: datetime,
    ends_at: datetime,
    size_s: int,
    filters: Filters = Filters(),
    statuses: Sequence[str] = BOOKED_STATUSES,
) -> dict[int, float]:
    """Booked seat-seconds per step of `size_s` seconds counted from the Unix epoch.

    One pass over the window's bookings: the database sums seats and
    seats × instant at each booking's (clipped) start and end per step, and
    `seat_seconds_by_step` turns those edge sums into time per step. A
    booking lasting a day costs no more than one lasting an hour.
    """
    start, end = _clipped_seconds()
    where, where_args = filters.sql(first=4)
    facility_join = " JOIN facility f ON f.id = b.facility" if where else ""
    sql = (
        f"WITH clipped AS MATERIALIZED (SELECT b.seats AS seats, {start} AS s, {end} AS e "
        f"FROM {_bookings()}{facility_join} "
        f"WHERE b.status IN ({_status_list(statuses)}) AND {_window()}{where}) "
        f"SELECT 's' AS edge, s / {size_s} AS step, SUM(seats) AS seats, SUM(seats * s) AS weighted "
        f"FROM clipped GROUP BY s / {size_s} "
        f"UNION ALL "
        f"SELECT 'e' AS edge, e / {size_s} AS step, SUM(seats) AS seats, SUM(seats * e) AS weighted "
        f"FROM clipped GROUP BY e / {size_s}"
    )
    rows = await fetch(sql, starts_at, ends_at, await lookback_start(starts_at), *where_args)
    edges = [
        (str(row["edge"]), int(row["step"]), int(row["seats"]), int(row["weighted"])) for row in rows
    ]
    return {step: float(value) for step, value in seat_seconds_by_step(size_s, edges).items()}


async def status_counts(
    starts_at: datetime, ends_at: datetime, filters: Filters = Filters()
) -> dict[str, int]:
    """How many bookings starting in the window ended in each status."""
    where, where_args = filters.sql(first=3)
    facility_join = " JOIN facility f ON f.id = b.facility" if where else ""
    rows = await fetch(
        f"SELECT b.status AS status, COUNT(*) AS n FROM {_bookings()}{facility_join} "
        f"WHERE b.starts_at >= {instant('$1')} AND b.starts_at < {instant('$2')}{where} "
        f"GROUP BY b.status",
        starts_at,
        ends_at,
        *where_args,
    )
    return {str(row["status"]): int(row["n"]) for row in rows}


@dataclass(frozen=True)
class FacilityRecord:
    id: int
    name: str
    name_en: str
    kind: str
    building_id: int
    building_name: str
    building_name_en: str
    platform: str
    capacity: int
    opening_hours: Any
    platform_en: str = ""


async def facilities(
    filters: Filters = Filters(), ids: Sequence[int] | None = None
) -> list[FacilityRecord]:
    """Active facilities with their building, for open seat-hours; or, with `ids`,
    those facilities whatever their state (to name a retired one's bookings)."""
    where, where_args = filters.sql(first=2)
    if ids is not None:
        if not ids:
            return []
        where = f" AND f.id IN ({', '.join(str(int(value)) for value in ids)})"
        where_args = []
    active = "" if ids is not None else " AND f.is_active = $1"
    rows = await fetch(
        "SELECT f.id AS id, f.name AS name, f.name_en AS name_en, f.kind AS kind, "
        "f.building AS building_id, bu.name AS building_name, bu.name_en AS building_name_en, "
        "f.platform AS platform, f.platform_en AS platform_en, f.capacity AS capacity, f.opening_hours AS opening_hours "
        f"FROM facility f JOIN building bu ON bu.id = f.building WHERE 1 = 1{active}{where} "
        "ORDER BY f.id",
        *([] if ids is not None else [True]),
        *where_args,
    )
    return [
        FacilityRecord(
            id=int(row["id"]),
            name=row["name"] or "",
            name_en=row["name_en"] or "",
            kind=row["kind"],
            building_id=int(row["building_id"]),
            building_name=row["building_name"] or "",
            building_name_en=row["building_name_en"] or "",
            platform=row["platform"] or "",
            capacity=int(row["capacity"] or 1),
            opening_hours=row["opening_hours"],
            platform_en=row["platform_en"] or "",
        )
        for row in rows
    ]


async def tenant_sectors() -> dict[str, str]:
    """Tenant id (as a row key) → sector, to roll tenant sums up to sectors."""
    rows = await fetch("SELECT id, sector FROM tenant")
    return {str(row["id"]): row["sector"] or "" for row in rows}


async def buildings() -> list[dict[str, Any]]:
    """Buildings for the report filters."""
    return await fetch("SELECT id, name, name_en, code FROM building ORDER BY code, id")


async def blackouts(
    starts_at: datetime, ends_at: datetime
) -> list[tuple[int | None, int | None, datetime, datetime]]:
    """Blackouts overlapping the window: (facility_id, building_id, starts_at, ends_at)."""
    rows = await fetch(
        "SELECT facility AS facility_id, building AS building_id, starts_at, ends_at "
        f"FROM blackout WHERE starts_at < {instant('$1')} AND ends_at > {instant('$2')}",
        ends_at,
        starts_at,
    )
    return [
        (
            row["facility_id"],
            row["building_id"],
            as_utc(row["starts_at"]),
            as_utc(row["ends_at"]),
        )
        for row in rows
    ]


def as_utc(value: Any) -> datetime:
    """A timestamp as the database driver returns it (text on SQLite, naive or aware), as an aware UTC datetime."""
    if isinstance(value, str):
        value = datetime.fromisoformat(value)
    if value.tzinfo is None:
        value = value.replace(tzinfo=timezone.utc)
    return value.astimezone(timezone.utc)


def as_date(value: Any) -> date:
    """A date column as the driver returns it (text, datetime or date), as a date."""
    if isinstance(value, datetime):
        return value.date()
    if isinstance(value, str):
        return date.fromisoformat(value[:10])
    return value


