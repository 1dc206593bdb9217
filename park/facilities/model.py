"""Facility and blackout values the booking rules work on. Pure."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta

from park.facilities.hours import DEFAULT_HOURS, WeeklyHours
from park.shared.timespan import Span

FACILITY_KINDS: tuple[str, ...] = ("lab", "equipment", "studio", "meeting_room", "event_hall", "workstation")
BOOKING_MODES: tuple[str, ...] = ("instant", "window")


@dataclass(frozen=True, slots=True)
class FacilitySpec:
    """Every booking-relevant field of a facility (the contract's facility shape)."""

    id: int = 0
    kind: str = "meeting_room"
    building_id: int = 0
    capacity: int = 1
    booking_mode: str = "instant"
    requires_approval: bool = False
    requires_authorization: bool = False
    opening_hours: WeeklyHours = DEFAULT_HOURS
    slot_minutes: int = 30
    min_duration_minutes: int = 30
    max_duration_minutes: int = 480
    max_advance_days: int = 90
    buffer_minutes: int = 0
    cancel_cutoff_minutes: int = 0
    hourly_rate_fen: int = 0

    @property
    def slot(self) -> timedelta:
        return timedelta(minutes=self.slot_minutes)

    @property
    def buffer(self) -> timedelta:
        return timedelta(minutes=self.buffer_minutes)


@dataclass(frozen=True, slots=True)
class Blackout:
    """A closed period of one facility (facility_id) or of a whole building (building_id)."""

    span: Span
    facility_id: int | None = None
    building_id: int | None = None
    reason: str = ""
    id: int = 0

    def applies_to(self, facility: FacilitySpec) -> bool:
        if self.facility_id is not None:
            return self.facility_id == facility.id
        return self.building_id is not None and self.building_id == facility.building_id


@dataclass(frozen=True, slots=True)
class Authorization:
    """A user's training record for a facility; valid for instants before valid_until."""

    user_id: int
    facility_id: int
    valid_until: datetime | None = None  # aware; None means no expiry

    def valid_at(self, instant: datetime) -> bool:
        return self.valid_until is None or instant < self.valid_until


# Limits on a facility's booking settings (units in the names).
MAX_SLOT_MINUTES = 24 * 60
MAX_BOOKING_MINUTES = 7 * 24 * 60  # the booking queries rely on this bound
MAX_ADVANCE_DAYS = 730
MAX_BUFFER_MINUTES = 24 * 60


def facility_problems(values: dict) -> list[tuple[str, str]]:
    """(field, what to change) for each unusable value of a facility's settings."""
    problems: list[tuple[str, str]] = []

    def whole(name: str, low: int, high: int | None = None) -> int | None:
        value = values.get(name)
        if isinstance(value, bool) or not isinstance(value, int):
            problems.append((name, "must be a whole number"))
            return None
        if value < low or (high is not None and value > high):
            problems.append((name, f"must be between {low} and {high}" if high is not None else f"must be at least {low}"))
            return None
        return value

    if values.get("kind") not in FACILITY_KINDS:
        problems.append(("kind", f"use one of {', '.join(FACILITY_KINDS)}"))
    if values.get("booking_mode") not in BOOKING_MODES:
        problems.append(("booking_mode", "use instant or window"))
    whole("capacity", 1, 10_000)
    slot = whole("slot_minutes", 5, MAX_SLOT_MINUTES)
    low = whole("min_duration_minutes", 1, MAX_BOOKING_MINUTES)
    high = whole("max_duration_minutes", 1, MAX_BOOKING_MINUTES)
    whole("max_advance_days", 1, MAX_ADVANCE_DAYS)
    whole("buffer_minutes", 0, MAX_BUFFER_MINUTES)
    whole("cancel_cutoff_minutes", 0, 30 * 24 * 60)
    whole("hourly_rate_fen", 0)
    if slot is not None and low is not None and low < slot:
        problems.append(("min_duration_minutes", f"must be at least one slot ({slot} minutes)"))
    if low is not None and high is not None and high < low:
        problems.append(("max_duration_minutes", f"must not be below min_duration_minutes ({low})"))
    return problems
