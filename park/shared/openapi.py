"""What the OpenAPI document says each route answers, beyond its success: set once for every route.

Litestar documents a handler's errors as its own `ValidationException` body under
`application/json` (status 400), and every file download as a JSON string. Park's errors are
RFC 9457 problem details (`park.shared.errors.Problem`, mapped in park/app.py) under
`application/problem+json`, and its exports are CSV, XLSX and iCalendar. `document_responses`
states that for every route of the app, so no controller has to repeat it and a
schema-driven client (or fuzzer) reads the truth.
"""

from __future__ import annotations

from typing import Any, Literal

import msgspec
from litestar import Litestar
from litestar.handlers import HTTPRouteHandler
from litestar.openapi.datastructures import ResponseSpec
from litestar.routes import HTTPRoute

PROBLEM_MEDIA_TYPE = "application/problem+json"
CSV_MEDIA_TYPE = "text/csv"
XLSX_MEDIA_TYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
ICS_MEDIA_TYPE = "text/calendar"

ProblemCode = Literal["validation", "unauthorized", "forbidden", "not_found", "conflict", "quota_exceeded",
                      "rate_limited", "unavailable"]


class ProblemFieldError(msgspec.Struct):
    field: str
    message: str


class ProblemDetails(msgspec.Struct, kw_only=True):
    """RFC 9457 problem details as Park sends them (see the API contract, "Errors")."""

    type: str
    status: int
    title: str
    detail: str
    code: ProblemCode
    errors: list[ProblemFieldError] | msgspec.UnsetType = msgspec.UNSET
    """Only for `validation`: which field, and what is wrong with it."""
    retry_after: int | msgspec.UnsetType = msgspec.UNSET
    """With 429 and 503: seconds to wait (also in the Retry-After header)."""


class Health(msgspec.Struct):
    status: str
    database: str


PROBLEMS = {
    400: "Bad request (problem details, code validation)",
    401: "Sign-in required: no valid bearer token (code unauthorized)",
    403: "Not allowed for the caller's role (code forbidden)",
    404: "Not found, or not visible to the caller (code not_found)",
    405: "Method not allowed (code validation)",
    409: "Conflicts with the record's current state (code conflict or quota_exceeded)",
    413: "Request body too large (code validation)",
    422: "Invalid input; `errors` names each field (code validation)",
    429: "Too many attempts; Retry-After says when to try again (code rate_limited)",
    503: "The database is unavailable or busy; Retry-After says when to try again (code unavailable)",
}
"""Every status Park's error mapper (park/app.py) can answer on any route."""

FILE_TYPES = {".csv": (CSV_MEDIA_TYPE, "A CSV file (UTF-8 with BOM)"),
              ".xlsx": (XLSX_MEDIA_TYPE, "An Excel workbook"),
              ".ics": (ICS_MEDIA_TYPE, "An iCalendar feed")}


def _file_type(path: str) -> tuple[str, str] | None:
    if path.startswith("/calendar/"):
        return FILE_TYPES[".ics"]
    for suffix, file_type in FILE_TYPES.items():
        if path.endswith(suffix):
            return file_type
    return None


def responses_for(path: str, handler: HTTPRouteHandler) -> dict[int, ResponseSpec]:
    """The responses Litestar cannot infer for `handler` at `path`: problems, file bodies, health."""
    if path == "/healthz":
        return {503: ResponseSpec(data_container=Health, description="The database cannot be reached",
                                  generate_examples=False)}
    responses = {status: ResponseSpec(data_container=ProblemDetails, media_type=PROBLEM_MEDIA_TYPE,
                                      description=description, generate_examples=False)
                 for status, description in PROBLEMS.items()}
    file_type = _file_type(path)
    if file_type is not None:
        media_type, description = file_type
        responses[handler.status_code] = ResponseSpec(data_container=str, media_type=media_type,
                                                      description=description, generate_examples=False)
    return responses | dict(handler.responses or {})  # what a handler states itself wins


def document_responses(app: Litestar) -> None:
    """Give every route in the schema its error and file responses (before the document is first built)."""
    for route in app.routes:
        if not isinstance(route, HTTPRoute):
            continue
        for handler in route.route_handlers:
            if handler.resolve_include_in_schema():
                handler.responses = responses_for(route.path, handler)


def problem_schema() -> dict[str, Any]:
    """The JSON schema of a problem body (for tests and clients)."""
    return msgspec.json.schema(ProblemDetails)
