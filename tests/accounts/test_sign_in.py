"""Sign-in hardening: throttled page sign-in, cookie flags, the shared session store."""

import socket

import httpx
import pytest

from park.accounts.tables import SignInCounter
from park.shared.clock import utc_now
from tests.accounts.test_pages import csrf_from, sign_in
from tests.builders import TEST_PASSWORD


async def test_repeated_failed_page_sign_ins_answer_429_and_recover_after_the_window(client, member, settings):
    for _ in range(settings.login_max_failures):
        assert (await sign_in(client, member.email, "wrong-password")).status_code == 401
    blocked = await sign_in(client, member.email)
    assert blocked.status_code == 429
    assert 0 < int(blocked.headers["retry-after"]) <= settings.login_window_seconds + 1
    assert client.cookies.get("park_session") is None
    await SignInCounter.update({SignInCounter.window_end: int(utc_now().timestamp()) - 1}, force=True)
    assert (await sign_in(client, member.email)).status_code == 303


async def test_failures_on_one_account_do_not_lock_out_another(client, member, tenant_admin, settings):
    for _ in range(settings.login_max_failures):
        await sign_in(client, member.email, "wrong-password")
    assert (await sign_in(client, tenant_admin.email)).status_code == 303


async def test_a_successful_sign_in_clears_the_accounts_failures(client, member, settings):
    for _ in range(settings.login_max_failures - 1):
        await sign_in(client, member.email, "wrong-password")
    assert (await sign_in(client, member.email)).status_code == 303
    assert (await sign_in(client, member.email, "wrong-password")).status_code == 401
    assert (await sign_in(client, member.email)).status_code == 303


async def test_session_and_csrf_cookies_are_secure_httponly_and_same_site_behind_https(db, settings, member):
    from dataclasses import replace

    from park.app import create_app

    app = create_app(replace(settings, base_url="https://park.example"))
    async with httpx.AsyncClient(transport=httpx.ASGITransport(app=app), base_url="https://testserver") as browser:
        form = await browser.get("/login")
        csrf_cookie = form.headers["set-cookie"].lower()
        assert "secure" in csrf_cookie and "samesite=lax" in csrf_cookie
        response = await browser.post(
            "/login", data={"email": member.email, "password": TEST_PASSWORD, "next": "/", "_csrf_token": csrf_from(form.text)}
        )
        session_cookie = next(v for v in response.headers.get_list("set-cookie") if v.startswith("park_session="))
        flags = session_cookie.lower()
        assert "secure" in flags and "httponly" in flags and "samesite=lax" in flags


def _redis_reachable() -> bool:
    try:
        with socket.create_connection(("127.0.0.1", 6379), timeout=0.5):
            return True
    except OSError:
        return False


@pytest.mark.parametrize(
    "redis_url",
    [
        "",
        pytest.param(
            "redis://127.0.0.1:6379/15",
            marks=pytest.mark.skipif(not _redis_reachable(), reason="no Redis at 127.0.0.1:6379"),
        ),
    ],
    ids=["database", "redis"],
)
async def test_a_session_begun_on_one_process_is_known_to_another(db, settings, member, redis_url):
    from dataclasses import replace

    from park.app import create_app

    shared = replace(settings, redis_url=redis_url)
    first, second = create_app(shared), create_app(shared)
    async with httpx.AsyncClient(transport=httpx.ASGITransport(app=first), base_url="http://testserver") as browser:
        await sign_in(browser, member.email)
        cookie = browser.cookies.get("park_session")
    assert cookie
    async with httpx.AsyncClient(
        transport=httpx.ASGITransport(app=second), base_url="http://testserver", cookies={"park_session": cookie}
    ) as elsewhere:
        assert "Test member" in (await elsewhere.get("/")).text
    store = first.stores.get("sessions")
    assert await store.exists(cookie)
    await store.delete(cookie)


async def test_a_session_cookie_copied_before_sign_out_is_useless_afterwards(app, member):
    async with httpx.AsyncClient(transport=httpx.ASGITransport(app=app), base_url="http://testserver") as browser:
        await sign_in(browser, member.email)
        stolen = browser.cookies.get("park_session")
        home = await browser.get("/")
        await browser.post("/logout", data={"_csrf_token": csrf_from(home.text)})
    async with httpx.AsyncClient(
        transport=httpx.ASGITransport(app=app), base_url="http://testserver", cookies={"park_session": stolen}
    ) as thief:
        assert "Test member" not in (await thief.get("/")).text


async def test_a_session_id_planted_before_sign_in_does_not_become_the_victims_session(app, member, rival):
    def browser(**kwargs):
        return httpx.AsyncClient(transport=httpx.ASGITransport(app=app), base_url="http://testserver", **kwargs)

    async with browser() as attacker:
        await sign_in(attacker, rival.email)
        planted = attacker.cookies.get("park_session")
    assert planted
    async with browser() as victim:
        victim.cookies.set("park_session", planted, domain="testserver.local")
        signed = await sign_in(victim, member.email)
        given = next(v for v in signed.headers.get_list("set-cookie") if v.startswith("park_session="))
        assert given.split(";")[0] != f"park_session={planted}"
    # Signing in deleted the planted session: the attacker is now signed in as nobody, neither victim nor itself.
    async with browser(cookies={"park_session": planted}) as attacker:
        assert "Test member" not in (await attacker.get("/")).text


async def test_signing_in_and_out_is_in_the_audit_log(client, member):
    from park.audit.tables import AuditEntry

    await sign_in(client, member.email)
    home = await client.get("/")
    await client.post("/logout", data={"_csrf_token": csrf_from(home.text)})
    actions = [row["action"] for row in await AuditEntry.select(AuditEntry.action).where(AuditEntry.actor_id == member.id)]
    assert "user.sign_in" in actions and "user.sign_out" in actions


async def test_a_session_older_than_a_week_is_refused_however_busy(client, member):
    import json

    from park.accounts.rules import SESSION_MAX_AGE_S
    from park.accounts.tables import WebSession

    await sign_in(client, member.email)
    assert "Test member" in (await client.get("/")).text
    key = client.cookies.get("park_session")
    row = await WebSession.select(WebSession.data).where(WebSession.key == key).first()
    data = json.loads(bytes(row["data"]))
    data["signed_in_at"] -= SESSION_MAX_AGE_S + 60
    await WebSession.update({WebSession.data: json.dumps(data).encode()}).where(WebSession.key == key)
    assert "Test member" not in (await client.get("/")).text
