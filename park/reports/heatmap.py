"""Weekday × hour heat map and daily figures of seat-hours. Pure."""

from __future__ import annotations

from bisect import bisect_right
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta, timezone
from zoneinfo import ZoneInfo

from park.shared.timespan import Span
from park.reports.occupancy import WEEKDAYS, ratio


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
