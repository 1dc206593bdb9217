"""SQLite's one writer: the write transactions of a process queue in it, in arrival order, on one
connection; across processes they take turns on a lock file; reads share a bounded pool."""

from __future__ import annotations

import asyncio
import subprocess
import sys
import time

import pytest

from park.shared import db as database
from park.shared.db import current_engine, fetch, is_sqlite, transaction

pytestmark = pytest.mark.skipif(not is_sqlite(), reason="SQLite's single writer")


async def test_write_transactions_of_a_process_run_one_at_a_time_in_arrival_order_on_one_connection(db):
    held = asyncio.Event()
    release = asyncio.Event()
    order: list[int] = []
    connections: set[int] = set()

    async def write(number: int) -> None:
        async with transaction():
            connections.add(id(current_engine().current_transaction.get().connection._connection))
            order.append(number)
            if number == 0:
                held.set()
                await release.wait()
            await fetch("SELECT COUNT(*) AS n FROM tenant")

    first = asyncio.create_task(write(0))
    await held.wait()
    waiting = []
    for number in range(1, 6):
        waiting.append(asyncio.create_task(write(number)))
        await asyncio.sleep(0.01)  # they ask in this order
    await asyncio.sleep(0.05)
    assert order == [0], "no second writer begins while the first is open"
    release.set()
    await asyncio.gather(first, *waiting)
    assert order == [0, 1, 2, 3, 4, 5]
    assert len(connections) == 1


async def test_a_failed_begin_or_body_hands_the_writer_on(db):
    for _ in range(3):
        with pytest.raises(RuntimeError):
            async with transaction():
                await fetch("SELECT 1 AS one")
                raise RuntimeError("roll back")
    async with asyncio.timeout(5):
        async with transaction():
            assert await fetch("SELECT 1 AS one") == [{"one": 1}]


async def test_reads_share_a_bounded_pool_instead_of_a_thread_each(db):
    engine = current_engine()
    opened = []
    original = engine._open

    async def counting_open():
        opened.append(1)
        return await original()

    await engine.close_idle()
    engine._open = counting_open
    try:
        rows = await asyncio.gather(*(fetch("SELECT COUNT(*) AS n FROM tenant") for _ in range(30)))
    finally:
        del engine._open
    assert all(row == [{"n": 0}] for row in rows)
    assert 1 <= len(opened) <= engine.MAX_CONNECTIONS


HOLD_THE_TURN = """
import fcntl, os, sys, time
fd = os.open(sys.argv[1], os.O_RDWR | os.O_CREAT)
fcntl.flock(fd, fcntl.LOCK_EX)
print("held", flush=True)
time.sleep(float(sys.argv[2]))
"""


def _hold_turn_elsewhere(seconds: float) -> subprocess.Popen:
    holder = subprocess.Popen([sys.executable, "-c", HOLD_THE_TURN, f"{current_engine().path}-writer", str(seconds)],
                              stdout=subprocess.PIPE, text=True)
    assert holder.stdout.readline().strip() == "held"
    return holder


async def test_a_write_waits_while_another_process_holds_the_turn_and_runs_once_it_lets_go(db):
    holder = _hold_turn_elsewhere(0.6)
    try:
        began = time.monotonic()
        async with transaction():
            waited = time.monotonic() - began
            await fetch("SELECT 1 AS one")
    finally:
        holder.wait(timeout=10)
    assert waited >= 0.4, "the write must not start before the other process lets go"


async def test_a_write_that_waits_too_long_for_the_turn_is_refused_as_busy_and_the_next_runs(db, monkeypatch):
    monkeypatch.setattr(database, "SQLITE_BUSY_TIMEOUT_S", 0.3)
    holder = _hold_turn_elsewhere(1.0)
    try:
        with pytest.raises(Exception) as refused:
            async with transaction():
                pass
        assert database.database_busy(refused.value)
    finally:
        holder.wait(timeout=10)
    monkeypatch.undo()
    async with asyncio.timeout(5):
        async with transaction():
            assert await fetch("SELECT 1 AS one") == [{"one": 1}]
