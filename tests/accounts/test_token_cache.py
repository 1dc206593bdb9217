"""Bearer-token checks remembered for a moment: revocation still reaches every process within seconds."""

from datetime import timedelta

from park.accounts import token_cache
from park.accounts.tables import ApiToken
from park.shared.clock import utc_now


async def test_a_token_revoked_by_another_process_is_refused_once_the_memory_lapses(client, member, monkeypatch):
    assert (await client.get("/api/v1/me", headers=member.headers)).status_code == 200
    # Another process revokes it: this one hears nothing and goes on its memory for a moment.
    await ApiToken.update({ApiToken.revoked_at: utc_now()}).where(ApiToken.user == member.id)
    later = token_cache.time.monotonic() + token_cache.TOKEN_CACHE_SECONDS
    monkeypatch.setattr(token_cache.time, "monotonic", lambda: later)
    assert (await client.get("/api/v1/me", headers=member.headers)).status_code == 401


async def test_a_user_deactivated_in_this_process_is_refused_at_once(client, member, manager):
    assert (await client.get("/api/v1/me", headers=member.headers)).status_code == 200
    response = await client.patch(f"/api/v1/users/{member.id}", json={"is_active": False}, headers=manager.headers)
    assert response.status_code == 200
    assert (await client.get("/api/v1/me", headers=member.headers)).status_code == 401


async def test_a_remembered_token_still_expires_on_time(db):
    now = utc_now()
    token_cache.remember("digest", now + timedelta(seconds=1), {"id": 1}, token_cache.generation())
    assert token_cache.recall("digest", now) == {"id": 1}
    assert token_cache.recall("digest", now + timedelta(seconds=1)) is None


async def test_a_lookup_that_began_before_an_account_change_is_not_remembered(db):
    since = token_cache.generation()
    token_cache.forget_all()  # an account changed while the lookup ran
    token_cache.remember("digest", utc_now() + timedelta(hours=1), {"id": 1}, since)
    assert token_cache.recall("digest", utc_now()) is None
