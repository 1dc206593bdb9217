"""Accounts housekeeping for the scheduler: expired web sessions, old sign-in counts, long-dead tokens."""

from __future__ import annotations

from datetime import datetime, timedelta

from park.accounts.tables import ApiToken, SignInCounter, WebSession
from park.settings import Settings

FAILURE_RETENTION = timedelta(days=1)
"""Longer than any sign-in throttle window (PARK_LOGIN_WINDOW_SECONDS, 300 s by default)."""
DEAD_TOKEN_RETENTION = timedelta(days=90)
"""Expired or revoked tokens stay listed for their owner this long, then go."""


async def purge_expired_sessions(now: datetime, settings: Settings) -> dict[str, int]:
    """Delete what can no longer be used; the counts removed, for the log."""
    sessions = await WebSession.delete().where(WebSession.expires_at <= now).returning(WebSession.id)
    failures = (
        await SignInCounter.delete()
        .where(SignInCounter.window_end < int((now - FAILURE_RETENTION).timestamp()))
        .returning(SignInCounter.id)
    )
    cutoff = now - DEAD_TOKEN_RETENTION
    tokens = (
        await ApiToken.delete()
        .where((ApiToken.expires_at < cutoff) | (ApiToken.revoked_at < cutoff))
        .returning(ApiToken.id)
    )
    return {"sessions": len(sessions), "sign_in_failures": len(failures), "api_tokens": len(tokens)}
