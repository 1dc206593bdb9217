"""Cross-cutting HTTP behaviour: the request log line, the security headers on every response, and the
fences around page writes (same origin, a CSRF token bound to the session)."""

from __future__ import annotations

import hashlib
import hmac
import json
import logging
import secrets
import time
from collections.abc import Callable
from hmac import compare_digest
from typing import Any
from urllib.parse import urlsplit

from litestar.exceptions import HTTPException, PermissionDeniedException
from litestar.types import ASGIApp, Message, Receive, Scope, Send

from park.shared.db import database_busy, database_unreachable

log = logging.getLogger("park.request")

SECURITY_HEADERS = [
    (
        b"content-security-policy",
        b"default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; "
        b"font-src 'self'; connect-src 'self'; frame-ancestors 'none'; base-uri 'self'; form-action 'self'",
    ),
    (b"x-frame-options", b"DENY"),
    (b"x-content-type-options", b"nosniff"),
    (b"referrer-policy", b"same-origin"),
    (b"permissions-policy", b"camera=(), microphone=(), geolocation=()"),
]


async def add_security_headers(message: Message, scope: Scope) -> None:
    """An app-level before-send hook: every response gets the headers, even a 404 for an unknown
    address or a refused CSRF token, which never pass through the route middleware.

    A coroutine: Litestar runs a plain-function hook in a worker thread, twice per response."""
    if message["type"] != "http.response.start":
        return
    headers = list(message.get("headers") or [])
    present = {bytes(name).lower() for name, _ in headers}
    message["headers"] = headers + [(name, value) for name, value in SECURITY_HEADERS if name not in present]


MAX_LOGGED_PATH = 200


def _route_of(scope: Scope) -> str:
    template = scope.get("path_template")
    if template:
        return template
    return scope["path"][:MAX_LOGGED_PATH]


class RequestLogMiddleware:
    """One JSON line per request: method, route, status, duration in ms.

    The line names the route template (`/calendar/{name}`), not the path the client sent:
    a path may carry a secret (a calendar feed token), and logs are read by more people than
    the feed's owner. Only a request that matched no route logs its path, cut short.
    """

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        started = time.perf_counter()
        status = 500

        async def send_wrapper(message: Message) -> None:
            nonlocal status
            if message["type"] == "http.response.start":
                status = message["status"]
            await send(message)

        try:
            await self.app(scope, receive, send_wrapper)
        except Exception as error:
            # Raised by inner middleware (CSRF, body limit): the app's error handler answers it outside us.
            status = getattr(error, "status_code", None) or getattr(error, "status", None) or (
                503 if database_unreachable(error) or database_busy(error) else 500)
            raise
        finally:
            log.info(
                json.dumps(
                    {
                        "method": scope["method"],
                        "route": _route_of(scope),
                        "status": status,
                        "duration_ms": round((time.perf_counter() - started) * 1000, 2),
                    }
                )
            )


class InputGuardMiddleware:
    """Refuses NUL characters in the path, the query and JSON or form bodies with 422, before any
    handler or database sees them (PostgreSQL rejects NUL in text; a file path cannot hold one)."""

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        from park.shared.errors import ValidationFailed

        if "\x00" in scope.get("path", "") or b"%00" in scope.get("query_string", b""):
            raise ValidationFailed.on("path" if "\x00" in scope.get("path", "") else "query", NUL_MESSAGE)
        content_type = dict(scope.get("headers", [])).get(b"content-type", b"").lower()
        if b"json" not in content_type and b"x-www-form-urlencoded" not in content_type:
            await self.app(scope, receive, send)
            return
        body, messages = await read_body(receive)
        # JSON writes NUL as \u0000; a form as %00 (a typed "%" arrives as %25).
        marker = b"\\u0000" if b"json" in content_type else b"%00"
        if marker in body or b"\x00" in body:
            raise ValidationFailed.on("body", NUL_MESSAGE)

        async def replay() -> Message:
            return messages.pop(0) if messages else await receive()

        await self.app(scope, replay, send)


NUL_MESSAGE = "Text may not contain NUL characters."


async def read_body(receive: Receive, limit: int | None = None) -> tuple[bytes, list[Message]]:
    """A request's whole body, and the messages it came in (to replay to the app); past `limit` bytes, 413."""
    messages: list[Message] = []
    body = bytearray()
    while True:
        message = await receive()
        messages.append(message)
        if message["type"] != "http.request":
            break
        body.extend(message.get("body", b""))
        if limit is not None and len(body) > limit:
            raise HTTPException(status_code=413, detail="Request body too large")
        if not message.get("more_body", False):
            break
    return bytes(body), messages


UNSAFE_METHODS = frozenset({"POST", "PUT", "PATCH", "DELETE"})


def _origin_of(url: str) -> str:
    parts = urlsplit(url)
    return f"{parts.scheme}://{parts.netloc}".lower() if parts.scheme and parts.netloc else ""


class SameOriginMiddleware:
    """Page writes come from Park's own pages: a POST whose `Origin` names another site is refused (403).

    A second fence beside the CSRF token: browsers send `Origin` with every cross-site form post.
    A request without `Origin` (an old browser, a script) still needs the CSRF token. The API is
    left out: it writes only for bearer tokens, which a foreign page cannot send.
    """

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] == "http" and scope["method"] in UNSAFE_METHODS and not scope["path"].startswith("/api/"):
            origin = next((value.decode("latin-1") for name, value in scope["headers"] if name == b"origin"), None)
            if origin is not None and origin.strip().lower() not in _allowed_origins(scope):
                raise PermissionDeniedException(detail="CSRF: the form was sent from another site")
        await self.app(scope, receive, send)


def _allowed_origins(scope: Scope) -> set[str]:
    host = next((value.decode("latin-1") for name, value in scope["headers"] if name == b"host"), "")
    allowed = {f"{scope.get('scheme', 'http')}://{host}".lower()} if host else set()
    settings = scope["app"].state.get("settings")
    if settings is not None and _origin_of(settings.base_url):
        allowed.add(_origin_of(settings.base_url))
    return allowed


CSRF_COOKIE = "park_csrf"
CSRF_HEADER = "x-csrftoken"
CSRF_FIELD = "_csrf_token"
CSRF_EXCLUDE = ("/api/", "/calendar/", "/healthz", "/schema", "/static/", "/facility-photos/")
"""The API writes only for bearer tokens, which a foreign page cannot send; the rest never writes."""


def _sign(secret: str, *parts: str) -> str:
    return hmac.new(secret.encode(), "\x00".join(parts).encode(), hashlib.sha256).hexdigest()


def csrf_token_for(secret: str, browser_secret: str, binding: str) -> str:
    """The token a form carries: the browser's cookie secret signed together with the session's binding."""
    return _sign(secret, "csrf", browser_secret, binding)


class SessionCsrfMiddleware:
    """Page writes carry a token bound to the browser and to the session it was issued in.

    A cookie holds a random browser secret (signed, so a forged cookie is no secret of ours); the
    token in forms and htmx headers is an HMAC of that secret and of `bind(session)`, which names
    the sign-in (nothing before sign-in, a new value at each sign-in, nothing after sign-out). So a
    token copied from another session, or from a page shown before sign-in or after sign-out, is
    refused, even by an attacker who can plant a cookie. Runs after the session middleware.
    """

    def __init__(self, app: ASGIApp, secret: str, bind: Callable[[Any], str], cookie_secure: bool = False) -> None:
        self.app = app
        self.secret = secret
        self.bind = bind
        self.cookie_secure = cookie_secure

    def _browser_secret(self, cookie: str | None) -> str | None:
        value, _, signature = (cookie or "").partition(".")
        if len(value) != 64 or not compare_digest(signature, _sign(self.secret, "browser", value)):
            return None
        return value

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http" or scope["path"].startswith(CSRF_EXCLUDE):
            await self.app(scope, receive, send)
            return
        from litestar.datastructures import MutableScopeHeaders
        from litestar.datastructures.cookie import Cookie
        from litestar.utils.scope.state import ScopeState

        request = scope["litestar_app"].request_class(scope=scope, receive=receive)
        browser_secret = self._browser_secret(request.cookies.get(CSRF_COOKIE))
        binding = self.bind(scope.get("session"))
        state = ScopeState.from_scope(scope)
        if scope["method"] not in UNSAFE_METHODS:
            new_cookie = None
            if browser_secret is None:
                browser_secret = secrets.token_hex(32)
                new_cookie = f"{browser_secret}.{_sign(self.secret, 'browser', browser_secret)}"
            state.csrf_token = csrf_token_for(self.secret, browser_secret, binding)

            async def send_with_cookie(message: Message) -> None:
                if new_cookie and message["type"] == "http.response.start":
                    cookie = Cookie(key=CSRF_COOKIE, value=new_cookie, path="/", secure=self.cookie_secure,
                                    httponly=True, samesite="lax")
                    MutableScopeHeaders.from_message(message).add("set-cookie", cookie.to_header(header=""))
                await send(message)

            await self.app(scope, receive, send_with_cookie)
            return
        sent = request.headers.get(CSRF_HEADER)
        if not sent and request.content_type[0] in ("application/x-www-form-urlencoded", "multipart/form-data"):
            sent = (await request.form()).get(CSRF_FIELD)
        expected = csrf_token_for(self.secret, browser_secret, binding) if browser_secret else None
        if not expected or not isinstance(sent, str) or not compare_digest(sent, expected):
            raise PermissionDeniedException(detail="CSRF token verification failed")
        state.csrf_token = expected
        await self.app(scope, receive, send)
