"""What one booking costs the database: statements on PostgreSQL (each a round trip), calls into
SQLite's connection thread inside the write transaction (each one more wait for the one writer)."""

from __future__ import annotations

import pytest

from park.shared.db import fetch_one, is_sqlite
from tests.bookings.test_api import body, book, weekday_at
from tests.builders import create_facility


@pytest.fixture
def statements(monkeypatch):
    """Every statement the drivers are asked to run while the test books."""
    import aiosqlite
    import asyncpg

    seen: list[str] = []

    def counting(cls, name, text):
        original = getattr(cls, name)

        async def counted(self, first, *args, **kwargs):
            seen.append(text(first, args))
            return await original(self, first, *args, **kwargs)

        monkeypatch.setattr(cls, name, counted)

    for name in ("fetch", "fetchrow", "fetchval", "execute", "executemany"):
        counting(asyncpg.connection.Connection, name, lambda query, args: str(query))
    counting(aiosqlite.Connection, "_execute",
             lambda fn, args: args[0] if args and isinstance(args[0], str) else getattr(fn, "__name__", ""))
    return seen


async def test_a_booking_costs_four_round_trips_on_postgresql_once_its_token_is_remembered(client, member, statements):
    if is_sqlite():
        pytest.skip("PostgreSQL's round trips")
    facility = await create_facility()
    assert (await book(client, member, facility, weekday_at(9))).status_code == 201  # warm: the token is remembered
    statements.clear()
    answer = await book(client, member, facility, weekday_at(10))
    assert answer.status_code == 201
    # BEGIN with the facility's and the firm's locks; the facility, its bookings and blackouts, the
    # booker's training, the firm's facts and quota hours and the new id, read at once; the booking,
    # its outbox, audit and live rows written together; COMMIT.
    assert len(statements) == 4, statements
    assert statements[0].startswith("BEGIN") and "FOR UPDATE" in statements[0]
    assert statements[2].startswith("WITH") and "INSERT INTO booking" in statements[2]
    assert statements[3].startswith("COMMIT")
    stored = await fetch_one('SELECT id, starts_at, status, purpose FROM booking WHERE id = $1', answer.json()["id"])
    assert stored is not None and stored["status"] == answer.json()["status"] == "confirmed"


async def test_a_booking_calls_into_sqlite_nine_times_inside_its_write_transaction(client, member, statements):
    if not is_sqlite():
        pytest.skip("SQLite's connection thread")
    facility = await create_facility()
    assert (await book(client, member, facility, weekday_at(9))).status_code == 201
    statements.clear()
    assert (await book(client, member, facility, weekday_at(10))).status_code == 201
    begin = next(n for n, text in enumerate(statements) if text.startswith("BEGIN"))
    commit = next(n for n, text in enumerate(statements) if text.startswith("COMMIT"))
    # BEGIN, facility, bookings and blackouts, facts and quota hours, insert, outbox, audit, live change, COMMIT.
    assert commit - begin + 1 == 9, statements[begin:commit + 1]


async def test_an_idempotency_key_adds_only_its_claim_and_its_stored_answer_on_postgresql(client, member, statements):
    if is_sqlite():
        pytest.skip("PostgreSQL's round trips")
    facility = await create_facility()
    assert (await book(client, member, facility, weekday_at(9))).status_code == 201
    statements.clear()
    headers = member.headers | {"Idempotency-Key": "round-trips-1"}
    answer = await client.post("/api/v1/bookings", json=body(facility, weekday_at(10)), headers=headers)
    assert answer.status_code == 201
    # The four of a booking (the claim marked applied within its writes), the claim, the stored answer.
    assert len(statements) == 6, statements


async def test_a_slow_holder_overtaken_by_a_retry_commits_none_of_its_held_rows(db, tenant):
    from datetime import timedelta

    from park.audit.service import record
    from park.shared.actor import Actor
    from park.shared.clock import utc_now
    from park.shared.db import before_commit, fetch, transaction
    from park.shared.errors import Conflict
    from park.shared.idempotency import CLAIM_LEASE, claim_key, mark_applied

    now = utc_now()
    slow = await claim_key(1, "k", "f", now)
    await claim_key(1, "k", "f", now + CLAIM_LEASE + timedelta(seconds=1))
    token = before_commit.set(lambda: mark_applied(slow))
    try:
        with pytest.raises(Conflict):
            async with transaction():
                await record(Actor(id=0, email="slow@firm.test", name="slow", role="member", tenant_id=tenant["id"]), "tenant.update",
                             "tenant", tenant["id"], at=now)
    finally:
        before_commit.reset(token)
    assert await fetch("SELECT id FROM audit_entry WHERE actor_email = $1", "slow@firm.test") == []
