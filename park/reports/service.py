"""Report use cases: occupancy (utilisation) over a window, its time profile (heat map, daily figures), space on a date.

Snapshots (a period's report stored once) are in `park.reports.snapshots`.
"""

from __future__ import annotations

import json
import logging
from dataclasses import dataclass
from datetime import date
from typing import Any
from zoneinfo import ZoneInfo

from park.facilities.hours import DEFAULT_HOURS, HoursError, parse_hours
from park.reports import queries
from park.reports import space_queries
from park.reports.occupancy import FACILITY_GROUPINGS, BookedGroup, BookingRates, FacilityOpen, OccupancyReport, occupancy_report, span_hours, usable_spans
from park.reports.space import SpaceReport, space_report
from park.reports.heatmap import HeatMap, booked_by_cell, bucket_seconds, daily_figures, heat_map_of_cells, hour_cells, open_by_cell
from park.reports.periods import Period, PeriodError, Window, parse_period, parse_window
from park.shared.errors import FieldError, ValidationFailed
from park.shared.i18n import translate
from park.shared.labels import N_, label
from park.shared.timespan import Span, subtract_spans

log = logging.getLogger("park.reports")

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
        raise ValidationFailed.on("group_by", "Use one of: %(choices)s.", choices=', '.join(GROUPINGS))
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
        platform_en=record.platform_en,
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
    steps: dict[int, float] | None = None,
) -> TimeProfile:
    """The weekday × hour heat map and the per-day series of the window.

    `steps`: booked seat-seconds per epoch step of `profile_step(window, zone)`, when the
    caller has them already (a snapshot reads them from the day sums).
    """
    cells = hour_cells(window.starts_at, window.ends_at, zone)
    size = bucket_seconds(cells)
    if steps is None:
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


def profile_step(window: Window, zone: ZoneInfo) -> int:
    """The step, in seconds, at which the time profile of `window` sums booked time."""
    return bucket_seconds(hour_cells(window.starts_at, window.ends_at, zone))


async def booking_rates(window: Window, filters: queries.Filters = queries.Filters()) -> BookingRates:
    return BookingRates(await queries.status_counts(window.starts_at, window.ends_at, filters))


async def build_space_report(on: date) -> SpaceReport:
    return space_report(await space_queries.space_groups(on))


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


def row_label(row: dict[str, Any], group_by: str, lang: str) -> str:
    """A row's name in the reader's language: a kind's or sector's display name, a recorded English name in English."""
    if group_by == "kind":
        return translate(lang, label("facility_kind", row["key"]))
    if group_by == "sector":
        return translate(lang, label("sector", row["key"]))
    if group_by == "platform" and not row["key"]:
        return translate(lang, N_("No platform"))
    if lang == "en" and row.get("label_en"):
        return str(row["label_en"])
    return str(row["label"])
