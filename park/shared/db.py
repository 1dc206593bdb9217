"""The database engine: built from settings, shared by every table, one transaction helper."""

from __future__ import annotations

import asyncio
import contextvars
import functools
import logging
import os
import re
import sqlite3
from collections.abc import Awaitable, Callable
from contextvars import ContextVar
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import aiosqlite
import asyncpg
from piccolo.engine.base import Engine
from piccolo.engine.postgres import PostgresEngine
from piccolo.engine.sqlite import SQLiteEngine, TransactionType, dict_factory

from park.settings import Settings, load_settings

SQLITE_BUSY_TIMEOUT_S = 30
PG_SERVER_SETTINGS = {"lock_timeout": "10s"}
"""Every PostgreSQL connection: a row lock (park.shared.locking) waited on longer than this fails
instead of hanging the request (SQLSTATE 55P03, answered 503 "busy, retry")."""
PG_CONNECT_TIMEOUT_S = 5.0
"""Opening a connection (TCP, TLS, start-up) to a server that does not answer gives up after this."""
PG_COMMAND_TIMEOUT_S = 30.0
"""One statement waited on longer than this is cancelled: a server that stopped answering mid-query
cannot hold a request for ever."""
PG_ACQUIRE_TIMEOUT_S = 10.0
"""Waiting for a free pooled connection (or for the pool to open one) gives up after this."""
log = logging.getLogger("park.db")


class _PooledConnection:
    """An aiosqlite connection whose close() hands it back to the engine for the next query."""

    def __init__(self, engine: PooledSQLiteEngine, connection: aiosqlite.Connection) -> None:
        object.__setattr__(self, "_engine", engine)
        object.__setattr__(self, "_connection", connection)

    def __getattr__(self, name: str) -> Any:
        return getattr(self._connection, name)

    def __setattr__(self, name: str, value: Any) -> None:
        setattr(self._connection, name, value)

    async def close(self) -> None:
        await self._engine.release(self._connection)


class PooledSQLiteEngine(SQLiteEngine):
    """Piccolo's SQLite engine, reusing connections instead of opening one per query.

    Opening an aiosqlite connection starts a thread and opens the file: most of the cost of a
    small query. Idle connections are kept (a few) and reused; one returned inside a
    transaction is rolled back first. Their threads are daemons, so an idle connection
    never keeps a finished process alive.
    """

    MAX_IDLE = 8

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self._idle: list[aiosqlite.Connection] = []

    def _file_id(self) -> tuple[int, int] | None:
        try:
            stat = os.stat(self.path)
        except OSError:
            return None
        return stat.st_dev, stat.st_ino

    async def get_connection(self) -> Any:
        file_id = self._file_id()
        while self._idle:
            connection = self._idle.pop()
            if connection._connection is None:  # closed
                continue
            if getattr(connection, "park_file_id", None) != file_id:
                # The file at the path is gone or was replaced (moved away, restored from a backup):
                # this connection would go on using the old file, unseen by anyone. Open anew.
                await connection.close()
                continue
            return _PooledConnection(self, connection)
        connection = aiosqlite.connect(**self.connection_kwargs)
        connection._thread.daemon = True  # see the class docstring
        await connection
        connection.row_factory = dict_factory
        await connection.execute("PRAGMA foreign_keys = 1")
        # With WAL, NORMAL syncs at checkpoints rather than at every commit: no corruption on
        # a crash, and a power cut loses at most the last moments' commits.
        await connection.execute("PRAGMA synchronous = NORMAL")
        connection.park_file_id = self._file_id()  # (device, inode) this connection has open
        return _PooledConnection(self, connection)

    async def _run_in_new_connection(self, query: str, args: Any = None, query_type: str = "generic", table: Any = None):
        connection = await self.get_connection()
        try:
            async with connection.execute(query, args or []) as cursor:
                return await cursor.fetchall()
        finally:
            await connection.close()

    async def _run_in_existing_connection(
        self, connection: Any, query: str, args: Any = None, query_type: str = "generic", table: Any = None
    ):
        # Piccolo repeats PRAGMA foreign_keys before every statement; our connections have it from the start.
        async with connection.execute(query, args or []) as cursor:
            return await cursor.fetchall()

    async def release(self, connection: aiosqlite.Connection) -> None:
        try:
            if connection.in_transaction:
                await connection.rollback()
        except Exception:  # a broken connection is simply dropped
            await connection.close()
            return
        if len(self._idle) < self.MAX_IDLE:
            self._idle.append(connection)
        else:
            await connection.close()

    async def close_idle(self) -> None:
        idle, self._idle = self._idle, []
        for connection in idle:
            await connection.close()


def pg_connect_config(dsn: str) -> dict[str, Any]:
    """asyncpg's connect arguments: every wait on the server is bounded (see the timeouts above)."""
    return {"dsn": dsn, "server_settings": PG_SERVER_SETTINGS, "timeout": PG_CONNECT_TIMEOUT_S,
            "command_timeout": PG_COMMAND_TIMEOUT_S}


class _BoundedPool(asyncpg.Pool):
    """asyncpg's pool whose acquire() waits at most PG_ACQUIRE_TIMEOUT_S unless told otherwise.

    Piccolo acquires without a timeout, and asyncpg has no pool-wide default; without one a
    request queues for ever behind connections that hang on a vanished server.
    """

    __slots__ = ()

    def acquire(self, *, timeout: float | None = None) -> Any:
        return super().acquire(timeout=PG_ACQUIRE_TIMEOUT_S if timeout is None else timeout)


def _bound_pool_waits(engine: Any) -> None:
    pool = getattr(engine, "pool", None)
    if pool is not None and type(pool) is asyncpg.Pool:
        pool.__class__ = _BoundedPool  # same layout (no new slots): only acquire() changes


def make_engine(settings: Settings) -> Engine:
    """A Piccolo engine for `settings.database_url` (connects lazily)."""
    if settings.is_sqlite:
        path = Path(settings.sqlite_path)
        try:
            path.parent.mkdir(parents=True, exist_ok=True)
        except OSError:
            pass  # reported as unavailable by open_database and /healthz
        # timeout = SQLite's busy timeout: concurrent writers wait instead of failing.
        return PooledSQLiteEngine(path=str(path), timeout=SQLITE_BUSY_TIMEOUT_S)
    if settings.database_replica_url:
        from park.shared.replica import ReplicaRoutingEngine

        return ReplicaRoutingEngine(config=pg_connect_config(settings.database_url), replica_dsn=settings.database_replica_url)
    return PostgresEngine(config=pg_connect_config(settings.database_url))


def database_busy(error: BaseException) -> bool:
    """The database is up but this request waited too long: a lock timeout (SQLSTATE 55P03), a
    cancelled statement (57014), a deadlock or serialization failure, SQLite's busy timeout."""
    if isinstance(error, (asyncpg.LockNotAvailableError, asyncpg.QueryCanceledError, asyncpg.DeadlockDetectedError,
                          asyncpg.SerializationError)):
        return True
    return isinstance(error, sqlite3.OperationalError) and any(word in str(error).lower() for word in ("locked", "busy"))


def database_unreachable(error: BaseException) -> bool:
    """A fault reaching the database (refused, dropped, timed out, shutting down, out of
    connections, file gone), not a bad query."""
    if isinstance(error, (ConnectionError, TimeoutError, asyncpg.PostgresConnectionError, asyncpg.InterfaceError,
                          asyncpg.OperatorInterventionError, asyncpg.InsufficientResourcesError)):
        return True
    if isinstance(error, OSError) and not isinstance(error, FileNotFoundError):
        return True
    if isinstance(error, sqlite3.OperationalError):
        text = str(error).lower()
        return any(word in text for word in ("unable to open", "disk i/o", "readonly", "no such table"))
    return False


_engine: Engine | None = None
"""The engine every table and query uses; park/piccolo_conf.py hands it to Piccolo as DB."""


def current_engine() -> Engine:
    """The bound engine; the first call builds it from the settings."""
    global _engine
    if _engine is None:
        _engine = make_engine(load_settings())
    return _engine


def is_sqlite() -> bool:
    return isinstance(current_engine(), SQLiteEngine)


def bind_engine(engine: Engine) -> None:
    """Point Piccolo (the migration runner and every table of the app) at `engine`."""
    from piccolo.apps.migrations.tables import Migration
    from piccolo.conf.apps import Finder

    global _engine
    _engine = engine
    Migration._meta.db = engine
    for table in Finder().get_table_classes():
        table._meta.db = engine


def use_settings(settings: Settings) -> Engine:
    """Bind the engine for `settings` unless the current one already serves that URL."""
    engine = current_engine()
    if _engine_url(engine) != _normalised(settings):
        engine = make_engine(settings)
        bind_engine(engine)
    return engine


def _normalised(settings: Settings) -> str:
    return settings.sqlite_path if settings.is_sqlite else settings.database_url


def _engine_url(engine: Engine) -> str:
    if isinstance(engine, SQLiteEngine):
        return engine.path
    return engine.config.get("dsn", "")


def transaction() -> _Transaction:
    """A write transaction that takes the write lock up front.

    SQLite's default DEFERRED transactions fail under concurrent writers
    ("database is locked" on upgrade); IMMEDIATE ones queue on the busy timeout.
    Work can be attached to its commit (`commit_hooks`).
    """
    engine = current_engine()
    if isinstance(engine, SQLiteEngine):
        return _Transaction(engine.transaction(transaction_type=TransactionType.immediate))
    return _Transaction(engine.transaction())


before_commit: contextvars.ContextVar[Callable[[], Awaitable[None]] | None] = contextvars.ContextVar(
    "park_before_commit", default=None)
"""Set for one request by park.shared.idempotency: a statement every write transaction of that
request runs last, inside the transaction, so it commits (or fails) with the request's changes."""


@dataclass
class CommitHooks:
    """Work attached to the open `transaction()`: `before` runs inside it just before it commits,
    `after` once it has committed (neither runs on a rollback); `state` is scratch space per owner."""

    before: list[Callable[[], Awaitable[None]]] = field(default_factory=list)
    after: list[Callable[[], Awaitable[None]]] = field(default_factory=list)
    state: dict[str, Any] = field(default_factory=dict)


_COMMIT_HOOKS: ContextVar[CommitHooks | None] = ContextVar("park_commit_hooks", default=None)


def commit_hooks() -> CommitHooks | None:
    """The hooks of the outermost open `transaction()`; None outside one."""
    return _COMMIT_HOOKS.get()


class _Transaction:
    """Piccolo's transaction, running the commit hooks of the outermost one (a nested one is a no-op)."""

    def __init__(self, inner: Any) -> None:
        self._inner = inner
        self._token: Any = None

    async def __aenter__(self) -> Any:
        if _COMMIT_HOOKS.get() is None:
            hooks = CommitHooks()
            request_hook = before_commit.get()
            if request_hook is not None:
                hooks.before.append(request_hook)
            self._token = _COMMIT_HOOKS.set(hooks)
        try:
            return await self._inner.__aenter__()
        except BaseException:
            self._reset()
            raise

    async def __aexit__(self, kind: Any, error: BaseException | None, traceback: Any) -> bool:
        hooks = _COMMIT_HOOKS.get() if self._token is not None else None
        try:
            if hooks is not None and error is None:
                try:
                    for hook in hooks.before:
                        await hook()
                except BaseException as failure:  # the transaction rolls back and the failure propagates
                    await self._inner.__aexit__(type(failure), failure, failure.__traceback__)
                    raise
            result = await self._inner.__aexit__(kind, error, traceback)
        finally:
            self._reset()
        if hooks is not None and error is None:
            for hook in hooks.after:
                await hook()
        return result

    def _reset(self) -> None:
        if self._token is not None:
            _COMMIT_HOOKS.reset(self._token)
            self._token = None


async def check_database(timeout_s: float = 3.0) -> bool:
    """True when the database answers a trivial query within the timeout."""
    try:
        await asyncio.wait_for(fetch("SELECT 1 AS ok"), timeout_s)
    except Exception:  # any failure to reach the database counts as unavailable
        return False
    return True


def prepare_sqlite(path: str) -> None:
    """WAL lets readers run beside the one writer; it persists in the file."""
    with sqlite3.connect(path, timeout=SQLITE_BUSY_TIMEOUT_S) as connection:
        connection.execute("PRAGMA journal_mode=WAL")


async def open_database(settings: Settings) -> Engine:
    """Bind and prepare the database; an unreachable one is logged, not fatal (/healthz reports it)."""
    engine = use_settings(settings)
    try:
        if isinstance(engine, SQLiteEngine):
            prepare_sqlite(engine.path)
        else:
            await engine.start_connection_pool(min_size=1, max_size=settings.database_pool_size)
            _bound_pool_waits(engine)
            replica = getattr(engine, "replica", None)
            if replica is not None:
                await replica.start_connection_pool(min_size=1, max_size=settings.database_pool_size)
                _bound_pool_waits(replica)
    except Exception as error:  # refused, unknown database, bad file: all mean "unavailable"
        log.error("database unavailable at start-up: %s", error)
    return engine


async def close_database(engine: Engine) -> None:
    replica = getattr(engine, "replica", None)
    if replica is not None and replica.pool is not None:
        await replica.close_connection_pool()
    if isinstance(engine, PostgresEngine) and engine.pool is not None:
        await engine.close_connection_pool()
    if isinstance(engine, PooledSQLiteEngine):
        await engine.close_idle()


# --- the fast path: hand-written SQL straight to the driver ----------------------------
#
# Piccolo builds each query anew and, outside a transaction, takes a pool connection per
# query: about ten times the driver's own cost. All of Park's hand-written SQL uses these
# helpers instead: one placeholder style, PostgreSQL's $1, $2 (a number may repeat); SQLite
# accepts the same numbering as ?1, ?2. Inside `transaction()` they run on its connection.

_PLACEHOLDER = re.compile(r"\$(\d+)")


@functools.lru_cache(maxsize=512)
def _sqlite_sql(sql: str) -> str:
    return _PLACEHOLDER.sub(r"?\1", sql)


async def fetch(sql: str, *args: Any) -> list[dict[str, Any]]:
    """Rows of `sql` as dicts, on the current transaction's connection if there is one."""
    engine = current_engine()
    current = engine.current_transaction.get()
    if isinstance(engine, SQLiteEngine):
        if current is not None:
            cursor = await current.connection.execute(_sqlite_sql(sql), args)
            return await cursor.fetchall()
        connection = await engine.get_connection()
        try:
            cursor = await connection.execute(_sqlite_sql(sql), args)
            rows = await cursor.fetchall()
            await connection.commit()
            return rows
        finally:
            await connection.close()
    if current is not None:
        return [dict(record) for record in await current.connection.fetch(sql, *args)]
    replica = engine.replica_for(sql) if hasattr(engine, "replica_for") else None
    if replica is not None and replica.pool is not None:
        from park.shared.replica import REPLICA_FAILURES

        try:
            async with replica.pool.acquire() as connection:
                return [dict(record) for record in await connection.fetch(sql, *args)]
        except REPLICA_FAILURES as error:
            log.warning("replica unavailable, reading the primary: %s", error)
    if engine.pool is None:  # not opened (the CLI, migrations, start-up checks): a connection of its own
        connection = await engine.get_new_connection()
        try:
            return [dict(record) for record in await connection.fetch(sql, *args)]
        finally:
            await connection.close()
    async with engine.pool.acquire() as connection:
        return [dict(record) for record in await connection.fetch(sql, *args)]


async def fetch_one(sql: str, *args: Any) -> dict[str, Any] | None:
    rows = await fetch(sql, *args)
    return rows[0] if rows else None

