"""Two changes of one booking's status at once: exactly one wins, the other gets 409.

Real concurrent requests against a real `park serve` with two worker
processes, so the two changes race across processes and connections.
"""

import asyncio
from datetime import timedelta

import httpx

from park.audit.tables import AuditEntry
from park.bookings.tables import Booking
from park.shared.clock import utc_now
from tests import builders, support
from tests.builders import create_facility

PAIRS = 24


async def store_bookings(facility, user, status: str, count: int) -> list[int]:
    """Bookings starting in five minutes (check-in open), stored directly: one per pair."""
    now = utc_now()
    starts_at = now + timedelta(minutes=5)
    ids = []
    for _ in range(count):
        booking = Booking(
            facility=facility["id"], tenant=user.tenant_id, user=user.id, starts_at=starts_at,
            ends_at=starts_at + timedelta(hours=1), occupied_until=starts_at + timedelta(hours=1),
            seats=1, status=status, created_at=now,
        )
        await booking.save()
        ids.append(booking.id)
    return ids


async def race(base_url: str, ids: list[int], first: tuple[str, dict], second: tuple[str, dict]) -> list[tuple[int, int]]:
    limits = httpx.Limits(max_connections=2 * PAIRS)
    async with httpx.AsyncClient(base_url=base_url, timeout=60, limits=limits) as http:
        answers = await asyncio.gather(*[
            asyncio.gather(
                http.post(f"/api/v1/bookings/{i}/{first[0]}", headers=first[1]),
                http.post(f"/api/v1/bookings/{i}/{second[0]}", headers=second[1]),
            )
            for i in ids
        ])
    for pair in answers:
        for response in pair:
            if response.status_code == 409:
                assert response.json()["code"] == "conflict"
    return [(a.status_code, b.status_code) for a, b in answers]


async def actions_of(booking_id: int) -> list[str]:
    rows = await AuditEntry.select(AuditEntry.action).where(
        (AuditEntry.record_type == "booking") & (AuditEntry.record_id == str(booking_id))
    )
    return sorted(r["action"] for r in rows)


async def status_of(booking_id: int) -> str:
    return (await Booking.select(Booking.status).where(Booking.id == booking_id).first())["status"]


async def test_cancel_racing_check_in_lets_exactly_one_win(db):
    always_open = {d: [["00:00", "24:00"]] for d in ("mon", "tue", "wed", "thu", "fri", "sat", "sun")}
    facility = await create_facility(capacity=PAIRS, opening_hours=always_open)
    tenant = await builders.create_tenant()
    member = await builders.create_user("member", tenant["id"])
    ids = await store_bookings(facility, member, "confirmed", PAIRS)
    with support.live_server(workers=2) as base_url:
        codes = await race(base_url, ids, ("cancel", member.headers), ("check-in", member.headers))
    for booking_id, (cancel, check_in) in zip(ids, codes):
        assert sorted((cancel, check_in)) == [200, 409], (booking_id, cancel, check_in)
        if cancel == 200:
            assert await status_of(booking_id) == "cancelled"
            assert await actions_of(booking_id) == ["booking.cancel"]
        else:
            assert await status_of(booking_id) == "checked_in"
            assert await actions_of(booking_id) == ["booking.check_in"]


async def test_approve_racing_cancel_never_approves_a_cancelled_booking(db):
    facility = await create_facility(capacity=PAIRS, requires_approval=True)
    tenant = await builders.create_tenant()
    member = await builders.create_user("member", tenant["id"])
    manager = await builders.create_user("manager")
    ids = await store_bookings(facility, member, "pending", PAIRS)
    with support.live_server(workers=2) as base_url:
        codes = await race(base_url, ids, ("approve", manager.headers), ("cancel", member.headers))
    for booking_id, (approve, cancel) in zip(ids, codes):
        # Approve then cancel is a legitimate order (both succeed); cancel first leaves nothing to approve.
        assert (approve, cancel) in {(200, 200), (409, 200)}, (booking_id, approve, cancel)
        assert await status_of(booking_id) == "cancelled"
        done = ["booking.approve"] if approve == 200 else []
        assert await actions_of(booking_id) == sorted(done + ["booking.cancel"])
