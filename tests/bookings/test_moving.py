"""PATCH /api/v1/bookings/{id}: move or change a booking in one step, with the alternatives a clash offers."""

import asyncio
from datetime import datetime, timedelta

import httpx
import pytest

from park.bookings.tables import Booking
from tests import builders, support
from tests.builders import create_building, create_facility

from .test_api import book, weekday_at


def move(client, login, booking_id, **changes):
    body = {k: (v.isoformat() if isinstance(v, datetime) else v) for k, v in changes.items()}
    return client.patch(f"/api/v1/bookings/{booking_id}", json=body, headers=login.headers)


async def stored(booking_id):
    return await Booking.select().where(Booking.id == booking_id).first()


def instant(text):
    return datetime.fromisoformat(text.replace("Z", "+00:00"))


async def test_a_booking_moves_to_a_free_time_and_keeps_its_id(client, member):
    facility = await create_facility()
    booking = (await book(client, member, facility, weekday_at(10))).json()
    response = await move(client, member, booking["id"], starts_at=weekday_at(14), ends_at=weekday_at(15, 30))
    assert response.status_code == 200, response.text
    data = response.json()
    assert data["id"] == booking["id"] and data["status"] == "confirmed" and data["back_to_pending"] is False
    assert (instant(data["starts_at"]), instant(data["ends_at"])) == (weekday_at(14), weekday_at(15, 30))
    # The old time is free again for anyone.
    assert (await book(client, member, facility, weekday_at(10))).status_code == 201


async def test_a_booking_moves_to_another_facility_with_fewer_seats(client, member):
    lab = await create_facility(kind="lab", capacity=4)
    other = await create_facility(kind="lab", capacity=4)
    booking = (await book(client, member, lab, weekday_at(10), seats=3)).json()
    response = await move(client, member, booking["id"], facility_id=other["id"], seats=2, purpose="实验")
    assert response.status_code == 200, response.text
    row = await stored(booking["id"])
    assert (row["facility"], row["seats"], row["purpose"]) == (other["id"], 2, "实验")


async def test_a_refused_move_leaves_the_booking_exactly_as_it_was(client, member, rival):
    facility = await create_facility(max_duration_minutes=120)
    mine = (await book(client, member, facility, weekday_at(10))).json()
    assert (await book(client, rival, facility, weekday_at(14))).status_code == 201
    before = await stored(mine["id"])
    clash = await move(client, member, mine["id"], starts_at=weekday_at(14, 30), ends_at=weekday_at(15, 30))
    assert clash.status_code == 409 and clash.json()["code"] == "conflict"
    too_long = await move(client, member, mine["id"], ends_at=weekday_at(13))
    assert too_long.status_code == 422 and too_long.json()["errors"][0]["field"] == "ends_at"
    closed = await move(client, member, mine["id"], starts_at=weekday_at(19), ends_at=weekday_at(20))
    assert closed.status_code == 422
    nowhere = await move(client, member, mine["id"], facility_id=2**31 - 1)
    assert nowhere.status_code == 422 and nowhere.json()["errors"][0]["field"] == "facility_id"
    no_offset = await client.patch(f"/api/v1/bookings/{mine['id']}", json={"starts_at": "2026-12-09T10:00:00"}, headers=member.headers)
    assert no_offset.status_code == 422
    assert await stored(mine["id"]) == before


async def test_a_clash_offers_alternatives_at_the_same_facility_and_at_others_of_its_kind(client, member, rival):
    building = await create_building()
    facility = await create_facility(building["id"])
    twin = await create_facility(building["id"], name="另一间")
    assert (await book(client, rival, facility, weekday_at(10), weekday_at(12))).status_code == 201
    refused = await book(client, member, facility, weekday_at(11))
    assert refused.status_code == 409
    alternatives = refused.json()["alternatives"]
    assert 1 <= len(alternatives) <= 5
    offered = {(a["facility_id"], instant(a["starts_at"]), instant(a["ends_at"])) for a in alternatives}
    assert (twin["id"], weekday_at(11), weekday_at(12)) in offered
    assert (facility["id"], weekday_at(12), weekday_at(13)) in offered
    for alternative in alternatives:  # every alternative can really be booked
        assert instant(alternative["ends_at"]) - instant(alternative["starts_at"]) == timedelta(hours=1)
    choice = next(a for a in alternatives if a["facility_id"] == facility["id"])
    taken = await client.post("/api/v1/bookings", json={**choice, "facility_id": facility["id"]}, headers=member.headers)
    assert taken.status_code == 201, taken.text


async def test_a_refused_move_offers_alternatives_too(client, member, rival):
    facility = await create_facility()
    mine = (await book(client, member, facility, weekday_at(9))).json()
    assert (await book(client, rival, facility, weekday_at(14))).status_code == 201
    refused = await move(client, member, mine["id"], starts_at=weekday_at(14), ends_at=weekday_at(15))
    assert refused.status_code == 409
    offered = [(instant(a["starts_at"])) for a in refused.json()["alternatives"]]
    assert weekday_at(15) in offered and weekday_at(13) in offered
    assert weekday_at(14) not in offered


async def test_a_confirmed_booking_moved_on_an_approval_facility_waits_for_approval_again(client, member, manager):
    facility = await create_facility(requires_approval=True)
    booking = (await book(client, member, facility, weekday_at(10))).json()
    assert booking["status"] == "pending"
    approved = await client.post(f"/api/v1/bookings/{booking['id']}/approve", headers=manager.headers)
    assert approved.json()["status"] == "confirmed"
    purpose_only = await move(client, member, booking["id"], purpose="改一下用途")
    assert purpose_only.json()["status"] == "confirmed" and purpose_only.json()["back_to_pending"] is False
    moved = await move(client, member, booking["id"], starts_at=weekday_at(15), ends_at=weekday_at(16))
    assert moved.status_code == 200
    assert moved.json()["status"] == "pending" and moved.json()["back_to_pending"] is True
    assert (await client.post(f"/api/v1/bookings/{booking['id']}/approve", headers=manager.headers)).status_code == 200


async def test_moving_one_occurrence_of_a_series_detaches_it(client, member):
    facility = await create_facility()
    first = (await book(client, member, facility, weekday_at(10), recurrence="FREQ=WEEKLY;COUNT=3")).json()
    series_id = first["series_id"]
    assert series_id is not None
    moved = await move(client, member, first["id"], starts_at=weekday_at(16), ends_at=weekday_at(17))
    assert moved.status_code == 200 and moved.json()["series_id"] is None
    cancelled = await client.post(f"/api/v1/booking-series/{series_id}/cancel", json={}, headers=member.headers)
    assert first["id"] not in [b["id"] for b in cancelled.json()["cancelled"]]
    assert len(cancelled.json()["cancelled"]) == 2
    assert (await stored(first["id"]))["status"] == "confirmed"


async def test_another_firms_booking_cannot_be_moved_and_answers_404(client, member, rival):
    facility = await create_facility()
    mine = (await book(client, member, facility, weekday_at(10))).json()
    before = await stored(mine["id"])
    response = await move(client, rival, mine["id"], starts_at=weekday_at(14), ends_at=weekday_at(15))
    assert response.status_code == 404
    assert await stored(mine["id"]) == before


async def test_a_cancelled_booking_cannot_be_moved(client, member):
    facility = await create_facility()
    mine = (await book(client, member, facility, weekday_at(10))).json()
    await client.post(f"/api/v1/bookings/{mine['id']}/cancel", headers=member.headers)
    response = await move(client, member, mine["id"], starts_at=weekday_at(14), ends_at=weekday_at(15))
    assert response.status_code == 409


async def test_two_bookings_moved_into_one_slot_at_once_one_wins(db):
    facility = await create_facility()
    tenants = [await builders.create_tenant() for _ in range(2)]
    logins = [await builders.create_user("member", t["id"]) for t in tenants]
    with support.live_server(workers=2) as base_url:
        async with httpx.AsyncClient(base_url=base_url, timeout=60) as http:
            ids = []
            for login, hour in zip(logins, (9, 11)):
                created = await book(http, login, facility, weekday_at(hour))
                assert created.status_code == 201, created.text
                ids.append(created.json()["id"])
            responses = await asyncio.gather(*[
                move(http, login, booking_id, starts_at=weekday_at(15), ends_at=weekday_at(16))
                for login, booking_id in zip(logins, ids)
            ])
    assert sorted(r.status_code for r in responses) == [200, 409]
    rows = [await stored(booking_id) for booking_id in ids]
    at_fifteen = [row for row in rows if row["starts_at"] == weekday_at(15)]
    assert len(at_fifteen) == 1
    loser = next(row for row in rows if row["starts_at"] != weekday_at(15))
    assert loser["starts_at"] in (weekday_at(9), weekday_at(11)) and loser["status"] == "confirmed"


async def test_the_alternatives_of_a_refused_move_never_offer_the_bookings_own_time(client, member, rival):
    facility = await create_facility()
    mine = (await book(client, member, facility, weekday_at(13))).json()
    assert (await book(client, rival, facility, weekday_at(14))).status_code == 201
    refused = await move(client, member, mine["id"], starts_at=weekday_at(14), ends_at=weekday_at(15))
    assert refused.status_code == 409
    offered = {(a["facility_id"], instant(a["starts_at"])) for a in refused.json()["alternatives"]}
    assert (facility["id"], weekday_at(13)) not in offered  # where it already is: no move at all
    assert (facility["id"], weekday_at(15)) in offered


@pytest.mark.skipif(support.BACKEND != "postgres", reason="the exclusion constraint exists on PostgreSQL only")
async def test_a_move_refused_by_the_exclusion_constraint_still_offers_alternatives(client, member, rival, monkeypatch):
    from park.bookings import queries

    facility = await create_facility()
    mine = (await book(client, member, facility, weekday_at(9))).json()
    assert (await book(client, rival, facility, weekday_at(14))).status_code == 201

    async def blind(*args, **kwargs):
        return [], []  # as if the rules had not seen the rival's booking: only the constraint can stop the move

    monkeypatch.setattr(queries, "live_bookings_and_blackouts_near", blind)
    refused = await move(client, member, mine["id"], starts_at=weekday_at(14), ends_at=weekday_at(15))
    assert refused.status_code == 409 and refused.json()["code"] == "conflict"
    offered = [instant(a["starts_at"]) for a in refused.json()["alternatives"]]
    assert weekday_at(15) in offered and weekday_at(14) not in offered
    assert instant((await client.get(f"/api/v1/bookings/{mine['id']}", headers=member.headers)).json()["starts_at"]) == weekday_at(9)
