"""The search's free intervals are exactly the runs of usable slots of `compute_availability`, whatever the facts.

`free_intervals` works per open run and gap between closed pieces, not slot by slot; these
examples check it against the slot-by-slot definition: odd opening hours (touching ranges,
across midnight, all day), slot lengths that do not divide the hours, windows and "now" off
the grid, buffers, shared seats, blackouts, the booking horizon and a daylight-saving change.
"""

from datetime import timedelta, timezone

from hypothesis import given, settings
from hypothesis import strategies as st

from park.bookings.availability import closed_for, compute_availability, free_intervals, load_segments
from park.facilities.model import Blackout
from park.shared.timespan import Span

from tests.builders import BERLIN, SHANGHAI, at, make_facility, make_held

WEEKDAYS = ("mon", "tue", "wed", "thu", "fri", "sat", "sun")


def intervals_from_slots(facility, window, zone, now, bookings, blackouts, *, seats=1, duration=None):
    """The definition: runs of touching slots with `seats` left that start from now and before the horizon."""
    from park.bookings.availability import booking_horizon

    minimum = timedelta(minutes=facility.min_duration_minutes)
    needed = max(duration or minimum, minimum)
    if needed > timedelta(minutes=facility.max_duration_minutes) or not 1 <= seats <= facility.capacity:
        return []
    horizon = booking_horizon(facility, now, zone)
    runs: list[list] = []
    for slot in compute_availability(facility, window, zone, bookings, blackouts):
        if slot.free >= seats and now <= slot.starts_at < horizon:
            if runs and runs[-1][1] == slot.starts_at and runs[-1][2]:
                runs[-1][1] = slot.ends_at
            else:
                runs.append([slot.starts_at, slot.ends_at, True])
        else:
            runs.append([slot.starts_at, slot.ends_at, False])
    return [Span(a, b) for a, b, usable in runs if usable and b - a >= needed]


def _clock(minutes: int) -> str:
    return f"{minutes // 60:02d}:{minutes % 60:02d}"


# A day's ranges: up to three (start, length) in quarter hours, made disjoint; some end at 24:00.
day_hours = st.lists(st.tuples(st.integers(0, 95), st.integers(1, 96)), max_size=3).map(
    lambda pairs: _disjoint([(15 * s, min(15 * (s + n), 1440)) for s, n in pairs])
)


def _disjoint(ranges):
    kept: list[tuple[int, int]] = []
    for start, end in sorted(ranges):
        if kept and start < kept[-1][1]:
            continue
        kept.append((start, end))
    return [[_clock(a), _clock(b)] for a, b in kept]


week_hours = st.lists(day_hours, min_size=7, max_size=7).map(lambda days: dict(zip(WEEKDAYS, days)))
booking_strategy = st.lists(
    st.tuples(
        st.integers(0, 9 * 24 * 4),  # start, quarter hours after the window's first midnight minus a day
        st.integers(1, 16),  # length in quarter hours
        st.integers(1, 3),  # seats
        st.sampled_from(["confirmed", "pending", "checked_in", "requested", "cancelled"]),
    ),
    max_size=30,
)
blackout_strategy = st.lists(
    st.tuples(st.integers(0, 9 * 24 * 4), st.integers(1, 40), st.sampled_from(["own", "building", "other"])), max_size=3
)


@settings(max_examples=400, deadline=None)
@given(
    hours=st.one_of(week_hours, st.just({day: [["00:00", "24:00"]] for day in WEEKDAYS})),
    slot_minutes=st.sampled_from([15, 30, 45, 50, 60, 90]),
    capacity=st.integers(1, 4),
    seats=st.integers(1, 4),
    buffer_minutes=st.sampled_from([0, 10, 15, 30]),
    min_minutes=st.sampled_from([15, 30, 60]),
    duration_minutes=st.sampled_from([None, 15, 45, 60, 120]),
    max_advance_days=st.integers(0, 8),
    raw_bookings=booking_strategy,
    raw_blackouts=blackout_strategy,
    window_offset=st.integers(0, 24 * 60 - 1),  # minutes
    window_minutes=st.integers(1, 7 * 24 * 60),
    now_offset=st.integers(-2 * 24 * 60, 8 * 24 * 60),  # minutes from the window's first midnight
    dst=st.booleans(),
)
def test_free_intervals_are_the_runs_of_usable_slots(
    hours, slot_minutes, capacity, seats, buffer_minutes, min_minutes, duration_minutes, max_advance_days,
    raw_bookings, raw_blackouts, window_offset, window_minutes, now_offset, dst,
):
    zone = BERLIN if dst else SHANGHAI
    # Berlin: the week of the spring change (Sunday 29 March 2026 is 23 hours long).
    # Offsets are added in UTC, so no time falls into the hour the change skips.
    midnight = (at(25, 0, month=3, zone=BERLIN) if dst else at(30, 0, month=11)).astimezone(timezone.utc)
    facility = make_facility(
        opening_hours=hours, slot_minutes=slot_minutes, capacity=capacity, buffer_minutes=buffer_minutes,
        min_duration_minutes=min_minutes, max_duration_minutes=24 * 60, max_advance_days=max_advance_days,
    )
    window = Span(midnight + timedelta(minutes=window_offset),
                  midnight + timedelta(minutes=window_offset + window_minutes))
    now = midnight + timedelta(minutes=now_offset)
    first = midnight - timedelta(days=1)
    bookings = [
        make_held(first + timedelta(minutes=15 * s), first + timedelta(minutes=15 * (s + n)), seats=k, status=status)
        for s, n, k, status in raw_bookings
    ]
    blackouts = [
        Blackout(Span(first + timedelta(minutes=15 * s), first + timedelta(minutes=15 * (s + n))),
                 facility_id={"own": 1, "other": 2}.get(whose), building_id=1 if whose == "building" else None)
        for s, n, whose in raw_blackouts
    ]
    duration = timedelta(minutes=duration_minutes) if duration_minutes else None
    expected = intervals_from_slots(facility, window, zone, now, bookings, blackouts, seats=seats, duration=duration)
    assert free_intervals(facility, window, zone, now, bookings, blackouts, seats=seats, duration=duration) == expected


def test_closed_time_is_each_fuller_load_piece_reached_back_by_the_buffer_and_the_blackouts():
    lab = make_facility(capacity=2, buffer_minutes=30)
    bookings = [make_held(at(1, 10), at(1, 12)), make_held(at(1, 11), at(1, 13)), make_held(at(1, 15), at(1, 16), seats=2)]
    blackouts = [Blackout(Span(at(1, 16), at(1, 17)), building_id=1), Blackout(Span(at(1, 8), at(1, 9)), facility_id=2)]
    closed = closed_for(lab, load_segments(bookings, lab.buffer), blackouts, seats=1)
    # Two seats held 11:00–12:30 (the first booking's buffer), then 15:00–16:30; the building closes 16:00–17:00.
    assert closed == [(at(1, 10, 30), at(1, 12, 30)), (at(1, 14, 30), at(1, 17))]
