"""Occupancy arithmetic checked against figures worked out by hand."""

from datetime import datetime, timedelta, timezone
from zoneinfo import ZoneInfo

import pytest
from hypothesis import given
from hypothesis import strategies as st

from park.facilities.hours import parse_hours
from park.reports.occupancy import BookedGroup, BookingRates, FacilityOpen, clip, occupancy_report, span_hours, usable_spans
from park.reports.space import SpaceGroup, space_report
from park.reports.heatmap import heat_map, hour_cells, booked_by_cell, bucket_seconds, daily_figures, open_by_cell, seat_seconds_by_step
from park.shared.timespan import Span

SHANGHAI = ZoneInfo("Asia/Shanghai")
BERLIN = ZoneInfo("Europe/Berlin")
START = datetime(2026, 11, 23, 16, tzinfo=timezone.utc)  # 24 Nov 00:00 Shanghai
END = START + timedelta(days=1)


def make_facility(**overrides) -> FacilityOpen:
    values = dict(
        facility_id=1,
        name="Room A",
        kind="meeting_room",
        building_id=10,
        building_name="Building 1",
        capacity=1,
        open_hours=9.0,
        platform="",
    )
    values.update(overrides)
    return FacilityOpen(**values)


def test_utilization_is_booked_seat_hours_over_open_seat_hours_worked_by_hand():
    # A 6-seat lab open 9 h offers 54 seat-hours; bookings of 2 seats × 3 h
    # and 6 seats × 1 h use 12 seat-hours: 12 / 54 = 0.2222.
    lab = make_facility(facility_id=2, name="Lab", kind="lab", capacity=6)
    report = occupancy_report(
        "facility", START, END, [lab], [BookedGroup("2", "Lab", 2 * 3 + 6 * 1)]
    )
    (row,) = report.rows
    assert row.open_hours == 54
    assert row.booked_hours == 12
    assert row.utilization == pytest.approx(12 / 54)
    assert row.as_dict() == {
        "key": "2", "label": "Lab", "label_en": "Lab", "open_hours": 54.0, "booked_hours": 12.0,
        "utilization": 0.2222,
    }


def test_grouping_by_kind_adds_open_and_booked_seat_hours_of_its_facilities():
    room_a = make_facility(facility_id=1, name="Room A", open_hours=9)
    room_b = make_facility(facility_id=2, name="Room B", open_hours=5)
    lab = make_facility(facility_id=3, name="Lab", kind="lab", capacity=4, open_hours=10)
    report = occupancy_report(
        "kind", START, END, [room_a, room_b, lab],
        [BookedGroup("meeting_room", "meeting_room", 7), BookedGroup("lab", "lab", 10)],
    )
    rows = {row.key: row for row in report.rows}
    assert rows["meeting_room"].open_hours == 14
    assert rows["meeting_room"].utilization == pytest.approx(0.5)
    assert rows["lab"].open_hours == 40
    assert rows["lab"].utilization == pytest.approx(0.25)
    assert report.totals.open_hours == 54
    assert report.totals.booked_hours == 17
    assert report.totals.utilization == pytest.approx(17 / 54)


def test_a_facility_nobody_booked_still_gets_a_row_with_zero_utilization():
    report = occupancy_report("facility", START, END, [make_facility()], [])
    (row,) = report.rows
    assert row.booked_hours == 0
    assert row.utilization == 0


def test_a_group_that_was_never_open_has_no_utilization_rather_than_a_division_error():
    closed = make_facility(open_hours=0)
    report = occupancy_report("facility", START, END, [closed], [])
    assert report.rows[0].utilization is None
    assert report.rows[0].as_dict()["utilization"] is None
    assert report.totals.utilization is None


def test_tenant_rows_carry_their_share_of_all_booked_hours_and_hours_by_kind_not_a_utilization():
    facilities = [make_facility(open_hours=10), make_facility(facility_id=2, open_hours=10)]
    booked = [
        BookedGroup("7", "Firm A", 5, by_kind=(("lab", 2), ("meeting_room", 3))),
        BookedGroup("8", "Firm B", 3, by_kind=(("lab", 3),)),
    ]
    report = occupancy_report("tenant", START, END, facilities, booked)
    assert [row.label for row in report.rows] == ["Firm A", "Firm B"]
    assert [row.share_of_booked for row in report.rows] == [pytest.approx(5 / 8), pytest.approx(3 / 8)]
    assert all(row.utilization is None for row in report.rows)  # a firm has no open hours of its own
    first = report.rows[0].as_dict()
    assert first["share_of_booked"] == 0.625 and first["utilization"] is None
    assert first["booked_hours_by_kind"] == {"lab": 2, "meeting_room": 3}
    assert report.totals.utilization == pytest.approx(8 / 20)
    assert "share_of_booked" not in occupancy_report("facility", START, END, facilities, []).rows[0].as_dict()


def test_grouping_by_building_and_platform_uses_their_keys():
    a = make_facility(facility_id=1, building_id=10, building_name="B1", platform="Media lab")
    b = make_facility(facility_id=2, building_id=11, building_name="B2", platform="")
    by_building = occupancy_report("building", START, END, [a, b], [])
    assert [(row.key, row.label) for row in by_building.rows] == [("10", "B1"), ("11", "B2")]
    by_platform = occupancy_report("platform", START, END, [a, b], [])
    assert {row.key for row in by_platform.rows} == {"Media lab", ""}


def test_an_unknown_grouping_is_refused():
    with pytest.raises(ValueError):
        occupancy_report("colour", START, END, [], [])


def test_clip_keeps_only_the_part_of_a_booking_inside_the_window():
    night = (START - timedelta(hours=2), START + timedelta(hours=3))
    assert clip(*night, START, END) == (START, START + timedelta(hours=3))
    assert clip(END, END + timedelta(hours=1), START, END) is None
    assert span_hours([Span(*clip(*night, START, END))]) == 3


def test_a_shanghai_day_has_24_hour_cells_starting_at_local_midnight():
    cells = hour_cells(START, END, SHANGHAI)
    assert len(cells) == 24
    assert (cells[0].weekday, cells[0].hour) == (1, 0)  # Tuesday 00:00
    assert cells[0].starts_at == START
    assert all(cell.ends_at - cell.starts_at == timedelta(hours=1) for cell in cells)


def test_spring_forward_day_has_23_cells_and_no_two_oclock():
    start = datetime(2026, 3, 28, 23, tzinfo=timezone.utc)
    cells = hour_cells(start, start + timedelta(hours=23), BERLIN)
    assert len(cells) == 23
    assert 2 not in [cell.hour for cell in cells]


def test_fall_back_day_has_one_two_hour_cell_for_the_repeated_hour():
    start = datetime(2026, 10, 24, 22, tzinfo=timezone.utc)
    cells = hour_cells(start, start + timedelta(hours=25), BERLIN)
    assert len(cells) == 24
    (repeated,) = [cell for cell in cells if cell.hour == 2]
    assert repeated.ends_at - repeated.starts_at == timedelta(hours=2)


def test_cells_of_a_window_not_on_the_hour_are_cut_at_the_hour():
    start = START + timedelta(minutes=20)
    cells = hour_cells(start, start + timedelta(hours=1), SHANGHAI)
    assert [(cell.hour, cell.ends_at - cell.starts_at) for cell in cells] == [
        (0, timedelta(minutes=40)),
        (1, timedelta(minutes=20)),
    ]


def test_heat_map_divides_booked_by_open_seat_hours_per_weekday_and_hour():
    cells = hour_cells(START, END, SHANGHAI)
    nine = START + timedelta(hours=9)
    # A 4-seat lab open 09:00-11:00; 3 seat-hours booked at 09, none at 10.
    result = heat_map(cells, [(4, [Span(nine, nine + timedelta(hours=2))])], {9: 3.0})
    assert result.open_seat_hours[(1, 9)] == 4
    assert result.utilization(1, 9) == pytest.approx(0.75)
    assert result.utilization(1, 10) == 0
    assert result.utilization(1, 8) is None
    assert result.busiest() == (1, 9)
    grid = result.as_dict()["utilization"]
    assert grid[1][9] == 0.75 and grid[0][9] is None


def test_no_show_rate_counts_only_bookings_whose_time_came():
    rates = BookingRates({"completed": 6, "checked_in": 1, "no_show": 3, "cancelled": 5,
                          "confirmed": 5, "rejected": 4})
    assert rates.no_show_rate == pytest.approx(3 / 10)
    assert rates.cancellation_rate == pytest.approx(5 / 20)
    assert BookingRates({}).no_show_rate is None


def test_space_occupancy_rolls_building_and_kind_up_worked_by_hand():
    groups = [
        SpaceGroup(1, "B1", "office", leasable_m2=300, leased_m2=150),
        SpaceGroup(1, "B1", "lab", leasable_m2=100, leased_m2=100),
        SpaceGroup(2, "B2", "office", leasable_m2=200, leased_m2=0),
    ]
    report = space_report(groups)
    buildings = {row.label: row for row in report.by_building}
    assert buildings["B1"].occupancy == pytest.approx(250 / 400)
    assert buildings["B2"].occupancy == 0
    kinds = {row.key: row for row in report.by_kind}
    assert kinds["office"].occupancy == pytest.approx(150 / 500)
    assert report.totals.occupancy == pytest.approx(250 / 600)
    assert report.totals.as_dict()["vacant_m2"] == 350


def test_open_hours_on_berlin_change_days_follow_the_wall_clock_less_blackouts():
    # Open round the clock on Sunday: 23 h on the spring day, 25 h on the autumn one.
    hours = parse_hours({"sun": [["00:00", "24:00"]]})
    spring = Span(datetime(2026, 3, 28, 23, tzinfo=timezone.utc),
                  datetime(2026, 3, 29, 22, tzinfo=timezone.utc))
    autumn = Span(datetime(2026, 10, 24, 22, tzinfo=timezone.utc),
                  datetime(2026, 10, 25, 23, tzinfo=timezone.utc))
    assert span_hours(usable_spans(hours, spring, BERLIN)) == 23
    assert span_hours(usable_spans(hours, autumn, BERLIN)) == 25
    blackout = Span(autumn.starts_at + timedelta(hours=1), autumn.starts_at + timedelta(hours=4))
    assert span_hours(usable_spans(hours, autumn, BERLIN, [blackout])) == 22


def test_database_steps_are_hours_in_whole_hour_zones_and_quarters_in_kolkata():
    assert bucket_seconds(hour_cells(START, END, SHANGHAI)) == 3600
    kolkata = ZoneInfo("Asia/Kolkata")
    assert bucket_seconds(hour_cells(START, END, kolkata)) == 900


def test_booked_seat_seconds_per_step_land_in_the_local_hour_cell():
    cells = hour_cells(START, END, SHANGHAI)
    nine_local = START + timedelta(hours=9)
    step = int(nine_local.timestamp()) // 3600
    booked = booked_by_cell(cells, 3600, {step: 5400.0, step + 1: 1800.0})
    assert booked[9] == 1.5 and booked[10] == 0.5
    assert sum(booked) == 2.0


def test_daily_figures_of_a_berlin_autumn_week_count_the_25_hour_day():
    start = datetime(2026, 10, 18, 22, tzinfo=timezone.utc)  # Mon 19 Oct 00:00 CEST
    end = datetime(2026, 10, 25, 23, tzinfo=timezone.utc)  # Mon 26 Oct 00:00 CET
    cells = hour_cells(start, end, BERLIN)
    round_the_clock = [(1, [Span(start, end)])]
    opened = open_by_cell(cells, round_the_clock)
    days = daily_figures(cells, opened, [0.0] * len(cells))
    assert [figure.open_hours for figure in days] == [24] * 6 + [25]
    assert days[-1].day.isoformat() == "2026-10-25"


def brute_force_steps(size_s: int, bookings: list[tuple[int, int, int]]) -> dict[int, int]:
    result: dict[int, int] = {}
    for start, end, seats in bookings:
        for step in range(start // size_s, (end - 1) // size_s + 1):
            overlap = min(end, (step + 1) * size_s) - max(start, step * size_s)
            if overlap > 0:
                result[step] = result.get(step, 0) + seats * overlap
    return result


def edge_sums(size_s: int, bookings: list[tuple[int, int, int]]) -> list[tuple[str, int, int, int]]:
    sums: dict[tuple[str, int], list[int]] = {}
    for start, end, seats in bookings:
        for edge, instant in (("s", start), ("e", end)):
            entry = sums.setdefault((edge, instant // size_s), [0, 0])
            entry[0] += seats
            entry[1] += seats * instant
    return [(edge, step, seats, weighted) for (edge, step), (seats, weighted) in sums.items()]


@given(
    st.lists(
        st.tuples(st.integers(0, 40_000), st.integers(1, 30_000), st.integers(1, 5)),
        max_size=40,
    ),
    st.sampled_from([900, 3600]),
)
def test_time_per_step_from_edge_sums_equals_spreading_each_booking(raw, size_s):
    epoch_offset = 1_793_462_400  # keep the instants at realistic magnitudes
    bookings = [(epoch_offset + start, epoch_offset + start + length, seats) for start, length, seats in raw]
    assert seat_seconds_by_step(size_s, edge_sums(size_s, bookings)) == brute_force_steps(size_s, bookings)


def test_a_booking_crossing_midnight_is_split_between_the_hours_it_touches():
    # 23:30 to 01:15 with 2 seats, in hour steps from hour 0.
    bookings = [(23 * 3600 + 1800, 25 * 3600 + 900, 2)]
    assert seat_seconds_by_step(3600, edge_sums(3600, bookings)) == {23: 3600, 24: 7200, 25: 1800}
