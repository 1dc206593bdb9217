"""Live updates: a change reaches this process's subscribers only once its transaction commits.

Runs on the run's database: SQLite (the change log read by a poller) or PostgreSQL (NOTIFY to a
dedicated LISTEN connection); Redis pub/sub where a redis-server can be started.
"""

from __future__ import annotations

import asyncio
import shutil
import subprocess
from datetime import datetime
from zoneinfo import ZoneInfo

import pytest

from park.shared import live
from park.shared.db import fetch, is_sqlite, transaction
from park.shared.errors import Unavailable
from tests import support

SHANGHAI = ZoneInfo("Asia/Shanghai")
WAIT_S = 5  # an upper bound for a change to arrive, not a measurement


def at(day: int, hour: int) -> datetime:
    return datetime(2026, 12, day, hour, tzinfo=SHANGHAI)


@pytest.fixture
async def hub(db):
    found = live.hub()
    yield found
    await live.stop()


async def received(subscription: live.Subscription) -> list[live.Change]:
    changes = await subscription.next_changes(WAIT_S)
    assert changes, "no change arrived"
    return changes


# --- pure parts ------------------------------------------------------------------------

def test_days_of_a_span_are_local_days_and_a_span_ending_at_midnight_stays_on_its_day():
    assert live.days_of(at(3, 22), at(4, 0), SHANGHAI) == {"2026-12-03"}
    assert live.days_of(at(3, 23), at(4, 1), SHANGHAI) == {"2026-12-03", "2026-12-04"}
    # 01:00 in Shanghai is still the day before in UTC: the park's day counts.
    assert live.days_of(at(4, 1), at(4, 2), SHANGHAI) == {"2026-12-04"}
    assert live.days_of(at(1, 9), datetime(2027, 3, 1, tzinfo=SHANGHAI), SHANGHAI) is None  # beyond MAX_DAYS: any day


def test_a_subscription_hears_only_its_facilities_and_days():
    subscription = live.Subscription(frozenset({1, 2}), frozenset({"2026-12-03"}))
    assert subscription.wants(live.Change(1, frozenset({"2026-12-03", "2026-12-04"})))
    assert not subscription.wants(live.Change(3, frozenset({"2026-12-03"})))
    assert not subscription.wants(live.Change(1, frozenset({"2026-12-04"})))
    assert subscription.wants(live.Change(2, None))
    assert subscription.wants(live.ANYTHING)
    assert live.Subscription(None, None).wants(live.Change(9, frozenset({"2027-01-01"})))


def test_a_message_park_did_not_write_means_anything_may_have_changed():
    assert live.decode("not json") == [live.ANYTHING]
    assert live.decode('[{"facility_id": "x", "days": null}]') == [live.ANYTHING]
    assert live.decode(live.encode([live.Change(4, frozenset({"2026-12-03"}))])) == [live.Change(4, frozenset({"2026-12-03"}))]


def test_a_batch_too_large_for_one_notify_becomes_anything():
    many = [live.Change(i, frozenset(f"2026-12-{d:02d}" for d in range(1, 31))) for i in range(1, 40)]
    assert live.decode(live.encode(many)) == [live.ANYTHING]


# --- through the database ------------------------------------------------------------------

async def test_a_committed_change_reaches_a_subscriber_with_its_facility_and_days(hub):
    subscription = await hub.subscribe(None, None)
    async with transaction():
        await live.publish(7, at(3, 14), at(3, 16))
    assert await received(subscription) == [live.Change(7, frozenset({"2026-12-03"}))]


async def test_the_changes_of_one_transaction_arrive_merged_per_facility(hub):
    subscription = await hub.subscribe(None, None)
    async with transaction():
        await live.publish(7, at(3, 14), at(3, 16))
        await live.publish(7, at(5, 9), at(5, 10))
        await live.publish(8)
    changes = []
    while len(changes) < 2:
        changes += await received(subscription)
    assert sorted(changes, key=lambda c: c.facility_id) == [
        live.Change(7, frozenset({"2026-12-03", "2026-12-05"})),
        live.Change(8, None),
    ]


async def test_a_rolled_back_transaction_announces_nothing(hub):
    subscription = await hub.subscribe(None, None)
    with pytest.raises(RuntimeError):
        async with transaction():
            await live.publish(7, at(3, 14), at(3, 16))
            raise RuntimeError("refused")
    async with transaction():
        await live.publish(8, at(4, 14), at(4, 16))  # a marker: whatever came first would be seen first
    assert await received(subscription) == [live.Change(8, frozenset({"2026-12-04"}))]


async def test_on_postgresql_changes_committed_together_go_out_as_one_notify_after_their_commits(hub, monkeypatch):
    if is_sqlite():
        pytest.skip("NOTIFY is PostgreSQL's transport")
    sent: list[str] = []
    original = live.db.fetch

    async def noted(sql, *args):
        if "pg_notify" in sql:
            sent.append(args[1])
        return await original(sql, *args)

    monkeypatch.setattr(live.db, "fetch", noted)
    subscription = await hub.subscribe(None, None)
    async with transaction():
        await live.publish(7, at(3, 14), at(3, 16))
        assert sent == []  # nothing goes out before the commit
    async with transaction():
        await live.publish(8, at(3, 9), at(3, 10))
    changes = []
    while len(changes) < 2:
        changes += await received(subscription)
    assert sorted(c.facility_id for c in changes) == [7, 8]
    assert len(sent) == 1 and sorted(c.facility_id for c in live.decode(sent[0])) == [7, 8]
    # What waits is sent at once when the process closes its database (or stops its hub).
    async with transaction():
        await live.publish(9)
    await live.flush()
    assert len(sent) == 2 and live.decode(sent[1]) == [live.Change(9, None)]


async def test_a_change_written_outside_a_transaction_is_announced_at_once(hub):
    subscription = await hub.subscribe(None, None)
    await live.publish(9, at(3, 10), at(3, 11))
    assert await received(subscription) == [live.Change(9, frozenset({"2026-12-03"}))]


async def test_a_subscriber_does_not_hear_another_facilitys_change(hub):
    mine = await hub.subscribe(frozenset({1}), None)
    async with transaction():
        await live.publish(2, at(3, 10), at(3, 11))
    async with transaction():
        await live.publish(1, at(3, 12), at(3, 13))
    assert await received(mine) == [live.Change(1, frozenset({"2026-12-03"}))]


async def test_one_subscriber_too_many_is_refused_and_a_closed_hub_ends_its_streams(hub):
    hub.max_clients = 1
    first = await hub.subscribe(None, None)
    with pytest.raises(Unavailable):
        await hub.subscribe(None, None)
    messages = live.stream(first, hub.closed)
    assert (await anext(messages)).comment == "listening"
    hub.close()
    with pytest.raises(StopAsyncIteration):
        await asyncio.wait_for(anext(messages), WAIT_S)
    with pytest.raises(Unavailable):
        await hub.subscribe(None, None)


async def test_the_sqlite_change_log_keeps_only_its_recent_rows(db, monkeypatch):
    if not is_sqlite():
        pytest.skip("the change log is SQLite's transport")
    monkeypatch.setattr(live, "KEEP_ROWS", 5)
    monkeypatch.setattr(live, "PRUNE_EVERY", 4)
    for _ in range(12):
        await live.publish(1)
    rows = await fetch("SELECT COUNT(*) AS n FROM live_change")
    assert rows[0]["n"] <= 5 + 4


async def test_a_dropped_listening_connection_is_replaced_and_its_subscribers_told_to_refresh(hub):
    if is_sqlite():
        pytest.skip("SQLite's poller has no connection of its own")
    subscription = await hub.subscribe(None, None)
    await fetch(
        "SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE query LIKE 'LISTEN%' AND pid <> pg_backend_pid()"
        " AND datname = current_database()"
    )
    assert await received(subscription) == [live.ANYTHING]
    async with transaction():
        await live.publish(7, at(3, 14), at(3, 16))
    assert await received(subscription) == [live.Change(7, frozenset({"2026-12-03"}))]


@pytest.fixture
def redis_url(monkeypatch):
    server = shutil.which("redis-server")
    if server is None:
        pytest.skip("no redis-server on this machine")
    port = support.free_port()
    process = subprocess.Popen([server, "--port", str(port), "--save", "", "--appendonly", "no"],
                               stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    url = f"redis://127.0.0.1:{port}/0"
    import redis

    client = redis.Redis.from_url(url)
    for _ in range(100):
        try:
            client.ping()
            break
        except redis.ConnectionError:
            import time

            time.sleep(0.05)
    live._setting("zone")  # load the rest of the configuration first
    monkeypatch.setitem(live._config, "redis_url", url)
    try:
        yield url
    finally:
        process.terminate()
        process.wait(timeout=10)


async def test_with_redis_a_change_is_published_after_the_commit_and_heard(redis_url, hub):
    subscription = await hub.subscribe(None, None)
    with pytest.raises(RuntimeError):
        async with transaction():
            await live.publish(7, at(3, 14), at(3, 16))
            raise RuntimeError("refused")
    async with transaction():
        await live.publish(8, at(4, 14), at(4, 16))
    assert await received(subscription) == [live.Change(8, frozenset({"2026-12-04"}))]
    for client in list(live._redis_clients.values()):
        await client.aclose()
    live._redis_clients.clear()
