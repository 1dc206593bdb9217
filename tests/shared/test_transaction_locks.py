"""`transaction(locks=…)`: on PostgreSQL the rows are locked by the transaction's first message."""

from __future__ import annotations

import os

import asyncpg
import pytest

from park.shared.db import fetch, is_sqlite, transaction
from tests.builders import create_facility, create_tenant


@pytest.fixture
def postgres_only():
    if is_sqlite():
        pytest.skip("SQLite's IMMEDIATE transaction holds its one write lock instead")


async def test_the_rows_are_locked_from_the_first_statement_until_the_commit(db, postgres_only):
    facility = await create_facility()
    tenant = await create_tenant()
    other = await asyncpg.connect(os.environ["PARK_DATABASE_URL"])
    try:
        async with transaction(locks=[("facility", facility["id"]), ("tenant", tenant["id"])]):
            for table, key in (("facility", facility["id"]), ("tenant", tenant["id"])):
                with pytest.raises(asyncpg.LockNotAvailableError):
                    await other.fetch(f"SELECT id FROM {table} WHERE id = $1 FOR UPDATE NOWAIT", key)
            await fetch("UPDATE tenant SET name = $1 WHERE id = $2", "锁住的企业", tenant["id"])
        assert await other.fetch("SELECT id FROM facility WHERE id = $1 FOR UPDATE NOWAIT", facility["id"])
        assert (await other.fetchval("SELECT name FROM tenant WHERE id = $1", tenant["id"])) == "锁住的企业"
    finally:
        await other.close()


async def test_a_transaction_that_could_not_begin_gives_its_connection_back(app, postgres_only):
    from park.shared.db import current_engine

    assert current_engine().pool is not None  # the server's pool, as the app opens it
    for _ in range(30):  # more than the pool holds: a connection kept by a failed start would exhaust it
        with pytest.raises(asyncpg.UndefinedTableError):
            async with transaction(locks=[("no_such_table", 1)]):
                pass
    async with transaction(locks=[("facility", (await create_facility())["id"])]):
        assert await fetch("SELECT 1 AS one") == [{"one": 1}]


async def test_a_lock_that_is_not_a_table_and_a_row_id_is_refused_before_anything_is_sent(db):
    for locks in ([("facility; DROP TABLE booking", 1)], [("facility", 0)], [("facility", 2**31)], [("facility", "1")]):
        with pytest.raises(ValueError):
            async with transaction(locks=locks):
                pass


async def test_transactions_that_begin_with_locks_go_in_a_few_at_a_time(app, postgres_only, monkeypatch):
    import asyncio

    from park.shared import db as database

    monkeypatch.setattr(database, "_locking_writers", [2])
    monkeypatch.setattr(database, "_gates", type(database._gates)())
    facilities = [(await create_facility(name=f"室 {n}"))["id"] for n in range(6)]
    inside, most, entered = [0], [0], []

    async def book(number: int, facility_id: int) -> None:
        async with transaction(locks=[("facility", facility_id)]):
            entered.append(number)
            inside[0] += 1
            most[0] = max(most[0], inside[0])
            await asyncio.sleep(0.05)  # rows locked, nothing else of the process's waits on them
            inside[0] -= 1

    tasks = []
    for number, facility_id in enumerate(facilities):
        tasks.append(asyncio.create_task(book(number, facility_id)))
        await asyncio.sleep(0)  # each task reaches the gate before the next is made
    await asyncio.gather(*tasks)
    assert most[0] == 2, "no more than the gate lets through, and as many"
    assert sorted(entered) == list(range(6))
    # A failed start gives its turn back: two failures, then two transactions at once still go in.
    for _ in range(2):
        with pytest.raises(asyncpg.UndefinedTableError):
            async with transaction(locks=[("no_such_table", 1)]):
                pass
    await asyncio.wait_for(asyncio.gather(book(6, facilities[0]), book(7, facilities[1])), 5)
