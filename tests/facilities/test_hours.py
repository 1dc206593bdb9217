"""Opening hours: validation and open spans across daylight-saving changes."""

from datetime import datetime, timedelta, timezone
from zoneinfo import ZoneInfo

import pytest

from park.facilities.hours import DEFAULT_HOURS, HoursError, open_spans, parse_hours
from park.shared.timespan import Span, total_duration

SHANGHAI = ZoneInfo("Asia/Shanghai")
BERLIN = ZoneInfo("Europe/Berlin")
ALL_DAY = {day: [["00:00", "24:00"]] for day in ("mon", "tue", "wed", "thu", "fri", "sat", "sun")}


def local_day(year, month, day, zone):
    starts_at = datetime(year, month, day, tzinfo=zone)
    ends_at = datetime.combine(starts_at.date() + timedelta(days=1), datetime.min.time(), tzinfo=zone)
    return Span(starts_at, ends_at)


def test_missing_hours_give_monday_to_friday_nine_to_six():
    hours = parse_hours(None)
    assert hours == DEFAULT_HOURS
    assert hours.to_contract()["mon"] == [["09:00", "18:00"]]
    assert hours.to_contract()["sat"] == []


def test_missing_or_empty_weekday_is_closed():
    hours = parse_hours({"mon": [["09:00", "12:00"], ["13:00", "18:00"]], "tue": []})
    assert hours.to_contract()["mon"] == [["09:00", "12:00"], ["13:00", "18:00"]]
    assert hours.to_contract()["tue"] == []
    assert hours.to_contract()["wed"] == []


@pytest.mark.parametrize(
    ("raw", "field"),
    [
        ({"mon": [["09:00", "12:00"], ["11:00", "13:00"]]}, "opening_hours.mon"),
        ({"tue": [["9am", "12:00"]]}, "opening_hours.tue[0]"),
        ({"wed": [["25:00", "26:00"]]}, "opening_hours.wed[0]"),
        ({"thu": [["12:00", "09:00"]]}, "opening_hours.thu[0]"),
        ({"fri": [["09:00", "09:00"]]}, "opening_hours.fri[0]"),
        ({"fri": [["09:00"]]}, "opening_hours.fri[0]"),
        ({"funday": [["09:00", "12:00"]]}, "opening_hours.funday"),
        ({"sat": "09:00-12:00"}, "opening_hours.sat"),
    ],
)
def test_invalid_hours_name_the_field_at_fault(raw, field):
    with pytest.raises(HoursError) as caught:
        parse_hours(raw)
    assert caught.value.field == field


def test_twenty_four_hundred_means_the_next_midnight():
    hours = parse_hours(ALL_DAY)
    spans = open_spans(hours, local_day(2026, 12, 1, SHANGHAI), SHANGHAI)
    assert spans == [local_day(2026, 12, 1, SHANGHAI)]


def test_open_spans_are_in_utc_and_cut_to_the_window():
    hours = parse_hours({"tue": [["09:00", "12:00"], ["13:00", "18:00"]]})
    window = Span(datetime(2026, 12, 1, 10, tzinfo=SHANGHAI), datetime(2026, 12, 2, tzinfo=SHANGHAI))
    spans = open_spans(hours, window, SHANGHAI)
    assert spans == [
        Span(datetime(2026, 12, 1, 2, tzinfo=timezone.utc), datetime(2026, 12, 1, 4, tzinfo=timezone.utc)),
        Span(datetime(2026, 12, 1, 5, tzinfo=timezone.utc), datetime(2026, 12, 1, 10, tzinfo=timezone.utc)),
    ]


def test_touching_ranges_are_joined_into_one_open_period():
    hours = parse_hours({"mon": [["09:00", "12:00"], ["12:00", "18:00"]]})
    spans = open_spans(hours, local_day(2026, 11, 30, SHANGHAI), SHANGHAI)
    assert len(spans) == 1 and spans[0].duration == timedelta(hours=9)


def test_spring_forward_day_in_berlin_is_23_hours_long():
    spans = open_spans(parse_hours(ALL_DAY), local_day(2026, 3, 29, BERLIN), BERLIN)
    assert total_duration(spans) == timedelta(hours=23)


def test_fall_back_day_in_berlin_is_25_hours_long():
    spans = open_spans(parse_hours(ALL_DAY), local_day(2026, 10, 25, BERLIN), BERLIN)
    assert total_duration(spans) == timedelta(hours=25)


def test_office_hours_keep_their_wall_clock_across_a_dst_change():
    hours = parse_hours({"fri": [["09:00", "18:00"]], "mon": [["09:00", "18:00"]]})
    window = Span(datetime(2026, 3, 27, tzinfo=BERLIN), datetime(2026, 3, 31, tzinfo=BERLIN))
    friday, monday = open_spans(hours, window, BERLIN)
    assert friday.starts_at == datetime(2026, 3, 27, 8, tzinfo=timezone.utc)  # CET, UTC+1
    assert monday.starts_at == datetime(2026, 3, 30, 7, tzinfo=timezone.utc)  # CEST, UTC+2
    assert friday.duration == monday.duration == timedelta(hours=9)


def test_a_range_inside_the_dst_gap_is_not_open():
    hours = parse_hours({"sun": [["02:00", "03:00"], ["09:00", "10:00"]]})
    spans = open_spans(hours, local_day(2026, 3, 29, BERLIN), BERLIN)
    assert total_duration(spans) == timedelta(hours=1)


def test_closed_week_gives_no_spans():
    hours = parse_hours({})
    assert hours.is_closed()
    assert open_spans(hours, local_day(2026, 12, 1, SHANGHAI), SHANGHAI) == []
