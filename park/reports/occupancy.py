"""Occupancy arithmetic: utilization rows, totals, heat map, rates. Pure.

Every figure is in seat-hours: a facility of capacity N open for H hours
offers N×H open seat-hours; a booking of S seats over H hours uses S×H.
Utilization is booked seat-hours / open seat-hours. In the rows the fields
`open_hours` and `booked_hours` carry those seat-hours (the contract's names).
"""

from __future__ import annotations

from bisect import bisect_right
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta, timezone
from zoneinfo import ZoneInfo

from park.facilities.hours import WeeklyHours, open_spans
from park.shared.timespan import Span, subtract_spans

# Groupings whose open seat-hours come from the facilities in the group.
FACILITY_GROUPINGS = ("facility", "kind", "building", "platform")
# Groupings by who booked: each row's open seat-hours are the whole park's,
# so a row reads as that firm's (or sector's) share of what was open and the
# rows add up to the total utilization.
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
            return self.platform, self.platform, self.platform
        raise ValueError(f"facilities are not grouped by {by!r}")


@dataclass(frozen=True)
class OccupancyRow:
    key: str
    label: str
    open_hours: float  # open seat-hours
    booked_hours: float  # booked seat-hours
    label_en: str = ""  # the English name where one is recorded

    @property
    def utilization(self) -> float | None:
        return ratio(self.booked_hours, self.open_hours)

    def as_dict(self) -> dict[str, object]:
        """The row as the API shows it: hours to 2 decimals, utilization to 4."""
        utilization = self.utilization
        return {
            "key": self.key,
            "label": self.label,
            "label_en": self.label_en or self.label,
            "open_hours": round(self.open_hours, 2),
            "booked_hours": round(self.booked_hours, 2),
            "utilization": None if utilization is None else round(utilization, 4),
        }


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


def occupancy_report(
    group_by: str,
    starts_at: datetime,
    ends_at: datetime,
    facilities: Sequence[FacilityOpen],
    booked: Iterable[BookedGroup],
) -> OccupancyReport:
    """Combine open seat-hours (per facility) and booked seat-hours (per group) into rows.

    For facility groupings every group with a facility gets a row, booked or
    not; for tenant and sector only groups that booked something do.
    """
    if group_by not in GROUPINGS:
        raise ValueError(f"unknown grouping {group_by!r}")
    booked_by_key: dict[str, BookedGroup] = {}
    for group in booked:
        known = booked_by_key.get(group.key)
        seat_hours = group.seat_hours + (known.seat_hours if known else 0.0)
        booked_by_key[group.key] = BookedGroup(group.key, group.label, seat_hours, group.label_en)
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
                OccupancyRow(group.key, group.label, total_open, group.seat_hours, group.label_en)
            )
    rows.sort(key=lambda row: (row.label.casefold(), row.key))
    totals = OccupancyRow("total", "total", total_open, total_booked)
    return OccupancyReport(group_by, starts_at, ends_at, tuple(rows), totals)


# --- Weekday × hour heat map ------------------------------------------------


@dataclass(frozen=True)
class HourCell:
    """One park-local clock hour of a window, as a UTC span.

    On the night clocks go back the repeated hour is one cell two hours long;
    on the night they go forward the skipped hour has no cell.
    """

    starts_at: datetime
    ends_at: datetime
    weekday: int  # 0 = Monday
    hour: int  # 0..23, park-local
    day: date  # the park-local date


def hour_cells(starts_at: datetime, ends_at: datetime, zone: ZoneInfo) -> list[HourCell]:
    """Cut `[starts_at, ends_at)` at every park-local hour boundary.

    Walks quarter hours in UTC: every real zone's offset is a multiple of 15
    minutes, so every local hour boundary falls on one.
    """
    quarter = timedelta(minutes=15)
    start = starts_at.astimezone(timezone.utc)
    end = ends_at.astimezone(timezone.utc)
    cells: list[HourCell] = []
    piece_start = start
    epoch = datetime(2000, 1, 1, tzinfo=timezone.utc)
    while piece_start < end:
        into_quarter = (piece_start - epoch) % quarter
        piece_end = min(end, piece_start - into_quarter + quarter)
        local = piece_start.astimezone(zone)
        key = (local.date(), local.hour)
        last = cells[-1] if cells else None
        if last is not None and last.ends_at == piece_start and (last.day, last.hour) == key:
            cells[-1] = HourCell(last.starts_at, piece_end, last.weekday, last.hour, last.day)
        else:
            cells.append(
                HourCell(piece_start, piece_end, local.weekday(), local.hour, local.date())
            )
        piece_start = piece_end
    return cells


@dataclass
class HeatMap:
    """Open and booked seat-hours per (weekday, local hour)."""

    open_seat_hours: dict[tuple[int, int], float] = field(default_factory=dict)
    booked_seat_hours: dict[tuple[int, int], float] = field(default_factory=dict)

    def utilization(self, weekday: int, hour: int) -> float | None:
        return ratio(
            self.booked_seat_hours.get((weekday, hour), 0.0),
            self.open_seat_hours.get((weekday, hour), 0.0),
        )

    def busiest(self) -> tuple[int, int] | None:
        """The (weekday, hour) with the highest utilization, if any was open."""
        measured = [
            (value, cell)
            for cell in self.open_seat_hours
            if (value := self.utilization(*cell)) is not None
        ]
        return max(measured)[1] if measured else None

    def as_dict(self) -> dict[str, object]:
        """7 × 24 grid of utilization (None where nothing was open)."""
        return {
            "weekdays": list(WEEKDAYS),
            "hours": list(range(24)),
            "utilization": [
                [
                    None if (value := self.utilization(day, hour)) is None else round(value, 4)
                    for hour in range(24)
                ]
                for day in range(7)
            ],
        }


def open_by_cell(
    cells: Sequence[HourCell], facility_spans: Iterable[tuple[int, Sequence[Span]]]
) -> list[float]:
    """Open seat-hours in each cell, from each facility's capacity and open spans.

    Facilities with the same spans are added up first (most share their
    hours), and the overlaps are taken on Unix seconds, not datetimes.
    """
    seats_by_spans: dict[tuple[Span, ...], int] = {}
    for capacity, spans in facility_spans:
        key = tuple(spans)
        seats_by_spans[key] = seats_by_spans.get(key, 0) + capacity
    result = [0.0] * len(cells)
    starts = [cell.starts_at.timestamp() for cell in cells]
    ends = [cell.ends_at.timestamp() for cell in cells]
    for spans, seats in seats_by_spans.items():
        for span in spans:
            span_start, span_end = span.starts_at.timestamp(), span.ends_at.timestamp()
            index = max(0, bisect_right(starts, span_start) - 1)
            while index < len(cells) and starts[index] < span_end:
                low = max(span_start, starts[index])
                high = min(span_end, ends[index])
                if high > low:
                    result[index] += seats * (high - low) / 3600
                index += 1
    return result


def bucket_seconds(cells: Sequence[HourCell]) -> int:
    """The widest even step (1 h or 15 min) at which every inner cell boundary falls.

    The database sums booked time per step counted from the Unix epoch; each
    step then lies inside one cell. Zones with whole-hour offsets get hours.
    """
    for size in (3600, 900):
        if all(int(cell.starts_at.timestamp()) % size == 0 for cell in cells[1:]):
            return size
    return 900


def seat_seconds_by_step(
    size_s: int, edges: Iterable[tuple[str, int, int, int]]
) -> dict[int, int]:
    """Booked seat-seconds per step from sums at the bookings' edges.

    The database gives, per step k of `size_s` seconds, the seats and
    seats × instant of the (clipped) bookings starting in it ("s") and ending
    in it ("e"): one pass over the bookings, however long each one is. With
    G(T) = Σ seats × (min(T, end) − start) over bookings started before T,

        G(T) = T·Σs seats − Σs seats·start − (T·Σe seats − Σe seats·end)

    over starts and ends before T, and step k holds G(T(k+1)) − G(T(k)).
    Integer arithmetic throughout, so the sums are exact.
    """
    starts: dict[int, tuple[int, int]] = {}
    ends: dict[int, tuple[int, int]] = {}
    for edge, step, seats, weighted in edges:
        target = starts if edge == "s" else ends
        known = target.get(step, (0, 0))
        target[step] = (known[0] + int(seats), known[1] + int(weighted))
    if not starts:
        return {}
    first, last = min(starts), max(ends) if ends else max(starts)
    seats_started = weighted_started = seats_ended = weighted_ended = 0
    result: dict[int, int] = {}
    previous = 0  # G at the start of the first step: nothing has started
    for step in range(first, last + 1):
        seats, weighted = starts.get(step, (0, 0))
        seats_started += seats
        weighted_started += weighted
        seats, weighted = ends.get(step, (0, 0))
        seats_ended += seats
        weighted_ended += weighted
        boundary = (step + 1) * size_s
        total = (boundary * seats_started - weighted_started) - (
            boundary * seats_ended - weighted_ended
        )
        if total != previous:
            result[step] = total - previous
        previous = total
    return result


def booked_by_cell(
    cells: Sequence[HourCell], size_s: int, seat_seconds_by_step: Mapping[int, float]
) -> list[float]:
    """Booked seat-hours per cell from seat-seconds per epoch step of `size_s`."""
    result = [0.0] * len(cells)
    starts = [cell.starts_at.timestamp() for cell in cells]
    for step, seat_seconds in seat_seconds_by_step.items():
        index = max(0, bisect_right(starts, step * size_s) - 1)
        result[min(index, len(cells) - 1)] += seat_seconds / 3600
    return result


def heat_map(
    cells: Sequence[HourCell],
    facility_spans: Iterable[tuple[int, Sequence[Span]]],
    booked: Mapping[int, float] | Sequence[float],
) -> HeatMap:
    """Fold per-cell figures into a weekday × hour grid.

    `facility_spans` gives each facility's capacity and its open spans;
    `booked` gives booked seat-hours by cell index.
    """
    return heat_map_of_cells(cells, open_by_cell(cells, facility_spans), booked)


def heat_map_of_cells(
    cells: Sequence[HourCell],
    opened: Sequence[float],
    booked: Mapping[int, float] | Sequence[float],
) -> HeatMap:
    """The grid from open and booked seat-hours already summed per cell."""
    result = HeatMap()
    used = booked if isinstance(booked, Mapping) else dict(enumerate(booked))
    for index, cell in enumerate(cells):
        key = (cell.weekday, cell.hour)
        if opened[index]:
            result.open_seat_hours[key] = result.open_seat_hours.get(key, 0.0) + opened[index]
        if used.get(index):
            result.booked_seat_hours[key] = result.booked_seat_hours.get(key, 0.0) + used[index]
    return result


@dataclass(frozen=True)
class DayFigure:
    day: date
    open_hours: float  # open seat-hours
    booked_hours: float  # booked seat-hours

    @property
    def utilization(self) -> float | None:
        return ratio(self.booked_hours, self.open_hours)


def daily_figures(
    cells: Sequence[HourCell], opened: Sequence[float], booked: Sequence[float]
) -> list[DayFigure]:
    """Open and booked seat-hours per park-local day, in order."""
    days: dict[date, list[float]] = {}
    for index, cell in enumerate(cells):
        entry = days.setdefault(cell.day, [0.0, 0.0])
        entry[0] += opened[index]
        entry[1] += booked[index]
    return [DayFigure(day, figures[0], figures[1]) for day, figures in days.items()]


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


# --- Space occupancy ----------------------------------------------------------


@dataclass(frozen=True)
class SpaceGroup:
    """Leasable and leased area of one building and unit kind on a date."""

    building_id: int
    building_name: str
    kind: str
    leasable_m2: float
    leased_m2: float
    unit_count: int = 0
    leased_count: int = 0


@dataclass(frozen=True)
class SpaceRow:
    key: str
    label: str
    leasable_m2: float
    leased_m2: float

    @property
    def occupancy(self) -> float | None:
        return ratio(self.leased_m2, self.leasable_m2)

    def as_dict(self) -> dict[str, object]:
        occupancy = self.occupancy
        return {
            "key": self.key,
            "label": self.label,
            "leasable_m2": round(self.leasable_m2, 2),
            "leased_m2": round(self.leased_m2, 2),
            "vacant_m2": round(self.leasable_m2 - self.leased_m2, 2),
            "occupancy": None if occupancy is None else round(occupancy, 4),
        }


@dataclass(frozen=True)
class SpaceReport:
    by_building: tuple[SpaceRow, ...]
    by_kind: tuple[SpaceRow, ...]
    cells: tuple[SpaceGroup, ...]
    totals: SpaceRow


def space_report(groups: Iterable[SpaceGroup]) -> SpaceReport:
    """Roll building × kind area sums up into per-building and per-kind rows."""
    cells = tuple(sorted(groups, key=lambda g: (g.building_name, g.kind)))
    buildings: dict[str, list[float | str]] = {}
    kinds: dict[str, list[float]] = {}
    for group in cells:
        entry = buildings.setdefault(str(group.building_id), [group.building_name, 0.0, 0.0])
        entry[1] += group.leasable_m2  # type: ignore[operator]
        entry[2] += group.leased_m2  # type: ignore[operator]
        area = kinds.setdefault(group.kind, [0.0, 0.0])
        area[0] += group.leasable_m2
        area[1] += group.leased_m2
    by_building = tuple(
        SpaceRow(key, str(label), float(leasable), float(leased))
        for key, (label, leasable, leased) in sorted(buildings.items(), key=lambda i: str(i[1][0]))
    )
    by_kind = tuple(
        SpaceRow(kind, kind, leasable, leased) for kind, (leasable, leased) in sorted(kinds.items())
    )
    totals = SpaceRow(
        "total",
        "total",
        sum(group.leasable_m2 for group in cells),
        sum(group.leased_m2 for group in cells),
    )
    return SpaceReport(by_building, by_kind, cells, totals)
