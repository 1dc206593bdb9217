"""Booking rules: each rule's rejection, adjacency, capacity, buffers, lifecycle decisions."""

from datetime import datetime

import pytest

from park.bookings.model import CHECKED_IN, CONFIRMED, PENDING, REQUESTED, can_transition
from park.bookings.rules import (
    cancellation_violation,
    check_in_violation,
    check_request,
    initial_status,
    is_finished,
    is_no_show,
    quota_violation,
)
from park.facilities.model import Authorization, Blackout
from park.shared.timespan import Span

from tests.builders import BERLIN, NOW, at, make_booking, make_context, make_facility, make_request


def rules_broken(ctx):
    return [(v.rule, v.field) for v in check_request(ctx)]


def test_a_sound_request_breaks_no_rule():
    assert check_request(make_context()) == []


def test_time_without_offset_is_refused_naming_the_field():
    ctx = make_context(make_request(starts_at=datetime(2026, 12, 1, 10), ends_at=at(1, 11)))
    assert rules_broken(ctx) == [("times_are_aware", "starts_at")]


def test_end_before_start_is_refused():
    ctx = make_context(make_request(at(1, 11), at(1, 10)))
    assert rules_broken(ctx) == [("starts_before_it_ends", "ends_at")]


def test_booking_outside_opening_hours_is_refused():
    assert rules_broken(make_context(make_request(at(1, 17, 30), at(1, 18, 30)))) == [("fits_opening_hours", "starts_at")]
    assert rules_broken(make_context(make_request(at(5, 10), at(5, 11)))) == [("fits_opening_hours", "starts_at")]


def test_booking_across_a_lunch_break_is_refused():
    facility = make_facility(opening_hours={"tue": [["09:00", "12:00"], ["13:00", "18:00"]]})
    ctx = make_context(make_request(at(1, 11), at(1, 14)), facility)
    assert rules_broken(ctx) == [("fits_opening_hours", "starts_at")]


def test_booking_off_the_slot_grid_is_refused():
    ctx = make_context(make_request(at(1, 10, 10), at(1, 11, 10)))
    assert rules_broken(ctx) == [("on_slot_granularity", "starts_at")]
    ctx = make_context(make_request(at(1, 10), at(1, 11, 10)), make_facility(max_duration_minutes=480))
    assert rules_broken(ctx) == [("on_slot_granularity", "ends_at")]


def test_too_short_and_too_long_bookings_are_refused():
    facility = make_facility(min_duration_minutes=60, max_duration_minutes=120)
    assert rules_broken(make_context(make_request(at(1, 10), at(1, 10, 30)), facility)) == [("duration_within_limits", "ends_at")]
    assert rules_broken(make_context(make_request(at(1, 10), at(1, 12, 30)), facility)) == [("duration_within_limits", "ends_at")]


def test_booking_in_the_past_is_refused():
    ctx = make_context(make_request(at(1, 10), at(1, 11)), now=at(1, 10, 5))
    assert ("not_in_the_past", "starts_at") in rules_broken(ctx)


def test_booking_beyond_the_advance_window_is_refused():
    facility = make_facility(max_advance_days=7)
    ctx = make_context(make_request(at(8, 9), at(8, 10)), facility)  # now is Monday 30 November
    assert rules_broken(ctx) == [("within_advance_window", "starts_at")]
    assert check_request(make_context(make_request(at(7, 17), at(7, 18)), facility)) == []


@pytest.mark.parametrize("seats", [0, -1, 4])
def test_seats_outside_one_to_capacity_are_refused(seats):
    ctx = make_context(make_request(seats=seats), make_facility(capacity=3))
    assert rules_broken(ctx) == [("seats_within_capacity", "seats")]


def test_booking_during_a_blackout_is_refused_and_says_when():
    blackouts = [Blackout(Span(at(1, 10, 30), at(1, 12)), building_id=1, reason="maintenance")]
    ctx = make_context(blackouts=blackouts)
    (violation,) = check_request(ctx)
    assert violation.rule == "outside_blackouts"
    assert "2026-12-01 10:30" in violation.message and "maintenance" in violation.message


def test_authorisation_is_required_where_the_facility_asks_for_it():
    facility = make_facility(requires_authorization=True)
    assert rules_broken(make_context(facility=facility)) == [("authorization_held", "facility_id")]
    held = Authorization(user_id=1, facility_id=1, valid_until=at(31, 0))
    assert check_request(make_context(facility=facility, authorization=held)) == []


def test_an_authorisation_that_expires_before_the_booking_ends_is_refused():
    facility = make_facility(requires_authorization=True)
    expired = Authorization(user_id=1, facility_id=1, valid_until=at(1, 10, 30))
    assert rules_broken(make_context(facility=facility, authorization=expired)) == [("authorization_held", "facility_id")]


def test_clash_with_a_confirmed_booking_is_a_conflict():
    ctx = make_context(make_request(at(1, 10), at(1, 11)), existing=[make_booking(at(1, 10, 30), at(1, 11, 30))])
    (violation,) = check_request(ctx)
    assert (violation.code, violation.rule) == ("conflict", "seats_free")


def test_booking_that_ends_when_another_starts_does_not_clash():
    existing = [make_booking(at(1, 11), at(1, 12)), make_booking(at(1, 9), at(1, 10))]
    assert check_request(make_context(make_request(at(1, 10), at(1, 11)), existing=existing)) == []


def test_capacity_n_admits_n_overlapping_seats_and_not_one_more():
    facility = make_facility(capacity=3)
    existing = [make_booking(at(1, 10), at(1, 11)), make_booking(at(1, 10, 30), at(1, 12))]
    assert check_request(make_context(make_request(at(1, 10), at(1, 11)), facility, existing=existing)) == []
    too_many = make_context(make_request(at(1, 10), at(1, 11), seats=2), facility, existing=existing)
    assert [v.rule for v in check_request(too_many)] == ["seats_free"]


def test_seats_overlapping_at_different_times_do_not_add_up():
    facility = make_facility(capacity=2)
    existing = [make_booking(at(1, 10), at(1, 11)), make_booking(at(1, 11), at(1, 12))]
    assert check_request(make_context(make_request(at(1, 10), at(1, 12)), facility, existing=existing)) == []


def test_pending_booking_holds_its_seats_and_requested_does_not():
    pending = make_context(existing=[make_booking(at(1, 10), at(1, 11), status=PENDING)])
    assert [v.rule for v in check_request(pending)] == ["seats_free"]
    requested = make_context(existing=[make_booking(at(1, 10), at(1, 11), status=REQUESTED)])
    assert check_request(requested) == []


def test_buffer_is_kept_between_bookings_in_both_directions():
    facility = make_facility(buffer_minutes=15)
    before = make_context(make_request(at(1, 10), at(1, 11)), facility, existing=[make_booking(at(1, 9), at(1, 10))])
    after = make_context(make_request(at(1, 10), at(1, 11)), facility, existing=[make_booking(at(1, 11), at(1, 12))])
    assert [v.rule for v in check_request(before)] == ["buffer_respected"]
    assert [v.rule for v in check_request(after)] == ["buffer_respected"]
    spaced = make_context(make_request(at(1, 10, 30), at(1, 11)), facility, existing=[make_booking(at(1, 9), at(1, 10))])
    assert check_request(spaced) == []


def test_the_booking_itself_is_ignored_when_checked_again():
    own = make_booking(at(1, 10), at(1, 11))
    assert check_request(make_context(existing=[own], ignore_booking_id=own.id)) == []


def test_opening_hours_are_read_on_the_local_wall_clock_across_dst():
    facility = make_facility(opening_hours={"mon": [["09:00", "18:00"]]}, max_advance_days=400)
    request = make_request(datetime(2026, 3, 30, 9, tzinfo=BERLIN), datetime(2026, 3, 30, 10, tzinfo=BERLIN))
    ctx = make_context(request, facility, now=datetime(2026, 3, 1, tzinfo=BERLIN), zone=BERLIN)
    assert check_request(ctx) == []


def test_initial_status_follows_mode_and_approval():
    assert initial_status(make_facility()) == CONFIRMED
    assert initial_status(make_facility(requires_approval=True)) == PENDING
    assert initial_status(make_facility(booking_mode="window")) == REQUESTED


def test_cancellation_is_allowed_until_the_cut_off():
    facility = make_facility(cancel_cutoff_minutes=60)
    booking = make_booking(at(1, 10), at(1, 11))
    assert cancellation_violation(booking, facility, at(1, 9)) is None
    late = cancellation_violation(booking, facility, at(1, 9, 1))
    assert late is not None and late.rule == "cancel_cutoff"
    assert cancellation_violation(booking, facility, at(1, 9, 30), by_manager=True) is None


def test_a_finished_booking_cannot_be_cancelled():
    booking = make_booking(status="completed")
    assert cancellation_violation(booking, make_facility(), NOW).rule == "cancellable"


def test_check_in_window_runs_from_15_minutes_before_to_15_after_the_start():
    booking = make_booking(at(1, 10), at(1, 11))
    assert check_in_violation(booking, at(1, 9, 44)).rule == "check_in_window"
    assert check_in_violation(booking, at(1, 9, 45)) is None
    assert check_in_violation(booking, at(1, 10, 14)) is None
    assert check_in_violation(booking, at(1, 10, 15)).rule == "check_in_window"
    assert check_in_violation(make_booking(at(1, 10), status=PENDING), at(1, 10)).rule == "check_in_status"


def test_no_show_and_completion_follow_the_check_in_window_and_the_end():
    booking = make_booking(at(1, 10), at(1, 11))
    assert not is_no_show(booking, at(1, 10, 14))
    assert is_no_show(booking, at(1, 10, 15))
    checked_in = make_booking(at(1, 10), at(1, 11), status=CHECKED_IN)
    assert not is_no_show(checked_in, at(1, 10, 30))
    assert is_finished(checked_in, at(1, 11)) and not is_finished(checked_in, at(1, 10, 59))


def test_lifecycle_refuses_moves_it_does_not_name():
    assert can_transition(PENDING, CONFIRMED)
    assert not can_transition("cancelled", CONFIRMED)
    assert not can_transition(CHECKED_IN, "cancelled")


def test_quota_names_hours_used_and_left():
    violation = quota_violation(used_hours=18, requested_hours=3, quota_hours=20, kind="lab")
    assert violation.code == "quota_exceeded"
    assert "18 of 20" in violation.message and "2 left" in violation.message
    assert quota_violation(used_hours=18, requested_hours=2, quota_hours=20, kind="lab") is None
