"""Free slots and seats left."""

from datetime import timedelta, timezone

from park.bookings.model import CANCELLED, CHECKED_IN, PENDING, REQUESTED
from park.bookings.availability import compute_availability, slot_grid
from park.facilities.model import Blackout
from park.shared.timespan import Span

from tests.builders import SHANGHAI, at, make_held, make_facility

TUESDAY = Span(at(1, 0), at(2, 0))


def free_at(slots, hour, minute=0):
    wanted = at(1, hour, minute).astimezone(timezone.utc)
    return next(slot.free for slot in slots if slot.starts_at == wanted)


def test_slots_follow_the_granularity_inside_opening_hours():
    facility = make_facility(slot_minutes=60, opening_hours={"tue": [["09:00", "12:00"], ["13:00", "15:00"]]})
    slots = compute_availability(facility, TUESDAY, SHANGHAI, [])
    assert [s.starts_at.astimezone(SHANGHAI).hour for s in slots] == [9, 10, 11, 13, 14]
    assert all(s.free == 1 for s in slots)


def test_a_closed_day_has_no_slots():
    facility = make_facility()
    saturday = Span(at(5, 0), at(6, 0))
    assert compute_availability(facility, saturday, SHANGHAI, []) == []


def test_grid_counts_from_the_opening_time_even_when_the_window_starts_later():
    facility = make_facility(slot_minutes=45, opening_hours={"tue": [["09:00", "12:00"]]})
    grid = slot_grid(facility, Span(at(1, 10), at(1, 12)), SHANGHAI)
    assert [s.starts_at.astimezone(SHANGHAI).strftime("%H:%M") for s in grid] == ["10:30", "11:15"]


def test_live_bookings_take_seats_and_requested_or_cancelled_do_not():
    facility = make_facility(capacity=5)
    bookings = [
        make_held(at(1, 9), at(1, 10), seats=2),
        make_held(at(1, 9, 30), at(1, 11), seats=1, status=PENDING),
        make_held(at(1, 9), at(1, 10), seats=1, status=CHECKED_IN),
        make_held(at(1, 9), at(1, 12), seats=3, status=REQUESTED),
        make_held(at(1, 9), at(1, 12), seats=3, status=CANCELLED),
    ]
    slots = compute_availability(facility, TUESDAY, SHANGHAI, bookings)
    assert free_at(slots, 9) == 2
    assert free_at(slots, 9, 30) == 1
    assert free_at(slots, 10) == 4
    assert free_at(slots, 11) == 5


def test_buffer_blocks_the_slots_next_to_a_booking():
    facility = make_facility(buffer_minutes=15)
    slots = compute_availability(facility, TUESDAY, SHANGHAI, [make_held(at(1, 10), at(1, 11))])
    assert free_at(slots, 9) == 1
    assert free_at(slots, 9, 30) == 0  # ends 10:00, less than 15 minutes before 10:00
    assert free_at(slots, 10, 30) == 0
    assert free_at(slots, 11) == 0  # starts within 15 minutes of the 11:00 end
    assert free_at(slots, 11, 30) == 1


def test_blackouts_leave_slots_out():
    facility = make_facility()
    blackouts = [
        Blackout(Span(at(1, 12), at(1, 14)), facility_id=1),
        Blackout(Span(at(1, 16, 10), at(1, 16, 20)), building_id=1),
        Blackout(Span(at(1, 9), at(1, 18)), facility_id=2),
    ]
    slots = compute_availability(facility, TUESDAY, SHANGHAI, [], blackouts)
    hours = {s.starts_at.astimezone(SHANGHAI).strftime("%H:%M") for s in slots}
    assert "11:30" in hours and "14:00" in hours
    assert not {"12:00", "13:30", "16:00"} & hours
    assert len(slots) == 18 - 4 - 1


def test_availability_of_a_busy_week_counts_every_overlap():
    """20,000 overlapping bookings in one week (its speed is measured in tests/bench/bench_availability.py)."""
    facility = make_facility(capacity=20, slot_minutes=15, opening_hours={d: [["00:00", "24:00"]] for d in ("mon", "tue", "wed", "thu", "fri", "sat", "sun")})
    week = Span(at(1, 0), at(8, 0))
    start = at(1, 0)
    bookings = [
        make_held(start + timedelta(minutes=7 * i), start + timedelta(minutes=7 * i + 60)) for i in range(20_000)
    ]
    slots = compute_availability(facility, week, SHANGHAI, bookings)
    assert len(slots) == 7 * 24 * 4
    assert free_at(slots, 12) == 20 - 9  # 60-minute bookings every 7 minutes: 9 cover 12:00–12:15
