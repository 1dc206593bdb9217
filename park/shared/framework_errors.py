"""The framework's validation words (msgspec's, Litestar's) as catalogue messages with parameters. Pure.

msgspec says "Expected `int`, got `str` - at `$.seats`" and Litestar "Missing required query
parameter 'from' for path /api/v1/...". Each known pattern becomes a `FieldError` whose
message is a catalogue text, so problem details say it in the reader's language; the field
path (`seats`, `items[2].starts_at`) is kept. A pattern not known here says "This value is
not valid." rather than the framework's English.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Mapping
from typing import Any

from park.shared.errors import FieldError
from park.shared.labels import N_, Term

TYPE_NAMES = {
    "int": N_("a whole number"),
    "float": N_("a number"),
    "str": N_("text"),
    "bool": N_("true or false"),
    "array": N_("a list"),
    "object": N_("an object"),
    "null": N_("nothing (null)"),
    "bytes": N_("text"),
}
"""msgspec's JSON type names as a reader says them."""

UNREADABLE_BODY = N_("The request body could not be read as the expected JSON.")
NOT_VALID = N_("This value is not valid.")


def _typed(name: str) -> Term:
    return Term(TYPE_NAMES.get(name, name))


def _length(bound: str) -> Callable[[re.Match[str]], tuple[str, dict[str, Any]]]:
    def said(found: re.Match[str]) -> tuple[str, dict[str, Any]]:
        items = found["type"] in ("array", "object")
        if bound == "<=":
            template = N_("At most %(n)s items.") if items else N_("At most %(n)s characters.")
        else:
            template = N_("At least %(n)s items.") if items else N_("At least %(n)s characters.")
        return template, {"n": found["n"]}
    return said


BOUNDS = {
    ">=": N_("Must be at least %(n)s."),
    "<=": N_("Must be at most %(n)s."),
    ">": N_("Must be more than %(n)s."),
    "<": N_("Must be less than %(n)s."),
}

PATTERNS: list[tuple[re.Pattern[str], Callable[[re.Match[str]], tuple[str, dict[str, Any]]]]] = [
    (re.compile(r"Expected `(?P<expected>[^`]+)`, got `(?P<got>[^`]+)`"),
     lambda m: (N_("Expected %(expected)s, got %(got)s."),
                {"expected": _typed(m["expected"].split(" | ")[0]), "got": _typed(m["got"])})),
    (re.compile(r"Expected `(?P<type>\w+)` of length <= (?P<n>\d+)"), _length("<=")),
    (re.compile(r"Expected `(?P<type>\w+)` of length >= (?P<n>\d+)"), _length(">=")),
    (re.compile(r"Expected `\w+` (?P<op>>=|<=|>|<) (?P<n>-?[\d.]+)"),
     lambda m: (BOUNDS[m["op"]], {"n": m["n"][:-2] if m["n"].endswith(".0") else m["n"]})),
    (re.compile(r"Expected `\w+` that is a multiple of (?P<n>[\d.]+)"),
     lambda m: (N_("Must be a multiple of %(n)s."), {"n": m["n"]})),
    (re.compile(r"Expected `str` matching regex"), lambda m: (NOT_VALID, {})),
    (re.compile(r"Invalid RFC3339 encoded datetime"),
     lambda m: (N_("Use an RFC 3339 time with offset, e.g. 2026-11-24T09:00:00+08:00."), {})),
    (re.compile(r"Invalid RFC3339 encoded date"), lambda m: (N_("Use a date like 2026-11-24."), {})),
    (re.compile(r"Invalid RFC3339 encoded time"), lambda m: (N_("Use a time like 09:00."), {})),
    (re.compile(r"Invalid enum value (?P<value>.*)"),
     lambda m: (N_("%(value)s is not one of the allowed values."), {"value": m["value"]})),
    (re.compile(r"Object missing required field `[^`]+`"), lambda m: (N_("This field is required."), {})),
    (re.compile(r"Object contains unknown field `[^`]+`"), lambda m: (N_("This field is not known here."), {})),
    (re.compile(r"Input data was truncated|JSON is malformed|Invalid JSON|Expected .*JSON"),
     lambda m: (UNREADABLE_BODY, {})),
    (re.compile(r"Missing required (?P<where>\w+) parameter '(?P<name>[^']+)'"),
     lambda m: (N_("This parameter is required."), {})),
]

_FIELD_NAMED = re.compile(r"(?:required|unknown) field `(?P<name>[^`]+)`|parameter '(?P<param>[^']+)'")
_AT = re.compile(r" - at `\$(?P<path>[^`]*)`")


def _path(raw: str, key: str | None) -> str:
    """The field a message is about: msgspec's `$.a[0].b` path as `a[0].b`, joined to the missing field's name."""
    at = _AT.search(raw)
    base = at["path"].lstrip(".") if at else ""
    named = _FIELD_NAMED.search(raw)
    name = (named["name"] or named["param"]) if named else ""
    if name:
        return f"{base}.{name}" if base else name
    return base or key or "body"


def field_error(raw: str, key: str | None = None, known: Mapping[str, str] | None = None) -> FieldError:
    """One framework message as a catalogue `FieldError`; `known`: catalogue texts a hook may have raised as they are."""
    text = raw.split(" - at `")[0].strip()
    field = _path(raw, key)
    if known is not None and text in known:
        return FieldError(field, text)
    for pattern, said in PATTERNS:
        found = pattern.search(text)
        if found:
            template, params = said(found)
            return FieldError(field, template, params)
    return FieldError(field, NOT_VALID)


def field_errors(extra: Any, detail: str = "", known: Mapping[str, str] | None = None) -> list[FieldError]:
    """A Litestar `ValidationException`'s `extra` (and `detail`) as catalogue field errors."""
    errors = []
    for item in extra if isinstance(extra, list) else []:
        if isinstance(item, dict) and item.get("message"):
            key = item.get("key") or None
            errors.append(field_error(str(item["message"]), str(key) if key else None, known))
    if not errors and _FIELD_NAMED.search(detail or ""):
        errors.append(field_error(detail, None, known))
    return errors or [FieldError("body", UNREADABLE_BODY)]
