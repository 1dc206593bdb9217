"""Conditional GETs for read-mostly answers: one ETag and Cache-Control rule for the API and the pages.

`cacheable(max_age)` is route middleware (`@get(..., middleware=[cacheable(30)])`). It hashes
the 200 answer's body into a strong ETag, answers `304 Not Modified` with no body when the
request's `If-None-Match` names it, and says how the answer may be kept:

- anonymous: `public, max-age=<max_age>`: any cache may keep it that long;
- signed in (a session or a bearer token resolved to someone), or an answer that sets a
  cookie: `private, no-cache`: only the reader's browser keeps it, and revalidates each time.

`Vary` names what changes an answer besides its address: the language and who is asking.
The body is still built on a revalidation; what is saved is the transfer and the client's work.
"""

from __future__ import annotations

import hashlib
from typing import Any

from litestar.middleware import DefineMiddleware
from litestar.types import ASGIApp, Message, Receive, Scope, Send

VARY = b"Accept-Language, Authorization, Cookie"
PRIVATE = b"private, no-cache"
_DROPPED_ON_304 = {b"content-length", b"content-type", b"content-encoding", b"transfer-encoding"}


def etag_of(body: bytes) -> bytes:
    return b'"' + hashlib.blake2b(body, digest_size=16).hexdigest().encode() + b'"'


def none_match(header: bytes, etag: bytes) -> bool:
    """Whether an If-None-Match value names `etag` (weak comparison, as RFC 9110 asks for GET)."""
    candidates = [part.strip() for part in header.split(b",")]
    return any(part == b"*" or part.removeprefix(b"W/") == etag for part in candidates)


class HttpCacheMiddleware:
    def __init__(self, app: ASGIApp, max_age: int = 60) -> None:
        self.app = app
        self.public = f"public, max-age={int(max_age)}".encode()

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http" or scope.get("method") != "GET":
            await self.app(scope, receive, send)
            return
        start: dict[str, Any] | None = None
        chunks: list[bytes] = []

        async def buffered(message: Message) -> None:
            nonlocal start
            if message["type"] == "http.response.start":
                if message["status"] != 200:
                    start = None  # any other answer passes through as it is
                    await send(message)
                    return
                start = dict(message)
                return
            if message["type"] != "http.response.body" or start is None:
                await send(message)
                return
            chunks.append(message.get("body", b""))
            if message.get("more_body", False):
                return
            await self._answer(scope, start, b"".join(chunks), send)

        await self.app(scope, receive, buffered)

    async def _answer(self, scope: Scope, start: dict[str, Any], body: bytes, send: Send) -> None:
        headers = [(bytes(name), bytes(value)) for name, value in start.get("headers") or []]
        names = {name.lower() for name, _ in headers}
        signed_in = scope.get("user") is not None or b"set-cookie" in names
        etag = etag_of(body)
        extra = [(b"etag", etag), (b"vary", VARY)]
        if b"cache-control" not in names:
            extra.append((b"cache-control", PRIVATE if signed_in else self.public))
        headers = [(name, value) for name, value in headers if name.lower() not in (b"etag", b"vary")] + extra
        asked = b", ".join(value for name, value in scope.get("headers", []) if name == b"if-none-match")
        if asked and none_match(asked, etag):
            kept = [(name, value) for name, value in headers if name.lower() not in _DROPPED_ON_304]
            await send({"type": "http.response.start", "status": 304, "headers": kept})
            await send({"type": "http.response.body", "body": b"", "more_body": False})
            return
        await send({**start, "headers": headers})
        await send({"type": "http.response.body", "body": body, "more_body": False})


def cacheable(max_age: int = 60) -> DefineMiddleware:
    """Route middleware giving the route's 200 answers an ETag, 304s and Cache-Control."""
    return DefineMiddleware(HttpCacheMiddleware, max_age=max_age)


async def private_when_setting_cookies(message: Message, scope: Scope) -> None:
    """An app-level before-send hook: an answer that sets a cookie is never public.

    Route middleware runs inside the session and CSRF middleware, so it cannot see the
    cookie they add on the way out (the CSRF cookie of a first anonymous visit); this
    hook sees the answer as it leaves.
    """
    if message["type"] != "http.response.start":
        return
    headers = list(message.get("headers") or [])
    names = {bytes(name).lower() for name, _ in headers}
    if b"set-cookie" not in names:
        return
    message["headers"] = [
        (name, PRIVATE if bytes(name).lower() == b"cache-control" and bytes(value).startswith(b"public") else value)
        for name, value in headers
    ]
