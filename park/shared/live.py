"""Live updates: a change announced once its transaction commits, heard by every server process.

A change names a facility and the local days it touches: ids and dates only, never who booked or
why, so any page may hear it. One transport per deployment:

- **PostgreSQL**: `pg_notify('park_live', …)` right after the writing transaction commits (never
  for a rollback), the changes a process commits within `SEND_AFTER_S` sent as one. Not inside the
  transaction: PostgreSQL holds its single notification lock from a notifying transaction's commit
  until that commit is on disk, so every booking would commit one after another. Each process
  keeps one dedicated connection that `LISTEN`s (outside the pool), reconnecting when it drops.
- **Redis** (`PARK_REDIS_URL` set, e.g. several machines): `PUBLISH` right after the commit; each
  process keeps one subscription.
- **SQLite** (one machine): one row in the `live_change` table inside the writing transaction;
  one task per process reads the new rows every `POLL_S`. SQLite has one writer at a time, so
  rows are committed in id order and "id > the last one read" misses none. The table keeps its
  last `KEEP_ROWS` rows.

The listener of a process starts with its first subscriber. After it reconnects, its subscribers
get a change of "any facility, any day", so pages refresh what they may have missed.
"""

from __future__ import annotations

import asyncio
import json
import logging
import signal
import weakref
from collections.abc import AsyncIterator, Awaitable, Callable, Iterable
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from typing import Any
from zoneinfo import ZoneInfo

from litestar.response import ServerSentEventMessage

from park.shared import db
from park.shared.errors import Unavailable

log = logging.getLogger("park.live")

CHANNEL = "park_live"
POLL_S = 0.5
"""SQLite: how often each process reads new changes (a change shows within about this)."""
HEARTBEAT_S = 15.0
"""A comment line this often keeps proxies from closing an idle stream."""
MIN_GAP_S = 0.5
"""One subscriber gets at most one event per this; changes arriving meanwhile are merged."""
MAX_CLIENTS = 500
"""Open streams per server process; one more is refused with 503."""
MAX_DAYS = 62
"""A change over more days is announced as "any day"."""
MAX_PAYLOAD_BYTES = 7000
"""PostgreSQL refuses a NOTIFY payload of 8000 bytes; a larger batch becomes "anything changed"."""
KEEP_ROWS = 1000
PRUNE_EVERY = 50
"""SQLite: the change log is cut back to KEEP_ROWS once per this many new rows (so holds up to their sum)."""
RECONNECT_S = (0.2, 0.5, 1.0, 2.0, 5.0)
SEND_AFTER_S = 0.05
"""PostgreSQL: a committed change waits this long for others of the same process to go out with it."""
LISTEN_CHECK_S = 10.0
"""PostgreSQL: how often the listening connection is checked (a dropped connection may not say so)."""


@dataclass(frozen=True)
class Change:
    """The bookings or closures of `facility_id` changed on `days` (local ISO dates).

    None means any: after a reconnect a listener cannot say what it missed.
    """

    facility_id: int | None
    days: frozenset[str] | None

    def as_json(self) -> dict[str, Any]:
        return {"facility_id": self.facility_id, "days": None if self.days is None else sorted(self.days)}


ANYTHING = Change(None, None)


def days_of(starts_at: datetime, ends_at: datetime, zone: ZoneInfo) -> frozenset[str] | None:
    """The local days [starts_at, ends_at) touches; None when more than MAX_DAYS."""
    first = starts_at.astimezone(zone).date()
    last = (ends_at - timedelta(microseconds=1)).astimezone(zone).date() if ends_at > starts_at else first
    count = (last - first).days + 1
    if count > MAX_DAYS:
        return None
    return frozenset((first + timedelta(days=i)).isoformat() for i in range(count))


# --- merging --------------------------------------------------------------------------
# A batch maps facility id (None: any) → days (None: any). Merging only widens.

Batch = dict[int | None, set[str] | None]


def _merge(batch: Batch, change: Change) -> None:
    if None in batch and batch[None] is None:
        return  # "anything" covers every change
    if change.facility_id is None and change.days is None:
        batch.clear()
        batch[None] = None
        return
    if change.facility_id in batch:
        days = batch[change.facility_id]
        if days is not None:
            if change.days is None:
                batch[change.facility_id] = None
            else:
                days.update(change.days)
    else:
        batch[change.facility_id] = None if change.days is None else set(change.days)


def _changes(batch: Batch) -> list[Change]:
    return [Change(facility, None if days is None else frozenset(days)) for facility, days in batch.items()]


def encode(changes: Iterable[Change]) -> str:
    text = json.dumps([change.as_json() for change in changes], separators=(",", ":"))
    if len(text.encode()) > MAX_PAYLOAD_BYTES:
        return encode([ANYTHING])
    return text


def decode(text: str | bytes) -> list[Change]:
    """The changes in a message; a message Park did not write means "anything"."""
    try:
        items = json.loads(text)
        return [
            Change(
                None if item["facility_id"] is None else int(item["facility_id"]),
                None if item["days"] is None else frozenset(date.fromisoformat(d).isoformat() for d in item["days"]),
            )
            for item in items
        ]
    except (ValueError, TypeError, KeyError):
        return [ANYTHING]


# --- configuration ----------------------------------------------------------------------

_config: dict[str, Any] = {}


def configure(settings: Any) -> None:
    """Take the park's zone, Redis and database from `settings` (the app's lifespan, `park scheduler`)."""
    _config.update(zone=settings.zone, redis_url=settings.redis_url, database_url=settings.database_url)


def _setting(name: str) -> Any:
    if name not in _config:
        from park.settings import load_settings

        configure(load_settings())
    return _config[name]


# --- publishing -----------------------------------------------------------------------

async def publish(facility_id: int, starts_at: datetime | None = None, ends_at: datetime | None = None) -> None:
    """Announce that the facility's bookings or closures changed in [starts_at, ends_at) (None: any time).

    Inside `park.shared.db.transaction()` the transaction's changes go out together when it
    commits (none if it rolls back); outside one (after an autocommitted write) at once.
    Never raises: a lost announcement only delays a page's refresh until its next reload.
    """
    days = None if starts_at is None or ends_at is None else days_of(starts_at, ends_at, _setting("zone"))
    change = Change(facility_id, days)
    hooks = db.commit_hooks()
    if hooks is None:
        await _send([change])
        return
    batch = hooks.state.get(CHANNEL)
    if batch is None:
        batch = hooks.state[CHANNEL] = {}
        flush = lambda: _send(_changes(batch))  # noqa: E731
        # SQLite's log row commits with the transaction; Redis and NOTIFY go out once it has committed.
        (hooks.before if db.is_sqlite() and not _setting("redis_url") else hooks.after).append(flush)
    _merge(batch, change)


async def _send(changes: list[Change]) -> None:
    if not changes:
        return
    try:
        if _setting("redis_url"):
            await _redis_publish(encode(changes))
        elif db.is_sqlite():
            await _sqlite_insert(changes)
        else:
            _send_soon(changes)
    except Exception:  # see publish(): never fail the write that was announced
        log.warning("could not announce a change", exc_info=True)


@dataclass
class _Outgoing:
    batch: Batch
    task: asyncio.Task | None = None


_outgoing: weakref.WeakKeyDictionary[asyncio.AbstractEventLoop, _Outgoing] = weakref.WeakKeyDictionary()


def _send_soon(changes: list[Change]) -> None:
    """PostgreSQL: add committed changes to this process's next NOTIFY, due within SEND_AFTER_S."""
    loop = asyncio.get_running_loop()
    outgoing = _outgoing.get(loop)
    if outgoing is None:
        outgoing = _outgoing[loop] = _Outgoing(batch={})
    for change in changes:
        _merge(outgoing.batch, change)
    if outgoing.task is None:
        outgoing.task = loop.create_task(_send_after(outgoing))


async def _send_after(outgoing: _Outgoing) -> None:
    await asyncio.sleep(SEND_AFTER_S)
    outgoing.task = None
    await _notify(outgoing)


async def _notify(outgoing: _Outgoing) -> None:
    changes, outgoing.batch = _changes(outgoing.batch), {}
    if not changes:
        return
    try:
        await db.fetch("SELECT pg_notify($1, $2)", CHANNEL, encode(changes))
    except Exception:  # see publish()
        log.warning("could not announce a change", exc_info=True)


async def flush() -> None:
    """Send this process's waiting changes now (before the server or a command stops)."""
    outgoing = _outgoing.get(asyncio.get_running_loop())
    if outgoing is None:
        return
    if outgoing.task is not None:
        outgoing.task.cancel()
        outgoing.task = None
    await _notify(outgoing)


async def _sqlite_insert(changes: list[Change]) -> None:
    for change in changes:
        rows = await db.fetch(
            "INSERT INTO live_change (facility, days) VALUES ($1, $2) RETURNING id",
            change.facility_id, None if change.days is None else ",".join(sorted(change.days)),
        )
    newest = rows[0]["id"]
    if newest % PRUNE_EVERY < len(changes):  # once per PRUNE_EVERY rows: one statement less in most writes
        await db.fetch("DELETE FROM live_change WHERE id <= $1", newest - KEEP_ROWS)


_redis_clients: weakref.WeakKeyDictionary[asyncio.AbstractEventLoop, Any] = weakref.WeakKeyDictionary()


def _redis() -> Any:
    """One client per event loop (a client belongs to the loop that made it)."""
    import redis.asyncio as aioredis

    loop = asyncio.get_running_loop()
    client = _redis_clients.get(loop)
    if client is None:
        client = _redis_clients[loop] = aioredis.from_url(_setting("redis_url"))
    return client


async def _redis_publish(payload: str) -> None:
    await _redis().publish(CHANNEL, payload)


# --- listening --------------------------------------------------------------------------

Deliver = Callable[[list[Change]], None]


async def _listen_postgres(deliver: Deliver, ready: Callable[[], None], closed: asyncio.Event) -> None:
    import asyncpg

    connection = await asyncpg.connect(_setting("database_url"), timeout=5)
    lost = asyncio.Event()
    try:
        connection.add_termination_listener(lambda _connection: lost.set())
        await connection.add_listener(CHANNEL, lambda _c, _pid, _channel, payload: deliver(decode(payload)))
        ready()
        while not closed.is_set() and not lost.is_set():
            await _wait_any(closed, lost, timeout=LISTEN_CHECK_S)
            if not closed.is_set() and not lost.is_set():
                await asyncio.wait_for(connection.execute("SELECT 1"), 5)
    finally:
        if not connection.is_closed():
            connection.terminate()
    if lost.is_set() and not closed.is_set():
        raise ConnectionError("the listening connection was closed")


async def _listen_sqlite(deliver: Deliver, ready: Callable[[], None], closed: asyncio.Event) -> None:
    row = await db.fetch_one("SELECT COALESCE(MAX(id), 0) AS id FROM live_change")
    last_id = row["id"] if row else 0
    ready()
    while not closed.is_set():
        await _wait_any(closed, timeout=POLL_S)
        rows = await db.fetch(
            "SELECT id, facility, days FROM live_change WHERE id > $1 ORDER BY id LIMIT $2", last_id, KEEP_ROWS
        )
        if rows:
            last_id = rows[-1]["id"]
            deliver([
                Change(r["facility"], None if r["days"] is None else frozenset(r["days"].split(",")))
                for r in rows
            ])


async def _listen_redis(deliver: Deliver, ready: Callable[[], None], closed: asyncio.Event) -> None:
    import redis.asyncio as aioredis

    client = aioredis.from_url(_setting("redis_url"))
    pubsub = client.pubsub()
    try:
        await pubsub.subscribe(CHANNEL)
        ready()
        while not closed.is_set():
            message = await pubsub.get_message(ignore_subscribe_messages=True, timeout=1.0)
            if message is not None and message.get("type") == "message":
                deliver(decode(message["data"]))
    finally:
        try:
            await pubsub.aclose()
            await client.aclose()
        except Exception:  # closing a broken connection
            pass


async def _wait_any(*events: asyncio.Event, timeout: float) -> None:
    waiters = [asyncio.ensure_future(event.wait()) for event in events]
    try:
        await asyncio.wait(waiters, timeout=timeout, return_when=asyncio.FIRST_COMPLETED)
    finally:
        for waiter in waiters:
            waiter.cancel()


# --- this process's subscribers ---------------------------------------------------------------

class Subscription:
    """What one open stream wants (facilities, days; None = all) and the changes it has not sent yet."""

    def __init__(self, facilities: frozenset[int] | None, days: frozenset[str] | None) -> None:
        self.facilities = facilities
        self.days = days
        self._batch: Batch = {}
        self._woken = asyncio.Event()

    def wants(self, change: Change) -> bool:
        if change.facility_id is not None and self.facilities is not None and change.facility_id not in self.facilities:
            return False
        return change.days is None or self.days is None or bool(change.days & self.days)

    def offer(self, change: Change) -> None:
        if self.wants(change):
            _merge(self._batch, change)
            self._woken.set()

    def wake(self) -> None:
        self._woken.set()

    async def next_changes(self, timeout: float) -> list[Change]:
        """The changes gathered so far, waiting up to `timeout` s for one ([] on timeout or wake-up)."""
        if not self._batch:
            try:
                await asyncio.wait_for(self._woken.wait(), timeout)
            except asyncio.TimeoutError:
                pass
        self._woken.clear()
        batch, self._batch = self._batch, {}
        return _changes(batch)


class Hub:
    """This process's listener and its subscribers."""

    def __init__(self, max_clients: int = MAX_CLIENTS) -> None:
        self.max_clients = max_clients
        self.subscriptions: set[Subscription] = set()
        self.closed = asyncio.Event()
        self._ready = asyncio.Event()
        self._task: asyncio.Task[None] | None = None

    def deliver(self, changes: list[Change]) -> None:
        for subscription in list(self.subscriptions):
            for change in changes:
                subscription.offer(change)

    async def subscribe(self, facilities: frozenset[int] | None, days: frozenset[str] | None) -> Subscription:
        """A new subscription, once this process is listening (503 when full, closing or not listening)."""
        if self.closed.is_set():
            raise Unavailable("The server is restarting; the page reconnects by itself.")
        if len(self.subscriptions) >= self.max_clients:
            raise Unavailable("Too many pages are following live updates here; the page retries by itself.")
        if self._task is None or self._task.done():
            self._task = asyncio.create_task(self._run(), name="park-live-listener")
        try:
            await asyncio.wait_for(self._ready.wait(), 5)
        except asyncio.TimeoutError:
            raise Unavailable("Live updates are not available just now; the page retries by itself.") from None
        subscription = Subscription(facilities, days)
        self.subscriptions.add(subscription)
        return subscription

    def unsubscribe(self, subscription: Subscription) -> None:
        self.subscriptions.discard(subscription)

    async def _run(self) -> None:
        listen = _listener()
        attempt = 0
        while not self.closed.is_set():
            def ready() -> None:
                nonlocal attempt
                if attempt:
                    self.deliver([ANYTHING])  # what happened while we were not listening is unknown
                attempt = 0
                self._ready.set()

            try:
                await listen(self.deliver, ready, self.closed)
            except asyncio.CancelledError:
                raise
            except Exception as error:
                log.warning("live updates: listener lost (%s); reconnecting", error)
            self._ready.clear()
            if self.closed.is_set():
                break
            await _wait_any(self.closed, timeout=RECONNECT_S[min(attempt, len(RECONNECT_S) - 1)])
            attempt += 1

    def close(self) -> None:
        """End every stream and the listener (shutting down)."""
        self.closed.set()
        for subscription in list(self.subscriptions):
            subscription.wake()

    async def stop(self) -> None:
        self.close()
        if self._task is not None:
            self._task.cancel()
            try:
                await self._task
            except (asyncio.CancelledError, Exception):
                pass
            self._task = None


def _listener() -> Callable[[Deliver, Callable[[], None], asyncio.Event], Awaitable[None]]:
    if _setting("redis_url"):
        return _listen_redis
    return _listen_sqlite if db.is_sqlite() else _listen_postgres


_hubs: weakref.WeakKeyDictionary[asyncio.AbstractEventLoop, Hub] = weakref.WeakKeyDictionary()


def hub() -> Hub:
    """This process's hub (one per event loop: its events and tasks belong to that loop)."""
    loop = asyncio.get_running_loop()
    found = _hubs.get(loop)
    if found is None:
        found = _hubs[loop] = Hub()
    return found


db.before_close(flush)


async def stop() -> None:
    await flush()
    found = _hubs.pop(asyncio.get_running_loop(), None)
    if found is not None:
        await found.stop()


def end_streams_on_exit() -> None:
    """Close every stream as soon as the server is told to stop.

    uvicorn waits for open responses before it runs the lifespan's shutdown, and an event
    stream never ends by itself; so the stop signal itself ends them (then chains to uvicorn).
    """
    loop = asyncio.get_running_loop()
    for sig in (signal.SIGINT, signal.SIGTERM):
        previous = signal.getsignal(sig)
        if not callable(previous) or getattr(previous, "_park_live", False):
            continue

        def handler(number: int, frame: Any, previous: Callable[..., Any] = previous) -> None:
            found = _hubs.get(loop)
            if found is not None:
                loop.call_soon_threadsafe(found.close)
            previous(number, frame)

        handler._park_live = True  # type: ignore[attr-defined]
        try:
            signal.signal(sig, handler)
        except ValueError:  # not the main thread (tests): nothing to chain to
            return


EVENT = "bookings-changed"
STREAM_ID = "park-live"
RETRY_MS = 2000
"""How long a browser waits before it reconnects a stream that ended."""


async def stream(subscription: Subscription, closed: asyncio.Event) -> AsyncIterator[ServerSentEventMessage]:
    """Server-sent events for one subscription: `bookings-changed` with each change, heartbeats between.

    Ends when `closed` is set (the server stops); the caller unsubscribes.
    """
    # The id makes a browser that reconnects (this server stopped, say) send Last-Event-ID,
    # and the endpoint then tells the page to refresh what it missed meanwhile.
    yield ServerSentEventMessage(comment="listening", data=None, id=STREAM_ID, retry=RETRY_MS)
    while not closed.is_set():
        changes = await subscription.next_changes(HEARTBEAT_S)
        if closed.is_set():
            break
        if not changes:
            yield ServerSentEventMessage(comment="heartbeat", data=None)
            continue
        for change in changes:
            yield ServerSentEventMessage(event=EVENT, data=json.dumps(change.as_json(), separators=(",", ":")))
        await _wait_any(closed, timeout=MIN_GAP_S)
