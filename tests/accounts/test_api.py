"""Accounts API: tokens, throttling, the caller, creating users."""

from datetime import timedelta

from park.accounts.tables import ApiToken
from park.shared.clock import utc_now
from tests.builders import TEST_PASSWORD


async def test_right_credentials_give_a_token_that_authenticates(client, member):
    response = await client.post("/api/v1/auth/token", json={"email": member.email, "password": TEST_PASSWORD})
    assert response.status_code == 200
    token = response.json()["token"]
    assert response.json()["expires_at"].endswith(("Z", "+00:00"))
    me = await client.get("/api/v1/me", headers={"Authorization": f"Bearer {token}"})
    assert me.status_code == 200
    assert me.json()["email"] == member.email
    assert me.json()["tenant_id"] == member.tenant_id
    assert me.json()["calendar_url"].endswith(".ics")


async def test_wrong_password_and_unknown_email_both_answer_401(client, member):
    wrong = await client.post("/api/v1/auth/token", json={"email": member.email, "password": "not-the-password"})
    unknown = await client.post("/api/v1/auth/token", json={"email": "nobody@firm.test", "password": "whatever123"})
    assert wrong.status_code == unknown.status_code == 401
    assert wrong.json()["code"] == "unauthorized"
    assert wrong.json()["detail"] == unknown.json()["detail"]


async def test_repeated_failures_answer_429_and_sign_in_recovers_after_the_window(client, member, settings):
    for _ in range(settings.login_max_failures):
        await client.post("/api/v1/auth/token", json={"email": member.email, "password": "wrong-password"})
    blocked = await client.post("/api/v1/auth/token", json={"email": member.email, "password": TEST_PASSWORD})
    assert blocked.status_code == 429
    assert blocked.json()["code"] == "rate_limited"
    assert int(blocked.headers["retry-after"]) > 0
    # The window passes: age the recorded failures instead of sleeping.
    from park.accounts.tables import SignInCounter

    await SignInCounter.update({SignInCounter.window_end: int(utc_now().timestamp()) - 1}, force=True)
    recovered = await client.post("/api/v1/auth/token", json={"email": member.email, "password": TEST_PASSWORD})
    assert recovered.status_code == 200


async def test_the_api_needs_a_token(client):
    response = await client.get("/api/v1/me")
    assert response.status_code == 401
    assert response.json()["code"] == "unauthorized"


async def test_a_revoked_token_is_refused(client, member):
    tokens = (await client.get("/api/v1/auth/tokens", headers=member.headers)).json()
    assert tokens["total"] == 1
    revoked = await client.delete(f"/api/v1/auth/tokens/{tokens['items'][0]['id']}", headers=member.headers)
    assert revoked.status_code == 204
    assert (await client.get("/api/v1/me", headers=member.headers)).status_code == 401


async def test_an_expired_token_is_refused(client, member):
    await ApiToken.update({ApiToken.expires_at: utc_now() - timedelta(seconds=1)}).where(ApiToken.user == member.id)
    assert (await client.get("/api/v1/me", headers=member.headers)).status_code == 401


async def test_a_user_cannot_revoke_another_users_token(client, member, rival):
    rival_tokens = (await client.get("/api/v1/auth/tokens", headers=rival.headers)).json()["items"]
    response = await client.delete(f"/api/v1/auth/tokens/{rival_tokens[0]['id']}", headers=member.headers)
    assert response.status_code == 404
    assert (await client.get("/api/v1/me", headers=rival.headers)).status_code == 200


async def test_a_manager_creates_a_member_of_a_firm(client, manager, tenant):
    response = await client.post(
        "/api/v1/users",
        headers=manager.headers,
        json={"email": "New.Person@Firm.test", "name": "New Person", "password": "a-long-passphrase", "role": "member", "tenant_id": tenant["id"]},
    )
    assert response.status_code == 201
    assert response.json()["email"] == "new.person@firm.test"
    assert "password" not in response.text and "hash" not in response.text


async def test_a_weak_password_is_refused_naming_the_field(client, manager, tenant):
    response = await client.post(
        "/api/v1/users",
        headers=manager.headers,
        json={"email": "p@firm.test", "name": "P", "password": "short", "role": "member", "tenant_id": tenant["id"]},
    )
    assert response.status_code == 422
    assert response.json()["errors"][0]["field"] == "password"


async def test_a_tenant_admin_creates_users_only_in_its_own_firm(client, tenant_admin, other_tenant):
    own = await client.post(
        "/api/v1/users",
        headers=tenant_admin.headers,
        json={"email": "colleague@firm.test", "name": "Colleague", "password": "a-long-passphrase", "role": "member"},
    )
    assert own.status_code == 201
    assert own.json()["tenant_id"] == tenant_admin.tenant_id
    foreign = await client.post(
        "/api/v1/users",
        headers=tenant_admin.headers,
        json={"email": "spy@firm.test", "name": "Spy", "password": "a-long-passphrase", "role": "member", "tenant_id": other_tenant["id"]},
    )
    assert foreign.status_code == 404
    escalate = await client.post(
        "/api/v1/users",
        headers=tenant_admin.headers,
        json={"email": "boss@firm.test", "name": "Boss", "password": "a-long-passphrase", "role": "manager", "tenant_id": None},
    )
    assert escalate.status_code in (403, 422)


async def test_a_member_cannot_create_users(client, member):
    response = await client.post(
        "/api/v1/users",
        headers=member.headers,
        json={"email": "x@firm.test", "name": "X", "password": "a-long-passphrase", "role": "member"},
    )
    assert response.status_code == 403


async def test_a_duplicate_email_is_a_conflict(client, manager, member):
    response = await client.post(
        "/api/v1/users",
        headers=manager.headers,
        json={"email": member.email.upper(), "name": "Dup", "password": "a-long-passphrase", "role": "member", "tenant_id": member.tenant_id},
    )
    assert response.status_code == 409
