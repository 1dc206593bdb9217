"""Never overbook: many simultaneous requests for one slot at a real served process.

The server runs two worker processes, so the requests race across processes
and connections: on PostgreSQL the facility row lock and the exclusion
constraint decide, on SQLite the IMMEDIATE transaction on the shared file.
"""

import asyncio
from datetime import timedelta

import httpx
import pytest

from tests import builders, support
from tests.builders import create_facility

from .test_api import weekday_at

REQUESTS = 50


async def fire(base_url: str, logins, facility, starts_at, seats: int = 1) -> list[int]:
    payload = {
        "facility_id": facility["id"],
        "starts_at": starts_at.isoformat(),
        "ends_at": (starts_at + timedelta(hours=1)).isoformat(),
        "seats": seats,
    }
    limits = httpx.Limits(max_connections=REQUESTS)
    async with httpx.AsyncClient(base_url=base_url, timeout=60, limits=limits) as http:
        responses = await asyncio.gather(*[
            http.post("/api/v1/bookings", json=payload, headers=logins[i % len(logins)].headers)
            for i in range(REQUESTS)
        ])
    for response in responses:
        if response.status_code == 409:
            assert response.json()["code"] == "conflict"
    return sorted(r.status_code for r in responses)


@pytest.mark.parametrize("capacity", [1, 3])
async def test_fifty_simultaneous_requests_for_one_slot_book_exactly_capacity(db, capacity):
    facility = await create_facility(capacity=capacity)
    tenants = [await builders.create_tenant() for _ in range(5)]
    logins = [await builders.create_user("member", t["id"]) for t in tenants]
    workers = 2  # two processes: the lock must hold across them, not just inside one
    with support.live_server(workers=workers) as base_url:
        codes = await fire(base_url, logins, facility, weekday_at(10))
    assert codes.count(201) == capacity
    assert codes.count(409) == REQUESTS - capacity
    assert not [c for c in codes if c >= 500]

    from park.bookings.tables import Booking

    held = await Booking.count().where((Booking.facility == facility["id"]) & (Booking.status == "confirmed"))
    assert held == capacity
