"""The facility form's opening-hours rows: read as typed, checked row by row, turned into the contract's hours."""

from __future__ import annotations

import pytest

from park.facilities.hours import (
    MAX_RANGES_PER_DAY, HoursRow, form_fields, hours_from_rows, parse_hours, rows_from_form, rows_from_hours, slot_grid,
    with_row_added, with_row_removed,
)


def rows(**days: list[tuple[str, str]]) -> dict[str, list[HoursRow]]:
    return rows_from_form({f"hours_{day}_{i}_{part}": value for day, ranges in days.items()
                           for i, pair in enumerate(ranges) for part, value in zip(("start", "end"), pair)})


def test_rows_become_the_contracts_hours_sorted_with_blank_rows_and_days_closed():
    hours, problems = hours_from_rows(rows(mon=[("13:30", "18:00"), ("", ""), ("09:00", "12:00")]), 30)
    assert problems == {}
    assert hours["mon"] == [["09:00", "12:00"], ["13:30", "18:00"]]
    assert hours["tue"] == [] and set(hours) == {"mon", "tue", "wed", "thu", "fri", "sat", "sun"}
    assert parse_hours(hours).to_contract() == hours


def test_an_end_of_midnight_is_the_end_of_the_day_and_shows_again_as_midnight():
    hours, problems = hours_from_rows(rows(sat=[("00:00", "00:00")], sun=[("18:00", "00:00")]), 60)
    assert problems == {}
    assert hours["sat"] == [["00:00", "24:00"]] and hours["sun"] == [["18:00", "24:00"]]
    shown = rows_from_hours(hours)
    assert shown["sun"] == [HoursRow(0, "18:00", "00:00")]
    assert hours_from_rows(rows_from_form(form_fields(shown)), 60)[0] == hours


@pytest.mark.parametrize(
    ("typed", "slot", "key", "words"),
    [
        ([("09:00", "")], 30, "hours_mon_0", "Give both"),
        ([("", "12:00")], 30, "hours_mon_0", "Give both"),
        ([("12:00", "09:00")], 30, "hours_mon_0", "not after its start"),
        ([("09:00", "09:00")], 30, "hours_mon_0", "not after its start"),
        ([("9am", "12:00")], 30, "hours_mon_0", "is not a time"),
        ([("24:00", "24:00")], 30, "hours_mon_0", "cannot start at 24:00"),
        ([("09:15", "12:00")], 30, "hours_mon_0", "off the 30-minute slot grid"),
        ([("09:00", "17:45")], 60, "hours_mon_0", "off the 60-minute slot grid"),
        ([("09:00", "12:00"), ("11:00", "13:00")], 30, "hours_mon_1", "overlap"),
        ([("11:00", "13:00"), ("09:00", "12:00")], 30, "hours_mon_0", "overlap"),
    ],
)
def test_a_row_that_cannot_be_used_is_named_with_why(typed, slot, key, words):
    hours, problems = hours_from_rows(rows(mon=typed), slot)
    assert list(problems) == [key]
    assert words in problems[key].message


def test_the_grid_message_offers_the_times_either_side():
    _hours, problems = hours_from_rows(rows(tue=[("09:10", "12:00")]), 15)
    error = problems["hours_tue_0"]
    assert error.params == {"time": "09:10", "minutes": "15", "before": "09:00", "after": "09:15"}


def test_ranges_that_touch_do_not_overlap():
    hours, problems = hours_from_rows(rows(wed=[("09:00", "12:00"), ("12:00", "18:00")]), 30)
    assert problems == {} and hours["wed"] == [["09:00", "12:00"], ["12:00", "18:00"]]


def test_a_slot_that_does_not_divide_a_day_leaves_any_minute():
    assert slot_grid(30) == 30 and slot_grid(45) == 45 and slot_grid(1440) == 1440
    assert slot_grid(50) == 1 and slot_grid(None) == 1 and slot_grid(0) == 1
    assert hours_from_rows(rows(mon=[("09:07", "11:17")]), 50)[1] == {}


def test_times_with_seconds_or_one_digit_hours_are_read():
    hours, problems = hours_from_rows(rows(thu=[("9:00", "12:30:00")]), 30)
    assert problems == {} and hours["thu"] == [["09:00", "12:30"]]


def test_every_day_shows_at_least_one_row_and_rows_keep_their_numbers():
    shown = rows_from_form({"hours_mon_2_start": "09:00", "hours_mon_2_end": "10:00"})
    assert shown["mon"] == [HoursRow(2, "09:00", "10:00")] and shown["sun"] == [HoursRow(0)]


def test_adding_a_row_takes_the_first_free_number_up_to_the_most_a_day():
    shown = rows(fri=[("09:00", "12:00")])
    added = with_row_added(shown, "fri")
    assert [row.index for row in added["fri"]] == [0, 1] and added["fri"][1].blank
    full = shown
    for _ in range(MAX_RANGES_PER_DAY + 2):
        full = with_row_added(full, "fri")
    assert len(full["fri"]) == MAX_RANGES_PER_DAY
    assert with_row_added(shown, "someday") == shown


def test_removing_a_row_keeps_the_others_and_the_last_leaves_a_blank_row():
    shown = rows(sat=[("09:00", "12:00"), ("13:00", "17:00")])
    assert with_row_removed(shown, "sat_0")["sat"] == [HoursRow(1, "13:00", "17:00")]
    assert with_row_removed(with_row_removed(shown, "sat_0"), "sat_1")["sat"] == [HoursRow(0)]
    assert with_row_removed(shown, "nonsense") == shown and with_row_removed(shown, "sat_x") == shown


def test_a_day_saved_with_more_ranges_than_the_form_adds_keeps_them_all_through_the_form():
    many = {"mon": [[f"{hour:02d}:00", f"{hour:02d}:30"] for hour in range(8, 8 + MAX_RANGES_PER_DAY + 2)]}
    shown = rows_from_form(form_fields(rows_from_hours(many)))
    assert len(shown["mon"]) == MAX_RANGES_PER_DAY + 2
    assert hours_from_rows(shown, 30)[0]["mon"] == many["mon"]
    assert len(with_row_added(shown, "mon")["mon"]) == MAX_RANGES_PER_DAY + 2, "no more added past the most"


def test_fields_that_are_not_the_forms_are_ignored():
    shown = rows_from_form({"hours_mon_x_start": "09:00", "hours_xyz_0_start": "09:00", "hours_mon_100_start": "09:00"})
    assert all(day_rows == [HoursRow(0)] for day_rows in shown.values())
