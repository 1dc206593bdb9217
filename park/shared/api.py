"""Helpers every JSON controller shares: aware times, paging, the caller."""

from __future__ import annotations

from datetime import date, datetime, time
from typing import Annotated, Any, Generic, TypeVar
from zoneinfo import ZoneInfo

import msgspec
from litestar import Request

from park.shared import i18n
from park.shared.actor import Actor
from park.shared.errors import Unauthorized, ValidationFailed

AwareDatetime = Annotated[datetime, msgspec.Meta(tz=True)]
"""A request time must carry its UTC offset; msgspec refuses one without (422)."""

MAX_LIMIT = 200
DEFAULT_LIMIT = 50

T = TypeVar("T")


class Page(msgspec.Struct, Generic[T]):
    items: list[T]
    total: int


def given(patch: msgspec.Struct) -> dict[str, Any]:
    """The fields a PATCH body sets (those it leaves out stay as they are)."""
    return {k: v for k, v in msgspec.structs.asdict(patch).items() if v is not msgspec.UNSET}


def paging(limit: int | None, offset: int | None) -> tuple[int, int]:
    limit = DEFAULT_LIMIT if limit is None else limit
    offset = 0 if offset is None else offset
    if not 1 <= limit <= MAX_LIMIT:
        raise ValidationFailed.on("limit", "Use a limit between 1 and %(most)s.", most=MAX_LIMIT)
    if not 0 <= offset <= MAX_ROW_ID:
        raise ValidationFailed.on("offset", "Use an offset between 0 and 2147483647.")
    return limit, offset


MAX_ROW_ID = 2**31 - 1
"""Ids are 32-bit serials on PostgreSQL; a larger number names no row."""


def is_row_id(text: str) -> bool:
    """True when `text` is a plain ASCII number that can be a row id."""
    return text.isascii() and text.isdigit() and len(text) <= 10 and int(text) <= MAX_ROW_ID


def one_of(value: str | None, allowed: tuple[str, ...] | list[str], field: str) -> str | None:
    """A filter value from a fixed list (empty means no filter); an unknown one is refused, not ignored."""
    if value is None or value == "":
        return None
    if value not in allowed:
        raise ValidationFailed.on(field, "Use one of: %(choices)s.", choices=', '.join(allowed))
    return value


def reader_lang(request: Request[Any, Any, Any]) -> str:
    """The language of an API answer: Accept-Language when it names one of ours, else the
    user's saved language, else the park's default (the contract's order)."""
    settings = request.app.state.settings
    header = request.headers.get("accept-language")
    if header:
        chosen = i18n.negotiate(header, "")
        if chosen:
            return chosen
    actor = request.scope.get("user")
    if isinstance(actor, Actor) and i18n.valid_locale(actor.locale):
        return actor.locale
    return settings.default_locale


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
