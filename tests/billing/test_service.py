"""Statements issued once; an issued statement never changes; corrections come on the next."""

from __future__ import annotations

from datetime import datetime, timedelta, timezone
from zoneinfo import ZoneInfo

from park.priority.parser import load_policy
from park.billing import queries
from park.billing.service import catch_up, issue_statements, price_month
from park.bookings.tables import Booking
from park.reports.periods import MONTHLY, parse_period
from park.settings import CONFIG_DIR
from tests import builders
from tests.builders import create_facility

ZONE = ZoneInfo("Asia/Shanghai")
POLICY = load_policy(CONFIG_DIR / "priority.toml")
NOVEMBER = parse_period(MONTHLY, "2026-11")
DECEMBER = parse_period(MONTHLY, "2026-12")
START = datetime(2026, 11, 10, 2, 0, tzinfo=timezone.utc)


async def stored_booking(tenant_id: int, facility_id: int, user_id: int, status: str) -> int:
    booking = Booking(facility=facility_id, tenant=tenant_id, user=user_id, starts_at=START,
                      ends_at=START + timedelta(hours=2), occupied_until=START + timedelta(hours=2),
                      seats=1, status=status, created_at=START - timedelta(days=1))
    await booking.save()
    return booking.id


async def test_a_statement_is_issued_once_and_never_changes_and_a_correction_comes_next_month(db):
    tenant = await builders.create_tenant()
    user = await builders.create_user(tenant_id=tenant["id"])
    room = await create_facility(kind="meeting_room", hourly_rate_fen=10000)
    booking_id = await stored_booking(tenant["id"], room["id"], user.id, "completed")
    first_of_december = datetime(2026, 11, 30, 17, 0, tzinfo=timezone.utc)  # 1 Dec 01:00 park time

    assert await issue_statements(NOVEMBER, first_of_december, ZONE, POLICY) == 1
    assert await issue_statements(NOVEMBER, first_of_december, ZONE, POLICY) == 0
    statement = await queries.find_statement(tenant["id"], "2026-11")
    assert (statement["amount_fen"], statement["due_fen"], statement["status"]) == (20000, 20000, "issued")
    [line] = await queries.statement_lines(statement["id"])
    assert (line["kind"], line["booking"], line["policy_version"]) == ("booking", booking_id, "2026.1")

    # After issue the booking is found cancelled late (after the facility's cut-off): half price.
    await Booking.update({Booking.status: "cancelled", Booking.cancelled_at: START}).where(Booking.id == booking_id)
    await room_cut_off(room["id"])
    again = await queries.find_statement(tenant["id"], "2026-11")
    assert again == statement

    december = await price_month(tenant["id"], DECEMBER, ZONE, POLICY)
    [correction] = december.lines
    assert correction.charge.kind == "adjustment" and correction.charge.booking_id == booking_id
    assert correction.charge.amount_fen == 10000 - 20000  # half price now, full billed


async def room_cut_off(facility_id: int) -> None:
    from park.facilities.tables import Facility

    await Facility.update({Facility.cancel_cutoff_minutes: 60}).where(Facility.id == facility_id)


async def test_catch_up_issues_the_month_just_ended_for_every_firm(db):
    await builders.create_tenant()
    months = await catch_up(datetime(2026, 12, 1, 0, 0, tzinfo=timezone.utc), ZONE, POLICY)
    assert months == ["2026-11"]
    assert await queries.last_issued_month() == "2026-11"
