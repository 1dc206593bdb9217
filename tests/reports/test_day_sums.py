"""Snapshots read per-day sums kept by triggers and a job; they never drift from the raw bookings."""

from __future__ import annotations

import random
from datetime import timedelta

import pytest

from park.bookings.tables import Booking
from park.facilities.tables import Facility
from park.reports import day_sums, snapshots
from park.reports.periods import parse_period
from park.scheduling import SCHEDULE
from park.shared.db import fetch
from tests.builders import BERLIN, ROUND_THE_CLOCK, SHANGHAI, create_booking, create_building, create_facility, local


def _rounded(value):
    """Figures compared to the cent: the sums add the same seat-hours in another order."""
    if isinstance(value, float):
        return round(value, 6)
    if isinstance(value, dict):
        return {key: _rounded(item) for key, item in value.items()}
    if isinstance(value, list):
        return [_rounded(item) for item in value]
    return value


async def assert_sums_match_raw(kind: str, period: str, zone) -> dict:
    chosen = parse_period(kind, period)
    summed = await snapshots.snapshot_data(chosen, zone)
    raw = await snapshots.snapshot_data(chosen, zone, from_sums=False)
    assert _rounded(summed) == _rounded(raw)
    return summed


@pytest.mark.parametrize("zone", [SHANGHAI, BERLIN], ids=["shanghai", "berlin"])
async def test_snapshots_from_sums_equal_raw_after_random_creates_cancels_and_moves(db, tenant, other_tenant,
                                                                                   member, zone):
    building = await create_building(code="S1")
    room = await create_facility(building["id"], name="会议室", name_en="Room", capacity=1,
                                 opening_hours=ROUND_THE_CLOCK)
    lab = await create_facility(building["id"], name="实验室", name_en="Lab", kind="lab", capacity=6,
                                opening_hours=ROUND_THE_CLOCK)
    rng = random.Random(15)
    tenants = [tenant["id"], other_tenant["id"]]
    ids: list[int] = []
    # October 25 in Berlin is the 25-hour day; bookings cross it, midnights and the month's end.
    for _ in range(60):
        starts = local(2026, 10, rng.randrange(20, 32), rng.randrange(24), 30 * rng.randrange(2), zone=zone)
        facility = rng.choice([room, lab])
        booking = await create_booking(
            facility["id"], rng.choice(tenants), member.id, starts, starts + timedelta(minutes=30 * rng.randrange(1, 40)),
            seats=1 if facility is room else rng.randrange(1, 7),
            status=rng.choice(["confirmed", "completed", "checked_in", "cancelled", "no_show"]),
        )
        ids.append(booking["id"])
    await assert_sums_match_raw("monthly", "2026-10", zone)
    assert await fetch("SELECT COUNT(*) AS n FROM report_change") == [{"n": 0}]

    for _ in range(40):
        target = rng.choice(ids)
        action = rng.randrange(4)
        if action == 0:
            await Booking.update({Booking.status: "cancelled"}).where(Booking.id == target)
        elif action == 1:
            shift = timedelta(hours=rng.randrange(-30, 30))
            row = await Booking.select(Booking.starts_at, Booking.ends_at).where(Booking.id == target).first()
            await Booking.update({Booking.starts_at: row["starts_at"] + shift,
                                  Booking.ends_at: row["ends_at"] + shift}).where(Booking.id == target)
        elif action == 2:
            await Booking.update({Booking.seats: 1, Booking.tenant: rng.choice(tenants)}).where(Booking.id == target)
        else:
            await Booking.delete().where(Booking.id == target)
            ids.remove(target)
        if rng.random() < 0.3:  # the job runs now and then; the snapshots fold what it has not
            await day_sums.fold_changes(zone)
    monthly = await assert_sums_match_raw("monthly", "2026-10", zone)
    assert monthly["totals"]["booked_hours"] > 0
    await assert_sums_match_raw("weekly", "2026-W43", zone)
    await assert_sums_match_raw("daily", "2026-10-25", zone)
    await assert_sums_match_raw("monthly", "2026-11", zone)


async def test_a_facility_changing_kind_moves_its_tenant_hours_to_the_new_kind(db, tenant, member):
    room = await create_facility(name="工作室", name_en="Studio", capacity=1, opening_hours=ROUND_THE_CLOCK)
    await create_booking(room["id"], tenant["id"], member.id, local(2026, 10, 5, 9), local(2026, 10, 5, 12))
    before = await assert_sums_match_raw("monthly", "2026-10", SHANGHAI)
    await Facility.update({Facility.kind: "studio"}).where(Facility.id == room["id"])
    after = await assert_sums_match_raw("monthly", "2026-10", SHANGHAI)
    assert before["by_tenant"] != after["by_tenant"]


async def test_the_fold_job_is_scheduled_and_recomputes_only_the_days_changed(db, tenant, member):
    assert "fold_report_sums" in {job.name for job in SCHEDULE}
    room = await create_facility(name="路演厅", name_en="Pitch room", capacity=1, opening_hours=ROUND_THE_CLOCK)
    await create_booking(room["id"], tenant["id"], member.id, local(2026, 10, 5, 9), local(2026, 10, 5, 12))
    await create_booking(room["id"], tenant["id"], member.id, local(2026, 10, 9, 23), local(2026, 10, 10, 1))
    assert await day_sums.fold_changes(SHANGHAI) == 3
    assert await day_sums.fold_changes(SHANGHAI) == 0
