"""Bookings API: every rule answers with the contract's code, the lifecycle, tenant isolation."""

from datetime import datetime, timedelta

from park.shared.clock import utc_now
from tests.builders import SHANGHAI, create_facility


def weekday_at(hour: int, minute: int = 0, days_ahead: int = 7) -> datetime:
    day = utc_now().astimezone(SHANGHAI).date() + timedelta(days=days_ahead)
    while day.weekday() >= 5:
        day += timedelta(days=1)
    return datetime(day.year, day.month, day.day, hour, minute, tzinfo=SHANGHAI)


def body(facility, starts_at, ends_at=None, **extra):
    ends_at = ends_at or starts_at + timedelta(hours=1)
    return {"facility_id": facility["id"], "starts_at": starts_at.isoformat(), "ends_at": ends_at.isoformat(), **extra}


async def book(client, login, facility, starts_at, ends_at=None, **extra):
    return await client.post("/api/v1/bookings", json=body(facility, starts_at, ends_at, **extra), headers=login.headers)


async def test_member_books_a_free_slot_and_gets_it_confirmed(client, member):
    facility = await create_facility()
    response = await book(client, member, facility, weekday_at(10))
    assert response.status_code == 201
    data = response.json()
    assert data["status"] == "confirmed" and data["tenant_id"] == member.tenant_id and data["seats"] == 1
    assert data["facility_name"] == facility["name"]  # what was booked, named in the answer
    assert (await client.get(f"/api/v1/bookings/{data['id']}", headers=member.headers)).json() == data


async def test_a_clash_answers_409_conflict(client, member, rival):
    facility = await create_facility()
    assert (await book(client, member, facility, weekday_at(10))).status_code == 201
    response = await book(client, rival, facility, weekday_at(10, 30))
    assert response.status_code == 409
    assert response.json()["code"] == "conflict"


async def test_booking_that_ends_when_another_starts_does_not_clash(client, member, rival):
    facility = await create_facility()
    assert (await book(client, member, facility, weekday_at(10))).status_code == 201
    assert (await book(client, rival, facility, weekday_at(11))).status_code == 201
    assert (await book(client, rival, facility, weekday_at(9))).status_code == 201


async def test_capacity_n_admits_n_bookings_of_one_slot(client, member):
    facility = await create_facility(capacity=3)
    codes = [(await book(client, member, facility, weekday_at(14))).status_code for _ in range(4)]
    assert codes == [201, 201, 201, 409]


async def test_a_time_without_offset_is_refused(client, member):
    facility = await create_facility()
    response = await client.post(
        "/api/v1/bookings",
        json={"facility_id": facility["id"], "starts_at": "2026-12-01T10:00:00", "ends_at": "2026-12-01T11:00:00+08:00"},
        headers=member.headers,
    )
    assert response.status_code == 422


async def test_each_broken_rule_answers_422_naming_the_field(client, member):
    facility = await create_facility(max_advance_days=30, min_duration_minutes=60, max_duration_minutes=120)
    cases = [
        (weekday_at(18), None, {}, "starts_at"),  # closed
        (weekday_at(10, 10), weekday_at(11, 10), {}, "starts_at"),  # off the grid
        (weekday_at(10), weekday_at(10, 30), {}, "ends_at"),  # too short
        (weekday_at(9), weekday_at(12), {}, "ends_at"),  # too long
        (weekday_at(10, days_ahead=45), None, {}, "starts_at"),  # beyond the advance window
        (weekday_at(10), None, {"seats": 2}, "seats"),  # more than capacity
        (weekday_at(10, days_ahead=-7), None, {}, "starts_at"),  # in the past
    ]
    for starts_at, ends_at, extra, field in cases:
        response = await book(client, member, facility, starts_at, ends_at, **extra)
        assert response.status_code == 422, (starts_at, response.text)
        problem = response.json()
        assert problem["code"] == "validation"
        assert field in [e["field"] for e in problem["errors"]], (starts_at, problem)


async def test_a_facility_needing_training_refuses_the_untrained(client, member, manager):
    facility = await create_facility(requires_authorization=True)
    refused = await book(client, member, facility, weekday_at(10))
    assert refused.status_code == 422 and refused.json()["errors"][0]["field"] == "facility_id"
    granted = await client.post(
        f"/api/v1/facilities/{facility['id']}/authorizations", json={"user_id": member.id}, headers=manager.headers
    )
    assert granted.status_code == 201
    assert (await book(client, member, facility, weekday_at(10))).status_code == 201


async def test_another_firms_booking_is_not_found(client, member, rival):
    facility = await create_facility()
    booking = (await book(client, member, facility, weekday_at(10))).json()
    assert (await client.get(f"/api/v1/bookings/{booking['id']}", headers=rival.headers)).status_code == 404
    assert (await client.post(f"/api/v1/bookings/{booking['id']}/cancel", headers=rival.headers)).status_code == 404
    listed = (await client.get("/api/v1/bookings", headers=rival.headers)).json()
    assert listed == {"items": [], "total": 0}


async def test_a_manager_sees_every_firms_bookings(client, member, rival, manager):
    facility = await create_facility(capacity=2)
    await book(client, member, facility, weekday_at(10))
    await book(client, rival, facility, weekday_at(10))
    listed = (await client.get(f"/api/v1/bookings?facility_id={facility['id']}", headers=manager.headers)).json()
    assert listed["total"] == 2


async def test_pending_booking_holds_its_seat_until_rejected(client, member, rival, manager):
    facility = await create_facility(requires_approval=True)
    pending = (await book(client, member, facility, weekday_at(10))).json()
    assert pending["status"] == "pending"
    assert (await book(client, rival, facility, weekday_at(10))).status_code == 409
    rejected = await client.post(f"/api/v1/bookings/{pending['id']}/reject", headers=manager.headers)
    assert rejected.status_code == 200 and rejected.json()["status"] == "rejected"
    assert (await book(client, rival, facility, weekday_at(10))).status_code == 201


async def test_manager_approves_a_pending_booking_and_members_cannot(client, member, manager):
    facility = await create_facility(requires_approval=True)
    pending = (await book(client, member, facility, weekday_at(10))).json()
    assert (await client.post(f"/api/v1/bookings/{pending['id']}/approve", headers=member.headers)).status_code == 403
    approved = await client.post(f"/api/v1/bookings/{pending['id']}/approve", headers=manager.headers)
    assert approved.status_code == 200 and approved.json()["status"] == "confirmed"
    again = await client.post(f"/api/v1/bookings/{pending['id']}/approve", headers=manager.headers)
    assert again.status_code == 409


async def test_cancelling_frees_the_slot(client, member, rival):
    facility = await create_facility()
    booking = (await book(client, member, facility, weekday_at(10))).json()
    cancelled = await client.post(f"/api/v1/bookings/{booking['id']}/cancel", headers=member.headers)
    assert cancelled.status_code == 200 and cancelled.json()["status"] == "cancelled"
    assert (await book(client, rival, facility, weekday_at(10))).status_code == 201


async def test_check_in_outside_the_window_is_refused(client, member):
    facility = await create_facility()
    booking = (await book(client, member, facility, weekday_at(10))).json()
    response = await client.post(f"/api/v1/bookings/{booking['id']}/check-in", headers={**member.headers, "Accept-Language": "en"})
    assert response.status_code == 409
    assert "15 minutes" in response.json()["detail"]


async def test_window_mode_requests_do_not_hold_seats(client, member, rival):
    facility = await create_facility(booking_mode="window")
    first = await book(client, member, facility, weekday_at(10))
    second = await book(client, rival, facility, weekday_at(10))
    assert [first.json()["status"], second.json()["status"]] == ["requested", "requested"]


async def test_unknown_or_impossible_ids_are_not_found_rather_than_errors(client, member, manager):
    facility = await create_facility()
    huge = 2**40
    assert (await client.get(f"/api/v1/bookings/{huge}", headers=member.headers)).status_code == 404
    assert (await client.get(f"/api/v1/facilities/{huge}", headers=member.headers)).status_code == 404
    assert (await book(client, member, {"id": huge}, weekday_at(10))).status_code == 404
    for_nobody = await book(client, manager, facility, weekday_at(10), tenant_id=huge)
    assert for_nobody.status_code == 422 and for_nobody.json()["errors"][0]["field"] == "tenant_id"
    assert (await client.get(f"/api/v1/bookings?facility_id={huge}", headers=member.headers)).json()["total"] == 0
    assert (await client.get(f"/api/v1/facilities?building_id={huge}", headers=member.headers)).json()["total"] == 0
    assert (await client.delete(f"/api/v1/authorizations/{huge}", headers=manager.headers)).status_code == 404
    grant = await client.post(f"/api/v1/facilities/{facility['id']}/authorizations", json={"user_id": huge}, headers=manager.headers)
    assert grant.status_code == 422


async def test_a_time_at_the_end_of_the_calendar_is_a_422_not_an_overflow(client, member):
    facility = await create_facility()
    response = await client.post(
        "/api/v1/bookings",
        json={"facility_id": facility["id"], "starts_at": "9999-12-31T22:00:00+00:00", "ends_at": "9999-12-31T23:00:00+00:00"},
        headers=member.headers,
    )
    assert response.status_code == 422


ALWAYS_OPEN = {day: [["00:00", "24:00"]] for day in ("mon", "tue", "wed", "thu", "fri", "sat", "sun")}


def soon() -> datetime:
    """A whole hour two to three hours ahead: its draw cut-off (noon the day before) has passed."""
    return (utc_now() + timedelta(hours=3)).replace(minute=0, second=0, microsecond=0)


async def test_after_the_draw_a_window_facilitys_free_time_is_first_come_first_served(client, member, rival):
    facility = await create_facility(booking_mode="window", opening_hours=ALWAYS_OPEN)
    first = await book(client, member, facility, soon())
    assert first.status_code == 201 and first.json()["status"] == "confirmed"
    second = await book(client, rival, facility, soon())
    assert second.status_code == 409


async def test_a_late_request_waits_behind_requests_the_draw_has_not_yet_decided(client, member, rival):
    from park.bookings.tables import Booking

    facility = await create_facility(booking_mode="window", opening_hours=ALWAYS_OPEN)
    start = soon()
    await Booking.insert(
        Booking(facility=facility["id"], tenant=rival.tenant_id, user=rival.id, starts_at=start, ends_at=start + timedelta(hours=1),
                occupied_until=start + timedelta(hours=1), exclusive=True, seats=1, status="requested", created_at=start - timedelta(days=3))
    )
    late = await book(client, member, facility, start)
    assert late.status_code == 201 and late.json()["status"] == "requested"
