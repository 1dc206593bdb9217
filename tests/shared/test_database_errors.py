"""Faults of the database are 503 problems with Retry-After: a lock waited on too long says "busy"."""

from __future__ import annotations

import os
import sqlite3

import asyncpg
import pytest
from litestar import get, post
from litestar.params import FromPath

from park.shared.db import fetch, is_sqlite, transaction
from park.shared.locking import lock
from tests.support import BACKEND


def _assert_busy(response) -> None:
    assert response.status_code == 503
    assert response.headers["content-type"].startswith("application/problem+json")
    assert response.headers["retry-after"].isdigit()
    body = response.json()
    assert body["code"] == "unavailable"
    assert "busy" in body["detail"]


@pytest.mark.own_app
@pytest.mark.skipif(BACKEND != "postgres", reason="row locks and lock_timeout are PostgreSQL's")
async def test_a_row_lock_waited_on_past_the_lock_timeout_is_a_503_busy_problem(app, client, manager):
    @post("/api/v1/test-lock-user/{user_id:int}", status_code=204)
    async def lock_user(user_id: FromPath[int]) -> None:
        async with transaction():
            await _set_local_lock_timeout()
            await lock("park_user", user_id)

    app.register(lock_user)
    holder = await asyncpg.connect(os.environ["PARK_DATABASE_URL"])
    try:
        async with holder.transaction():
            await holder.fetch("SELECT id FROM park_user WHERE id = $1 FOR UPDATE", manager.id)
            response = await client.post(f"/api/v1/test-lock-user/{manager.id}", headers={"Accept-Language": "en"})
    finally:
        await holder.close()
    _assert_busy(response)
    assert (await client.post(f"/api/v1/test-lock-user/{manager.id}")).status_code == 204


async def _set_local_lock_timeout() -> None:
    if not is_sqlite():
        await fetch("SET LOCAL lock_timeout = '100ms'")  # the pool's 10 s, shortened for the test


@pytest.mark.own_app
@pytest.mark.parametrize("error", [
    asyncpg.LockNotAvailableError("canceling statement due to lock timeout"),
    asyncpg.QueryCanceledError("canceling statement due to statement timeout"),
    asyncpg.DeadlockDetectedError("deadlock detected"),
    sqlite3.OperationalError("database is locked"),
], ids=lambda error: type(error).__name__)
async def test_a_database_too_busy_to_answer_is_a_503_busy_problem(app, client, error):
    @get("/api/v1/test-busy")
    async def busy() -> None:
        raise error

    app.register(busy)
    _assert_busy(await client.get("/api/v1/test-busy", headers={"Accept-Language": "en"}))


@pytest.mark.own_app
@pytest.mark.parametrize("error", [
    ConnectionRefusedError(111, "Connection refused"),
    TimeoutError(),
    asyncpg.CannotConnectNowError("the database system is shutting down"),
    asyncpg.AdminShutdownError("terminating connection due to administrator command"),
    asyncpg.TooManyConnectionsError("sorry, too many clients already"),
    sqlite3.OperationalError("unable to open database file"),
], ids=lambda error: type(error).__name__)
async def test_a_database_out_of_reach_is_a_503_problem_with_retry_after_and_a_page_for_browsers(app, client, error):
    @get("/api/v1/test-down")
    async def down() -> None:
        raise error

    @get("/test-down-page")
    async def down_page() -> None:
        raise error

    app.register(down)
    app.register(down_page)
    response = await client.get("/api/v1/test-down")
    assert response.status_code == 503
    assert response.headers["content-type"].startswith("application/problem+json")
    assert response.json()["code"] == "unavailable"
    assert response.headers["retry-after"].isdigit()
    for language, words in (("en", "temporarily unavailable"), ("zh-CN", "数据库暂时不可用")):
        page = await client.get("/test-down-page", headers={"Accept": "text/html", "Accept-Language": language})
        assert page.status_code == 503
        assert page.headers["content-type"].startswith("text/html")
        assert page.headers["retry-after"].isdigit()
        assert words in page.text


@pytest.mark.skipif(BACKEND != "postgres", reason="asyncpg's pool and statement timeouts")
async def test_every_wait_on_postgresql_is_bounded(settings, monkeypatch):
    """A statement that does not finish and a pool with no free connection both end in TimeoutError
    (answered 503), instead of holding the request for as long as the server stays silent."""
    from park.shared import db

    monkeypatch.setattr(db, "PG_COMMAND_TIMEOUT_S", 0.2)
    monkeypatch.setattr(db, "PG_ACQUIRE_TIMEOUT_S", 0.2)
    engine = db.make_engine(settings)
    assert engine.config["timeout"] == db.PG_CONNECT_TIMEOUT_S
    await engine.start_connection_pool(min_size=1, max_size=1)
    db._bound_pool_waits(engine)
    try:
        async with engine.pool.acquire() as connection:
            with pytest.raises(TimeoutError):
                await connection.fetch("SELECT pg_sleep(5)")
            with pytest.raises(TimeoutError):  # the only connection is taken
                await engine.pool.acquire()
        assert await engine.pool.fetchval("SELECT 1") == 1  # and the pool serves again
    finally:
        await engine.close_connection_pool()
