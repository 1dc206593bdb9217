"""A short per-process memory of bearer-token checks, so a burst of API calls costs one lookup.

Every API request presents a token; looking it up is a round trip to the database. A
check is remembered for TOKEN_CACHE_SECONDS, keyed by the token's digest, together
with the token's expiry (re-checked against the request's time on every hit).

Revocation stays effective:
- in the process that revokes a token or changes a user, at once: every account write
  in `park.accounts.service` is wrapped in `forgets_tokens`, which empties the memory
  after the change has committed, and a lookup that began before the change never
  stores its (possibly stale) answer (the generation check);
- in every other process, within TOKEN_CACHE_SECONDS.
Unknown tokens are never remembered, so a token issued a moment ago works at once.
"""

from __future__ import annotations

import functools
import time
from datetime import datetime
from typing import Any, Awaitable, Callable, TypeVar

TOKEN_CACHE_SECONDS = 2.0
"""How long another process may keep accepting a token after it was revoked."""
MAX_ENTRIES = 10_000

_entries: dict[str, tuple[float, datetime, dict[str, Any]]] = {}  # digest → (kept until, token expiry, user row)
_generation = 0


def generation() -> int:
    """Take before a lookup; pass to `remember` so an answer older than a change is not kept."""
    return _generation


def recall(digest: str, now: datetime) -> dict[str, Any] | None:
    """The user row remembered for this token, if still fresh and the token not expired at `now`."""
    entry = _entries.get(digest)
    if entry is None:
        return None
    kept_until, expires_at, row = entry
    if time.monotonic() >= kept_until or expires_at <= now:
        _entries.pop(digest, None)
        return None
    return row


def remember(digest: str, expires_at: datetime, row: dict[str, Any], since_generation: int) -> None:
    if since_generation != _generation:
        return  # an account changed while this lookup ran: its answer may predate the change
    if len(_entries) >= MAX_ENTRIES:
        _entries.clear()
    _entries[digest] = (time.monotonic() + TOKEN_CACHE_SECONDS, expires_at, row)


def forget_all() -> None:
    global _generation
    _generation += 1
    _entries.clear()


F = TypeVar("F", bound=Callable[..., Awaitable[Any]])


def forgets_tokens(function: F) -> F:
    """For an account write: forget every remembered check once it has finished (committed or not)."""

    @functools.wraps(function)
    async def wrapper(*args: Any, **kwargs: Any) -> Any:
        forget_all()  # lookups running now will not store what they read
        try:
            return await function(*args, **kwargs)
        finally:
            forget_all()

    return wrapper  # type: ignore[return-value]
