"""Booking values, statuses and the lifecycle. Pure."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from park.shared.timespan import Span

REQUESTED = "requested"
PENDING = "pending"
CONFIRMED = "confirmed"
CHECKED_IN = "checked_in"
COMPLETED = "completed"
CANCELLED = "cancelled"
REJECTED = "rejected"
EXPIRED = "expired"
NO_SHOW = "no_show"
DECLINED = "declined"

STATUSES: tuple[str, ...] = (
    REQUESTED, PENDING, CONFIRMED, CHECKED_IN, COMPLETED,
    CANCELLED, REJECTED, EXPIRED, NO_SHOW, DECLINED,
)

# Statuses that hold seats. `requested` (window mode, before the draw) does not:
# the draw decides who gets the seats.
HOLDING_STATUSES: frozenset[str] = frozenset({PENDING, CONFIRMED, CHECKED_IN})

# Which status may follow which; anything else is refused.
TRANSITIONS: dict[str, frozenset[str]] = {
    REQUESTED: frozenset({PENDING, CONFIRMED, DECLINED, CANCELLED}),
    PENDING: frozenset({CONFIRMED, REJECTED, EXPIRED, CANCELLED}),
    # confirmed → pending: a booking moved on an approval facility waits for a manager again.
    CONFIRMED: frozenset({CHECKED_IN, NO_SHOW, COMPLETED, CANCELLED, PENDING}),
    CHECKED_IN: frozenset({COMPLETED}),
    COMPLETED: frozenset(),
    CANCELLED: frozenset(),
    REJECTED: frozenset(),
    EXPIRED: frozenset(),
    NO_SHOW: frozenset(),
    DECLINED: frozenset(),
}

# Check-in opens 15 minutes before the start and closes 15 minutes after it;
# a confirmed booking not checked in by then is a no-show and its seats return.
CHECK_IN_OPENS_BEFORE = timedelta(minutes=15)
CHECK_IN_CLOSES_AFTER = timedelta(minutes=15)


def can_transition(current: str, target: str) -> bool:
    return target in TRANSITIONS.get(current, frozenset())


@dataclass(frozen=True, slots=True)
class Booking:
    """A stored booking as the rules see it."""

    id: int
    facility_id: int
    tenant_id: int
    user_id: int
    starts_at: datetime
    ends_at: datetime
    seats: int = 1
    status: str = CONFIRMED

    @property
    def span(self) -> Span:
        return Span(self.starts_at, self.ends_at)

    @property
    def holds_seats(self) -> bool:
        return self.status in HOLDING_STATUSES


@dataclass(frozen=True, slots=True)
class BookingRequest:
    """What a user asks for; times may still be naive or reversed (rules say so)."""

    facility_id: int
    tenant_id: int
    user_id: int
    starts_at: datetime
    ends_at: datetime
    seats: int = 1
    purpose: str = ""


@dataclass(frozen=True, slots=True)
class Violation:
    """A broken rule: `code` is the problem code (validation, conflict, ...),
    `rule` the rule's name, `field` the input to change, and `template` with
    `params` say what to change (an English %-template, translated on pages)."""

    code: str
    rule: str
    field: str
    template: str
    params: tuple[tuple[str, Any], ...] = ()

    @property
    def message(self) -> str:
        return self.template % dict(self.params) if self.params else self.template
