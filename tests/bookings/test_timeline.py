"""The booking grid: one pure function for the day timeline and a facility's week."""

from dataclasses import dataclass
from datetime import date, datetime, timedelta, timezone

from park.bookings.timeline import (
    BLACKOUT, CLOSED, FREE, FULL, OWN, PARTIAL, PAST, build_grid, durations_from, run_from,
)
from park.facilities.model import Blackout
from park.shared.timespan import Span
from tests.builders import SHANGHAI, at, make_facility

DAY = date(2026, 12, 3)  # a Thursday
BEFORE = at(1, 8)  # "now": two days earlier


@dataclass(frozen=True)
class Held:
    starts_at: datetime
    ends_at: datetime
    id: int = 1
    user_id: int = 7
    seats: int = 1
    status: str = "confirmed"


def held(start_hour, end_hour, **overrides) -> Held:
    return Held(at(3, start_hour).astimezone(timezone.utc), at(3, end_hour).astimezone(timezone.utc), **overrides)


def states(row):
    return [(cell.span.starts_at.astimezone(SHANGHAI).strftime("%H:%M"), cell.state) for cell in row.cells]


def test_a_one_seat_room_shows_closed_hours_free_slots_and_a_taken_hour():
    room = make_facility()  # Monday–Friday 09:00–18:00, 30-minute slots
    grid = build_grid([(room, DAY)], SHANGHAI, BEFORE, {room.id: [held(10, 11)]})
    assert grid.first_minute == 9 * 60 and grid.step_minutes == 30 and grid.columns == 18
    cells = states(grid.rows[0])
    assert cells[:3] == [("09:00", FREE), ("09:30", FREE), ("10:00", FULL)]
    assert cells[3] == ("10:30", FULL) and cells[4] == ("11:00", FREE)
    assert [h.label for h in grid.hours][:2] == ["09:00", "10:00"] and grid.hours[0].width == 2


def test_a_shared_lab_shows_the_seats_left_and_the_viewers_own_booking():
    lab = make_facility(capacity=12)
    bookings = {lab.id: [held(10, 11, seats=5, user_id=99), held(14, 15, id=42, user_id=7)]}
    row = build_grid([(lab, DAY)], SHANGHAI, BEFORE, bookings, viewer_id=7).rows[0]
    by_time = {c.span.starts_at.astimezone(SHANGHAI).strftime("%H:%M"): c for c in row.cells}
    assert by_time["10:00"].state == PARTIAL and by_time["10:00"].seats_left == 7
    assert by_time["14:00"].state == OWN and by_time["14:00"].booking_id == 42
    assert by_time["09:00"].state == FREE and by_time["09:00"].seats_left == 12


def test_blackouts_past_slots_and_closed_days():
    room = make_facility()
    blackout = Blackout(Span(at(3, 12), at(3, 13)), facility_id=room.id)
    now = at(3, 9, 40)
    grid = build_grid([(room, DAY), (room, date(2026, 12, 5))], SHANGHAI, now, {room.id: []}, [blackout])
    thursday, saturday = grid.rows
    cells = dict(states(thursday))
    assert cells["09:00"] == PAST and cells["09:30"] == PAST and cells["10:00"] == FREE
    assert [c.state for c in saturday.cells] == [CLOSED] and saturday.cells[0].width == grid.columns
    marked = [c for c in thursday.cells if c.now_percent is not None]
    assert len(marked) == 1 and marked[0].now_percent == 30  # 09:40 is a third into the 09:30 slot
    assert cells["12:00"] == BLACKOUT and cells["12:30"] == BLACKOUT


def test_touching_past_or_closed_cells_read_as_one_stretch_but_the_one_holding_now_stays_apart():
    room = make_facility()
    row = build_grid([(room, DAY)], SHANGHAI, at(3, 11, 10), {room.id: []}).rows[0]
    assert [(c.state, c.width) for c in row.cells[:3]] == [(PAST, 4), (PAST, 1), (FREE, 1)]
    assert row.cells[0].span == Span(at(3, 9), at(3, 11)) and row.cells[1].now_percent == 30


def test_a_day_beyond_the_booking_horizon_is_closed():
    room = make_facility(max_advance_days=1)
    grid = build_grid([(room, DAY)], SHANGHAI, at(1, 8), {room.id: []})
    assert {c.state for c in grid.rows[0].cells} == {CLOSED}


def test_rows_of_different_slot_lengths_share_one_column_grid():
    room = make_facility(id=1)
    studio = make_facility(id=2, slot_minutes=60, min_duration_minutes=60, opening_hours={"thu": [["08:00", "20:00"]]})
    grid = build_grid([(room, DAY), (studio, DAY)], SHANGHAI, BEFORE, {})
    assert grid.first_minute == 8 * 60 and grid.columns == 24 and grid.step_minutes == 30
    for row in grid.rows:
        assert sum(cell.width for cell in row.cells) == grid.columns
    assert grid.rows[1].cells[0].width == 2  # an hour-long slot covers two half-hour columns
    assert grid.rows[0].cells[0].state == CLOSED and grid.rows[0].cells[0].width == 2  # 08:00–09:00, not open yet


def test_the_lengths_offered_from_a_start_fit_the_free_run_and_the_facility():
    room = make_facility(min_duration_minutes=60, max_duration_minutes=120)
    row = build_grid([(room, DAY)], SHANGHAI, BEFORE, {room.id: [held(11, 12)]}).rows[0]
    run = run_from(list(row.cells), 0)
    assert run == Span(at(3, 9), at(3, 11))
    assert durations_from(room, run) == [timedelta(minutes=60), timedelta(minutes=90), timedelta(minutes=120)]
    late = run_from(list(row.cells), 2)  # 10:00: only an hour left before the taken one
    assert durations_from(room, late) == [timedelta(minutes=60)]
    assert run_from(list(row.cells), 4) is None  # 11:00 is taken


def test_a_daylight_saving_day_keeps_its_wall_clock_columns():
    from zoneinfo import ZoneInfo

    berlin = ZoneInfo("Europe/Berlin")
    room = make_facility(opening_hours={day: [["00:00", "24:00"]] for day in ("sun",)}, slot_minutes=60, min_duration_minutes=60)
    grid = build_grid([(room, date(2026, 3, 29))], berlin, datetime(2026, 3, 1, tzinfo=berlin), {})
    assert sum(cell.width for cell in grid.rows[0].cells) == grid.columns
    assert len([c for c in grid.rows[0].cells if c.state == FREE]) == 23
