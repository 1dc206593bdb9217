"""Every run gets its own fresh database (SQLite, or PostgreSQL with PARK_TEST_BACKEND=postgres), removed afterwards."""

from __future__ import annotations

import asyncio
import os
import shutil
import tempfile
from collections.abc import AsyncIterator

import pytest

from tests import support

# Before anything imports Park: Piccolo binds its engine at import.
os.environ["PARK_DATABASE_URL"] = support.create_test_database()
os.environ["PARK_ENVIRONMENT"] = "development"
os.environ["PARK_DATA_DIR"] = tempfile.mkdtemp(prefix="park-test-data-")
os.environ["PARK_MAIL_LOG_PATH"] = os.path.join(tempfile.gettempdir(), f"park-test-mail-{os.getpid()}.log")

import httpx  # noqa: E402
from argon2 import PasswordHasher  # noqa: E402

import park.accounts.passwords as passwords  # noqa: E402
from park.settings import load_settings  # noqa: E402
from park.shared.migrate import upgrade_database  # noqa: E402
from tests import builders  # noqa: E402

# Cheap hashing keeps the suite fast; production parameters are argon2-cffi's defaults.
passwords._hasher = PasswordHasher(time_cost=1, memory_cost=1024, parallelism=1)
passwords._DUMMY_HASH = passwords._hasher.hash("not-a-real-password-0")


def pytest_report_header(config: pytest.Config) -> str:
    return f"park database: {support.BACKEND} ({os.environ['PARK_DATABASE_URL']})"


def pytest_sessionstart(session: pytest.Session) -> None:
    asyncio.run(upgrade_database())


def pytest_sessionfinish(session: pytest.Session, exitstatus: int) -> None:
    support.drop_test_database()
    shutil.rmtree(os.environ["PARK_DATA_DIR"], ignore_errors=True)


def _app_tables() -> list[type]:
    from piccolo.conf.apps import Finder

    return Finder().get_table_classes()


async def _empty_tables() -> None:
    from park.shared.db import is_sqlite, fetch

    if is_sqlite():
        existing = {row["name"] for row in await fetch("SELECT name FROM sqlite_master WHERE type = 'table'")}
    else:
        existing = {row["name"] for row in await fetch("SELECT tablename AS name FROM pg_tables WHERE schemaname = 'public'")}
    # A table whose migration has not been written yet is caught by tests/test_migrations.py, not here.
    names = [table._meta.tablename for table in _app_tables() if table._meta.tablename in existing]
    # Tables made by raw SQL only (no Piccolo class), emptied last: deleting bookings logs changes.
    names += [name for name in ("report_change", "report_day_sum") if name in existing]
    if is_sqlite():
        await fetch("PRAGMA foreign_keys = OFF")
        for name in names:
            await fetch(f'DELETE FROM "{name}"')
    else:
        await fetch("TRUNCATE " + ", ".join(f'"{name}"' for name in names) + " RESTART IDENTITY CASCADE")


@pytest.fixture
def settings():
    return load_settings()


@pytest.fixture
async def db() -> AsyncIterator[None]:
    """The run's database, emptied after the test."""
    yield
    await _empty_tables()


_APPS: dict[str, object] = {}


def _built_app(settings):
    """One app per distinct settings for the run: assembling Park's ~340 routes costs a fifth of a second.

    Nothing a test does lives in the app object itself (sessions, throttles and claims are in the
    database, which every test empties), so sharing it changes no answer.
    """
    from park.app import create_app

    key = repr(settings)
    if key not in _APPS:
        _APPS[key] = create_app(settings)
    return _APPS[key]


@pytest.fixture
async def app(request, db, settings):
    """The app with its database opened as its lifespan would (the lifespan's task group cannot span fixture tasks).

    A test marked `own_app` (one that registers routes of its own) gets an app of its own.
    """
    from park.app import create_app
    from park.shared.db import close_database, open_database

    application = create_app(settings) if request.node.get_closest_marker("own_app") else _built_app(settings)
    engine = await open_database(settings)
    try:
        yield application
    finally:
        await close_database(engine)


@pytest.fixture
async def client(app) -> AsyncIterator[httpx.AsyncClient]:
    """A same-loop HTTP client against the app (the API and the pages)."""
    transport = httpx.ASGITransport(app=app)
    async with httpx.AsyncClient(transport=transport, base_url="http://testserver") as http:
        yield http


@pytest.fixture
async def tenant(db):
    return await builders.create_tenant()


@pytest.fixture
async def other_tenant(db):
    return await builders.create_tenant(name="竞争对手公司", name_en="Rival Firm")


@pytest.fixture
async def manager(db) -> builders.Login:
    return await builders.create_user("manager")


@pytest.fixture
async def member(tenant) -> builders.Login:
    return await builders.create_user("member", tenant["id"])


@pytest.fixture
async def tenant_admin(tenant) -> builders.Login:
    return await builders.create_user("tenant_admin", tenant["id"])


@pytest.fixture
async def rival(other_tenant) -> builders.Login:
    """A member of another tenant firm: must never see or touch `tenant`'s records."""
    return await builders.create_user("member", other_tenant["id"])
