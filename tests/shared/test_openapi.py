"""The OpenAPI document tells the truth: problem details for errors, files with their media types."""

from __future__ import annotations

from urllib.parse import urlsplit

import jsonschema_rs
import pytest
from openapi_spec_validator import validate

from park.shared.openapi import PROBLEM_MEDIA_TYPE, problem_schema

FILE_MEDIA_TYPES = {
    ".csv": "text/csv",
    ".xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
}


@pytest.fixture
async def document(client) -> dict:
    response = await client.get("/schema/openapi.json")
    assert response.status_code == 200
    return response.json()


def _operations(document: dict):
    for path, item in document["paths"].items():
        for method, operation in item.items():
            if method in ("get", "post", "put", "patch", "delete"):
                yield path, method, operation


async def test_the_openapi_document_is_a_valid_openapi_document(document):
    validate(document)


async def test_every_error_answer_is_documented_as_problem_details(document):
    problem_ref = "#/components/schemas/ProblemDetails"
    for path, method, operation in _operations(document):
        if path == "/healthz":
            continue
        for status in ("401", "403", "404", "422", "503"):
            content = operation["responses"][status]["content"]
            assert list(content) == [PROBLEM_MEDIA_TYPE], (method, path, status)
            assert content[PROBLEM_MEDIA_TYPE]["schema"]["$ref"] == problem_ref
        for status, response in operation["responses"].items():
            if status.startswith("4"):
                assert "application/json" not in (response.get("content") or {}), (method, path, status)
    problem = document["components"]["schemas"]["ProblemDetails"]
    assert set(problem["required"]) == {"type", "status", "title", "detail", "code"}
    assert "unavailable" in problem["properties"]["code"]["enum"]


async def test_file_downloads_are_documented_with_their_media_types(document):
    seen = set()
    for path, method, operation in _operations(document):
        suffix = next((s for s in FILE_MEDIA_TYPES if path.endswith(s)), None)
        if suffix is not None:
            assert list(operation["responses"]["200"]["content"]) == [FILE_MEDIA_TYPES[suffix]], path
            seen.add(suffix)
        if path.startswith("/calendar/"):
            assert list(operation["responses"]["200"]["content"]) == ["text/calendar"], path
            seen.add(".ics")
    assert seen == {".csv", ".xlsx", ".ics"}


async def test_an_error_body_matches_the_documented_problem_schema(client, manager):
    response = await client.get("/api/v1/bookings/999999", headers=manager.headers)
    assert response.status_code == 404
    jsonschema_rs.validate(problem_schema(), response.json())
    invalid = await client.get("/api/v1/bookings?status=bogus", headers=manager.headers)
    assert invalid.status_code == 422
    jsonschema_rs.validate(problem_schema(), invalid.json())


async def test_csv_and_calendar_answers_name_their_charset_once(client, manager):
    csv = await client.get("/api/v1/reports/occupancy.csv?from=2026-11-01&to=2026-11-02", headers=manager.headers)
    assert csv.status_code == 200
    assert csv.headers.get_list("content-type") == ["text/csv; charset=utf-8"]
    feed_url = (await client.get("/api/v1/me", headers=manager.headers)).json()["calendar_url"]
    feed = await client.get(urlsplit(feed_url).path)
    assert feed.status_code == 200
    assert feed.headers.get_list("content-type") == ["text/calendar; charset=utf-8"]
