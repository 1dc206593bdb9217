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
