"""Report figures from the database against figures worked out by hand."""

from __future__ import annotations

import asyncio
from datetime import timedelta, timezone

import pytest

from park.facilities.model import FACILITY_KINDS
from park.reports import queries, service, snapshot_queries, snapshots, space_queries
from park.reports.periods import Window, parse_period
from tests import builders
from tests.builders import (
    BERLIN,
    ROUND_THE_CLOCK,
    SHANGHAI,
    create_booking,
    create_building,
    create_facility,
    create_unit,
    local,
)

# Monday 23 and Tuesday 24 November 2026, park-local.
WINDOW = Window(local(2026, 11, 23).astimezone(timezone.utc), local(2026, 11, 25).astimezone(timezone.utc))


@pytest.fixture
async def park(db, tenant, other_tenant, member):
    """A meeting room (1 seat, 09–18 weekdays) and a 4-seat lab open round the clock,
    with bookings that cross midnight and the window's ends.

    Worked by hand over WINDOW (two days):
    room  open 2 × 9 h × 1 seat = 18 seat-hours; booked 3 + 1 = 4
    lab   open 2 × 24 h × 4 seats = 192 seat-hours;
          booked 2×2 (22:00–02:00 from the day before, only 00–02 inside)
               + 3×4 (Tue 20:00 – Wed 01:00, only 20–24 inside)
               + 4×1 (Mon 09–10, all four seats) = 20
    total 24 / 210
    """
    building = await create_building(code="A1")
    room = await create_facility(building["id"], name="路演厅", name_en="Pitch room")
    lab = await create_facility(
        building["id"], name="动作捕捉实验室", name_en="Motion capture lab", kind="lab",
        capacity=4, opening_hours=ROUND_THE_CLOCK,
    )
    mine, theirs, user = tenant["id"], other_tenant["id"], member.id
    await create_booking(room["id"], mine, user, local(2026, 11, 23, 9), local(2026, 11, 23, 12))
    await create_booking(room["id"], mine, user, local(2026, 11, 24, 17), local(2026, 11, 24, 18), status="completed")
    await create_booking(room["id"], mine, user, local(2026, 11, 23, 13), local(2026, 11, 23, 14), status="cancelled")
    await create_booking(lab["id"], mine, user, local(2026, 11, 22, 22), local(2026, 11, 23, 2), seats=2)
    await create_booking(lab["id"], theirs, user, local(2026, 11, 24, 20), local(2026, 11, 25, 1), seats=3)
    await create_booking(lab["id"], theirs, user, local(2026, 11, 23, 9), local(2026, 11, 23, 10), seats=4,
                         status="checked_in")
    await create_booking(lab["id"], theirs, user, local(2026, 11, 23, 14), local(2026, 11, 23, 15), status="no_show")
    # Outside the window altogether: must not count.
    await create_booking(room["id"], mine, user, local(2026, 11, 25, 9), local(2026, 11, 25, 10))
    return {"room": room, "lab": lab, "mine": mine, "theirs": theirs}


async def test_utilization_by_facility_matches_the_hand_count(park):
    report = await service.build_occupancy_report(WINDOW, "facility", SHANGHAI)
    rows = {row.key: row for row in report.rows}
    room, lab = rows[str(park["room"]["id"])], rows[str(park["lab"]["id"])]
    assert (room.open_hours, room.booked_hours) == (18, 4)
    assert (lab.open_hours, lab.booked_hours) == (192, 20)
    assert room.label == "路演厅" and room.label_en == "Pitch room"
    assert report.totals.open_hours == 210
    assert report.totals.booked_hours == 24
    assert report.totals.utilization == pytest.approx(24 / 210)


async def test_utilization_by_kind_and_building_sums_in_the_database(park):
    by_kind = await service.build_occupancy_report(WINDOW, "kind", SHANGHAI)
    assert {row.key: (row.open_hours, row.booked_hours) for row in by_kind.rows} == {
        "meeting_room": (18, 4),
        "lab": (192, 20),
    }
    by_building = await service.build_occupancy_report(WINDOW, "building", SHANGHAI)
    (row,) = by_building.rows
    assert (row.open_hours, row.booked_hours) == (210, 24)


async def test_tenant_rows_are_shares_of_all_booked_seat_hours_with_hours_by_kind(park):
    report = await service.build_occupancy_report(WINDOW, "tenant", SHANGHAI)
    rows = {row.key: row for row in report.rows}
    assert rows[str(park["mine"])].booked_hours == 3 + 1 + 4
    assert rows[str(park["theirs"])].booked_hours == 12 + 4
    assert all(row.open_hours == 210 for row in report.rows)
    assert rows[str(park["mine"])].share_of_booked == pytest.approx(8 / 24)
    assert rows[str(park["theirs"])].share_of_booked == pytest.approx(16 / 24)
    for row in report.rows:
        assert row.utilization is None
        assert sum(hours for _kind, hours in row.booked_hours_by_kind) == pytest.approx(row.booked_hours)
        assert {kind for kind, _hours in row.booked_hours_by_kind} <= set(FACILITY_KINDS)
    by_sector = await service.build_occupancy_report(WINDOW, "sector", SHANGHAI)
    assert sum(row.booked_hours for row in by_sector.rows) == 24


async def test_filters_narrow_the_report_to_one_kind(park):
    report = await service.build_occupancy_report(
        WINDOW, "facility", SHANGHAI, queries.Filters(kind="lab")
    )
    assert [row.key for row in report.rows] == [str(park["lab"]["id"])]
    assert report.totals.utilization == pytest.approx(20 / 192)


async def test_heat_map_and_days_from_the_database_match_the_hand_count(park):
    opened = await service.open_facilities(WINDOW, SHANGHAI)
    profile = await service.build_time_profile(WINDOW, SHANGHAI, opened)
    heat = profile.heat
    monday = 0
    # Mon 09:00: room 1 seat + lab 4 seats open; 1 + 4 booked.
    assert heat.open_seat_hours[(monday, 9)] == 5
    assert heat.utilization(monday, 9) == 1.0
    # Mon 00:00: only the lab is open; 2 of its 4 seats were held from the night before.
    assert heat.utilization(monday, 0) == 0.5
    # Mon 11:00: the room is booked, the lab idle.
    assert heat.utilization(monday, 11) == pytest.approx(1 / 5)
    assert [day["day"] for day in profile.daily] == ["2026-11-23", "2026-11-24"]
    assert profile.daily[0]["booked_hours"] == 3 + 4 + 4
    assert profile.daily[1]["booked_hours"] == 1 + 12


async def test_no_show_and_cancellation_rates_count_bookings_starting_in_the_window(park):
    rates = await service.booking_rates(WINDOW)
    # Starting inside: 2 confirmed, 1 completed, 1 cancelled, 1 checked in, 1 no-show.
    assert rates.no_show_rate == pytest.approx(1 / 3)
    assert rates.cancellation_rate == pytest.approx(1 / 6)


async def test_the_25_hour_day_in_berlin_counts_25_open_hours_and_the_repeated_hour(db, tenant, member):
    building = await create_building()
    lab = await create_facility(building["id"], kind="lab", capacity=2, opening_hours=ROUND_THE_CLOCK)
    # 00:00 to 04:00 on the night clocks go back lasts five hours.
    await create_booking(lab["id"], tenant["id"], member.id,
                         local(2026, 10, 25, 0, zone=BERLIN), local(2026, 10, 25, 4, zone=BERLIN))
    start, end = parse_period("daily", "2026-10-25").bounds(BERLIN)
    report = await service.build_occupancy_report(Window(start, end), "facility", BERLIN)
    (row,) = report.rows
    assert row.open_hours == 2 * 25
    assert row.booked_hours == 5
    assert row.utilization == pytest.approx(0.1)


async def test_the_23_hour_day_in_berlin_counts_23_open_hours(db, tenant, member):
    building = await create_building()
    lab = await create_facility(building["id"], kind="lab", capacity=1, opening_hours=ROUND_THE_CLOCK)
    await create_booking(lab["id"], tenant["id"], member.id,
                         local(2026, 3, 29, 1, zone=BERLIN), local(2026, 3, 29, 4, zone=BERLIN))
    start, end = parse_period("daily", "2026-03-29").bounds(BERLIN)
    report = await service.build_occupancy_report(Window(start, end), "facility", BERLIN)
    (row,) = report.rows
    assert (row.open_hours, row.booked_hours) == (23, 2)


# --- Snapshots ------------------------------------------------------------------------

NOW = local(2026, 11, 26, 0, 10).astimezone(timezone.utc)


async def outbox_rows() -> list[dict]:
    from park.shared.db import fetch

    return await fetch("SELECT to_email, subject, body FROM outbox_message WHERE kind = 'report.snapshot'")


async def test_a_snapshot_is_produced_once_and_mailed_once_to_each_manager(park, manager):
    other_manager = await builders.create_user("manager")
    first = await snapshots.produce_snapshot("daily", "2026-11-23", NOW, SHANGHAI, "https://park.test")
    again = await snapshots.produce_snapshot("daily", "2026-11-23", NOW, SHANGHAI, "https://park.test")
    assert first.created and not again.created
    assert again.snapshot.id == first.snapshot.id
    totals = first.snapshot.data["totals"]
    # Monday alone: room 3 of 9, lab 2×2 + 4 = 8 of 96.
    assert (totals["open_hours"], totals["booked_hours"]) == (105, 11)
    mails = await outbox_rows()
    assert sorted(mail["to_email"] for mail in mails) == sorted([manager.email, other_manager.email])
    assert all(f"https://park.test/reports/snapshots/{first.snapshot.id}" in mail["body"] for mail in mails)
    assert all("10.5%" in mail["subject"] for mail in mails)


async def test_racing_producers_make_one_snapshot(park, manager):
    results = await asyncio.gather(
        *(snapshots.produce_snapshot("weekly", "2026-W48", NOW + timedelta(days=5), SHANGHAI) for _ in range(4))
    )
    assert len({result.snapshot.id for result in results}) == 1
    assert sum(result.created for result in results) == 1
    assert len(await outbox_rows()) == 1


async def test_a_period_that_has_not_ended_cannot_be_snapshotted(db):
    from park.shared.errors import ValidationFailed

    with pytest.raises(ValidationFailed) as caught:
        await snapshots.produce_snapshot("monthly", "2026-11", NOW, SHANGHAI)
    assert caught.value.errors[0].field == "period"
    assert await snapshot_queries.find_snapshot("monthly", "2026-11") is None


async def test_a_malformed_period_is_a_validation_error(db):
    from park.shared.errors import ValidationFailed

    with pytest.raises(ValidationFailed):
        await snapshots.produce_snapshot("weekly", "2026-11-23", NOW, SHANGHAI)


async def test_catch_up_after_a_gap_produces_each_missed_day_once(db, manager):
    await snapshots.produce_snapshot("daily", "2026-11-20", NOW, SHANGHAI)
    made = await snapshots.catch_up("daily", NOW, SHANGHAI)
    assert [item.snapshot.period for item in made] == ["2026-11-21", "2026-11-22", "2026-11-23", "2026-11-24", "2026-11-25"]
    assert await snapshots.catch_up("daily", NOW, SHANGHAI) == []
    items, total = await snapshot_queries.list_snapshots("daily")
    assert total == 6
    assert len({item.period for item in items}) == 6


async def test_catch_up_on_a_fresh_database_makes_only_the_latest_period(db):
    made = await snapshots.catch_up("monthly", NOW, SHANGHAI)
    assert [item.snapshot.period for item in made] == ["2026-10"]


async def test_blackouts_of_a_facility_and_of_its_building_are_not_open_hours(db, tenant, member):
    from park.facilities.tables import Blackout

    building = await create_building()
    room = await create_facility(building["id"])
    lab = await create_facility(building["id"], kind="lab", capacity=4, opening_hours=ROUND_THE_CLOCK)
    await Blackout(facility=lab["id"], starts_at=local(2026, 11, 24, 10), ends_at=local(2026, 11, 24, 12)).save()
    await Blackout(building=building["id"], starts_at=local(2026, 11, 23, 9), ends_at=local(2026, 11, 23, 10)).save()
    # A blackout elsewhere in the park closes nothing here.
    other = await create_building()
    await Blackout(building=other["id"], starts_at=local(2026, 11, 23, 0), ends_at=local(2026, 11, 25, 0)).save()
    await create_booking(room["id"], tenant["id"], member.id, local(2026, 11, 23, 10), local(2026, 11, 23, 12))
    report = await service.build_occupancy_report(WINDOW, "facility", SHANGHAI)
    rows = {row.key: row for row in report.rows}
    assert rows[str(room["id"])].open_hours == 18 - 1
    assert rows[str(lab["id"])].open_hours == 192 - 4 * 2 - 4 * 1
    assert rows[str(room["id"])].utilization == pytest.approx(2 / 17)


async def test_space_occupancy_on_a_date_by_building_and_kind(db, tenant, other_tenant):
    from datetime import date

    from park.allocation.tables import Lease, SpaceApplication

    a, b = await create_building(name="一号楼"), await create_building(name="二号楼")
    office_a = (await create_unit(a["id"], code="A-101", kind="office", area_m2=300))["id"]
    lab_a = (await create_unit(a["id"], code="A-201", kind="lab", area_m2=100))["id"]
    await create_unit(b["id"], code="B-101", kind="office", area_m2=200)
    await Lease(unit=office_a, tenant=tenant["id"], starts_on=date(2026, 1, 1), ends_on=date(2027, 1, 1)).save()
    # Ended the day before: vacant on the date.
    await Lease(unit=lab_a, tenant=other_tenant["id"], starts_on=date(2025, 1, 1), ends_on=date(2026, 11, 24)).save()
    await SpaceApplication(tenant=other_tenant["id"], unit_kind="lab", min_area_m2=80, max_area_m2=120,
                           start_date=date(2027, 1, 1), term_months=12).save()
    # Housed or withdrawn applications are not unmet demand.
    for status in ("allocated", "withdrawn"):
        await SpaceApplication(tenant=tenant["id"], unit_kind="lab", min_area_m2=50, max_area_m2=60,
                               start_date=date(2027, 1, 1), term_months=12, status=status).save()

    report = await service.build_space_report(date(2026, 11, 24))
    buildings = {row.label: row for row in report.by_building}
    assert (buildings["一号楼"].leasable_m2, buildings["一号楼"].leased_m2) == (400, 300)
    assert buildings["二号楼"].occupancy == 0
    kinds = {row.key: row for row in report.by_kind}
    assert kinds["office"].occupancy == pytest.approx(300 / 500)
    assert kinds["lab"].leased_m2 == 0
    assert report.totals.occupancy == pytest.approx(300 / 600)
    # On the day before, the lab lease still ran.
    assert (await service.build_space_report(date(2026, 11, 23))).totals.leased_m2 == 400

    ending = await space_queries.leases_ending(date(2026, 11, 24), within_days=90)
    assert [(lease.unit_code, lease.ends_on) for lease in ending] == [("A-101", date(2027, 1, 1))]
    assert await space_queries.leases_ending(date(2026, 11, 24), within_days=30) == []
    ending = await space_queries.leases_ending(date(2026, 11, 10), within_days=90)
    assert [lease.unit_code for lease in ending] == ["A-201", "A-101"]
    (unmet,) = await space_queries.unmet_demand()
    assert (unmet.unit_kind, unmet.applications, unmet.min_area_m2) == ("lab", 1, 80)


async def test_a_snapshot_rolls_tenants_up_to_sectors_as_the_database_would(park, manager):
    from park.tenants.tables import Tenant

    await Tenant.update({Tenant.sector: "new_media"}).where(Tenant.id == park["theirs"])
    produced = await snapshots.produce_snapshot("daily", "2026-11-24", NOW, SHANGHAI)
    data = produced.snapshot.data
    in_sql = await service.build_occupancy_report(
        Window(*parse_period("daily", "2026-11-24").bounds(SHANGHAI)), "sector", SHANGHAI
    )
    assert [row["key"] for row in data["by_sector"]] == [row.key for row in in_sql.rows]
    assert [row["booked_hours"] for row in data["by_sector"]] == [row.booked_hours for row in in_sql.rows]
    assert {row["key"] for row in data["by_sector"]} == {"animation_games", "new_media"}


async def test_bookings_of_a_retired_facility_still_count_under_its_kind(park):
    from park.facilities.tables import Facility

    await Facility.update({Facility.is_active: False}).where(Facility.id == park["room"]["id"])
    by_kind = await service.build_occupancy_report(WINDOW, "kind", SHANGHAI)
    rows = {row.key: row for row in by_kind.rows}
    # No longer open, but the 4 hours booked while it was are the meeting rooms'.
    assert (rows["meeting_room"].open_hours, rows["meeting_room"].booked_hours) == (0, 4)
    assert set(rows) == {"meeting_room", "lab"}
