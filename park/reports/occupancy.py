"""Occupancy arithmetic: utilization rows, totals, rates. Pure.

Every figure is in seat-hours: a facility of capacity N open for H hours
offers N×H open seat-hours; a booking of S seats over H hours uses S×H.
Utilization is booked seat-hours / open seat-hours. In the rows the fields
`open_hours` and `booked_hours` carry those seat-hours (the contract's names).

The weekday × hour heat map and daily figures are in `park.reports.heatmap`,
space occupancy in `park.reports.space`.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime
from zoneinfo import ZoneInfo

from park.facilities.hours import WeeklyHours, open_spans
from park.shared.timespan import Span, subtract_spans

# Groupings whose open seat-hours come from the facilities in the group.
FACILITY_GROUPINGS = ("facility", "kind", "building", "platform")
# Groupings by who booked. A firm has no open seat-hours of its own, so a
# utilization (booked / open) per firm would divide by the whole park's open
# time and read 0.0001–0.002 for every row. These rows instead carry the
# firm's (or sector's) share of all booked seat-hours and its booked
# seat-hours by facility kind; their `utilization` is null.
BOOKER_GROUPINGS = ("tenant", "sector")
GROUPINGS = FACILITY_GROUPINGS + BOOKER_GROUPINGS

# Statuses whose time counts as used. A no-show's time was released for
# others, so it counts in the no-show rate, not in utilization.
BOOKED_STATUSES = ("confirmed", "checked_in", "completed")
# Bookings that were firm at some point: the base of both rates.
ATTENDED_STATUSES = ("checked_in", "completed")
NO_SHOW = "no_show"
CANCELLED = "cancelled"

WEEKDAYS = ("mon", "tue", "wed", "thu", "fri", "sat", "sun")
NO_PLATFORM = ""


def hours_between(starts_at: datetime, ends_at: datetime) -> float:
    """Length of `[starts_at, ends_at)` in hours; never negative."""
    return max(0.0, (ends_at - starts_at).total_seconds() / 3600)


def span_hours(spans: Iterable[Span]) -> float:
    """Total hours of already-merged spans."""
    return sum(hours_between(span.starts_at, span.ends_at) for span in spans)


def usable_spans(
    hours: WeeklyHours, window: Span, zone: ZoneInfo, blackouts: Iterable[Span] = ()
) -> list[Span]:
    """When a facility was open inside `window`: its weekly hours less its blackouts."""
    return subtract_spans(open_spans(hours, window, zone), blackouts)


def clip(
    starts_at: datetime, ends_at: datetime, window_start: datetime, window_end: datetime
) -> tuple[datetime, datetime] | None:
    """The part of `[starts_at, ends_at)` inside the window, or None."""
    start, end = max(starts_at, window_start), min(ends_at, window_end)
    return (start, end) if start < end else None


def ratio(part: float, whole: float) -> float | None:
    """part / whole, or None when the whole is zero (nothing to measure against)."""
    return part / whole if whole > 0 else None


@dataclass(frozen=True)
class FacilityOpen:
    """What one facility offered in a report window."""

    facility_id: int
    name: str
    kind: str
    building_id: int
    building_name: str
    capacity: int
    open_hours: float  # wall-clock hours open in the window, blackouts removed
    platform: str = NO_PLATFORM
    name_en: str = ""
    building_name_en: str = ""
    platform_en: str = ""

    @property
    def open_seat_hours(self) -> float:
        return self.capacity * self.open_hours

    def group(self, by: str) -> tuple[str, str, str]:
        """The (key, label, English label) of this facility's row when grouping `by`."""
        if by == "facility":
            return str(self.facility_id), self.name, self.name_en
        if by == "kind":
            return self.kind, self.kind, self.kind
        if by == "building":
            return str(self.building_id), self.building_name, self.building_name_en
        if by == "platform":
            return self.platform, self.platform, self.platform_en
        raise ValueError(f"facilities are not grouped by {by!r}")


@dataclass(frozen=True)
class OccupancyRow:
    key: str
    label: str
    open_hours: float  # open seat-hours
    booked_hours: float  # booked seat-hours
    label_en: str = ""  # the English name where one is recorded
    # Rows by who booked (tenant, sector): share of all booked seat-hours, and booked seat-hours per facility kind.
    share_of_booked: float | None = None
    booked_hours_by_kind: tuple[tuple[str, float], ...] = ()
    by_booker: bool = False

    @property
    def utilization(self) -> float | None:
        """Booked over open seat-hours; None for a row by who booked (a firm has no open hours of its own)."""
        return None if self.by_booker else ratio(self.booked_hours, self.open_hours)

    def as_dict(self) -> dict[str, object]:
        """The row as the API shows it: hours to 2 decimals, utilization and shares to 4."""
        utilization = self.utilization
        row: dict[str, object] = {
            "key": self.key,
            "label": self.label,
            "label_en": self.label_en or self.label,
            "open_hours": round(self.open_hours, 2),
            "booked_hours": round(self.booked_hours, 2),
            "utilization": None if utilization is None else round(utilization, 4),
        }
        if self.by_booker:
            row["share_of_booked"] = None if self.share_of_booked is None else round(self.share_of_booked, 4)
            row["booked_hours_by_kind"] = {kind: round(hours, 2) for kind, hours in self.booked_hours_by_kind}
        return row


@dataclass(frozen=True)
class OccupancyReport:
    group_by: str
    starts_at: datetime
    ends_at: datetime
    rows: tuple[OccupancyRow, ...]
    totals: OccupancyRow


@dataclass(frozen=True)
class BookedGroup:
    """Booked seat-hours of one group, as the database sums them."""

    key: str
    label: str
    seat_hours: float
    label_en: str = ""
    by_kind: tuple[tuple[str, float], ...] = ()  # (facility kind, seat-hours), for groupings by who booked


def merge_by_kind(*parts: Iterable[tuple[str, float]]) -> tuple[tuple[str, float], ...]:
    """Seat-hours per facility kind added up, by kind."""
    total: dict[str, float] = {}
    for part in parts:
        for kind, hours in part:
            total[kind] = total.get(kind, 0.0) + hours
    return tuple(sorted(total.items()))


def occupancy_report(
    group_by: str,
    starts_at: datetime,
    ends_at: datetime,
    facilities: Sequence[FacilityOpen],
    booked: Iterable[BookedGroup],
) -> OccupancyReport:
    """Combine open seat-hours (per facility) and booked seat-hours (per group) into rows.

    For facility groupings every group with a facility gets a row, booked or
    not; for tenant and sector only groups that booked something do, each
    with its share of all booked seat-hours and its hours by facility kind.
    """
    if group_by not in GROUPINGS:
        raise ValueError(f"unknown grouping {group_by!r}")
    booked_by_key: dict[str, BookedGroup] = {}
    for group in booked:
        known = booked_by_key.get(group.key)
        seat_hours = group.seat_hours + (known.seat_hours if known else 0.0)
        by_kind = merge_by_kind(known.by_kind if known else (), group.by_kind)
        booked_by_key[group.key] = BookedGroup(group.key, group.label, seat_hours, group.label_en, by_kind)
    total_open = sum(facility.open_seat_hours for facility in facilities)
    total_booked = sum(group.seat_hours for group in booked_by_key.values())

    rows: list[OccupancyRow] = []
    if group_by in FACILITY_GROUPINGS:
        open_by_key: dict[str, float] = {}
        labels: dict[str, tuple[str, str]] = {}
        for facility in facilities:
            key, label, label_en = facility.group(group_by)
            open_by_key[key] = open_by_key.get(key, 0.0) + facility.open_seat_hours
            labels.setdefault(key, (label, label_en))
        for key in set(open_by_key) | set(booked_by_key):
            booked_group = booked_by_key.get(key)
            label, label_en = labels.get(key) or (booked_group.label, booked_group.label_en)
            used = booked_group.seat_hours if booked_group else 0.0
            rows.append(OccupancyRow(key, label, open_by_key.get(key, 0.0), used, label_en))
    else:
        for group in booked_by_key.values():
            rows.append(
                OccupancyRow(
                    group.key, group.label, total_open, group.seat_hours, group.label_en,
                    share_of_booked=ratio(group.seat_hours, total_booked), booked_hours_by_kind=group.by_kind,
                    by_booker=True,
                )
            )
    rows.sort(key=lambda row: (row.label.casefold(), row.key))
    totals = OccupancyRow("total", "total", total_open, total_booked)
    return OccupancyReport(group_by, starts_at, ends_at, tuple(rows), totals)


# --- Rates --------------------------------------------------------------------


@dataclass(frozen=True)
class BookingRates:
    """No-show and cancellation rates over bookings starting in a window."""

    counts: Mapping[str, int]

    @property
    def firm(self) -> int:
        """Bookings that were confirmed at some point (pending ones that got cancelled too)."""
        return sum(
            self.counts.get(status, 0)
            for status in (*BOOKED_STATUSES, NO_SHOW, CANCELLED)
        )

    @property
    def no_show_rate(self) -> float | None:
        """Share of bookings whose time came that nobody turned up for."""
        came_due = sum(self.counts.get(status, 0) for status in (*ATTENDED_STATUSES, NO_SHOW))
        return ratio(self.counts.get(NO_SHOW, 0), came_due)

    @property
    def cancellation_rate(self) -> float | None:
        return ratio(self.counts.get(CANCELLED, 0), self.firm)

    def as_dict(self) -> dict[str, object]:
        def rounded(value: float | None) -> float | None:
            return None if value is None else round(value, 4)

        return {
            "counts": dict(sorted(self.counts.items())),
            "no_show_rate": rounded(self.no_show_rate),
            "cancellation_rate": rounded(self.cancellation_rate),
        }
