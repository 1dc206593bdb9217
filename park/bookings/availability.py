"""Free slots and seats left for a facility over a period. Pure."""

from __future__ import annotations

from dataclasses import dataclass
from functools import lru_cache
from operator import itemgetter
from datetime import datetime, timedelta
from typing import Iterable, NamedTuple, Protocol, Sequence
from zoneinfo import ZoneInfo

from park.bookings.model import HOLDING_STATUSES
from park.facilities.hours import WeeklyHours, open_spans
from park.facilities.model import Blackout, FacilitySpec
from park.shared.timespan import Span, merge_spans

# Open runs are computed on a window widened by this much, so that the slot
# grid is anchored at the real opening time and not at the window's edge.
_ANCHOR_MARGIN = timedelta(days=1)


class Held(Protocol):
    starts_at: datetime
    ends_at: datetime
    seats: int
    status: str


class HeldSeats(NamedTuple):
    """Seats a seat-holding booking holds, and no more: what the search reads (light to build by the thousand)."""

    starts_at: datetime
    ends_at: datetime
    seats: int
    status: str


@dataclass(frozen=True, slots=True)
class Slot:
    starts_at: datetime
    ends_at: datetime
    free: int


def open_runs(facility: FacilitySpec, window: Span, zone: ZoneInfo) -> list[Span]:
    """Whole open periods (not cut at the window's edges) that overlap `window`."""
    return list(_open_runs(facility.opening_hours, window, zone))


@lru_cache(maxsize=1024)
def _open_runs(hours: WeeklyHours, window: Span, zone: ZoneInfo) -> tuple[Span, ...]:
    # Facilities share opening hours and a search or a timeline asks the same window of each:
    # the runs depend on nothing else, so they are computed once per (hours, window, zone).
    wide = window.widen(_ANCHOR_MARGIN)
    return tuple(run for run in open_spans(hours, wide, zone) if run.overlaps(window))


def slot_grid(facility: FacilitySpec, window: Span, zone: ZoneInfo) -> list[Span]:
    """Slots of the facility's granularity inside `window`, counted from each opening time.

    A run whose length is not a multiple of the slot ends with a shorter slot.
    """
    return [Span(starts_at, ends_at) for starts_at, ends_at in slot_bounds(facility, window, zone)]


def slot_bounds(facility: FacilitySpec, window: Span, zone: ZoneInfo) -> list[tuple[datetime, datetime]]:
    """`slot_grid` as (start, end) pairs in UTC, for the callers that go through every slot."""
    step = facility.slot
    slots: list[tuple[datetime, datetime]] = []
    for run in open_runs(facility, window, zone):
        # Jump straight to the first slot that can lie in the window.
        cursor = run.starts_at
        if cursor < window.starts_at:
            skipped = (window.starts_at - cursor) // step
            cursor += step * skipped
        while cursor < run.ends_at and cursor < window.ends_at:
            ends_at = min(cursor + step, run.ends_at)
            if cursor >= window.starts_at and ends_at <= window.ends_at:
                slots.append((cursor, ends_at))
            cursor = ends_at
    return slots


def load_segments(bookings: Iterable[Held], buffer: timedelta) -> list[tuple[datetime, datetime, int]]:
    """The seats held as a step function: sorted (start, end, seats) pieces with seats > 0.

    A booking holds its seats from its start until its end plus the buffer. One sort of the
    starts and ends, then one sweep (no dict keyed by instants: hashing an aware datetime
    costs more than the rest of the work).
    """
    changes: list[tuple[datetime, int]] = []
    for booking in bookings:
        seats = booking.seats
        if seats > 0 and booking.status in HOLDING_STATUSES:
            changes.append((booking.starts_at, seats))
            changes.append((booking.ends_at + buffer, -seats))
    changes.sort(key=itemgetter(0))
    segments: list[tuple[datetime, datetime, int]] = []
    load = 0
    previous: datetime | None = None
    for here, change in changes:
        # Each instant where a booking starts or ends begins a new piece (even when the load stays the same).
        if previous is not None and here != previous and load > 0:
            segments.append((previous, here, load))
        load += change
        previous = here
    return segments


def peak_load(segments: Sequence[tuple[datetime, datetime, int]], span: Span) -> int:
    """The most seats held at any instant of `span` (one query; linear in segments)."""
    peak = 0
    for starts_at, ends_at, load in segments:
        if starts_at >= span.ends_at:
            break
        if ends_at > span.starts_at and load > peak:
            peak = load
    return peak


def compute_availability(
    facility: FacilitySpec,
    window: Span,
    zone: ZoneInfo,
    bookings: Iterable[Held],
    blackouts: Iterable[Blackout] = (),
) -> list[Slot]:
    """Each open, non-blacked-out slot in `window` with the seats a new booking of it could take.

    A slot's seats left count every live booking whose span (plus buffer)
    comes within the buffer of the slot, so a booking of exactly that slot
    would pass the clash and buffer rules. O(slots + bookings · log bookings).
    """
    bounds = slot_bounds(facility, window, zone)
    return [
        Slot(starts_at, ends_at, free)
        for (starts_at, ends_at), free in zip(bounds, seats_left(facility, bounds, bookings, blackouts))
        if free is not None
    ]


def seats_left(
    facility: FacilitySpec,
    slots: Sequence[tuple[datetime, datetime]],
    bookings: Iterable[Held],
    blackouts: Iterable[Blackout] = (),
) -> list[int | None]:
    """For each of `slots` (in time order) the seats a new booking of it could take, None where a blackout closes it."""
    buffer = facility.buffer
    capacity = facility.capacity
    segments = load_segments(bookings, buffer)
    closed = merge_spans(b.span for b in blackouts if b.applies_to(facility))
    result: list[int | None] = []
    seg_start = 0
    closed_index = 0
    for starts_at, ends_at in slots:
        while closed_index < len(closed) and closed[closed_index].ends_at <= starts_at:
            closed_index += 1
        if closed_index < len(closed) and closed[closed_index].starts_at < ends_at:
            result.append(None)
            continue
        reach = ends_at + buffer
        # Slots come in time order, so segments ending before this slot never matter again.
        while seg_start < len(segments) and segments[seg_start][1] <= starts_at:
            seg_start += 1
        peak = 0
        index = seg_start
        while index < len(segments) and segments[index][0] < reach:
            if segments[index][2] > peak:
                peak = segments[index][2]
            index += 1
        result.append(max(capacity - peak, 0))
    return result


def booking_horizon(facility: FacilitySpec, now: datetime, zone: ZoneInfo) -> datetime:
    """The first instant a booking may no longer start at: the park-local midnight after the last bookable day.

    Matches the rule `within_advance_window` (counted in park-local days).
    """
    last_day = now.astimezone(zone).date() + timedelta(days=facility.max_advance_days + 1)
    return datetime(last_day.year, last_day.month, last_day.day, tzinfo=zone)


def closed_for(
    facility: FacilitySpec, segments: Sequence[tuple[datetime, datetime, int]], blackouts: Iterable[Blackout], seats: int
) -> list[tuple[datetime, datetime]]:
    """Where no slot for `seats` more seats may lie: sorted, disjoint (start, end) pairs.

    A slot [a, b) sees a load piece (s, e, load) when a < e and s < b + buffer, that is
    when it overlaps [s - buffer, e); it has room for `seats` only if every load piece
    it sees holds at most capacity - seats. So the pieces holding more, each reached
    back by the buffer, and the blackouts, are the time a usable slot must not touch.
    """
    most = facility.capacity - seats
    buffer = facility.buffer
    pieces = [(starts_at - buffer, ends_at) for starts_at, ends_at, load in segments if load > most]
    pieces += [(b.span.starts_at, b.span.ends_at) for b in blackouts if b.applies_to(facility)]
    pieces.sort()
    merged: list[tuple[datetime, datetime]] = []
    for starts_at, ends_at in pieces:
        if merged and starts_at <= merged[-1][1]:
            if ends_at > merged[-1][1]:
                merged[-1] = (merged[-1][0], ends_at)
        else:
            merged.append((starts_at, ends_at))
    return merged


def _usable_pieces(
    run: Span, step: timedelta, earliest: datetime, horizon: datetime, latest: datetime,
    closed: Sequence[tuple[datetime, datetime]], first_closed: int,
) -> tuple[list[tuple[datetime, datetime]], int]:
    """The stretches of touching usable slots of one open run, and where the next run's closed pieces begin.

    The run's slots are [start + k·step, min(start + (k+1)·step, end)). A slot is usable when it starts
    at or after `earliest` and before `horizon`, ends by `latest` and touches no closed piece: so in each
    gap between closed pieces the usable slots are one stretch, found by arithmetic, not slot by slot.
    """
    start, end = run.starts_at, run.ends_at
    count = -((start - end) // step)  # slots in the run, the last one maybe shorter
    # Slots starting before the horizon: k < ceil((horizon - start) / step).
    before_horizon = -((start - horizon) // step)
    last_allowed = min(count, before_horizon) - 1
    pieces: list[tuple[datetime, datetime]] = []
    index = first_closed
    while index < len(closed) and closed[index][1] <= start:
        index += 1
    ahead = index  # closed pieces before it end before this run, so before every later run
    gap_start = start
    while gap_start < end:
        gap_end = closed[index][0] if index < len(closed) and closed[index][0] < end else end
        low = max(gap_start, earliest, start)
        first = -((start - low) // step)  # the first slot starting at or after `low`
        cap = min(gap_end, latest)
        # The last slot ending by `cap`: the run's last (shorter) slot when the run ends by then,
        # else the last whole slot.
        last = count - 1 if end <= cap else (cap - start) // step - 1
        last = min(last, last_allowed)
        if last >= first:
            pieces.append((start + step * first, min(start + step * (last + 1), end)))
        if gap_end >= end:
            break
        gap_start = closed[index][1]
        index += 1
    return pieces, ahead


def free_intervals(
    facility: FacilitySpec,
    window: Span,
    zone: ZoneInfo,
    now: datetime,
    bookings: Iterable[Held],
    blackouts: Iterable[Blackout] = (),
    *,
    seats: int = 1,
    duration: timedelta | None = None,
) -> list[Span]:
    """The maximal intervals inside `window` in which `seats` seats could be booked for at least `duration`.

    The runs of touching slots of `compute_availability` (opening hours, blackouts,
    granularity, buffers and seats left applied) with enough seats that start after
    `now` and before the booking horizon, kept when at least `duration` long (default:
    the facility's minimum; never shorter than it). A duration beyond the facility's
    maximum, or more seats than its capacity, fits nowhere. Computed per open run and
    gap between closed pieces (`closed_for`), not per slot: O(runs + bookings · log bookings).
    """
    minimum = timedelta(minutes=facility.min_duration_minutes)
    needed = max(duration or minimum, minimum)
    if needed > timedelta(minutes=facility.max_duration_minutes) or not 1 <= seats <= facility.capacity:
        return []
    horizon = booking_horizon(facility, now, zone)
    closed = closed_for(facility, load_segments(bookings, facility.buffer), blackouts, seats)
    earliest = max(window.starts_at, now)
    stretches: list[tuple[datetime, datetime]] = []
    index = 0
    for run in open_runs(facility, window, zone):
        pieces, index = _usable_pieces(run, facility.slot, earliest, horizon, window.ends_at, closed, index)
        for starts_at, ends_at in pieces:
            if stretches and stretches[-1][1] == starts_at:  # runs that touch: their slots touch
                stretches[-1] = (stretches[-1][0], ends_at)
            else:
                stretches.append((starts_at, ends_at))
    return [Span(starts_at, ends_at) for starts_at, ends_at in stretches if ends_at - starts_at >= needed]


def nearest_starts(intervals: Sequence[Span], wanted: Span, step: timedelta, limit: int) -> list[Span]:
    """Up to `limit` spans as long as `wanted`, on the `step` grid of each interval, nearest to its start first.

    The wanted span itself is never offered (it is the one refused).
    """
    length = wanted.duration
    candidates: list[tuple[timedelta, datetime]] = []
    for interval in intervals:
        cursor = interval.starts_at
        while cursor + length <= interval.ends_at:
            if cursor != wanted.starts_at:
                candidates.append((abs(cursor - wanted.starts_at), cursor))
            cursor += step
    candidates.sort()
    return [Span(start, start + length) for _distance, start in candidates[:limit]]
