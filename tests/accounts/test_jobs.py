"""Accounts housekeeping: what has expired goes, what still works stays."""

from datetime import timedelta

from park.accounts.jobs import purge_expired_sessions
from park.accounts.tables import ApiToken, SignInCounter, WebSession
from park.shared.clock import utc_now


async def test_expired_sessions_and_old_failures_go_and_live_ones_stay(db, member, settings):
    now = utc_now()
    await WebSession.insert(
        WebSession(key="old", data=b"{}", expires_at=now - timedelta(seconds=1)),
        WebSession(key="live", data=b"{}", expires_at=now + timedelta(hours=1)),
    )
    await SignInCounter.insert(
        SignInCounter(bucket="email:old", attempts=3, window_end=int((now - timedelta(days=2)).timestamp())),
        SignInCounter(bucket="email:live", attempts=3, window_end=int((now + timedelta(seconds=10)).timestamp())),
    )
    removed = await purge_expired_sessions(now, settings)
    assert removed["sessions"] == 1 and removed["sign_in_failures"] == 1
    assert [row["key"] for row in await WebSession.select(WebSession.key)] == ["live"]
    assert await SignInCounter.count() == 1
    assert await ApiToken.count().where(ApiToken.user == member.id) == 1


async def test_long_expired_tokens_go(db, member, settings):
    await ApiToken.update({ApiToken.expires_at: utc_now() - timedelta(days=91)}).where(ApiToken.user == member.id)
    assert (await purge_expired_sessions(utc_now(), settings))["api_tokens"] == 1
    assert await ApiToken.count().where(ApiToken.user == member.id) == 0
