"""Sign-in throttling under bursts, across processes, without locking out the account's owner."""

import asyncio

import httpx

from park.accounts import rules
from tests import support
from tests.builders import TEST_PASSWORD

BURST = 30


def token_request(email: str, password: str, address: str) -> dict:
    return {"json": {"email": email, "password": password}, "headers": {"X-Forwarded-For": address}}


async def test_thirty_simultaneous_guesses_on_two_processes_let_only_the_limit_through(db, member, settings):
    # All thirty at once are wrong: were the right password among them, it could arrive before the
    # fifth failure, sign in, and rightly start the count afresh. It comes after the burst instead.
    limit = settings.login_max_failures
    with support.live_server(workers=2, extra_env={"PARK_FORWARDED_ALLOW_IPS": "127.0.0.1"}) as base_url:
        async with httpx.AsyncClient(base_url=base_url, timeout=60, limits=httpx.Limits(max_connections=BURST)) as http:
            responses = await asyncio.gather(*[
                http.post("/api/v1/auth/token", **token_request(member.email, "wrong-password", "203.0.113.9"))
                for _ in range(BURST)
            ])
            right = await http.post("/api/v1/auth/token", **token_request(member.email, TEST_PASSWORD, "203.0.113.9"))
    codes = [response.status_code for response in responses]
    assert codes.count(401) == limit
    assert codes.count(429) == BURST - limit
    assert right.status_code == 429, "the right password after the limit must not sign in"
    for response in [*responses, right]:
        if response.status_code == 429:
            assert response.json()["code"] == "rate_limited"
            assert int(response.headers["retry-after"]) > 0


async def test_an_attacker_elsewhere_cannot_lock_the_owner_out(db, member, settings):
    limit = settings.login_max_failures
    with support.live_server(workers=2, extra_env={"PARK_FORWARDED_ALLOW_IPS": "127.0.0.1"}) as base_url:
        async with httpx.AsyncClient(base_url=base_url, timeout=60) as http:
            attacker = [
                (await http.post("/api/v1/auth/token", **token_request(member.email, "wrong-password", "198.51.100.66"))).status_code
                for _ in range(limit + 2)
            ]
            # The same account guessed at from many other addresses: slowed down, never locked.
            for n in range(limit * 2):
                await http.post("/api/v1/auth/token", **token_request(member.email, "wrong-password", f"198.51.100.{n + 1}"))
            owner = await http.post("/api/v1/auth/token", **token_request(member.email, TEST_PASSWORD, "192.0.2.10"))
            still_blocked = await http.post("/api/v1/auth/token", **token_request(member.email, TEST_PASSWORD, "198.51.100.66"))
    assert attacker == [401] * limit + [429, 429]
    assert owner.status_code == 200
    assert still_blocked.status_code == 429


async def test_one_address_guessing_many_accounts_is_throttled(client, settings):
    codes = [
        (await client.post("/api/v1/auth/token", json={"email": f"guess{n}@firm.test", "password": "wrong-password"})).status_code
        for n in range(settings.login_max_failures * rules.ADDRESS_LIMIT_FACTOR + 1)
    ]
    assert codes[-1] == 429
    assert codes.count(401) == settings.login_max_failures * rules.ADDRESS_LIMIT_FACTOR


async def test_guessing_the_current_password_is_throttled(client, member, settings):
    for _ in range(settings.login_max_failures):
        wrong = await client.post(
            "/api/v1/me/password", headers=member.headers,
            json={"current_password": "wrong-password", "new_password": "a-new-Pass-phrase-9"},
        )
        assert wrong.status_code == 422
    blocked = await client.post(
        "/api/v1/me/password", headers=member.headers,
        json={"current_password": TEST_PASSWORD, "new_password": "a-new-Pass-phrase-9"},
    )
    assert blocked.status_code == 429
    assert int(blocked.headers["retry-after"]) > 0
    assert (await client.get("/api/v1/me", headers=member.headers)).status_code == 200, "the password did not change"


def test_an_account_attacked_from_many_addresses_is_slowed_not_locked():
    assert rules.account_delay_s(5, 5) == 0
    assert rules.account_delay_s(5 * rules.ACCOUNT_SLOW_FACTOR, 5) == 0
    assert 0 < rules.account_delay_s(5 * rules.ACCOUNT_SLOW_FACTOR + 1, 5) < rules.account_delay_s(40, 5)
    assert rules.account_delay_s(10_000, 5) == rules.ACCOUNT_MAX_DELAY_S
