"""Recurring bookings: expand an RFC 5545 RRULE into UTC spans. Pure.

The rule is expanded on the park's local wall clock (a weekly 09:00 booking
stays at 09:00 across a daylight-saving change) and each occurrence is then
converted to UTC. The booking's start is the rule's DTSTART; as in dateutil,
it counts as an occurrence only when it matches the rule.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import datetime, timezone
from zoneinfo import ZoneInfo

from dateutil.rrule import rrule, rrulestr

from park.shared.timespan import Span

# A series may hold at most this many occurrences.
MAX_OCCURRENCES = 200

_UNTIL = re.compile(r"UNTIL=(\d{8}(?:T\d{6})?)(Z?)", re.IGNORECASE)
_ALLOWED_PARTS = {
    "FREQ", "INTERVAL", "COUNT", "UNTIL", "BYDAY", "BYMONTHDAY", "BYMONTH",
    "BYSETPOS", "WKST", "BYYEARDAY", "BYWEEKNO",
}


def N_(text: str) -> str:
    """Marks a message for translation (pages translate it)."""
    return text


class RecurrenceError(ValueError):
    """A recurrence that cannot be used; the field is always `recurrence`."""

    field = "recurrence"

    def __init__(self, message: str) -> None:
        super().__init__(message)
        self.message = message


@dataclass(frozen=True, slots=True)
class Occurrence:
    index: int
    span: Span


def _local_until(match: re.Match[str], zone: ZoneInfo) -> str:
    value, is_utc = match.group(1), match.group(2)
    if not is_utc:
        return f"UNTIL={value}"
    moment = datetime.strptime(value, "%Y%m%dT%H%M%S" if "T" in value.upper() else "%Y%m%d")
    local = moment.replace(tzinfo=timezone.utc).astimezone(zone).replace(tzinfo=None)
    return f"UNTIL={local.strftime('%Y%m%dT%H%M%S')}"


def parse_rule(text: str, first_local: datetime, zone: ZoneInfo) -> rrule:
    """An RRULE (with or without the `RRULE:` prefix) anchored at a naive local start."""
    if not isinstance(text, str) or not text.strip():
        raise RecurrenceError(N_("give an RRULE such as FREQ=WEEKLY;COUNT=4"))
    body = text.strip()
    if body.upper().startswith("RRULE:"):
        body = body[len("RRULE:"):]
    if "\n" in body or ":" in body:
        raise RecurrenceError(N_("give a single RRULE line without DTSTART, e.g. FREQ=WEEKLY;COUNT=4"))
    parts = {}
    for part in body.split(";"):
        name, _, value = part.partition("=")
        name = name.strip().upper()
        if name not in _ALLOWED_PARTS or not value:
            raise RecurrenceError(f"'{part}' is not supported in a booking series; use FREQ, INTERVAL, COUNT, UNTIL, BYDAY…")
        parts[name] = value
    if "FREQ" not in parts:
        raise RecurrenceError(N_("the rule needs a FREQ, e.g. FREQ=WEEKLY;COUNT=4"))
    if parts["FREQ"].upper() not in {"DAILY", "WEEKLY", "MONTHLY", "YEARLY"}:
        raise RecurrenceError(N_("FREQ must be DAILY, WEEKLY, MONTHLY or YEARLY"))
    if "COUNT" not in parts and "UNTIL" not in parts:
        raise RecurrenceError(N_("the series never ends; add COUNT (e.g. COUNT=8) or UNTIL"))
    body = _UNTIL.sub(lambda m: _local_until(m, zone), body)
    try:
        rule = rrulestr(body, dtstart=first_local)
    except (ValueError, TypeError) as error:
        raise RecurrenceError(f"the RRULE cannot be read ({error}); e.g. FREQ=WEEKLY;COUNT=4") from None
    if not isinstance(rule, rrule):
        raise RecurrenceError(N_("give a single RRULE, e.g. FREQ=WEEKLY;COUNT=4"))
    return rule


def expand_series(
    text: str,
    first: Span,
    zone: ZoneInfo,
    horizon_ends_at: datetime,
    max_occurrences: int = MAX_OCCURRENCES,
) -> list[Occurrence]:
    """The series' occurrences as UTC spans, each as long (on the wall clock) as `first`.

    Refuses a series with more than `max_occurrences` or one reaching past
    `horizon_ends_at` (usually now + the facility's max_advance_days).
    """
    local_start = first.starts_at.astimezone(zone).replace(tzinfo=None)
    local_end = first.ends_at.astimezone(zone).replace(tzinfo=None)
    wall_length = local_end - local_start
    rule = parse_rule(text, local_start, zone)
    occurrences: list[Occurrence] = []
    for index, moment in enumerate(rule):
        if index >= max_occurrences:
            raise RecurrenceError(f"a series may hold at most {max_occurrences} bookings; lower COUNT or bring UNTIL earlier")
        starts_at = moment.replace(tzinfo=zone).astimezone(timezone.utc)
        ends_at = (moment + wall_length).replace(tzinfo=zone).astimezone(timezone.utc)
        if starts_at > horizon_ends_at:
            last = horizon_ends_at.astimezone(zone).strftime("%Y-%m-%d")
            raise RecurrenceError(f"the series runs past the booking window; end it on or before {last}")
        if ends_at <= starts_at:
            continue  # swallowed by a daylight-saving gap
        occurrences.append(Occurrence(index, Span(starts_at, ends_at)))
    if not occurrences:
        raise RecurrenceError(N_("the rule gives no dates; check BYDAY, UNTIL and the start"))
    return occurrences


# The repeat choices of the booking form, as RRULEs. Pure.
SIMPLE_REPEATS = {
    "weekdays": "FREQ=DAILY;BYDAY=MO,TU,WE,TH,FR",
    "weekly": "FREQ=WEEKLY",
    "biweekly": "FREQ=WEEKLY;INTERVAL=2",
    "monthly": "FREQ=MONTHLY",
}
MAX_SIMPLE_COUNT = 52


def rrule_for(repeat: str, count: int) -> str:
    """The RRULE of a form's "how often" and "how many times in all"; RecurrenceError when neither fits."""
    if repeat not in SIMPLE_REPEATS:
        raise RecurrenceError("Choose how often the booking repeats.")
    if not 2 <= count <= MAX_SIMPLE_COUNT:
        raise RecurrenceError("A series has between 2 and 52 bookings.")
    return f"{SIMPLE_REPEATS[repeat]};COUNT={count}"
