"""Helpers every JSON controller shares: aware times, paging, the caller."""

from __future__ import annotations

from datetime import date, datetime, time
from typing import Annotated, Any, Generic, TypeVar
from zoneinfo import ZoneInfo

import msgspec
from litestar import Request

from park.accounts.model import Actor
from park.shared.errors import Unauthorized, ValidationFailed

AwareDatetime = Annotated[datetime, msgspec.Meta(tz=True)]
"""A request time must carry its UTC offset; msgspec refuses one without (422)."""

MAX_LIMIT = 200
DEFAULT_LIMIT = 50

T = TypeVar("T")


class Page(msgspec.Struct, Generic[T]):
    items: list[T]
    total: int


def paging(limit: int | None, offset: int | None) -> tuple[int, int]:
    limit = DEFAULT_LIMIT if limit is None else limit
    offset = 0 if offset is None else offset
    if not 1 <= limit <= MAX_LIMIT:
        raise ValidationFailed.on("limit", f"Use a limit between 1 and {MAX_LIMIT}.")
    if offset < 0:
        raise ValidationFailed.on("offset", "Use an offset of 0 or more.")
    return limit, offset


def caller(request: Request[Any, Any, Any]) -> Actor:
    """The signed-in actor; routes that need one are guarded, this is the typed access."""
    actor = request.scope.get("user")
    if not isinstance(actor, Actor):
        raise Unauthorized("Sign in first.")
    return actor


def parse_instant(value: str | None, field: str, zone: ZoneInfo, *, required: bool = True) -> datetime | None:
    """An RFC 3339 time with offset, or a date meaning park-local midnight; a time without offset is refused."""
    if value is None or value == "":
        if required:
            raise ValidationFailed.on(field, "This parameter is required.")
        return None
    text = value.strip().replace(" ", "+") if "T" in value and " " in value else value.strip()
    try:
        if len(text) == 10:
            return datetime.combine(date.fromisoformat(text), time(0), tzinfo=zone)
        parsed = datetime.fromisoformat(text.replace("Z", "+00:00"))
    except ValueError:
        raise ValidationFailed.on(field, "Use an RFC 3339 time with offset (2026-11-24T09:00:00+08:00) or a date.") from None
    if parsed.tzinfo is None:
        raise ValidationFailed.on(field, "A time needs a UTC offset, e.g. 2026-11-24T09:00:00+08:00.")
    return parsed


def to_json_ready(value: Any) -> Any:
    return msgspec.to_builtins(value)
