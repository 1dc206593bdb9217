"""Maximal free intervals for the time-first search, and the nearest free times offered with a refusal."""

from datetime import timedelta

from park.bookings.availability import free_intervals, nearest_starts
from park.facilities.model import Blackout
from park.shared.timespan import Span

from tests.builders import ROUND_THE_CLOCK, at, make_held, make_facility
from tests.builders import BERLIN, SHANGHAI

NOW = at(30, 8, month=11)  # Monday 2026-11-30 08:00
TUESDAY = Span(at(1, 0), at(2, 0))


def local(intervals, zone=SHANGHAI):
    return [(i.starts_at.astimezone(zone).strftime("%d %H:%M"), i.ends_at.astimezone(zone).strftime("%d %H:%M")) for i in intervals]


def test_a_free_day_is_one_interval_from_opening_to_closing():
    assert local(free_intervals(make_facility(), TUESDAY, SHANGHAI, NOW, [])) == [("01 09:00", "01 18:00")]


def test_a_booking_splits_the_day_and_the_buffer_widens_the_gap():
    booking = make_held(at(1, 12), at(1, 13))
    assert local(free_intervals(make_facility(), TUESDAY, SHANGHAI, NOW, [booking])) == [
        ("01 09:00", "01 12:00"), ("01 13:00", "01 18:00")]
    buffered = make_facility(buffer_minutes=30)
    assert local(free_intervals(buffered, TUESDAY, SHANGHAI, NOW, [booking])) == [
        ("01 09:00", "01 11:30"), ("01 13:30", "01 18:00")]


def test_a_gap_shorter_than_the_duration_is_left_out():
    bookings = [make_held(at(1, 9), at(1, 10)), make_held(at(1, 11), at(1, 18))]
    facility = make_facility()
    assert local(free_intervals(facility, TUESDAY, SHANGHAI, NOW, bookings)) == [("01 10:00", "01 11:00")]
    assert free_intervals(facility, TUESDAY, SHANGHAI, NOW, bookings, duration=timedelta(minutes=90)) == []


def test_the_minimum_duration_applies_when_a_shorter_one_is_asked_and_the_maximum_refuses_longer():
    facility = make_facility(min_duration_minutes=120, max_duration_minutes=240)
    bookings = [make_held(at(1, 10), at(1, 18))]
    assert free_intervals(facility, TUESDAY, SHANGHAI, NOW, bookings, duration=timedelta(minutes=30)) == []
    assert free_intervals(facility, TUESDAY, SHANGHAI, NOW, [], duration=timedelta(minutes=300)) == []


def test_seats_left_decide_for_a_shared_lab():
    lab = make_facility(capacity=4)
    bookings = [make_held(at(1, 10), at(1, 12), seats=3)]
    assert local(free_intervals(lab, TUESDAY, SHANGHAI, NOW, bookings, seats=1)) == [("01 09:00", "01 18:00")]
    assert local(free_intervals(lab, TUESDAY, SHANGHAI, NOW, bookings, seats=2)) == [
        ("01 09:00", "01 10:00"), ("01 12:00", "01 18:00")]
    assert free_intervals(lab, TUESDAY, SHANGHAI, NOW, [], seats=5) == []


def test_a_blackout_removes_its_time():
    facility = make_facility()
    blackout = Blackout(Span(at(1, 14), at(1, 16)), facility_id=1)
    assert local(free_intervals(facility, TUESDAY, SHANGHAI, NOW, [], [blackout])) == [
        ("01 09:00", "01 14:00"), ("01 16:00", "01 18:00")]


def test_the_slot_grid_is_kept_and_the_window_cuts_to_whole_slots():
    facility = make_facility(slot_minutes=60)
    window = Span(at(1, 9, 30), at(1, 12, 30))
    assert local(free_intervals(facility, window, SHANGHAI, NOW, [])) == [("01 10:00", "01 12:00")]


def test_time_already_passed_and_days_beyond_the_horizon_are_not_offered():
    facility = make_facility(max_advance_days=1)  # today (Monday) and Tuesday
    now = at(30, 12, month=11)
    week = Span(at(30, 0, month=11), at(3, 0))
    assert local(free_intervals(facility, week, SHANGHAI, now, [])) == [("30 12:00", "30 18:00"), ("01 09:00", "01 18:00")]


def test_a_dst_day_keeps_wall_clock_opening_hours():
    facility = make_facility(opening_hours=ROUND_THE_CLOCK, slot_minutes=60)
    now = at(1, 0, month=3, zone=BERLIN)
    sunday = Span(at(29, 0, month=3, zone=BERLIN), at(30, 0, month=3, zone=BERLIN))  # 23 hours long
    [interval] = free_intervals(facility, sunday, BERLIN, now, [])
    assert interval.duration == timedelta(hours=23)
    booked = [make_held(at(29, 1, month=3, zone=BERLIN), at(29, 4, month=3, zone=BERLIN))]  # 01:00–04:00 is 2 hours
    assert local(free_intervals(facility, sunday, BERLIN, now, booked), BERLIN) == [("29 00:00", "29 01:00"), ("29 04:00", "30 00:00")]


def test_nearest_starts_come_closest_first_and_skip_the_refused_time():
    intervals = [Span(at(1, 9), at(1, 12)), Span(at(1, 14), at(1, 16))]
    wanted = Span(at(1, 11), at(1, 12))
    offered = nearest_starts(intervals, wanted, timedelta(minutes=30), 3)
    assert [(s.starts_at.astimezone(SHANGHAI).strftime("%H:%M")) for s in offered] == ["10:30", "10:00", "09:30"]
    assert all(s.duration == wanted.duration for s in offered)
