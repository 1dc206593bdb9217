"""Security headers on every response, and templates the content security policy does not have to break."""

import re
from pathlib import Path

import pytest

TEMPLATES = Path(__file__).resolve().parents[2] / "templates"

INLINE_CODE = [
    (re.compile(r"<script\b(?![^>]*\bsrc=)[^>]*>", re.IGNORECASE), "an inline <script> (serve it from /static)"),
    (re.compile(r"<[^>]+\son[a-z]+\s*=", re.IGNORECASE), "an inline event handler (on...=)"),
    (re.compile(r"<[^>]+\shx-on(?::|-|\s*=)", re.IGNORECASE), "an hx-on handler (evaluated code)"),
    (re.compile(r"javascript:", re.IGNORECASE), "a javascript: URL"),
    (re.compile(r"<style\b", re.IGNORECASE), "an inline <style> block (use park.css)"),
    (re.compile(r"<[^>]+\sstyle\s*=", re.IGNORECASE), "an inline style attribute (use a class in park.css)"),
]


def _assert_security_headers(response) -> None:
    policy = response.headers.get("content-security-policy", "")
    assert "script-src 'self'" in policy and "'unsafe-inline'" not in policy, response.url
    assert "frame-ancestors 'none'" in policy
    assert response.headers.get("x-frame-options") == "DENY"
    assert response.headers.get("x-content-type-options") == "nosniff"
    assert response.headers.get("referrer-policy") == "same-origin"


@pytest.mark.parametrize(
    ("method", "path", "accept"),
    [
        ("GET", "/", "text/html"),
        ("GET", "/login", "text/html"),
        ("GET", "/no-such-page", "text/html"),
        ("GET", "/api/v1/me", "application/json"),
        ("GET", "/api/v1/no-such-thing", "application/json"),
        ("GET", "/static/park.css", "text/css"),
        ("GET", "/healthz", "application/json"),
    ],
)
async def test_every_kind_of_response_carries_the_security_headers(client, method, path, accept):
    _assert_security_headers(await client.request(method, path, headers={"accept": accept}))


async def test_a_refused_form_still_carries_the_security_headers(client):
    await client.get("/login")
    refused = await client.post("/login", data={"email": "a@b.test", "password": "x"}, headers={"accept": "text/html"})
    assert refused.status_code == 403
    _assert_security_headers(refused)


def test_no_template_carries_inline_code_or_styles():
    offences = []
    for path in sorted(TEMPLATES.rglob("*.html")):
        text = path.read_text(encoding="utf-8")
        for pattern, what in INLINE_CODE:
            for match in pattern.finditer(text):
                line = text.count("\n", 0, match.start()) + 1
                offences.append(f"{path.relative_to(TEMPLATES)}:{line}: {what}")
    assert not offences, "The content security policy blocks inline code and styles:\n" + "\n".join(offences)


def test_the_scan_recognises_inline_code():
    samples = ['<script>alert(1)</script>', '<button onclick="go()">', '<a href="javascript:void(0)">',
               '<div hx-on:click="x()">', '<p style="color:red">', '<style>p{}</style>']
    for sample in samples:
        assert any(pattern.search(sample) for pattern, _ in INLINE_CODE), sample
    assert not any(pattern.search('<script src="/static/htmx.min.js" defer></script>') for pattern, _ in INLINE_CODE)


async def test_every_form_post_without_the_csrf_token_is_refused(app, manager):
    """Walks every non-API POST route of the assembled app, so a form added later is covered too."""
    import re

    import httpx

    from park.audit.tables import AuditEntry
    from tests.accounts.test_pages import sign_in

    posts = sorted(
        {
            re.sub(r"\{\w+(?::\w+)?\}", "1", route.path)
            for route in app.routes
            for handler in getattr(route, "route_handlers", [])
            if "POST" in handler.http_methods and not route.path.startswith(("/api/", "/schema", "/static"))
        }
    )
    assert "/login" in posts and len(posts) > 5
    async with httpx.AsyncClient(transport=httpx.ASGITransport(app=app), base_url="http://testserver") as browser:
        await sign_in(browser, manager.email)
        entries_before = await AuditEntry.count()
        accepted = []
        for path in posts:
            response = await browser.post(path, data={"name": "x"}, headers={"accept": "text/html"})
            if response.status_code != 403:
                accepted.append(f"{path} answered {response.status_code}")
        assert not accepted, "forms accepted without a CSRF token: " + ", ".join(accepted)
        assert await AuditEntry.count() == entries_before


async def test_the_api_never_writes_for_a_session_cookie_so_a_forged_cross_site_request_cannot_use_it(client, manager):
    """A cookie may read through the API (report downloads from pages); only a bearer token writes."""
    from tests.accounts.test_pages import sign_in

    await sign_in(client, manager.email)
    assert client.cookies.get("park_session")
    me = await client.get("/api/v1/me")
    forged = await client.post("/api/v1/tenants", json={"name": "X", "uscc": "91440300708461136T", "sector": "new_media"})
    assert (me.status_code, forged.status_code) == (200, 401)


async def test_a_page_post_from_a_foreign_origin_is_refused_with_a_readable_page(client, member):
    from tests.accounts.test_pages import csrf_from
    from tests.builders import TEST_PASSWORD

    form = await client.get("/login")
    data = {"email": member.email, "password": TEST_PASSWORD, "next": "/", "_csrf_token": csrf_from(form.text)}
    refused = await client.post(
        "/login", data=data, headers={"Origin": "https://evil.example", "Accept": "text/html", "Accept-Language": "en"}
    )
    assert refused.status_code == 403
    assert refused.headers["content-type"].startswith("text/html")
    assert "sent from elsewhere" in refused.text
    assert client.cookies.get("park_session") is None
    same_site = await client.post("/login", data=data, headers={"Origin": "http://testserver", "Accept": "text/html"})
    assert same_site.status_code == 303
