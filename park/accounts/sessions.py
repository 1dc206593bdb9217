"""A session store in the database, so any process on any machine serves any user."""

from __future__ import annotations

import logging
from datetime import timedelta

from litestar.stores.base import Store

from park.accounts.tables import WebSession
from park.shared.clock import utc_now
from park.shared.db import database_busy, database_unreachable

log = logging.getLogger("park")


SESSION_KEY_MAX = 128
"""The length of web_session.key."""


def _seconds(value: int | timedelta | None) -> int | None:
    if value is None:
        return None
    return int(value.total_seconds()) if isinstance(value, timedelta) else int(value)


class DatabaseSessionStore(Store):
    """Litestar Store over the web_session table; expired rows are removed by `delete_expired`."""

    def __init__(self, default_ttl_s: int) -> None:
        self.default_ttl_s = default_ttl_s

    async def set(self, key: str, value: str | bytes, expires_in: int | timedelta | None = None) -> None:
        data = value.encode() if isinstance(value, str) else value
        expires_at = utc_now() + timedelta(seconds=_seconds(expires_in) or self.default_ttl_s)
        updated = await WebSession.update({WebSession.data: data, WebSession.expires_at: expires_at}).where(
            WebSession.key == key
        ).returning(WebSession.id)
        if not updated:
            await WebSession.insert(WebSession(key=key, data=data, expires_at=expires_at))

    async def get(self, key: str, renew_for: int | timedelta | None = None) -> bytes | None:
        if len(key) > SESSION_KEY_MAX:  # a forged cookie longer than any id names no session
            return None
        row = await WebSession.select(WebSession.data, WebSession.expires_at).where(WebSession.key == key).first()
        now = utc_now()
        if row is None or row["expires_at"] <= now:
            return None
        if renew_for:
            await WebSession.update({WebSession.expires_at: now + timedelta(seconds=_seconds(renew_for) or 0)}).where(
                WebSession.key == key
            )
        return bytes(row["data"])

    async def delete(self, key: str) -> None:
        await WebSession.delete().where(WebSession.key == key)

    async def delete_all(self) -> None:
        await WebSession.delete(force=True)

    async def exists(self, key: str) -> bool:
        return await self.get(key) is not None

    async def expires_in(self, key: str) -> int | None:
        row = await WebSession.select(WebSession.expires_at).where(WebSession.key == key).first()
        if row is None:
            return None
        return max(int((row["expires_at"] - utc_now()).total_seconds()), 0)

    async def delete_expired(self) -> None:
        await WebSession.delete().where(WebSession.expires_at <= utc_now())


ROTATE_SESSION = "park.rotate_session"
_NEW_SESSION_ID = "park.new_session_id"


def rotate_session(scope: dict) -> None:
    """Give the session a new id when the response is sent (on sign-in: defeats session fixation)."""
    scope[ROTATE_SESSION] = True


from litestar.middleware.session.server_side import (  # noqa: E402
    ServerSideSessionBackend,
    ServerSideSessionConfig,
)


class RotatingSessionBackend(ServerSideSessionBackend):
    def get_session_id(self, connection) -> str:
        new_id = connection.scope.get(_NEW_SESSION_ID)
        if new_id:
            return new_id
        current = super().get_session_id(connection)
        # A cookie too long for the column is not a session of ours: answer with a fresh id.
        return current if len(current) <= SESSION_KEY_MAX else self.generate_session_id()

    async def store_in_message(self, scope_session, message, connection) -> None:
        from litestar.types import Empty

        scope = connection.scope
        if (scope_session is Empty or not scope_session) and not connection.cookies.get(self.config.key):
            return  # no session before or after: store nothing, set no cookie (anonymous visitors cost no row)
        if scope.get(ROTATE_SESSION) and not scope.get(_NEW_SESSION_ID):
            old_id = connection.cookies.get(self.config.key)
            if old_id:
                await self.delete(old_id, store=self.config.get_store_from_app(scope["app"]))
            scope[_NEW_SESSION_ID] = self.generate_session_id()
        try:
            await super().store_in_message(scope_session, message, connection)
        except Exception as error:
            # The response is already on its way (this runs as it starts): a database that went
            # away now cannot turn it into a 500. The session keeps its stored state.
            if not (database_unreachable(error) or database_busy(error)):
                raise
            log.warning("session not saved, the database is unavailable: %s: %s", type(error).__name__, error)


from litestar.middleware import DefineMiddleware  # noqa: E402
from litestar.middleware.session.base import SessionMiddleware  # noqa: E402


class SessionUnlessAuthorized(SessionMiddleware):
    """The session middleware, skipped for a request that carries an Authorization header.

    Such a request is the API's (IdentityMiddleware never reads the session when the header is
    there), so it neither loads nor stores a session, sets no cookie, and makes no session id.
    """

    async def __call__(self, scope, receive, send) -> None:
        if any(name == b"authorization" for name, _ in scope.get("headers", ())):
            scope["session"] = {}
            await self.app(scope, receive, send)
            return
        await super().__call__(scope, receive, send)


class SessionConfig(ServerSideSessionConfig):
    _backend_class = RotatingSessionBackend

    @property
    def middleware(self) -> DefineMiddleware:
        return DefineMiddleware(SessionUnlessAuthorized, backend=self._backend_class(config=self))


def csrf_binding(session: object) -> str:
    """What a CSRF token is bound to: this sign-in (the user and the instant it began), or nothing.

    Sign-in and a password change give a new value, sign-out clears it: a token shown before, after
    or in another session no longer matches (park.shared.http.SessionCsrfMiddleware)."""
    from park.accounts.middleware import SESSION_SIGNED_IN_KEY, SESSION_USER_KEY

    if not isinstance(session, dict) or SESSION_USER_KEY not in session:
        return ""
    return f"{session.get(SESSION_USER_KEY)}:{session.get(SESSION_SIGNED_IN_KEY)}"
