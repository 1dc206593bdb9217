"""Recurring series from RRULEs, on the local wall clock."""

from datetime import datetime, timedelta, timezone

import pytest

from park.bookings.recurrence import RecurrenceError, expand_series
from park.shared.timespan import Span

from tests.builders import BERLIN, SHANGHAI, at

HORIZON = at(1, 0, month=6, year=2027)


def first(day=1, month=12, hour=10, zone=SHANGHAI, year=2026):
    return Span(datetime(year, month, day, hour, tzinfo=zone), datetime(year, month, day, hour + 1, tzinfo=zone))


def local_days(occurrences, zone=SHANGHAI):
    return [o.span.starts_at.astimezone(zone).strftime("%m-%d %H:%M") for o in occurrences]


def test_weekly_series_crosses_a_month_boundary():
    series = expand_series("FREQ=WEEKLY;COUNT=4", first(day=17, month=11), SHANGHAI, HORIZON)
    assert local_days(series) == ["11-17 10:00", "11-24 10:00", "12-01 10:00", "12-08 10:00"]


def test_series_keeps_its_wall_clock_time_across_a_dst_change():
    series = expand_series("RRULE:FREQ=WEEKLY;COUNT=3", first(day=20, month=3, zone=BERLIN), BERLIN, HORIZON)
    assert local_days(series, BERLIN) == ["03-20 10:00", "03-27 10:00", "04-03 10:00"]
    utc_hours = [o.span.starts_at.astimezone(timezone.utc).hour for o in series]
    assert utc_hours == [9, 9, 8]
    assert all(o.span.duration == timedelta(hours=1) for o in series)


def test_byday_and_until_in_utc_are_read_in_the_park_zone():
    series = expand_series("FREQ=WEEKLY;BYDAY=TU,TH;UNTIL=20261210T020000Z", first(day=1), SHANGHAI, HORIZON)
    assert local_days(series) == ["12-01 10:00", "12-03 10:00", "12-08 10:00", "12-10 10:00"]


@pytest.mark.parametrize(
    "rule",
    ["", "FREQ=WEEKLY", "FREQ=SOMETIMES;COUNT=3", "COUNT=3", "FREQ=WEEKLY;COUNT=x",
     "DTSTART:20261201T100000\nRRULE:FREQ=WEEKLY;COUNT=2", "FREQ=HOURLY;COUNT=3", "FREQ=WEEKLY;COUNT=3;FOO=1"],
)
def test_bad_or_unbounded_rules_are_refused_naming_recurrence(rule):
    with pytest.raises(RecurrenceError) as caught:
        expand_series(rule, first(), SHANGHAI, HORIZON)
    assert caught.value.field == "recurrence"


def test_series_reaching_past_the_horizon_is_refused():
    with pytest.raises(RecurrenceError, match="2026-12-20"):
        expand_series("FREQ=WEEKLY;COUNT=5", first(), SHANGHAI, at(20, 12))


def test_series_longer_than_the_limit_is_refused():
    with pytest.raises(RecurrenceError, match="at most 10"):
        expand_series("FREQ=DAILY;COUNT=11", first(), SHANGHAI, HORIZON, max_occurrences=10)
    assert len(expand_series("FREQ=DAILY;COUNT=10", first(), SHANGHAI, HORIZON, max_occurrences=10)) == 10


def test_the_forms_repeat_choices_become_bounded_rules():
    from park.bookings.recurrence import RecurrenceError, rrule_for

    assert rrule_for("weekly", 4) == "FREQ=WEEKLY;COUNT=4"
    assert rrule_for("weekdays", 5) == "FREQ=DAILY;BYDAY=MO,TU,WE,TH,FR;COUNT=5"
    for repeat, count in (("hourly", 4), ("weekly", 1), ("weekly", 53)):
        try:
            rrule_for(repeat, count)
        except RecurrenceError:
            continue
        raise AssertionError(f"{repeat} x {count} should be refused")
