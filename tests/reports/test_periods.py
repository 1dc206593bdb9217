"""Report periods and windows in the park's time zone, across daylight saving."""

from datetime import date, datetime, timedelta, timezone
from zoneinfo import ZoneInfo

import pytest

from park.reports.periods import (
    DAILY,
    MONTHLY,
    WEEKLY,
    Period,
    PeriodError,
    parse_period,
    parse_window,
    parse_window_bound,
    period_containing,
    periods_ended_between,
)

SHANGHAI = ZoneInfo("Asia/Shanghai")
BERLIN = ZoneInfo("Europe/Berlin")


def utc(*parts: int) -> datetime:
    return datetime(*parts, tzinfo=timezone.utc)


def hours(period: Period, zone: ZoneInfo) -> float:
    start, end = period.bounds(zone)
    return (end - start).total_seconds() / 3600


def test_daily_period_is_read_and_written_back_as_the_same_date():
    period = parse_period(DAILY, "2026-11-24")
    assert period.first_day == date(2026, 11, 24)
    assert period.label == "2026-11-24"


def test_iso_week_starts_on_monday():
    period = parse_period(WEEKLY, "2026-W48")
    assert period.first_day == date(2026, 11, 23)
    assert period.first_day.weekday() == 0
    assert period.end_day == date(2026, 11, 30)
    assert period.label == "2026-W48"


def test_iso_week_one_may_begin_in_the_previous_year():
    period = parse_period(WEEKLY, "2026-W01")
    assert period.first_day == date(2025, 12, 29)
    assert period.label == "2026-W01"


def test_monthly_period_ends_on_the_first_of_the_next_month_even_in_december():
    period = parse_period(MONTHLY, "2026-12")
    assert period.first_day == date(2026, 12, 1)
    assert period.end_day == date(2027, 1, 1)
    assert period.label == "2026-12"


@pytest.mark.parametrize(
    ("kind", "text"),
    [
        (DAILY, "2026-W48"),
        (DAILY, "2026-02-30"),
        (DAILY, "24/11/2026"),
        (WEEKLY, "2026-11-24"),
        (WEEKLY, "2026-W54"),
        (WEEKLY, "2026-W00"),
        (MONTHLY, "2026-13"),
        (MONTHLY, "2026-1"),
        (MONTHLY, ""),
    ],
)
def test_a_malformed_or_impossible_period_is_a_validation_error_naming_the_field(kind, text):
    with pytest.raises(PeriodError) as caught:
        parse_period(kind, text)
    assert caught.value.field == "period"
    assert caught.value.message


def test_an_unknown_period_kind_is_refused():
    with pytest.raises(PeriodError) as caught:
        parse_period("yearly", "2026")
    assert caught.value.field == "kind"


def test_a_day_in_shanghai_starts_at_sixteen_hundred_utc_the_day_before():
    start, end = parse_period(DAILY, "2026-11-24").bounds(SHANGHAI)
    assert start == utc(2026, 11, 23, 16)
    assert end == utc(2026, 11, 24, 16)


def test_spring_forward_day_in_berlin_lasts_23_hours():
    period = parse_period(DAILY, "2026-03-29")
    assert hours(period, BERLIN) == 23
    assert period.bounds(BERLIN) == (utc(2026, 3, 28, 23), utc(2026, 3, 29, 22))


def test_fall_back_day_in_berlin_lasts_25_hours():
    period = parse_period(DAILY, "2026-10-25")
    assert hours(period, BERLIN) == 25
    assert period.bounds(BERLIN) == (utc(2026, 10, 24, 22), utc(2026, 10, 25, 23))


def test_weeks_and_months_containing_a_clock_change_gain_or_lose_an_hour():
    assert hours(parse_period(WEEKLY, "2026-W13"), BERLIN) == 7 * 24 - 1
    assert hours(parse_period(MONTHLY, "2026-10"), BERLIN) == 31 * 24 + 1
    assert hours(parse_period(MONTHLY, "2026-10"), SHANGHAI) == 31 * 24


def test_period_containing_an_instant_uses_the_local_date():
    # 17:00 UTC on the 23rd is 01:00 on the 24th in Shanghai.
    instant = utc(2026, 11, 23, 17)
    assert period_containing(DAILY, instant, SHANGHAI).label == "2026-11-24"
    assert period_containing(DAILY, instant, BERLIN).label == "2026-11-23"
    assert period_containing(WEEKLY, instant, SHANGHAI).label == "2026-W48"
    assert period_containing(MONTHLY, utc(2026, 11, 30, 16), SHANGHAI).label == "2026-12"


def test_consecutive_periods_meet_without_gap_or_overlap_across_a_year_in_berlin():
    for kind, first in ((DAILY, "2026-01-01"), (WEEKLY, "2026-W01"), (MONTHLY, "2026-01")):
        period = parse_period(kind, first)
        covered = timedelta()
        year_start, _ = period.bounds(BERLIN)
        while period.first_day.year == 2026:
            start, end = period.bounds(BERLIN)
            assert period.next().bounds(BERLIN)[0] == end
            assert period.next().previous() == period
            covered += end - start
            period = period.next()
        assert covered == period.bounds(BERLIN)[0] - year_start


def test_catch_up_lists_each_missed_day_once_oldest_first():
    last_done_end = parse_period(DAILY, "2026-11-20").bounds(SHANGHAI)[1]
    now = utc(2026, 11, 24, 2)  # 10:00 on the 24th in Shanghai
    missed = periods_ended_between(DAILY, last_done_end, now, SHANGHAI)
    assert [period.label for period in missed] == ["2026-11-21", "2026-11-22", "2026-11-23"]


def test_catch_up_includes_a_period_that_ended_exactly_now_and_not_the_current_one():
    end_of_w47 = parse_period(WEEKLY, "2026-W47").bounds(SHANGHAI)[1]
    missed = periods_ended_between(WEEKLY, end_of_w47 - timedelta(days=7), end_of_w47, SHANGHAI)
    assert [period.label for period in missed] == ["2026-W47"]


def test_catch_up_after_a_long_gap_keeps_only_the_most_recent_periods_when_limited():
    missed = periods_ended_between(
        MONTHLY, utc(2020, 1, 1), utc(2026, 11, 24), SHANGHAI, limit=3
    )
    assert [period.label for period in missed] == ["2026-08", "2026-09", "2026-10"]


def test_catch_up_with_nothing_missed_is_empty():
    now = utc(2026, 11, 24, 2)
    assert periods_ended_between(DAILY, now, now, SHANGHAI) == []
    end_of_yesterday = parse_period(DAILY, "2026-11-23").bounds(SHANGHAI)[1]
    assert periods_ended_between(DAILY, end_of_yesterday, now, SHANGHAI) == []


def test_window_dates_mean_park_local_midnight():
    window = parse_window("2026-11-01", "2026-12-01", SHANGHAI)
    assert window.starts_at == utc(2026, 10, 31, 16)
    assert window.ends_at == utc(2026, 11, 30, 16)
    assert window.hours == 30 * 24


def test_window_accepts_rfc3339_times_with_offsets_and_z():
    assert parse_window_bound("2026-11-24T09:00:00+08:00", SHANGHAI, "from") == utc(2026, 11, 24, 1)
    assert parse_window_bound("2026-11-24T01:00:00Z", SHANGHAI, "from") == utc(2026, 11, 24, 1)
    assert parse_window_bound("2026-11-24T01:00:00.5+00:00", SHANGHAI, "to").microsecond == 500000


def test_window_time_without_offset_is_refused_with_a_message_saying_so():
    with pytest.raises(PeriodError) as caught:
        parse_window_bound("2026-11-24T09:00:00", SHANGHAI, "from")
    assert caught.value.field == "from"
    assert "offset" in caught.value.message


@pytest.mark.parametrize("text", ["", "yesterday", "2026-11-31", "2026-11-24T25:00:00Z"])
def test_window_bound_that_is_not_a_date_or_time_is_refused(text):
    with pytest.raises(PeriodError):
        parse_window_bound(text, SHANGHAI, "to")


def test_window_must_end_after_it_starts_and_not_span_years():
    with pytest.raises(PeriodError) as caught:
        parse_window("2026-11-24", "2026-11-24", SHANGHAI)
    assert caught.value.field == "to"
    with pytest.raises(PeriodError):
        parse_window("2020-01-01", "2026-01-01", SHANGHAI)
