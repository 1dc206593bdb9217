"""Report use cases: occupancy over a window, space on a date, snapshots produced once."""

from __future__ import annotations

import json
import logging
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from typing import Any
from zoneinfo import ZoneInfo

from park.facilities.hours import DEFAULT_HOURS, HoursError, parse_hours
from park.reports import queries
from park.reports.occupancy import (
    FACILITY_GROUPINGS,
    BookedGroup,
    BookingRates,
    FacilityOpen,
    HeatMap,
    OccupancyReport,
    SpaceReport,
    booked_by_cell,
    bucket_seconds,
    daily_figures,
    heat_map_of_cells,
    hour_cells,
    occupancy_report,
    open_by_cell,
    space_report,
    span_hours,
    usable_spans,
)
from park.reports.periods import (
    DAILY,
    MONTHLY,
    PERIOD_KINDS,
    WEEKLY,
    Period,
    PeriodError,
    Window,
    parse_period,
    parse_window,
    period_containing,
    periods_ended_between,
)
from park.shared.db import transaction
from park.shared.errors import FieldError, ValidationFailed
from park.shared.timespan import Span, subtract_spans

log = logging.getLogger("park.reports")

# How many missed periods of each kind a returning scheduler produces at most.
CATCH_UP_LIMITS = {DAILY: 31, WEEKLY: 8, MONTHLY: 3}
LEASES_ENDING_WITHIN_DAYS = 90


def validation(error: PeriodError) -> ValidationFailed:
    """A period or window error as the API's problem."""
    return ValidationFailed([FieldError(error.field, error.message)])


def window_from_query(from_text: str | None, to_text: str | None, zone: ZoneInfo) -> Window:
    try:
        return parse_window(from_text or "", to_text or "", zone)
    except PeriodError as error:
        raise validation(error) from None


def period_from_text(kind: str, text: str) -> Period:
    try:
        return parse_period(kind, text)
    except PeriodError as error:
        raise validation(error) from None


def check_group_by(group_by: str) -> str:
    from park.reports.occupancy import GROUPINGS

    if group_by not in GROUPINGS:
        raise ValidationFailed.on("group_by", f"Use one of: {', '.join(GROUPINGS)}.")
    return group_by


# --- Occupancy ------------------------------------------------------------------


@dataclass(frozen=True)
class OpenFacility:
    """A facility with its open spans inside a window."""

    facility: FacilityOpen
    spans: list[Span]


async def open_facilities(
    window: Window, zone: ZoneInfo, filters: queries.Filters = queries.Filters()
) -> list[OpenFacility]:
    """Every active facility's open spans in the window: weekly hours less blackouts."""
    span = Span(window.starts_at, window.ends_at)
    records = await queries.facilities(filters)
    closures = await queries.blackouts(window.starts_at, window.ends_at)
    # Most facilities share their weekly hours: place each distinct week once.
    placed: dict[str, list[Span]] = {}
    result = []
    for record in records:
        cuts = [
            Span(starts_at, ends_at)
            for facility_id, building_id, starts_at, ends_at in closures
            if facility_id == record.id
            or (facility_id is None and building_id == record.building_id)
        ]
        hours_key = json.dumps(record.opening_hours, sort_keys=True, default=str)
        if hours_key not in placed:
            placed[hours_key] = usable_spans(_hours(record), span, zone)
        spans = subtract_spans(placed[hours_key], cuts) if cuts else placed[hours_key]
        result.append(OpenFacility(_facility_open(record, spans), spans))
    return result


def _facility_open(record: queries.FacilityRecord, spans: list[Span]) -> FacilityOpen:
    return FacilityOpen(
        facility_id=record.id,
        name=record.name,
        kind=record.kind,
        building_id=record.building_id,
        building_name=record.building_name,
        capacity=record.capacity,
        open_hours=span_hours(spans),
        platform=record.platform,
        name_en=record.name_en,
        building_name_en=record.building_name_en,
    )


def _hours(record: queries.FacilityRecord):
    raw = record.opening_hours
    if isinstance(raw, (str, bytes)):
        raw = json.loads(raw or "null")
    try:
        return parse_hours(raw)
    except HoursError:
        # A stored value that no longer validates: count the park's default week
        # rather than fail a whole report; the facility page shows the error.
        log.warning("facility %s has unreadable opening hours", record.id)
        return DEFAULT_HOURS


async def build_occupancy_report(
    window: Window,
    group_by: str,
    zone: ZoneInfo,
    filters: queries.Filters = queries.Filters(),
    opened: list[OpenFacility] | None = None,
) -> OccupancyReport:
    """Utilization rows for the window, grouped as asked; the sums come from SQL."""
    check_group_by(group_by)
    if opened is None:
        opened = await open_facilities(window, zone, filters)
    if group_by in FACILITY_GROUPINGS:
        # The database sums per facility; kinds, buildings and platforms are
        # a few hundred of those sums added up here.
        by_facility = await queries.booked_by_group(
            "facility", window.starts_at, window.ends_at, filters
        )
        booked = (
            by_facility if group_by == "facility" else await regroup(by_facility, opened, group_by)
        )
    else:
        booked = await queries.booked_by_group(group_by, window.starts_at, window.ends_at, filters)
    return occupancy_report(
        group_by, window.starts_at, window.ends_at, [item.facility for item in opened], booked
    )


async def regroup(
    by_facility: list[BookedGroup], opened: list[OpenFacility], group_by: str
) -> list[BookedGroup]:
    """Facility sums rolled up to kind, building or platform (a few hundred numbers).

    A facility retired since it was booked is not among the open ones; its
    kind and building are read so its hours still land in the right row.
    """
    groups = {str(item.facility.facility_id): item.facility.group(group_by) for item in opened}
    unknown = [int(group.key) for group in by_facility if group.key not in groups]
    for record in await queries.facilities(ids=unknown):
        groups[str(record.id)] = _facility_open(record, []).group(group_by)
    result = []
    for group in by_facility:
        key, label, label_en = groups.get(group.key, (group.key, group.label, group.label_en))
        result.append(BookedGroup(key, label, group.seat_hours, label_en))
    return result


@dataclass(frozen=True)
class TimeProfile:
    heat: HeatMap
    daily: list[dict[str, Any]]


async def build_time_profile(
    window: Window,
    zone: ZoneInfo,
    opened: list[OpenFacility],
    filters: queries.Filters = queries.Filters(),
) -> TimeProfile:
    """The weekday × hour heat map and the per-day series of the window."""
    cells = hour_cells(window.starts_at, window.ends_at, zone)
    size = bucket_seconds(cells)
    steps = await queries.booked_by_step(window.starts_at, window.ends_at, size, filters)
    booked = booked_by_cell(cells, size, steps)
    opened_by_cell = open_by_cell(cells, [(item.facility.capacity, item.spans) for item in opened])
    heat = heat_map_of_cells(cells, opened_by_cell, booked)
    days = daily_figures(cells, opened_by_cell, booked)
    daily = [
        {
            "day": figure.day.isoformat(),
            "open_hours": round(figure.open_hours, 2),
            "booked_hours": round(figure.booked_hours, 2),
            "utilization": None
            if figure.utilization is None
            else round(figure.utilization, 4),
        }
        for figure in days
    ]
    return TimeProfile(heat, daily)


async def booking_rates(window: Window, filters: queries.Filters = queries.Filters()) -> BookingRates:
    return BookingRates(await queries.status_counts(window.starts_at, window.ends_at, filters))


async def build_space_report(on: date) -> SpaceReport:
    return space_report(await queries.space_groups(on))


def report_json(report: OccupancyReport) -> dict[str, Any]:
    """The contract's shape: from, to, rows, totals."""
    return {
        "from": report.starts_at,
        "to": report.ends_at,
        "group_by": report.group_by,
        "rows": [row.as_dict() for row in report.rows],
        "totals": report.totals.as_dict(),
    }


def space_json(on: date, report: SpaceReport) -> dict[str, Any]:
    return {
        "on": on.isoformat(),
        "by_building": [row.as_dict() for row in report.by_building],
        "by_kind": [row.as_dict() for row in report.by_kind],
        "cells": [
            {
                "building_id": cell.building_id,
                "building": cell.building_name,
                "kind": cell.kind,
                "leasable_m2": round(cell.leasable_m2, 2),
                "leased_m2": round(cell.leased_m2, 2),
                "units": cell.unit_count,
                "leased_units": cell.leased_count,
            }
            for cell in report.cells
        ],
        "totals": report.totals.as_dict(),
    }


# --- Snapshots --------------------------------------------------------------------


async def snapshot_data(period: Period, zone: ZoneInfo) -> dict[str, Any]:
    """Every figure a snapshot keeps, computed from the database now."""
    starts_at, ends_at = period.bounds(zone)
    window = Window(starts_at, ends_at)
    opened = await open_facilities(window, zone)
    facilities = [item.facility for item in opened]
    by_facility = await queries.booked_by_group("facility", starts_at, ends_at)
    groups: dict[str, OccupancyReport] = {}
    for group_by in FACILITY_GROUPINGS:
        booked = (
            by_facility if group_by == "facility" else await regroup(by_facility, opened, group_by)
        )
        groups[group_by] = occupancy_report(group_by, starts_at, ends_at, facilities, booked)
    by_tenant = await queries.booked_by_group("tenant", starts_at, ends_at)
    groups["tenant"] = occupancy_report("tenant", starts_at, ends_at, facilities, by_tenant)
    sectors = await queries.tenant_sectors()
    by_sector = [
        BookedGroup(sectors.get(group.key, ""), sectors.get(group.key, ""), group.seat_hours)
        for group in by_tenant
    ]
    groups["sector"] = occupancy_report("sector", starts_at, ends_at, facilities, by_sector)
    profile = await build_time_profile(window, zone, opened)
    rates = await booking_rates(window)
    # Space is read on the period's last day: what was leased as it closed.
    last_day = period.end_day - timedelta(days=1)
    space = await build_space_report(last_day)
    ending = await queries.leases_ending(last_day, LEASES_ENDING_WITHIN_DAYS)
    unmet = await queries.unmet_demand()
    busiest = profile.heat.busiest()
    return {
        "kind": period.kind,
        "period": period.label,
        "from": starts_at.isoformat(),
        "to": ends_at.isoformat(),
        "totals": groups["facility"].totals.as_dict(),
        **{f"by_{name}": [row.as_dict() for row in report.rows] for name, report in groups.items()},
        "heat_map": profile.heat.as_dict(),
        "busiest": None if busiest is None else {"weekday": busiest[0], "hour": busiest[1]},
        "daily": profile.daily,
        "rates": rates.as_dict(),
        "space": space_json(last_day, space),
        "leases_ending": [
            {
                "lease_id": lease.lease_id,
                "unit": lease.unit_code,
                "building": lease.building_name,
                "tenant_id": lease.tenant_id,
                "tenant": lease.tenant_name,
                "area_m2": lease.area_m2,
                "ends_on": lease.ends_on.isoformat(),
            }
            for lease in ending
        ],
        "unmet_demand": [
            {
                "unit_kind": item.unit_kind,
                "applications": item.applications,
                "min_area_m2": item.min_area_m2,
                "max_area_m2": item.max_area_m2,
            }
            for item in unmet
        ],
    }


@dataclass(frozen=True)
class Produced:
    snapshot: queries.SnapshotRecord
    created: bool  # False: it existed already (made earlier or by another process)


async def produce_snapshot(
    kind: str, period: str | Period, now: datetime, zone: ZoneInfo, base_url: str = ""
) -> Produced:
    """Make the snapshot of one period unless it exists; mail the managers when made.

    Idempotent: the unique (kind, period) index decides between racing
    producers, and the mails are written in the same transaction as the
    winning insert, so they go out once.
    """
    if kind not in PERIOD_KINDS:
        raise ValidationFailed.on("kind", f"Use one of: {', '.join(PERIOD_KINDS)}.")
    chosen = period if isinstance(period, Period) else period_from_text(kind, period)
    existing = await queries.find_snapshot(kind, chosen.label)
    if existing is not None:
        return Produced(existing, created=False)
    starts_at, ends_at = chosen.bounds(zone)
    if ends_at > now:
        raise ValidationFailed.on(
            "period", f"{chosen.label} has not ended yet; a snapshot is made once it has."
        )
    data = await snapshot_data(chosen, zone)
    async with transaction():
        new_id = await queries.insert_snapshot_once(
            kind, chosen.label, starts_at, ends_at, now, data
        )
        if new_id is not None:
            await _mail_managers(new_id, chosen, data, now, zone, base_url)
    snapshot = await queries.find_snapshot(kind, chosen.label)
    assert snapshot is not None  # inserted above, by us or by a racing producer
    if new_id is not None:
        log.info("report snapshot %s %s produced (id %s)", kind, chosen.label, new_id)
    return Produced(snapshot, created=new_id is not None)


async def _mail_managers(
    snapshot_id: int,
    period: Period,
    data: dict[str, Any],
    now: datetime,
    zone: ZoneInfo,
    base_url: str,
) -> None:
    from park.notifications.service import enqueue
    from park.reports.mail import snapshot_mail

    link = f"{base_url.rstrip('/')}/reports/snapshots/{snapshot_id}"
    for email, locale in await queries.manager_recipients():
        subject, body = snapshot_mail(period, data, link, locale or "zh_Hans")
        await enqueue("report.snapshot", email, subject, body, now)


async def catch_up(kind: str, now: datetime, zone: ZoneInfo, base_url: str = "") -> list[Produced]:
    """Produce every period of `kind` that ended since the last snapshot, each once.

    The scheduled job and the start-up catch-up are the same call: on time it
    finds one period; after downtime, the missed ones (at most the limit).
    With no snapshot yet, only the latest ended period is made.
    """
    last_end = await queries.last_snapshot_end(kind)
    if last_end is None:
        latest = period_containing(kind, now, zone).previous()
        missed = [latest]
    else:
        missed = periods_ended_between(kind, last_end, now, zone, CATCH_UP_LIMITS[kind])
    return [await produce_snapshot(kind, period, now, zone, base_url) for period in missed]


async def snapshot_list(kind: str, limit: int, offset: int) -> tuple[list[queries.SnapshotRecord], int]:
    if kind and kind not in PERIOD_KINDS:
        raise ValidationFailed.on("kind", f"Use one of: {', '.join(PERIOD_KINDS)}.")
    return await queries.list_snapshots(kind, limit, offset)

