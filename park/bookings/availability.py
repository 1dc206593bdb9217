"""Free slots and seats left for a facility over a period. Pure."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Iterable, Protocol, Sequence
from zoneinfo import ZoneInfo

from park.bookings.model import HOLDING_STATUSES
from park.facilities.hours import open_spans
from park.facilities.model import Blackout, FacilitySpec
from park.shared.timespan import Span, merge_spans

# Open runs are computed on a window widened by this much, so that the slot
# grid is anchored at the real opening time and not at the window's edge.
_ANCHOR_MARGIN = timedelta(days=1)


class HeldSeats(Protocol):
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
    wide = window.widen(_ANCHOR_MARGIN)
    return [run for run in open_spans(facility.opening_hours, wide, zone) if run.overlaps(window)]


def slot_grid(facility: FacilitySpec, window: Span, zone: ZoneInfo) -> list[Span]:
    """Slots of the facility's granularity inside `window`, counted from each opening time.

    A run whose length is not a multiple of the slot ends with a shorter slot.
    """
    step = facility.slot
    slots: list[Span] = []
    for run in open_runs(facility, window, zone):
        # Jump straight to the first slot that can lie in the window.
        cursor = run.starts_at
        if cursor < window.starts_at:
            skipped = (window.starts_at - cursor) // step
            cursor += step * skipped
        while cursor < run.ends_at and cursor < window.ends_at:
            ends_at = min(cursor + step, run.ends_at)
            if cursor >= window.starts_at and ends_at <= window.ends_at:
                slots.append(Span(cursor, ends_at))
            cursor = ends_at
    return slots


def load_segments(bookings: Iterable[HeldSeats], buffer: timedelta) -> list[tuple[datetime, datetime, int]]:
    """The seats held as a step function: sorted (start, end, seats) pieces with seats > 0.

    A booking holds its seats from its start until its end plus the buffer.
    """
    deltas: dict[datetime, int] = {}
    for booking in bookings:
        if booking.status not in HOLDING_STATUSES or booking.seats <= 0:
            continue
        starts_at = booking.starts_at
        ends_at = booking.ends_at + buffer
        deltas[starts_at] = deltas.get(starts_at, 0) + booking.seats
        deltas[ends_at] = deltas.get(ends_at, 0) - booking.seats
    segments: list[tuple[datetime, datetime, int]] = []
    load = 0
    instants = sorted(deltas)
    for here, after in zip(instants, instants[1:]):
        load += deltas[here]
        if load > 0:
            segments.append((here, after, load))
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
    bookings: Iterable[HeldSeats],
    blackouts: Iterable[Blackout] = (),
) -> list[Slot]:
    """Each open, non-blacked-out slot in `window` with the seats a new booking of it could take.

    A slot's seats left count every live booking whose span (plus buffer)
    comes within the buffer of the slot, so a booking of exactly that slot
    would pass the clash and buffer rules. O(slots + bookings · log bookings).
    """
    buffer = facility.buffer
    segments = load_segments(bookings, buffer)
    closed = merge_spans(b.span for b in blackouts if b.applies_to(facility))
    result: list[Slot] = []
    seg_start = 0
    closed_index = 0
    for slot in slot_grid(facility, window, zone):
        while closed_index < len(closed) and closed[closed_index].ends_at <= slot.starts_at:
            closed_index += 1
        if closed_index < len(closed) and closed[closed_index].starts_at < slot.ends_at:
            continue
        reach = slot.ends_at + buffer
        # Slots come in time order, so segments ending before this slot never matter again.
        while seg_start < len(segments) and segments[seg_start][1] <= slot.starts_at:
            seg_start += 1
        peak = 0
        index = seg_start
        while index < len(segments) and segments[index][0] < reach:
            if segments[index][2] > peak:
                peak = segments[index][2]
            index += 1
        result.append(Slot(slot.starts_at, slot.ends_at, max(facility.capacity - peak, 0)))
    return result


def booking_horizon(facility: FacilitySpec, now: datetime, zone: ZoneInfo) -> datetime:
    """The first instant a booking may no longer start at: the park-local midnight after the last bookable day.

    Matches the rule `within_advance_window` (counted in park-local days).
    """
    last_day = now.astimezone(zone).date() + timedelta(days=facility.max_advance_days + 1)
    return datetime(last_day.year, last_day.month, last_day.day, tzinfo=zone)


def free_intervals(
    facility: FacilitySpec,
    window: Span,
    zone: ZoneInfo,
    now: datetime,
    bookings: Iterable[HeldSeats],
    blackouts: Iterable[Blackout] = (),
    *,
    seats: int = 1,
    duration: timedelta | None = None,
) -> list[Span]:
    """The maximal intervals inside `window` in which `seats` seats could be booked for at least `duration`.

    Built from `compute_availability`'s slots (opening hours, blackouts,
    granularity, buffers and seats left already applied): runs of touching
    slots with enough seats that start after `now` and before the booking
    horizon, kept when at least `duration` long (default: the facility's
    minimum; never shorter than it). A duration beyond the facility's maximum,
    or more seats than its capacity, fits nowhere.
    """
    minimum = timedelta(minutes=facility.min_duration_minutes)
    needed = max(duration or minimum, minimum)
    if needed > timedelta(minutes=facility.max_duration_minutes) or not 1 <= seats <= facility.capacity:
        return []
    horizon = booking_horizon(facility, now, zone)
    runs: list[Span] = []
    run_start: datetime | None = None
    run_end: datetime | None = None
    for slot in compute_availability(facility, window, zone, bookings, blackouts):
        usable = slot.free >= seats and slot.starts_at >= now and slot.starts_at < horizon
        if usable and run_end is not None and slot.starts_at == run_end:
            run_end = slot.ends_at
            continue
        if run_start is not None and run_end is not None:
            runs.append(Span(run_start, run_end))
        run_start, run_end = (slot.starts_at, slot.ends_at) if usable else (None, None)
    if run_start is not None and run_end is not None:
        runs.append(Span(run_start, run_end))
    return [run for run in runs if run.duration >= needed]


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
