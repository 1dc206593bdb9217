"""The database engine: built from settings, shared by every table, one transaction helper."""

from __future__ import annotations

import asyncio
import collections
import contextvars
import fcntl
import functools
import logging
import os
import queue
import re
import sqlite3
import threading
import weakref
from collections.abc import Awaitable, Callable
from contextvars import ContextVar
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Sequence

import aiosqlite
import asyncpg
from piccolo.engine.base import Engine
from piccolo.engine.postgres import PostgresEngine, PostgresTransaction
from piccolo.engine.sqlite import SQLiteEngine, SQLiteTransaction, TransactionType, dict_factory

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
    """An aiosqlite connection whose close() hands it back to the engine (`release`), not to the OS."""

    def __init__(self, engine: PooledSQLiteEngine, connection: aiosqlite.Connection, release: Any = None) -> None:
        object.__setattr__(self, "_engine", engine)
        object.__setattr__(self, "_connection", connection)
        object.__setattr__(self, "_release", release or engine.release)

    def __getattr__(self, name: str) -> Any:
        return getattr(self._connection, name)

    def __setattr__(self, name: str, value: Any) -> None:
        setattr(self._connection, name, value)

    async def close(self) -> None:
        release, self._release = self._release, None
        if release is not None:  # twice is harmless
            await release(self._connection)


class PooledSQLiteEngine(SQLiteEngine):
    """Piccolo's SQLite engine, reusing connections instead of opening one per query, with one writer.

    Opening an aiosqlite connection starts a thread and opens the file: most of the cost of a
    small query. Reads (and autocommitted statements) share at most MAX_CONNECTIONS pooled
    connections; a query finding them all busy waits for one instead of starting a thread.

    SQLite has one writer at a time. Every write `transaction()` of the process runs on the one
    writer connection, taken in arrival order (`writer`): at most one transaction per process
    waits on SQLite's lock (whose busy handler sleeps and retries, so many waiters there are
    served in no order and the unlucky ones wait seconds), and the others queue in the
    process, served first come, first served. The threads are daemons, so an idle connection
    never keeps a finished process alive.
    """

    MAX_CONNECTIONS = 8

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self._idle: list[aiosqlite.Connection] = []
        self._open_count = 0
        self._waiters: collections.deque[asyncio.Future] = collections.deque()
        self._writer: aiosqlite.Connection | None = None
        self._turns: weakref.WeakKeyDictionary[asyncio.AbstractEventLoop, asyncio.Lock] = weakref.WeakKeyDictionary()
        self._processes = _ProcessTurn(f"{self.path}-writer")

    def _file_id(self) -> tuple[int, int] | None:
        try:
            stat = os.stat(self.path)
        except OSError:
            return None
        return stat.st_dev, stat.st_ino

    async def _open(self) -> aiosqlite.Connection:
        connection = aiosqlite.connect(**self.connection_kwargs)
        connection._thread.daemon = True  # see the class docstring
        await connection
        connection.row_factory = dict_factory
        await connection.execute("PRAGMA foreign_keys = 1")
        # With WAL, NORMAL syncs at checkpoints rather than at every commit: no corruption on
        # a crash, and a power cut loses at most the last moments' commits.
        await connection.execute("PRAGMA synchronous = NORMAL")
        connection.park_file_id = self._file_id()  # (device, inode) this connection has open
        return connection

    def _current(self, connection: aiosqlite.Connection | None, file_id: tuple[int, int] | None) -> bool:
        # A connection to a file that is gone or was replaced (moved away, restored from a
        # backup) would go on using the old file, unseen by anyone: it is closed and opened anew.
        return connection is not None and connection._connection is not None and (
            getattr(connection, "park_file_id", None) == file_id)

    async def get_connection(self) -> Any:
        while self._idle:
            connection = self._idle.pop()
            if self._current(connection, self._file_id()):
                return _PooledConnection(self, connection)
            await self._drop(connection)
        if self._open_count >= self.MAX_CONNECTIONS:
            connection = await self._wait_for_a_free_connection()
            if connection is not None:
                if self._current(connection, self._file_id()):
                    return _PooledConnection(self, connection)
                await _close_quietly(connection)  # its place passes to the new one below
        else:
            self._open_count += 1
        try:
            return _PooledConnection(self, await self._open())
        except BaseException:
            self._open_count -= 1
            raise

    async def _wait_for_a_free_connection(self) -> aiosqlite.Connection | None:
        """The next connection handed back, or None: one was dropped, open a new one in its place."""
        waiter: asyncio.Future = asyncio.get_running_loop().create_future()
        self._waiters.append(waiter)
        try:
            async with asyncio.timeout(SQLITE_BUSY_TIMEOUT_S):
                return await waiter
        except BaseException as error:
            if waiter.done() and not waiter.cancelled():  # handed one just as we gave up: pass it on
                self._hand_on(waiter.result())
            if isinstance(error, TimeoutError):
                raise sqlite3.OperationalError("database is busy: no free connection") from None
            raise
        finally:
            if waiter in self._waiters:
                self._waiters.remove(waiter)

    def _hand_on(self, connection: aiosqlite.Connection | None) -> None:
        """A connection (or, with None, the place of a dropped one) to the first query waiting, else idle."""
        while self._waiters:
            waiter = self._waiters.popleft()
            if not waiter.done() and not waiter.get_loop().is_closed():
                waiter.set_result(connection)
                return
        if connection is None:
            self._open_count -= 1
        else:
            self._idle.append(connection)

    async def _drop(self, connection: aiosqlite.Connection) -> None:
        await _close_quietly(connection)
        self._hand_on(None)

    async def _run_in_new_connection(self, query: str, args: Any = None, query_type: str = "generic", table: Any = None):
        connection = await self.get_connection()
        try:
            return await connection.execute_fetchall(query, args or [])
        finally:
            await connection.close()

    async def _run_in_existing_connection(
        self, connection: Any, query: str, args: Any = None, query_type: str = "generic", table: Any = None
    ):
        # Piccolo repeats PRAGMA foreign_keys before every statement; our connections have it from the start.
        return await connection.execute_fetchall(query, args or [])

    async def release(self, connection: aiosqlite.Connection) -> None:
        try:
            if connection.in_transaction:
                await connection.rollback()
        except Exception:  # a broken connection is simply dropped
            await self._drop(connection)
        else:
            self._hand_on(connection)

    # --- the writer ---------------------------------------------------------------------

    def _turn(self) -> asyncio.Lock:
        loop = asyncio.get_running_loop()  # an asyncio lock belongs to one loop (tests run several)
        turn = self._turns.get(loop)
        if turn is None:
            turn = self._turns[loop] = asyncio.Lock()
        return turn

    async def writer(self) -> Any:
        """The process's writer connection, once every write transaction that asked before it has
        finished (an asyncio lock wakes its waiters in order) and the other processes' writer has
        let go (`_ProcessTurn`). Its close() hands both turns on."""
        deadline = asyncio.get_running_loop().time() + SQLITE_BUSY_TIMEOUT_S
        turn = self._turn()
        try:
            async with asyncio.timeout_at(deadline):
                await turn.acquire()
        except TimeoutError:
            raise sqlite3.OperationalError("database is locked: too many writes waiting") from None
        try:
            await self._processes.acquire(deadline, on_abandon=turn.release)
        except _Abandoned as abandoned:  # the turn goes on once the lock wait ends
            raise sqlite3.OperationalError("database is locked: another process holds the write lock") from abandoned.cause
        except BaseException:
            turn.release()
            raise
        try:
            if not self._current(self._writer, self._file_id()):
                stale, self._writer = self._writer, None
                if stale is not None:
                    await _close_quietly(stale)
                self._writer = await self._open()
        except BaseException:
            self._processes.release()
            turn.release()
            raise
        return _PooledConnection(self, self._writer, release=lambda connection: self._release_writer(connection, turn))

    async def _release_writer(self, connection: aiosqlite.Connection, turn: asyncio.Lock) -> None:
        try:
            if connection.in_transaction:
                await connection.rollback()
        except Exception:  # broken: the next writer opens a new one
            if self._writer is connection:
                self._writer = None
            await _close_quietly(connection)
        finally:
            self._processes.release()
            turn.release()

    def transaction(self, transaction_type: TransactionType = TransactionType.deferred, allow_nested: bool = True) -> Any:
        if transaction_type is TransactionType.immediate:
            return _QueuedTransaction(self, allow_nested=allow_nested)
        return super().transaction(transaction_type=transaction_type, allow_nested=allow_nested)

    async def close_idle(self) -> None:
        idle, self._idle = self._idle, []
        for connection in idle:
            await self._drop(connection)
        writer, self._writer = self._writer, None
        if writer is not None:
            await _close_quietly(writer)


async def _close_quietly(connection: aiosqlite.Connection) -> None:
    try:
        await connection.close()
    except Exception:  # already broken
        pass


class _Abandoned(Exception):
    def __init__(self, cause: BaseException) -> None:
        super().__init__(str(cause))
        self.cause = cause


class _ProcessTurn:
    """The write turn among the processes sharing one SQLite file: flock(2) on a file beside it.

    The kernel wakes a process waiting for the turn the moment the holder lets go, where
    SQLite's busy handler sleeps up to 100 ms between tries (and so serves a process whose
    writer keeps coming back before one that waits). It only orders the writers: SQLite's
    own lock still decides (a write outside `transaction()`, another program), so a turn
    file that cannot be opened costs the order, never correctness. A wait happens in one
    daemon thread of the process, never in the event loop.
    """

    def __init__(self, path: str) -> None:
        self.path = path
        self._fd: int | None = None
        self._owner: tuple[int, int, int] | None = None  # (pid, device, inode) of the open file
        self._held = False
        self._jobs: queue.SimpleQueue[tuple[asyncio.AbstractEventLoop, asyncio.Future, int]] = queue.SimpleQueue()
        self._thread: threading.Thread | None = None

    def _descriptor(self) -> int | None:
        try:
            stat = os.stat(self.path)
            owner = (os.getpid(), stat.st_dev, stat.st_ino)
        except OSError:
            owner = None
        if self._fd is not None and owner == self._owner:
            return self._fd
        # First use, a forked child (a descriptor shared across fork would share the lock),
        # or the file moved or replaced: open it (anew).
        if self._fd is not None:
            os.close(self._fd)
            self._fd = None
        try:
            fd = os.open(self.path, os.O_RDWR | os.O_CREAT | os.O_CLOEXEC, 0o644)
            stat = os.fstat(fd)
        except OSError:
            return None
        self._fd, self._owner = fd, (os.getpid(), stat.st_dev, stat.st_ino)
        return fd

    async def acquire(self, deadline: float, *, on_abandon: Callable[[], None]) -> None:
        """Hold the turn until `release()`, waiting until `deadline` (the loop's clock) at most.

        A wait given up (timeout, cancellation) raises _Abandoned: the thread may still get the
        lock, so `on_abandon` runs once it has let go again, not before.
        """
        fd = self._descriptor()
        if fd is None:
            return
        try:
            fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            pass
        except OSError:
            return  # no lock to be had on this file system: SQLite alone orders the writers
        else:
            self._held = True
            return
        waiting = self._in_thread(fd)
        try:
            async with asyncio.timeout_at(deadline):
                self._held = await asyncio.shield(waiting)
        except BaseException as error:
            def let_go(done: asyncio.Future) -> None:
                if done.result():
                    fcntl.flock(fd, fcntl.LOCK_UN)
                on_abandon()

            waiting.add_done_callback(let_go)
            raise _Abandoned(error) from error

    def release(self) -> None:
        if self._held:
            self._held = False
            fcntl.flock(self._fd, fcntl.LOCK_UN)

    def _in_thread(self, fd: int) -> asyncio.Future:
        loop = asyncio.get_running_loop()
        waiting = loop.create_future()
        if self._thread is None or not self._thread.is_alive():
            self._thread = threading.Thread(target=self._wait_for_locks, name="park-sqlite-turn", daemon=True)
            self._thread.start()
        self._jobs.put((loop, waiting, fd))
        return waiting

    def _wait_for_locks(self) -> None:
        while True:
            loop, waiting, fd = self._jobs.get()
            try:
                fcntl.flock(fd, fcntl.LOCK_EX)
                held = True
            except OSError:  # no lock to be had: SQLite alone orders the writers
                held = False
            try:
                loop.call_soon_threadsafe(_settle, waiting, held)
            except RuntimeError:  # the loop is gone: nobody will use the lock
                if held:
                    fcntl.flock(fd, fcntl.LOCK_UN)


def _settle(waiting: asyncio.Future, held: bool) -> None:
    if not waiting.done():  # never cancelled: it is shielded
        waiting.set_result(held)


class _QueuedTransaction(SQLiteTransaction):
    """An IMMEDIATE transaction on the process's writer connection, begun in its turn.

    Unlike Piccolo's, it always hands its connection (and so the turn) back, even when BEGIN,
    COMMIT or ROLLBACK fails.
    """

    __slots__ = ()

    def __init__(self, engine: PooledSQLiteEngine, allow_nested: bool = True) -> None:
        super().__init__(engine, transaction_type=TransactionType.immediate, allow_nested=allow_nested)

    async def get_connection(self) -> Any:
        return await self.engine.writer()

    async def __aenter__(self) -> Any:
        if self._parent is not None:
            return self._parent
        self.connection = await self.get_connection()
        try:
            await self.begin()
        except BaseException:
            await self.connection.close()
            raise
        self.context = self.engine.current_transaction.set(self)
        return self

    async def __aexit__(self, kind: Any, error: BaseException | None, traceback: Any) -> bool:
        if self._parent is not None:
            return error is None
        try:
            if error is not None:
                if not self._rolled_back:
                    await self.rollback()
            elif not self._committed and not self._rolled_back:
                await self.commit()
        finally:
            self.engine.current_transaction.reset(self.context)
            await self.connection.close()  # rolls back whatever is still open, then the next writer's turn
        return error is None


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


def transaction(*, locks: Sequence[tuple[str, int]] = ()) -> _Transaction:
    """A write transaction that takes the write lock up front.

    SQLite's default DEFERRED transactions fail under concurrent writers
    ("database is locked" on upgrade); IMMEDIATE ones, on the process's one writer
    connection, queue in arrival order (`PooledSQLiteEngine.writer`): keep work that is
    not the database's outside them, every moment inside holds up every other writer.
    Work can be attached to its commit (`commit_hooks`).

    `locks`, (table, id) pairs in the order they are to be taken (`park.shared.locking`'s
    order: facility before tenant): on PostgreSQL the transaction begins holding those rows'
    locks, sent with its BEGIN in one round trip; on SQLite the write lock already covers them.
    Inside a transaction already open, `locks` are taken as `park.shared.locking.lock` would.
    """
    for table, key in locks:
        if not _TABLE_NAME.match(table) or not isinstance(key, int) or not 0 < key < 2**31:
            raise ValueError(f"not a table and a row id: {table!r}, {key!r}")
    engine = current_engine()
    if isinstance(engine, SQLiteEngine):
        return _Transaction(engine.transaction(transaction_type=TransactionType.immediate))
    if locks and engine.current_transaction.get() is None:
        return _Transaction(_LockingPostgresTransaction(engine, tuple(locks)), gate=_locking_gate())
    return _Transaction(engine.transaction(), locks=tuple(locks))


_locking_writers = [Settings.database_locking_writers]
_gates: weakref.WeakKeyDictionary[asyncio.AbstractEventLoop, asyncio.Semaphore] = weakref.WeakKeyDictionary()


def _locking_gate() -> asyncio.Semaphore:
    """The process's turn for transactions that begin with row locks (PostgreSQL).

    Sixty-four bookings at once on a few cores mostly wait on one another's row locks, and
    PostgreSQL grants a contended lock in no particular order: the unlucky wait long (p99
    270–400 ms at 64 connections on two cores). Let through `database_locking_writers` at a
    time, the rest queue here in arrival order, holding no connection: the same rate, p99 ~100 ms.
    """
    loop = asyncio.get_running_loop()
    gate = _gates.get(loop)
    if gate is None:
        gate = _gates[loop] = asyncio.Semaphore(_locking_writers[0])
    return gate


_TABLE_NAME = re.compile(r"^[a-z_]+$")


class _LockingPostgresTransaction(PostgresTransaction):
    """Piccolo's transaction whose BEGIN carries its first row locks: `BEGIN; SELECT … FOR UPDATE; …`
    in one simple-protocol message (its ids are integers, checked by `transaction`). Each
    statement of the message runs in order, so the locks are taken in the order given, and
    the transaction's first read, sent next, sees every write committed before them."""

    def __init__(self, engine: PostgresEngine, locks: tuple[tuple[str, int], ...]) -> None:
        super().__init__(engine)
        self._locks = locks

    async def begin(self) -> None:
        message = "; ".join(["BEGIN", *(f"SELECT id FROM {table} WHERE id = {int(key)} FOR UPDATE" for table, key in self._locks)])
        try:
            await self.connection.execute(message)
        except BaseException:
            # Piccolo hands the connection back only from __aexit__, which a failed start never reaches.
            try:
                if not self.connection.is_closed() and self.connection.is_in_transaction():
                    await self.connection.execute("ROLLBACK")
            finally:
                if self.engine.pool:
                    await self.engine.pool.release(self.connection)
                else:
                    await self.connection.close()
            raise

    async def commit(self) -> None:
        await self.connection.execute("COMMIT")
        self._committed = True

    async def rollback(self) -> None:
        await self.connection.execute("ROLLBACK")
        self._rolled_back = True


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

    def __init__(self, inner: Any, locks: tuple[tuple[str, int], ...] = (), gate: asyncio.Semaphore | None = None) -> None:
        self._inner = inner
        self._locks = locks  # taken once inside, when they could not ride with the BEGIN
        self._gate = gate  # waited for before a connection is taken, given back after the commit
        self._token: Any = None

    async def __aenter__(self) -> Any:
        if self._gate is not None:
            await self._gate.acquire()
        try:
            return await self._enter()
        except BaseException:
            self._open_gate()
            raise

    def _open_gate(self) -> None:
        if self._gate is not None:
            self._gate.release()
            self._gate = None

    async def _enter(self) -> Any:
        if _COMMIT_HOOKS.get() is None:
            hooks = CommitHooks()
            request_hook = before_commit.get()
            if request_hook is not None:
                hooks.before.append(request_hook)
            self._token = _COMMIT_HOOKS.set(hooks)
        try:
            entered = await self._inner.__aenter__()
        except BaseException:
            self._reset()
            raise
        try:
            for table, key in self._locks:
                await entered.connection.fetch(f"SELECT id FROM {table} WHERE id = $1 FOR UPDATE", key)
        except BaseException as error:
            await self.__aexit__(type(error), error, error.__traceback__)
            raise
        return entered

    async def __aexit__(self, kind: Any, error: BaseException | None, traceback: Any) -> bool:
        hooks = _COMMIT_HOOKS.get() if self._token is not None else None
        try:
            if hooks is not None and error is None:
                try:
                    for hook in hooks.before:
                        await hook()
                    await _flush_writes(hooks)  # last: the hooks above may add to it
                except BaseException as failure:  # the transaction rolls back and the failure propagates
                    await self._inner.__aexit__(type(failure), failure, failure.__traceback__)
                    raise
            result = await self._inner.__aexit__(kind, error, traceback)
        finally:
            self._reset()
            self._open_gate()
        if hooks is not None and error is None:
            for hook in hooks.after:
                await hook()
        return result

    def _reset(self) -> None:
        if self._token is not None:
            _COMMIT_HOOKS.reset(self._token)
            self._token = None


_WRITES_KEY = "park_writes_at_commit"
_CHECKS_KEY = "park_checks_at_commit"
_MAX_PARAMETERS = 30_000  # PostgreSQL allows 32,767 per statement
_PLACEHOLDER = re.compile(r"\$(\d+)")


async def write_at_commit(sql: str, *args: Any) -> None:
    """A row insert of the open `transaction()` that nothing in the transaction reads back
    (an outbox message, an audit entry): on PostgreSQL they are held and sent together as one
    statement just before the commit, saving a round trip each. It commits or rolls back with
    the transaction as before. Outside a transaction, and on SQLite (no round trips), at once.
    `sql` is one INSERT … VALUES without RETURNING.
    """
    hooks = commit_hooks()
    if hooks is None or is_sqlite():
        await fetch(sql, *args)
        return
    hooks.state.setdefault(_WRITES_KEY, []).append((sql, args))


async def check_at_commit(sql: str, *args: Any, failure: Callable[[], BaseException]) -> None:
    """An `UPDATE … RETURNING` of the open `transaction()` that must change a row, else the
    transaction rolls back with `failure()` (the Idempotency-Key claim's owner check). On
    PostgreSQL it goes in the statement of `write_at_commit`; on SQLite, and outside a
    transaction, at once."""
    hooks = commit_hooks()
    if hooks is None or is_sqlite():
        if not await fetch(sql, *args):
            raise failure()
        return
    hooks.state.setdefault(_CHECKS_KEY, []).append((sql, args, failure))


@functools.lru_cache(maxsize=256)
def renumbered(sql: str, offset: int) -> str:
    """`sql` with each placeholder moved on by `offset` ($1 → $4 for 3): to embed a statement in another."""
    return _PLACEHOLDER.sub(lambda match: f"${int(match.group(1)) + offset}", sql)


async def _flush_writes(hooks: CommitHooks) -> None:
    """The transaction's held writes and checks, as few statements as the parameter limit allows
    (one, for a booking): `WITH w0 AS (INSERT …), c0 AS (UPDATE … RETURNING id) SELECT (SELECT
    COUNT(*) FROM c0) AS c0`."""
    pending: list[tuple[str, tuple[Any, ...]]] = hooks.state.pop(_WRITES_KEY, [])
    checks: list[tuple[str, tuple[Any, ...], Callable[[], BaseException]]] = hooks.state.pop(_CHECKS_KEY, [])
    while pending or checks:
        writes: list[str] = []
        values: list[Any] = []
        while pending and (not writes or len(values) + len(pending[0][1]) <= _MAX_PARAMETERS):
            sql, args = pending.pop(0)
            writes.append(renumbered(sql, len(values)))
            values.extend(args)
        ctes = [f"w{index} AS ({sql})" for index, sql in enumerate(writes)]
        selected: list[str] = []
        failures: list[Callable[[], BaseException]] = []
        if not pending:  # the checks ride with the last statement
            for sql, args, failure in checks:
                name = f"c{len(failures)}"
                ctes.append(f"{name} AS ({renumbered(sql, len(values))})")
                values.extend(args)
                selected.append(f"(SELECT COUNT(*) FROM {name}) AS {name}")
                failures.append(failure)
            checks = []
        if len(writes) == 1 and not selected:
            await fetch(writes[0], *values)
            continue
        sql = f"SELECT {', '.join(selected) or '1'}"
        rows = await fetch(f"WITH {', '.join(ctes)} {sql}" if ctes else sql, *values)
        for index, failure in enumerate(failures):
            if not rows[0][f"c{index}"]:
                raise failure()


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


async def _reset_connection(connection: asyncpg.Connection) -> None:
    """What a pooled connection needs on its way back: a rollback if a transaction was left open.

    asyncpg's default also unlocks advisory locks, closes cursors, unlistens and resets session
    settings, one more round trip per request; Park does none of those on pooled connections
    (the job locks and LISTEN use connections of their own, settings are set at connect).
    """
    if connection.is_in_transaction():
        await connection.execute("ROLLBACK")


POOL_RETRY_S = 2.0
"""A server started while PostgreSQL was away tries to open its pool again this often."""

_pool_retries: dict[int, asyncio.Task] = {}


async def _start_pools(engine: Engine, settings: Settings) -> None:
    if engine.pool is None:
        await engine.start_connection_pool(min_size=1, max_size=settings.database_pool_size, reset=_reset_connection)
        _bound_pool_waits(engine)
    replica = getattr(engine, "replica", None)
    if replica is not None and replica.pool is None:
        await replica.start_connection_pool(min_size=1, max_size=settings.database_pool_size, reset=_reset_connection)
        _bound_pool_waits(replica)


async def _retry_pools(engine: Engine, settings: Settings) -> None:
    while True:
        await asyncio.sleep(POOL_RETRY_S)
        try:
            await _start_pools(engine, settings)
        except Exception:  # still away: try again later
            continue
        log.info("database reachable again: connection pool opened")
        return


async def open_database(settings: Settings, *, keep_trying: bool = False) -> Engine:
    """Bind and prepare the database; an unreachable one is logged, not fatal (/healthz reports it).

    With `keep_trying` (the server), a PostgreSQL pool that could not be opened is retried in
    the background until the database answers; until then each query opens its own connection.
    """
    engine = use_settings(settings)
    _locking_writers[0] = settings.database_locking_writers
    try:
        if isinstance(engine, SQLiteEngine):
            prepare_sqlite(engine.path)
        else:
            await _start_pools(engine, settings)
    except Exception as error:  # refused, unknown database, bad file: all mean "unavailable"
        log.error("database unavailable at start-up: %s", error)
        if keep_trying and isinstance(engine, PostgresEngine):
            _pool_retries[id(engine)] = asyncio.get_running_loop().create_task(_retry_pools(engine, settings))
    return engine


_BEFORE_CLOSE: list[Callable[[], Awaitable[None]]] = []


def before_close(work: Callable[[], Awaitable[None]]) -> None:
    """Run `work` whenever `close_database` is about to close a database (writes a module holds back)."""
    if work not in _BEFORE_CLOSE:
        _BEFORE_CLOSE.append(work)


async def close_database(engine: Engine) -> None:
    for work in _BEFORE_CLOSE:
        try:
            await work()
        except Exception:  # closing goes on: the work is best effort by nature
            log.warning("work before closing the database failed", exc_info=True)
    retry = _pool_retries.pop(id(engine), None)
    if retry is not None:
        retry.cancel()
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
    return await _fetch(sql, args, as_dicts=True)


async def fetch_values(sql: str, *args: Any) -> list[Sequence[Any]]:
    """Rows of `sql` as sequences in the select list's order: `fetch` without a dict per row.

    For reads of thousands of narrow rows (free time), where building the dicts costs as much as the query.
    """
    return await _fetch(sql, args, as_dicts=False)


async def _fetch(sql: str, args: tuple[Any, ...], *, as_dicts: bool) -> list[Any]:
    engine = current_engine()
    current = engine.current_transaction.get()
    if isinstance(engine, SQLiteEngine):
        # One trip to the connection's thread per statement (execute and fetch together); the
        # connections autocommit (isolation_level None), so outside a transaction nothing is left to commit.
        if current is not None:
            return await _sqlite_rows(current.connection, sql, args, as_dicts)
        connection = await engine.get_connection()
        try:
            return await _sqlite_rows(connection, sql, args, as_dicts)
        finally:
            await connection.close()
    shape = _as_dicts if as_dicts else list  # asyncpg's records are sequences already
    if current is not None:
        return shape(await current.connection.fetch(sql, *args))
    replica = engine.replica_for(sql) if hasattr(engine, "replica_for") else None
    if replica is not None and replica.pool is not None:
        from park.shared.replica import REPLICA_FAILURES

        try:
            async with replica.pool.acquire() as connection:
                return shape(await connection.fetch(sql, *args))
        except REPLICA_FAILURES as error:
            log.warning("replica unavailable, reading the primary: %s", error)
    if engine.pool is None:  # not opened (the CLI, migrations, start-up checks): a connection of its own
        connection = await engine.get_new_connection()
        try:
            return shape(await connection.fetch(sql, *args))
        finally:
            await connection.close()
    async with engine.pool.acquire() as connection:
        return shape(await connection.fetch(sql, *args))


async def _sqlite_rows(connection: Any, sql: str, args: tuple[Any, ...], as_dicts: bool) -> list[Any]:
    if as_dicts:
        return list(await connection.execute_fetchall(_sqlite_sql(sql), args))
    cursor = await connection.execute(_sqlite_sql(sql), args)
    if not as_dicts:
        cursor.row_factory = None  # plain tuples (the connection's factory makes dicts)
    return await cursor.fetchall()


def _as_dicts(records: list[Any]) -> list[dict[str, Any]]:
    return [dict(record) for record in records]


async def fetch_one(sql: str, *args: Any) -> dict[str, Any] | None:
    rows = await fetch(sql, *args)
    return rows[0] if rows else None

