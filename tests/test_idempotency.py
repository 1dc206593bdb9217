"""Retrying a write is safe: the same Idempotency-Key gets the first answer, nothing is made twice."""

from __future__ import annotations

import asyncio
import uuid
from datetime import timedelta

import httpx
import pytest

from park.bookings.tables import Booking
from park.facilities.tables import Blackout, Building
from park.shared.clock import utc_now
from park.shared.db import before_commit, fetch, transaction
from park.shared.errors import Conflict, ValidationFailed
from park.shared.idempotency import (
    ANSWER_LOST,
    CLAIM_LEASE,
    KEY_TTL,
    STILL_RUNNING,
    Answer,
    Claim,
    claim_key,
    fingerprint,
    mark_applied,
    parse_key,
    prune_idempotency_keys,
    store_answer,
)
from park.tenants.tables import Tenant
from tests import builders, support
from tests.bookings.test_api import body, weekday_at
from tests.builders import create_facility


def keyed(login: builders.Login, key: str | bytes) -> dict:
    return login.headers | {"Idempotency-Key": key}


async def bookings_of(facility: dict) -> int:
    return await Booking.count().where(Booking.facility == facility["id"])


# --- over HTTP, in process ---------------------------------------------------------------

async def test_a_repeated_booking_with_the_same_key_gets_the_first_answer_and_books_once(client, member):
    facility = await create_facility(capacity=2)
    payload = body(facility, weekday_at(10))
    first = await client.post("/api/v1/bookings", json=payload, headers=keyed(member, "booking-1"))
    again = await client.post("/api/v1/bookings", json=payload, headers=keyed(member, "booking-1"))
    assert first.status_code == again.status_code == 201
    assert again.content == first.content
    assert again.headers["content-type"] == first.headers["content-type"]
    assert again.headers["idempotent-replayed"] == "true"
    assert "idempotent-replayed" not in first.headers
    assert await bookings_of(facility) == 1


async def test_the_key_may_be_sent_as_a_structured_field_string(client, member):
    facility = await create_facility(capacity=2)
    payload = body(facility, weekday_at(10))
    first = await client.post("/api/v1/bookings", json=payload, headers=keyed(member, '"quoted-key"'))
    again = await client.post("/api/v1/bookings", json=payload, headers=keyed(member, "quoted-key"))
    assert again.json() == first.json()
    assert await bookings_of(facility) == 1


async def test_the_same_key_with_another_body_is_refused_and_changes_nothing(client, member):
    facility = await create_facility(capacity=2)
    await client.post("/api/v1/bookings", json=body(facility, weekday_at(10)), headers=keyed(member, "k"))
    other = await client.post("/api/v1/bookings", json=body(facility, weekday_at(11)), headers=keyed(member, "k"))
    assert other.status_code == 422
    assert other.headers["content-type"].startswith("application/problem+json")
    assert other.json()["errors"][0]["field"] == "Idempotency-Key"
    assert await bookings_of(facility) == 1


async def test_the_same_key_on_another_address_is_another_request(client, manager):
    building = await client.post("/api/v1/buildings", json={"name": "A1", "code": "A1"}, headers=keyed(manager, "k"))
    assert building.status_code == 201
    tenant = await client.post("/api/v1/tenants", json={"name": "甲", "uscc": builders.make_uscc(7), "sector": "new_media"},
                               headers=keyed(manager, "k"))
    assert tenant.status_code == 422
    assert tenant.json()["errors"][0]["field"] == "Idempotency-Key"


async def test_keys_of_different_users_are_independent(client, member, rival):
    facility = await create_facility(capacity=2)
    payload = body(facility, weekday_at(10))
    mine = await client.post("/api/v1/bookings", json=payload, headers=keyed(member, "shared-key"))
    theirs = await client.post("/api/v1/bookings", json=payload, headers=keyed(rival, "shared-key"))
    assert mine.status_code == theirs.status_code == 201
    assert mine.json()["id"] != theirs.json()["id"]
    assert theirs.json()["tenant_id"] == rival.tenant_id  # never the other user's answer
    assert "idempotent-replayed" not in theirs.headers
    assert await bookings_of(facility) == 2


async def test_a_refusal_is_remembered_too(client, member, rival):
    facility = await create_facility(capacity=1)
    taken = await client.post("/api/v1/bookings", json=body(facility, weekday_at(10)), headers=rival.headers)
    refused = await client.post("/api/v1/bookings", json=body(facility, weekday_at(10)), headers=keyed(member, "late"))
    assert refused.status_code == 409
    await client.post(f"/api/v1/bookings/{taken.json()['id']}/cancel", headers=rival.headers)
    again = await client.post("/api/v1/bookings", json=body(facility, weekday_at(10)), headers=keyed(member, "late"))
    assert again.status_code == 409
    assert again.content == refused.content
    assert await Booking.count().where((Booking.facility == facility["id"]) & (Booking.tenant == member.tenant_id)) == 0


@pytest.mark.parametrize("key", [b"", b"   ", b"x" * 256, b"tab\tinside", b"bell\x07", "\u94a5\u5319".encode()])
async def test_a_malformed_key_is_refused(client, member, key):
    facility = await create_facility(capacity=2)
    response = await client.post("/api/v1/bookings", json=body(facility, weekday_at(10)), headers=keyed(member, key))
    assert response.status_code == 422
    assert response.json()["errors"][0]["field"] == "Idempotency-Key"
    assert await bookings_of(facility) == 0


async def test_a_key_of_255_printable_characters_is_accepted(client, member):
    facility = await create_facility(capacity=2)
    response = await client.post("/api/v1/bookings", json=body(facility, weekday_at(10)), headers=keyed(member, "~" * 255))
    assert response.status_code == 201


async def test_without_a_signed_in_user_the_key_is_ignored(client):
    response = await client.post("/api/v1/bookings", json={}, headers={"Idempotency-Key": "x" * 300})
    assert response.status_code == 401


async def test_every_creating_route_replays_instead_of_creating_twice(client, manager, tenant):
    def twice(path: str, payload: dict, key: str):
        return [client.post(path, json=payload, headers=keyed(manager, key)) for _ in range(2)]

    building = [await r for r in twice("/api/v1/buildings", {"name": "B1", "code": "B1"}, "b")]
    firm = {"name": "乙公司", "uscc": builders.make_uscc(42), "sector": "new_media"}
    firms = [await r for r in twice("/api/v1/tenants", firm, "t")]
    facility = await create_facility(capacity=2)
    window = {"starts_at": weekday_at(9).isoformat(), "ends_at": weekday_at(12).isoformat(), "reason": "maintenance"}
    blackouts = [await r for r in twice(f"/api/v1/facilities/{facility['id']}/blackouts", window, "c")]
    user = {"email": "new.member@firm.test", "name": "New", "password": builders.TEST_PASSWORD, "role": "member",
            "tenant_id": tenant["id"]}
    users = [await r for r in twice("/api/v1/users", user, "u")]
    for first, again in (building, firms, blackouts, users):
        assert first.status_code == 201, first.text
        assert (again.status_code, again.content) == (first.status_code, first.content)
    assert await Building.count().where(Building.code == "B1") == 1
    assert await Tenant.count().where(Tenant.uscc == firm["uscc"]) == 1
    assert await Blackout.count().where(Blackout.facility == facility["id"]) == 1
    assert len(await fetch("SELECT id FROM park_user WHERE email = $1", user["email"])) == 1


# --- the claim store, with "now" passed in -------------------------------------------------

async def test_a_second_request_while_the_first_runs_is_told_to_retry(db):
    now = utc_now()
    claim = await claim_key(1, "k", "f", now)
    assert isinstance(claim, Claim)
    with pytest.raises(Conflict) as refused:
        await claim_key(1, "k", "f", now + timedelta(seconds=1))
    assert refused.value.detail == STILL_RUNNING


async def test_a_claim_whose_holder_died_before_changing_anything_is_taken_over(db):
    now = utc_now()
    dead = await claim_key(1, "k", "f", now)
    retry = await claim_key(1, "k", "f", now + CLAIM_LEASE + timedelta(seconds=1))
    assert isinstance(retry, Claim) and retry.id == dead.id and retry.owner != dead.owner


async def test_a_slow_holder_overtaken_by_a_retry_commits_nothing(db, tenant):
    now = utc_now()
    slow = await claim_key(1, "k", "f", now)
    await claim_key(1, "k", "f", now + CLAIM_LEASE + timedelta(seconds=1))
    token = before_commit.set(lambda: mark_applied(slow))
    try:
        with pytest.raises(Conflict):
            async with transaction():
                await Tenant.update({Tenant.name: "changed by the slow one"}).where(Tenant.id == tenant["id"])
    finally:
        before_commit.reset(token)
    assert (await Tenant.select(Tenant.name).where(Tenant.id == tenant["id"]).first())["name"] == tenant["name"]


async def test_a_claim_that_changed_something_but_lost_its_answer_is_never_run_again(db):
    now = utc_now()
    claim = await claim_key(1, "k", "f", now)
    token = before_commit.set(lambda: mark_applied(claim))
    try:
        async with transaction():
            pass
    finally:
        before_commit.reset(token)
    with pytest.raises(Conflict) as refused:
        await claim_key(1, "k", "f", now + CLAIM_LEASE + timedelta(seconds=1))
    assert refused.value.detail == ANSWER_LOST


async def test_a_stored_answer_is_replayed_for_a_day_then_the_key_is_free(db):
    now = utc_now()
    claim = await claim_key(1, "k", "f", now)
    await store_answer(claim, Answer(201, [(b"content-type", b"application/json"), (b"set-cookie", b"s=1")], b'{"id": 1}'))
    replay = await claim_key(1, "k", "f", now + KEY_TTL - timedelta(seconds=1))
    assert replay == Answer(201, [(b"content-type", b"application/json")], b'{"id": 1}')
    assert isinstance(await claim_key(1, "k", "other", now + KEY_TTL + timedelta(seconds=1)), Claim)


async def test_the_housekeeping_job_forgets_keys_older_than_a_day(db, settings):
    now = utc_now()
    await claim_key(1, "old", "f", now - KEY_TTL - timedelta(minutes=1))
    await claim_key(1, "new", "f", now)
    assert await prune_idempotency_keys(now, settings) == 1
    assert [row["key"] for row in await fetch("SELECT key FROM idempotent_request")] == ["new"]


def test_keys_and_fingerprints():
    assert parse_key([b'"abc"']) == "abc"
    assert parse_key([b" abc "]) == "abc"
    with pytest.raises(ValidationFailed):
        parse_key([b"a", b"b"])
    assert fingerprint("POST", "/api/v1/bookings", b"", b"{}") != fingerprint("POST", "/api/v1/bookings", b"", b"{ }")
    assert fingerprint("POST", "/a", b"", b"x") != fingerprint("POST", "/b", b"", b"x")


async def test_a_failure_on_our_side_is_not_kept_so_the_client_may_retry(db, manager):
    from park.shared.idempotency import IdempotencyMiddleware

    calls = []

    async def flaky(scope, receive, send):
        calls.append(1)
        status = 503 if len(calls) == 1 else 201
        await send({"type": "http.response.start", "status": status, "headers": []})
        await send({"type": "http.response.body", "body": str(len(calls)).encode()})

    class State(dict):
        def get(self, name, default=None):
            return default

    app = type("App", (), {"state": State()})()
    middleware = IdempotencyMiddleware(flaky)
    from park.shared.actor import Actor

    user = Actor(id=manager.id, email=manager.email, name="m", role="manager", tenant_id=None)
    statuses = []
    for _ in range(3):
        sent = []

        async def receive():
            return {"type": "http.request", "body": b"{}", "more_body": False}

        async def send(message):
            sent.append(message)

        scope = {"type": "http", "method": "POST", "path": "/api/v1/things", "query_string": b"", "app": app,
                 "user": user, "headers": [(b"idempotency-key", b"k")]}
        await middleware(scope, receive, send)
        statuses.append(sent[0]["status"])
    assert statuses == [503, 201, 201]
    assert len(calls) == 2


# --- real concurrent requests against two server processes -----------------------------------

CONCURRENT = 20


async def test_simultaneous_retries_on_two_processes_book_once_and_agree(db):
    facility = await create_facility(capacity=CONCURRENT)
    tenant = await builders.create_tenant()
    login = await builders.create_user("member", tenant["id"])
    payload = body(facility, weekday_at(10))
    key = str(uuid.uuid4())
    with support.live_server(workers=2) as base_url:
        limits = httpx.Limits(max_connections=CONCURRENT)
        async with httpx.AsyncClient(base_url=base_url, timeout=60, limits=limits, headers={"Accept-Language": "en"}) as http:
            answers = await asyncio.gather(*[
                http.post("/api/v1/bookings", json=payload, headers=keyed(login, key)) for _ in range(CONCURRENT)])
            settled = await http.post("/api/v1/bookings", json=payload, headers=keyed(login, key))
    assert await bookings_of(facility) == 1
    created = [a for a in answers if a.status_code == 201]
    busy = [a for a in answers if a.status_code == 409]
    assert created and len(created) + len(busy) == CONCURRENT
    assert len({a.content for a in created}) == 1
    for answer in busy:
        assert answer.json()["code"] == "conflict"
        assert answer.json()["detail"] == STILL_RUNNING
    assert settled.status_code == 201 and settled.content == created[0].content
