"""The CSRF token is bound to the session it was shown in, and a refused page write reads as a page."""

import httpx
import pytest

from tests.accounts.test_pages import csrf_from, sign_in


@pytest.fixture
async def browsers(app):
    """Two browsers on the same app, each with its own cookies."""
    clients = [httpx.AsyncClient(transport=httpx.ASGITransport(app=app), base_url="http://testserver") for _ in range(2)]
    try:
        yield clients
    finally:
        for one in clients:
            await one.aclose()


def _browser_with(app, **cookies: str) -> httpx.AsyncClient:
    return httpx.AsyncClient(transport=httpx.ASGITransport(app=app), base_url="http://testserver", cookies=cookies)


async def _lang(browser, token: str):
    return await browser.post("/lang", data={"lang": "en", "next": "/", "_csrf_token": token})


async def test_a_token_from_before_sign_in_is_refused_after_it(client, member):
    before = csrf_from((await client.get("/login")).text)
    assert (await sign_in(client, member.email)).status_code == 303
    assert (await _lang(client, before)).status_code == 403
    fresh = csrf_from((await client.get("/")).text)
    assert fresh != before
    assert (await _lang(client, fresh)).status_code == 303


async def test_a_token_from_another_session_is_refused_even_with_that_sessions_cookie(app, browsers, member, tenant_admin):
    victim, attacker = browsers
    await sign_in(victim, member.email)
    await sign_in(attacker, tenant_admin.email)
    stolen = csrf_from((await attacker.get("/")).text)
    assert (await _lang(victim, stolen)).status_code == 403
    # An attacker who can plant cookies (a sibling subdomain) plants its own pair: still refused.
    async with _browser_with(app, park_session=victim.cookies["park_session"], park_csrf=attacker.cookies["park_csrf"]) as planted:
        assert (await _lang(planted, stolen)).status_code == 403
    assert (await _lang(victim, csrf_from((await victim.get("/")).text))).status_code == 303


async def test_the_same_person_signed_in_twice_has_two_tokens(app, browsers, member):
    first, second = browsers
    await sign_in(first, member.email)
    await sign_in(second, member.email)
    token = csrf_from((await second.get("/")).text)
    async with _browser_with(app, park_session=first.cookies["park_session"], park_csrf=second.cookies["park_csrf"]) as mixed:
        assert (await _lang(mixed, token)).status_code == 403


async def test_a_token_from_a_session_that_was_signed_out_is_refused(client, member):
    await sign_in(client, member.email)
    signed_in_token = csrf_from((await client.get("/")).text)
    assert (await client.post("/logout", data={"_csrf_token": signed_in_token})).status_code == 303
    assert (await _lang(client, signed_in_token)).status_code == 403
    after_sign_out = csrf_from((await client.get("/login")).text)
    assert (await sign_in(client, member.email)).status_code == 303
    assert (await client.post("/logout", data={"_csrf_token": after_sign_out})).status_code == 403


async def test_a_forged_csrf_cookie_is_no_secret_of_ours(app):
    forged = "a" * 64 + ".forged"
    async with _browser_with(app, park_csrf=forged) as browser:
        page = await browser.get("/login")
        assert "park_csrf" in page.headers.get("set-cookie", "")
        assert (await browser.post("/lang", data={"lang": "en", "_csrf_token": csrf_from(page.text)},
                                   headers={"cookie": f"park_csrf={forged}"})).status_code == 403


@pytest.mark.parametrize(
    ("headers", "language", "words"),
    [
        ({}, "zh-CN", "表单已过期"),
        ({"HX-Request": "true", "Accept": "*/*"}, "en", "The form has expired"),
        ({"Accept": "text/html"}, "en", "The form has expired"),
    ],
)
async def test_a_refused_page_form_shows_a_translated_error_page_not_json(client, headers, language, words):
    await client.get("/login")
    refused = await client.post("/login", data={"email": "a@b.test", "password": "x"},
                                headers={**headers, "Accept-Language": language})
    assert refused.status_code == 403
    assert refused.headers["content-type"].startswith("text/html")
    assert words in refused.text and "<h1>" in refused.text


async def test_an_api_client_still_gets_problem_details(client, manager):
    await sign_in(client, manager.email)
    refused = await client.post("/api/v1/users", json={}, headers={"Accept": "text/html"})
    assert refused.status_code == 401
    assert refused.headers["content-type"].startswith("application/problem+json")
    assert refused.json()["code"] == "unauthorized"
