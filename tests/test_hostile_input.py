"""Hostile input gets a clear 4xx problem, never a 500, on both databases (issue 11, item 5)."""

from __future__ import annotations

import io
import zipfile

import pytest

from tests import support

DEEP_JSON = "[" * 100_000 + "]" * 100_000
BEYOND_INT64 = "9223372036854775808"
BEYOND_INT32 = "3000000000"

HOSTILE = [
    ("GET", f"/api/v1/facilities?offset={BEYOND_INT64}", None),
    ("GET", f"/api/v1/facilities/{BEYOND_INT64}", None),
    ("GET", f"/api/v1/bookings/{BEYOND_INT32}", None),
    ("GET", "/api/v1/facilities?q=a%00b", None),
    ("GET", "/api/v1/facilities?kind=bogus", None),
    ("GET", "/api/v1/reports/occupancy?kind=bogus&from=2026-11-01&to=2026-11-02", None),
    ("GET", "/api/v1/reports/snapshots?kind=bogus", None),
    ("GET", "/api/v1/reports/occupancy?from=0001-01-01&to=0001-01-02", None),
    ("GET", "/api/v1/reports/occupancy?from=9999-12-30&to=9999-12-31", None),
    ("GET", "/api/v1/reports/occupancy.csv?from=0001-01-01T00:00:00Z&to=0001-01-03T00:00:00Z", None),
    ("GET", "/calendar/facilities/99999999999999999999999.ics", None),
    ("GET", "/calendar/facilities/%E4%B8%AD.ics", None),
    ("GET", "/calendar/facilities/%D9%A3.ics", None),
    ("GET", "/calendar/abc%00.ics", None),
    ("GET", "/static/a%00b.js", None),
    ("POST", "/api/v1/buildings", {"name": "a\u0000b", "code": "X1"}),
    ("POST", "/api/v1/facilities", {"name": "n", "kind": "lab", "building_id": int(BEYOND_INT32)}),
    ("POST", "/api/v1/facilities", {"name": "n", "kind": "lab", "building_id": int(BEYOND_INT64)}),
    ("POST", "/api/v1/bookings", {"facility_id": int(BEYOND_INT32), "starts_at": "2026-12-10T09:00:00+08:00",
                                  "ends_at": "2026-12-10T10:00:00+08:00"}),
    ("POST", "/api/v1/buildings", DEEP_JSON),
]


@pytest.mark.parametrize("method,path,body", HOSTILE, ids=[f"{m} {p[:60]}" for m, p, _ in HOSTILE])
async def test_hostile_input_gets_a_client_error_problem(client, manager, method, path, body):
    options: dict = {"headers": dict(manager.headers)}
    if isinstance(body, str):
        options["content"] = body
        options["headers"]["content-type"] = "application/json"
    elif body is not None:
        options["json"] = body
    response = await client.request(method, path, **options)
    assert 400 <= response.status_code < 500, response.text[:300]
    if not path.startswith("/static"):
        assert response.headers["content-type"].startswith("application/problem+json")
        assert response.json()["status"] == response.status_code


@pytest.mark.parametrize("path", [f"/api/v1/facilities?building_id={BEYOND_INT32}",
                                  f"/api/v1/bookings?facility_id={BEYOND_INT32}"])
async def test_a_filter_on_an_id_beyond_any_row_finds_nothing(client, manager, path):
    response = await client.get(path, headers=manager.headers)
    assert response.status_code == 200
    assert response.json()["total"] == 0


async def test_unknown_filter_values_are_refused_not_ignored(client, manager):
    response = await client.get("/api/v1/facilities?kind=bogus", headers=manager.headers)
    assert response.status_code == 422
    assert response.json()["errors"][0]["field"] == "kind"


async def test_text_with_nul_is_refused_before_anything_is_stored(client, manager):
    response = await client.post("/api/v1/buildings", json={"name": "a\u0000b", "code": "NUL1"}, headers=manager.headers)
    assert response.status_code == 422
    listing = await client.get("/api/v1/buildings", headers=manager.headers)
    assert all(item["code"] != "NUL1" for item in listing.json()["items"])


@pytest.mark.parametrize("path", ["/api/v1/facilities", "/", "/login"])
async def test_a_session_cookie_longer_than_any_id_is_ignored(client, db, path):
    response = await client.get(path, cookies={"park_session": "x" * 5000})
    assert response.status_code < 500


async def test_an_empty_window_exports_as_a_readable_workbook(client, manager):
    response = await client.get("/api/v1/reports/occupancy.xlsx?from=2026-01-01&to=2026-01-02", headers=manager.headers)
    assert response.status_code == 200
    assert zipfile.ZipFile(io.BytesIO(response.content)).testzip() is None


async def test_export_file_names_carry_the_park_local_window(client, manager):
    response = await client.get("/api/v1/reports/occupancy.csv?from=2026-11-24&to=2026-11-25", headers=manager.headers)
    assert response.status_code == 200
    assert 'filename="occupancy-facility-20261124-20261125.csv"' in response.headers["content-disposition"]
