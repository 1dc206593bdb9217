"""Reads that may lag go to a streaming replica (PARK_DATABASE_REPLICA_URL); everything else to the primary.

Which request may read the replica is one plain decision (`may_read_replica`): a GET or HEAD of
a report, statement or catalogue address, unless the same browser wrote within the last
seconds (a signed cookie carries "primary until"), so nobody misses their own write.
Everything that decides a booking, a quota or a lease is a POST/PATCH, or runs inside a
transaction, and so always reads the primary. On the engine side only plain SELECTs outside a
transaction are sent to the replica, and a replica that cannot be reached falls back to the
primary.
"""

from __future__ import annotations

import asyncio
import contextvars
import hashlib
import hmac
import logging
import time
from typing import Any

import asyncpg
from piccolo.engine.postgres import PostgresEngine

from litestar.types import ASGIApp, Message, Receive, Scope, Send

from park.shared.db import pg_connect_config

log = logging.getLogger("park.db")

PRIMARY_COOKIE = "park_primary_until"
PRIMARY_AFTER_WRITE_S = 10
"""After a write, the writer's reads stay on the primary this long (well beyond the measured lag)."""

LAGGING_READ_PREFIXES = (
    "/api/v1/reports",
    "/api/v1/statements",
    "/api/v1/buildings",
    "/api/v1/facilities",
    "/reports",
    "/facilities",
)
PRIMARY_ONLY_PARTS = ("/availability", "/authorizations")
"""Catalogue addresses whose answer a booking decision follows at once: read where bookings are decided."""

SAFE_METHODS = ("GET", "HEAD")

reads_may_lag: contextvars.ContextVar[bool] = contextvars.ContextVar("park_reads_may_lag", default=False)


def may_read_replica(method: str, path: str, primary_until: float | None, now: float) -> bool:
    """True when this request's reads may come from a replica."""
    if method.upper() not in SAFE_METHODS:
        return False
    if primary_until is not None and now < primary_until:
        return False
    if any(part in path for part in PRIMARY_ONLY_PARTS):
        return False
    return any(path == prefix or path.startswith(prefix + "/") or path.startswith(prefix + ".") for prefix in LAGGING_READ_PREFIXES)


def _signature(secret: str, value: str) -> str:
    return hmac.new(secret.encode(), value.encode(), hashlib.sha256).hexdigest()[:32]


def sign_primary_until(until: float, secret: str) -> str:
    value = str(int(until))
    return f"{value}.{_signature(secret, value)}"


def read_primary_until(cookie: str | None, secret: str) -> float | None:
    """The time the cookie keeps reads on the primary, or None for a missing or forged cookie."""
    if not cookie or "." not in cookie:
        return None
    value, signature = cookie.rsplit(".", 1)
    if not value.isdigit() or not hmac.compare_digest(signature, _signature(secret, value)):
        return None
    return float(value)


def _is_plain_read(sql: str) -> bool:
    head = sql.lstrip().split(None, 1)[0].upper() if sql.strip() else ""
    return head == "SELECT" and " FOR UPDATE" not in sql.upper() and " FOR SHARE" not in sql.upper()


REPLICA_FAILURES = (OSError, asyncio.TimeoutError, asyncpg.PostgresConnectionError, asyncpg.InterfaceError,
                    asyncpg.CannotConnectNowError)


class ReplicaRoutingEngine(PostgresEngine):
    """The primary's engine, which sends plain reads of a lag-tolerant request to the replica."""

    def __init__(self, config: dict[str, Any], replica_dsn: str = "", **kwargs: Any) -> None:
        super().__init__(config=config, **kwargs)
        self.replica: PostgresEngine | None = PostgresEngine(config=pg_connect_config(replica_dsn)) if replica_dsn else None

    def replica_for(self, sql: str) -> PostgresEngine | None:
        """The replica engine when this statement may run there now, else None."""
        if self.replica is None or not reads_may_lag.get() or self.current_transaction.get() is not None:
            return None
        return self.replica if _is_plain_read(sql) else None

    async def run_querystring(self, querystring: Any, in_pool: bool = True):
        if self.replica is not None and reads_may_lag.get():
            sql, _ = querystring.compile_string(engine_type=self.engine_type)
            replica = self.replica_for(sql)
            if replica is not None:
                try:
                    return await replica.run_querystring(querystring, in_pool=in_pool)
                except REPLICA_FAILURES as error:
                    log.warning("replica unavailable, reading the primary: %s", error)
        return await super().run_querystring(querystring, in_pool=in_pool)


class ReplicaReadMiddleware:
    """Marks lag-tolerant requests for the replica; after a write, keeps that browser on the primary."""

    def __init__(self, app: ASGIApp, secret: str, secure: bool = False) -> None:
        self.app = app
        self.secret = secret
        self.secure = secure

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        method = scope.get("method", "GET")
        primary_until = read_primary_until(_cookie(scope, PRIMARY_COOKIE), self.secret)
        lagging = may_read_replica(method, scope.get("path", "/"), primary_until, time.time())

        async def send_wrapper(message: Message) -> None:
            if (
                message["type"] == "http.response.start"
                and method.upper() not in SAFE_METHODS
                and message.get("status", 500) < 400
            ):
                until = sign_primary_until(time.time() + PRIMARY_AFTER_WRITE_S, self.secret)
                cookie = f"{PRIMARY_COOKIE}={until}; Max-Age={PRIMARY_AFTER_WRITE_S}; Path=/; HttpOnly; SameSite=Lax"
                if self.secure:
                    cookie += "; Secure"
                message["headers"] = list(message.get("headers") or []) + [(b"set-cookie", cookie.encode())]
            await send(message)

        token = reads_may_lag.set(lagging)
        try:
            await self.app(scope, receive, send_wrapper)
        finally:
            reads_may_lag.reset(token)


def _cookie(scope: Scope, name: str) -> str | None:
    for key, value in scope.get("headers") or []:
        if bytes(key).lower() == b"cookie":
            for part in bytes(value).decode("latin-1").split(";"):
                key_part, _, val = part.strip().partition("=")
                if key_part == name:
                    return val
    return None
