import pytest
"""The app's outer behaviour: health, problem details for every error, body limit, headers, OpenAPI."""

import httpx
from litestar import get

from tests.support import live_server


async def test_healthz_reports_ok_when_the_database_answers(client):
    response = await client.get("/healthz")
    assert response.status_code == 200
    assert response.json() == {"status": "ok", "database": "ok"}


def test_healthz_answers_503_when_the_database_is_unreachable():
    with live_server(extra_env={"PARK_DATABASE_URL": "postgresql://postgres@127.0.0.1:9/nowhere"}) as base_url:
        response = httpx.get(f"{base_url}/healthz", timeout=10)
    assert response.status_code == 503
    assert response.json()["database"] == "unavailable"


def _assert_problem(response: httpx.Response, status: int, code: str) -> dict:
    assert response.status_code == status
    assert response.headers["content-type"].startswith("application/problem+json")
    body = response.json()
    assert body["status"] == status
    assert body["code"] == code
    assert body["title"] and body["detail"]
    assert "Traceback" not in response.text and "SELECT" not in response.text
    return body


async def test_an_unknown_api_path_is_a_404_problem(client):
    _assert_problem(await client.get("/api/v1/nothing-here"), 404, "not_found")


async def test_a_wrong_method_is_a_405_problem(client):
    _assert_problem(await client.delete("/healthz"), 405, "validation")


async def test_a_body_over_the_limit_is_a_413_problem(client, settings):
    big = b'{"email": "' + b"a" * (settings.max_body_bytes + 10) + b'", "password": "x"}'
    response = await client.post("/api/v1/auth/token", content=big, headers={"content-type": "application/json"})
    _assert_problem(response, 413, "validation")


async def test_a_malformed_body_is_a_422_problem_naming_the_field(client):
    response = await client.post("/api/v1/auth/token", json={"email": 7, "password": "x"})
    body = _assert_problem(response, 422, "validation")
    assert {"field": "email", "message": body["errors"][0]["message"]} in body["errors"]


@pytest.mark.own_app
async def test_an_unexpected_exception_is_a_500_problem_without_internals(app, client):
    @get("/api/v1/test-boom")
    async def boom() -> None:
        raise RuntimeError("secret internal state: SELECT * FROM park_user")

    app.register(boom)
    response = await client.get("/api/v1/test-boom")
    body = _assert_problem(response, 500, "unavailable")
    assert "secret internal state" not in response.text
    assert body["detail"]


async def test_pages_show_errors_as_readable_html(client):
    response = await client.get("/no-such-page", headers={"accept": "text/html"})
    assert response.status_code == 404
    assert response.headers["content-type"].startswith("text/html")
    assert "<h1>" in response.text


async def test_every_response_carries_the_security_headers(client):
    response = await client.get("/", headers={"accept": "text/html"})
    assert "script-src 'self'" in response.headers["content-security-policy"]
    assert response.headers["x-frame-options"] == "DENY"
    assert response.headers["x-content-type-options"] == "nosniff"
    assert response.headers["referrer-policy"] == "same-origin"


async def test_the_openapi_document_is_served(client):
    response = await client.get("/schema/openapi.json")
    assert response.status_code == 200
    paths = response.json()["paths"]
    assert "/api/v1/auth/token" in paths
    assert "/api/v1/me" in paths


async def test_a_page_that_needs_sign_in_sends_the_visitor_to_the_sign_in_page_and_back(client):
    response = await client.get("/account/password?tab=1", headers={"accept": "text/html"})
    assert response.status_code == 303
    assert response.headers["location"] == "/login?next=/account/password%3Ftab%3D1"


async def test_a_signed_in_page_session_may_read_the_api_but_never_write_through_it(client, manager):
    from tests.accounts.test_pages import sign_in

    assert (await sign_in(client, manager.email)).status_code == 303
    download = await client.get("/api/v1/reports/occupancy.csv?from=2026-11-01&to=2026-11-02")
    assert download.status_code == 200
    assert download.headers["content-type"].startswith("text/csv")
    write = await client.post("/api/v1/buildings", json={"name": "Cookie Tower", "code": "CK"})
    assert write.status_code == 401
    listed = await client.get("/api/v1/buildings")
    assert "Cookie Tower" not in listed.text
