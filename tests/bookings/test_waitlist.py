"""Waitlist: a freed slot goes to the best-ranked waiting firm, through the booking engine."""

from __future__ import annotations

from datetime import datetime, time, timedelta
from zoneinfo import ZoneInfo

from park.bookings.fair_access_jobs import fill_waitlist
from park.shared.clock import utc_now
from tests import builders
from tests.builders import qualify
from tests.builders import create_facility

SHANGHAI = ZoneInfo("Asia/Shanghai")


def next_weekday_at(hour: int) -> datetime:
    day = utc_now().astimezone(SHANGHAI).date() + timedelta(days=3)
    while day.weekday() >= 5:
        day += timedelta(days=1)
    return datetime.combine(day, time(hour), tzinfo=SHANGHAI)


def slot_body(facility, starts_at, hours=2):
    return {
        "facility_id": facility["id"],
        "starts_at": starts_at.isoformat(),
        "ends_at": (starts_at + timedelta(hours=hours)).isoformat(),
    }


async def firm_member(name, *qualifications):
    tenant = await builders.create_tenant(name=name)
    if qualifications:
        await qualify(tenant["id"], *qualifications)
    return await builders.create_user("member", tenant["id"])


async def test_freed_slot_goes_to_the_best_ranked_waiting_firm(client, settings):
    facility = await create_facility(kind="studio")
    starts = next_weekday_at(10)
    holder = await firm_member("占位公司")
    early_ordinary = await firm_member("普通公司")
    late_leader = await firm_member("龙头公司", "leading_firm")
    booked = await client.post("/api/v1/bookings", json=slot_body(facility, starts), headers=holder.headers)
    assert booked.json()["status"] == "confirmed"
    first = await client.post("/api/v1/waitlist", json=slot_body(facility, starts), headers=early_ordinary.headers)
    second = await client.post("/api/v1/waitlist", json=slot_body(facility, starts), headers=late_leader.headers)
    assert first.status_code == 201 and second.status_code == 201

    # Still taken: everyone keeps waiting.
    assert await fill_waitlist(utc_now(), settings) == 0
    await client.post(f"/api/v1/bookings/{booked.json()['id']}/cancel", headers=holder.headers)
    assert await fill_waitlist(utc_now(), settings) == 1

    leader_entries = (await client.get("/api/v1/waitlist", headers=late_leader.headers)).json()["items"]
    assert leader_entries[0]["status"] == "booked"
    booking = await client.get(f"/api/v1/bookings/{leader_entries[0]['booking_id']}", headers=late_leader.headers)
    assert booking.json()["status"] == "confirmed"
    ordinary_entries = (await client.get("/api/v1/waitlist", headers=early_ordinary.headers)).json()["items"]
    assert ordinary_entries[0]["status"] == "waiting"


async def test_entries_whose_start_has_passed_expire(client, settings):
    facility = await create_facility(kind="studio")
    starts = next_weekday_at(10)
    holder = await firm_member("占位公司")
    waiter = await firm_member("等待公司")
    await client.post("/api/v1/bookings", json=slot_body(facility, starts), headers=holder.headers)
    await client.post("/api/v1/waitlist", json=slot_body(facility, starts), headers=waiter.headers)
    await fill_waitlist(starts + timedelta(minutes=1), settings)
    (entry,) = (await client.get("/api/v1/waitlist", headers=waiter.headers)).json()["items"]
    assert entry["status"] == "expired"


async def test_window_mode_facilities_take_requests_not_waiters(client, member):
    facility = await create_facility(kind="studio", booking_mode="window")
    answer = await client.post("/api/v1/waitlist", json=slot_body(facility, next_weekday_at(10)), headers=member.headers)
    assert answer.status_code == 422
    assert answer.json()["errors"][0]["field"] == "facility_id"


async def test_another_firms_entry_cannot_be_cancelled(client, member, rival):
    facility = await create_facility(kind="studio")
    entry = (await client.post("/api/v1/waitlist", json=slot_body(facility, next_weekday_at(10)), headers=member.headers)).json()
    answer = await client.post(f"/api/v1/waitlist/{entry['id']}/cancel", headers=rival.headers)
    assert answer.status_code == 404
    mine = await client.post(f"/api/v1/waitlist/{entry['id']}/cancel", headers=member.headers)
    assert mine.json()["status"] == "cancelled"


async def test_a_time_without_offset_is_refused(client, member):
    facility = await create_facility(kind="studio")
    body = {"facility_id": facility["id"], "starts_at": "2030-01-02T10:00:00", "ends_at": "2030-01-02T12:00:00"}
    assert (await client.post("/api/v1/waitlist", json=body, headers=member.headers)).status_code == 422


async def test_a_wait_beyond_the_booking_horizon_is_refused(client):
    facility = await create_facility(kind="studio")
    waiter = await firm_member("等待公司")
    far = datetime(9999, 1, 4, 10, tzinfo=SHANGHAI)
    response = await client.post("/api/v1/waitlist", json=slot_body(facility, far), headers=waiter.headers)
    assert response.status_code == 422
    assert response.json()["errors"][0]["field"] == "starts_at"


async def test_a_legacy_entry_in_year_9999_does_not_stop_the_others_being_served(client, settings):
    from park.bookings.tables import WaitlistEntry

    facility = await create_facility(kind="studio")
    starts = next_weekday_at(10)
    holder = await firm_member("占位公司")
    waiter = await firm_member("等待公司")
    legacy = await firm_member("旧数据公司")
    booked = await client.post("/api/v1/bookings", json=slot_body(facility, starts), headers=holder.headers)
    await client.post("/api/v1/waitlist", json=slot_body(facility, starts), headers=waiter.headers)
    far = datetime(9999, 12, 20, 10, tzinfo=SHANGHAI)
    await WaitlistEntry(
        facility=facility["id"], tenant=legacy.tenant_id, user=legacy.id, starts_at=far, ends_at=far + timedelta(hours=2),
        seats=1, status="waiting", created_at=utc_now() - timedelta(hours=1),
    ).save()
    await client.post(f"/api/v1/bookings/{booked.json()['id']}/cancel", headers=holder.headers)
    assert await fill_waitlist(utc_now(), settings) == 1
    (entry,) = (await client.get("/api/v1/waitlist", headers=waiter.headers)).json()["items"]
    assert entry["status"] == "booked"
