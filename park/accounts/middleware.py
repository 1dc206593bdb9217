"""Who is calling: a bearer token (API) or the session (pages). Sets scope["user"] to an Actor or None."""

from __future__ import annotations

from litestar.types import ASGIApp, Receive, Scope, Send

from park.accounts.service import actor_for_token, find_actor
from park.shared.clock import utc_now

SAFE_METHODS = frozenset({"GET", "HEAD", "OPTIONS"})
SESSION_USER_KEY = "user_id"
SESSION_SIGNED_IN_KEY = "signed_in_at"
"""Seconds since the epoch; a session older than the user's sessions_valid_from is refused."""


def client_ip(scope: Scope) -> str:
    client = scope.get("client")
    return client[0] if client else ""


class IdentityMiddleware:
    """Resolves the caller once per request; guards and services read `request.user`."""

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] in ("http", "websocket"):
            scope["user"] = await self._resolve(scope)
            scope["auth"] = None
        await self.app(scope, receive, send)

    async def _resolve(self, scope: Scope):
        ip = client_ip(scope)
        for name, value in scope.get("headers", []):
            if name == b"authorization":
                scheme, _, token = value.decode("latin-1").partition(" ")
                if scheme.lower() == "bearer" and token.strip():
                    return await actor_for_token(token.strip(), utc_now(), ip)
                return None
        session = scope.get("session")
        if scope.get("path", "").startswith("/api/") and scope.get("method") not in SAFE_METHODS:
            # The API skips CSRF because it changes things only for bearer tokens: a cookie alone
            # may read (a signed-in manager downloads a report from a page), never write.
            return None
        if isinstance(session, dict) and isinstance(session.get(SESSION_USER_KEY), int):
            signed_in_at = session.get(SESSION_SIGNED_IN_KEY)
            return await find_actor(
                session[SESSION_USER_KEY],
                ip,
                float(signed_in_at) if isinstance(signed_in_at, (int, float)) else None,
                from_session=True,
                now=utc_now(),
            )
        return None
