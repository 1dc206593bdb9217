"""The pure terms: what the booking form says applies, and what the message after booking says comes next."""

from datetime import timedelta

from park.bookings.terms import OK, WARN, Skipped, TermsInput, booked_outcome, booking_terms
from park.facilities.model import Authorization, booking_price_fen
from park.priority.model import ChargeRules
from park.shared.timespan import Span
from tests.builders import NOW, SHANGHAI, at, make_facility


def terms(facility, starts_at=None, ends_at=None, **given):
    return booking_terms(TermsInput(facility=facility, now=given.pop("now", NOW), zone=SHANGHAI, starts_at=starts_at,
                                    ends_at=ends_at, **given))


def params(line) -> dict:
    return dict(line.params)


def test_the_price_rounds_half_up_to_the_fen_once_like_billing():
    # 10 minutes at 1.01 yuan an hour = 16.83 fen → 17; a shared facility counts the seats, a room does not.
    assert booking_price_fen(101, 10) == 17
    assert booking_price_fen(101, 10, seats=3, capacity=1) == 17
    assert booking_price_fen(101, 10, seats=3, capacity=4) == 51
    assert booking_price_fen(10000, 90, percent=50) == 7500


def test_an_asked_time_gives_the_price_the_check_in_window_and_the_no_show_cost():
    facility = make_facility(hourly_rate_fen=10000, cancel_cutoff_minutes=60)
    said = terms(facility, at(1, 10), at(1, 11, 30), charges=ChargeRules(40, 25, "half_up", "", ""))

    assert params(said.of("price")[0]) == {"rate_fen": 10000, "hours": 1.5, "price_fen": 15000}
    check_in = params(said.of("check_in")[0])
    assert (check_in["opens_clock"], check_in["closes_clock"]) == (at(1, 9, 45), at(1, 10, 15))
    assert params(said.of("no_show")[0]) == {"percent": 40, "cost_fen": 6000}
    assert params(said.of("cancel")[0]) == {"cutoff": at(1, 9), "percent": 25}
    assert said.of("time") == [] and said.span == Span(at(1, 10), at(1, 11, 30))


def test_times_the_rules_refuse_are_named_before_booking():
    facility = make_facility(slot_minutes=60, min_duration_minutes=60, hourly_rate_fen=5000)
    said = terms(facility, at(1, 10, 30), at(1, 11))  # off the slots and too short
    assert {line.tone for line in said.of("time")} == {WARN} and len(said.of("time")) == 2
    assert said.of("time")[0].template != said.of("time")[1].template
    reversed_times = terms(facility, at(1, 11), at(1, 10))
    assert [line.template for line in reversed_times.of("time")] == ["The end must be after the start."]
    assert reversed_times.span is None and "choose the times" in reversed_times.of("price")[0].template


def test_a_window_facility_names_its_draw_and_after_the_cut_off_says_first_come_first_served():
    facility = make_facility(booking_mode="window", requires_approval=True)
    before = terms(facility, at(3, 10), at(3, 11))  # now: Monday 30 November 08:00
    assert params(before.of("draw")[0]) == {"cutoff": at(2, 12)} and "gathered" in before.of("draw")[0].template
    assert len(before.of("approval")) == 1  # after the draw a manager still decides
    after = terms(facility, at(3, 10), at(3, 11), now=at(2, 12))
    assert "first come, first served" in after.of("draw")[0].template


def test_the_readers_training_decides_the_line_and_the_button():
    facility = make_facility(requires_authorization=True)
    none = terms(facility, at(1, 10), at(1, 11))
    assert none.of("training")[0].tone == WARN and none.may_ask_training
    lasting = terms(facility, at(1, 10), at(1, 11), authorization=Authorization(1, 1, at(31, 0)))
    assert lasting.of("training")[0].tone == OK and not lasting.may_ask_training
    ends_first = terms(facility, at(1, 10), at(1, 11), authorization=Authorization(1, 1, at(1, 10, 30)))
    assert "before this booking ends" in ends_first.of("training")[0].template and ends_first.may_ask_training
    expired = terms(facility, at(1, 10), at(1, 11), authorization=Authorization(1, 1, NOW - timedelta(days=1)))
    assert "expired" in expired.of("training")[0].template
    asked = terms(facility, authorization=None, training_asked_at=NOW)
    assert params(asked.of("training")[1]) == {"asked": NOW}
    visitor = terms(facility, reader_known=False)
    assert not visitor.may_ask_training and "valid training record" in visitor.of("training")[0].template
    assert terms(make_facility()).of("training")[0].tone == OK


def test_after_booking_the_next_steps_follow_the_status():
    facility = make_facility(booking_mode="window", requires_approval=True)
    span = Span(at(3, 10), at(3, 11))

    requested = booked_outcome(facility, "requested", [span], [], SHANGHAI)
    assert [line.key for line in requested.next_steps] == ["draw", "approval", "check_in"]
    assert params(requested.next_steps[0]) == {"cutoff": at(2, 12)}
    assert requested.spans == ()  # one booking: no list of dates

    skipped = Skipped(Span(at(10, 10), at(10, 11)), "it is fully booked at that time; choose another time")
    series = booked_outcome(make_facility(), "confirmed", [span, Span(at(17, 10), at(17, 11))], [skipped], SHANGHAI)
    assert [line.key for line in series.next_steps] == ["check_in"] and len(series.spans) == 2
    assert series.skipped == (skipped,)
    assert booked_outcome(make_facility(), "pending", [span], [], SHANGHAI).next_steps[0].key == "approval"
