"""Retrying a write is safe: `Idempotency-Key` on every POST under /api/v1 (IETF httpapi draft).

The same signed-in user sending the same key with the same request within KEY_TTL gets the
first answer again (status, headers, body) and nothing happens a second time; the same key with
another request answers 422 (field `Idempotency-Key`). Requests without the header, or without
a signed-in user, pass through untouched.

How it holds across processes and machines:

1. **Claim first.** Before the request runs, `INSERT … ON CONFLICT (user_id, key) DO NOTHING`
   into `idempotent_request`, committed at once: of two racing requests exactly one inserts and
   runs; the other finds the row. While the first runs, the other answers `409 conflict` with
   `Retry-After` (it does not wait: a waiting request would hold a worker and a connection).
2. **Mark the change with the change.** Every write transaction of the claimed request runs one
   more statement before it commits (`park.shared.db.before_commit`): `applied = true`, guarded
   by the claim's owner token. So the row says whether the request changed anything, exactly
   as the database does.
3. **Store the answer, then send it.** A 2xx/3xx/4xx answer is stored before its last byte is
   sent; a 5xx (or an exception) releases an unapplied claim, so the client may retry.
4. **A claim whose holder died** (its machine stopped, the database went away under it) is
   taken over after CLAIM_LEASE by a retry, but only while `applied` is false: nothing of it was
   committed, so running it again cannot make anything twice. The takeover changes the owner
   token, so if the old holder was only slow, its next commit fails the owner check and rolls
   back. A claim that was applied but never got its answer stored (the process died in between)
   answers 409 "took effect, answer lost": the record exists once; look it up.

The fence covers writes made in `park.shared.db.transaction()`, which is every creating use case.
"""

from __future__ import annotations

import hashlib
import json
import logging
import secrets
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from litestar.types import ASGIApp, Message, Receive, Scope, Send

from park.settings import Settings
from park.shared.clock import utc_now
from park.shared.db import before_commit, check_at_commit, fetch
from park.shared.errors import Conflict, ValidationFailed
from park.shared.http import read_body
from park.shared.labels import N_

log = logging.getLogger("park.idempotency")

HEADER = "Idempotency-Key"
KEY_TTL = timedelta(hours=24)
"""How long an answer is kept and replayed; afterwards the key is free again."""
CLAIM_LEASE = timedelta(seconds=10)
"""A claim not applied for this long belongs to a holder presumed dead; a retry may take it over.
Safe even for a live but slow holder: the takeover fences it (see the module docstring)."""
MAX_KEY_LENGTH = 255
RETRY_AFTER_S = 1
NOT_STORED_HEADERS = frozenset({b"set-cookie", b"date", b"server"})
REPLAYED_HEADER = (b"idempotent-replayed", b"true")

BAD_KEY = N_("Idempotency-Key must be 1 to 255 printable ASCII characters.")
ONE_KEY = N_("Send one Idempotency-Key header, not several.")
OTHER_REQUEST = N_("This Idempotency-Key was used for a different request. Use a new key for a new request.")
STILL_RUNNING = N_("The first request with this key is still running; retry shortly.")
ANSWER_LOST = N_("The first request with this key took effect, but its answer was lost. Look the record up instead of retrying.")
TAKEN_OVER = N_("A retry with this Idempotency-Key took over; this attempt changed nothing.")


# --- pure decisions -----------------------------------------------------------------------

def parse_key(values: list[bytes]) -> str:
    """The key of the header values sent; ValidationFailed for a malformed one.

    The draft writes the key as a structured-field string (`"abc"`); a bare token is accepted too.
    """
    if len(values) != 1:
        raise ValidationFailed.on(HEADER, ONE_KEY)
    key = values[0].strip()
    if len(key) >= 2 and key.startswith(b'"') and key.endswith(b'"'):
        key = key[1:-1]
    if not 1 <= len(key) <= MAX_KEY_LENGTH or any(byte < 0x20 or byte > 0x7E for byte in key):
        raise ValidationFailed.on(HEADER, BAD_KEY)
    return key.decode("ascii")


def fingerprint(method: str, path: str, query: bytes, body: bytes) -> str:
    """What makes two requests "the same": method, path, query and the exact body bytes."""
    body_digest = hashlib.sha256(body).hexdigest()
    text = f"{method.upper()}\n{path}\n{query.decode('latin-1')}\n{body_digest}"
    return hashlib.sha256(text.encode("utf-8", "surrogateescape")).hexdigest()


def applies_to(scope: Scope) -> bool:
    return scope["type"] == "http" and scope["method"] == "POST" and scope["path"].startswith("/api/v1/")


# --- the claim store ----------------------------------------------------------------------

@dataclass(frozen=True)
class Claim:
    """This attempt holds the key: run the request."""

    id: int
    owner: str


@dataclass(frozen=True)
class Answer:
    """The stored answer of the first request: send it again."""

    status: int
    headers: list[tuple[bytes, bytes]]
    body: bytes


async def claim_key(user_id: int, key: str, request_fingerprint: str, now: datetime) -> Claim | Answer:
    """Claim `key` for this request, or the first request's answer; raises the 409/422 cases."""
    for _ in range(5):  # each turn resolves one race (a row expired or released meanwhile)
        owner = secrets.token_hex(16)
        rows = await fetch(
            "INSERT INTO idempotent_request (user_id, key, fingerprint, state, applied, owner, claimed_at, created_at, "
            "response_headers) VALUES ($1, $2, $3, 'running', $4, $5, $6, $7, '') "
            "ON CONFLICT (user_id, key) DO NOTHING RETURNING id",
            user_id, key, request_fingerprint, False, owner, now, now,
        )
        if rows:
            return Claim(int(rows[0]["id"]), owner)
        row = await _stored(user_id, key)
        if row is None:
            continue  # released between our insert and our read: claim again
        if row["created_at"] <= now - KEY_TTL:
            await fetch("DELETE FROM idempotent_request WHERE id = $1 AND created_at <= $2", row["id"], now - KEY_TTL)
            continue
        if row["fingerprint"] != request_fingerprint:
            raise ValidationFailed.on(HEADER, OTHER_REQUEST)
        if row["state"] == "done":
            return Answer(int(row["response_status"]), _headers_in(row["response_headers"]), bytes(row["response_body"] or b""))
        stale = row["claimed_at"] <= now - CLAIM_LEASE
        if stale and bool(row["applied"]):
            raise Conflict(ANSWER_LOST)
        if not stale:
            raise Conflict(STILL_RUNNING, extra={"retry_after": RETRY_AFTER_S})
        taken = await fetch(
            "UPDATE idempotent_request SET owner = $1, claimed_at = $2 "
            "WHERE id = $3 AND state = 'running' AND applied = $4 AND claimed_at <= $5 RETURNING id",
            owner, now, row["id"], False, now - CLAIM_LEASE,
        )
        if taken:
            log.warning("idempotency key of user %s taken over from a holder presumed dead", user_id)
            return Claim(int(row["id"]), owner)
    raise Conflict(STILL_RUNNING, extra={"retry_after": RETRY_AFTER_S})


async def _stored(user_id: int, key: str) -> dict[str, Any] | None:
    rows = await fetch(
        "SELECT id, fingerprint, state, applied, claimed_at, created_at, response_status, response_headers, "
        "response_body FROM idempotent_request WHERE user_id = $1 AND key = $2",
        user_id, key,
    )
    return rows[0] if rows else None


async def mark_applied(claim: Claim) -> None:
    """Inside a write transaction of the claimed request: it changes something, under our claim
    (on PostgreSQL sent with the transaction's outbox and audit rows, one round trip for all)."""
    await check_at_commit(
        "UPDATE idempotent_request SET applied = $1 WHERE id = $2 AND owner = $3 RETURNING id", True, claim.id, claim.owner,
        failure=lambda: Conflict(TAKEN_OVER),
    )


async def store_answer(claim: Claim, answer: Answer) -> None:
    await fetch(
        "UPDATE idempotent_request SET state = 'done', response_status = $1, response_headers = $2, response_body = $3 "
        "WHERE id = $4 AND owner = $5",
        answer.status, _headers_out(answer.headers), answer.body, claim.id, claim.owner,
    )


async def release(claim: Claim) -> None:
    """The request failed on our side (5xx): forget the claim unless it changed something."""
    await fetch(
        "DELETE FROM idempotent_request WHERE id = $1 AND owner = $2 AND applied = $3", claim.id, claim.owner, False
    )


async def prune_idempotency_keys(now: datetime, settings: Settings) -> int:
    """The scheduled job: delete keys older than KEY_TTL; returns how many."""
    rows = await fetch("DELETE FROM idempotent_request WHERE created_at < $1 RETURNING id", now - KEY_TTL)
    return len(rows)


def _headers_out(headers: list[tuple[bytes, bytes]]) -> str:
    return json.dumps([[name.decode("latin-1"), value.decode("latin-1")] for name, value in headers
                       if name.lower() not in NOT_STORED_HEADERS])


def _headers_in(text: str) -> list[tuple[bytes, bytes]]:
    return [(name.encode("latin-1"), value.encode("latin-1")) for name, value in json.loads(text or "[]")]


# --- the middleware -----------------------------------------------------------------------

class IdempotencyMiddleware:
    """Put after IdentityMiddleware: it reads `scope["user"]`."""

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if not applies_to(scope):
            await self.app(scope, receive, send)
            return
        values = [value for name, value in scope["headers"] if name == b"idempotency-key"]
        user = scope.get("user")
        if not values or user is None:
            await self.app(scope, receive, send)
            return
        key = parse_key(values)
        body, messages = await read_body(receive, _body_limit(scope))
        outcome = await claim_key(
            user.id, key, fingerprint(scope["method"], scope["path"], scope.get("query_string", b""), body), utc_now())
        if isinstance(outcome, Answer):
            await _send_answer(send, outcome)
            return

        async def replay() -> Message:
            return messages.pop(0) if messages else await receive()

        await self._run(scope, replay, send, outcome)

    async def _run(self, scope: Scope, receive: Receive, send: Send, claim: Claim) -> None:
        start: Message | None = None
        body = bytearray()

        async def capture(message: Message) -> None:
            nonlocal start
            if message["type"] == "http.response.start":
                start = message
                return
            if message["type"] != "http.response.body" or start is None:
                await send(message)
                return
            body.extend(message.get("body", b""))
            if message.get("more_body", False):
                return
            # The whole answer is here: keep it before the client sees it, so a retry finds it.
            status = int(start["status"])
            answer = Answer(status, [(bytes(n), bytes(v)) for n, v in start.get("headers") or []], bytes(body))
            try:
                if status >= 500:
                    await release(claim)
                else:
                    await store_answer(claim, answer)
            except Exception:  # the client still gets its answer; a retry gets 409 instead of a replay
                log.warning("could not keep the answer for an idempotency key", exc_info=True)
            await send(start)
            await send({"type": "http.response.body", "body": bytes(body), "more_body": False})

        token = before_commit.set(lambda: mark_applied(claim))
        try:
            await self.app(scope, receive, capture)
        except BaseException:
            try:
                await release(claim)
            except Exception:
                log.warning("could not release an idempotency key", exc_info=True)
            raise
        finally:
            before_commit.reset(token)


def _body_limit(scope: Scope) -> int:
    settings = scope["app"].state.get("settings")
    return settings.max_body_bytes if settings is not None else 1_048_576


async def _send_answer(send: Send, answer: Answer) -> None:
    await send({"type": "http.response.start", "status": answer.status, "headers": answer.headers + [REPLAYED_HEADER]})
    await send({"type": "http.response.body", "body": answer.body, "more_body": False})
