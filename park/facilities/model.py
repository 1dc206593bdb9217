"""Facility and blackout values the booking rules work on. Pure."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from park.facilities.hours import DEFAULT_HOURS, WeeklyHours, form_fields, hours_from_rows, rows_from_form, rows_from_hours
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


def round_fen(numerator: int, denominator: int) -> int:
    """numerator / denominator rounded half up (away from zero) to a whole fen: the one rounding of money."""
    if denominator <= 0:
        raise ValueError("denominator must be positive")
    sign = -1 if numerator < 0 else 1
    return sign * ((2 * abs(numerator) + denominator) // (2 * denominator))


def booking_price_fen(hourly_rate_fen: int, minutes: int, seats: int = 1, capacity: int = 1, percent: int = 100) -> int:
    """`percent` of a booking's price: rate × hours, × seats on a shared facility (capacity > 1), to the fen.

    What the booking form announces and what billing charges (a no-show pays its `percent`).
    """
    seats = seats if capacity > 1 else 1
    return round_fen(hourly_rate_fen * minutes * seats * percent, 60 * 100)


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


# The manager's facility form: text fields in, the service's values out (and back).

FORM_NUMBERS: tuple[str, ...] = (
    "capacity", "slot_minutes", "min_duration_minutes", "max_duration_minutes", "max_advance_days",
    "buffer_minutes", "cancel_cutoff_minutes",
)
FORM_TEXTS: tuple[str, ...] = ("name", "name_en", "code", "kind", "platform", "platform_en", "description", "booking_mode")
FORM_FLAGS: tuple[str, ...] = ("requires_approval", "requires_authorization", "is_active")
WEEKDAY_KEYS: tuple[str, ...] = ("mon", "tue", "wed", "thu", "fri", "sat", "sun")


def facility_from_form(form: dict[str, str]) -> tuple[dict[str, Any], dict[str, str]]:
    """(values for create_facility/update_facility, field → message for numbers that are not numbers)."""
    values: dict[str, Any] = {name: (form.get(name) or "").strip() for name in FORM_TEXTS}
    values["code"] = values["code"] or None
    problems: dict[str, str] = {}
    for name in (*FORM_NUMBERS, "building_id"):
        raw = (form.get(name) or "").strip()
        try:
            values[name] = int(raw)
        except ValueError:
            problems[name] = "Enter a whole number."
    raw_rate = (form.get("hourly_rate_yuan") or "0").strip() or "0"
    try:
        rate = float(raw_rate)
        if rate != rate or abs(rate) > 1e9:  # NaN, or beyond any rate
            raise ValueError
        values["hourly_rate_fen"] = round(rate * 100)
    except ValueError:
        problems["hourly_rate_fen"] = "Enter an amount in yuan, e.g. 150 or 99.50."
    for name in FORM_FLAGS:
        values[name] = form.get(name) in ("on", "true", "1")
    # The rows' own problems (half a range, off the slot grid…) are the page's to show: see hours_from_rows.
    values["opening_hours"], _hours_problems = hours_from_rows(rows_from_form(form), values.get("slot_minutes"))
    return values, problems


def facility_to_form(row: dict[str, Any]) -> dict[str, str]:
    """A stored facility as the form's text fields."""
    form = {name: "" if row.get(name) is None else str(row[name]) for name in (*FORM_TEXTS, *FORM_NUMBERS)}
    form["building_id"] = str(row.get("building") or row.get("building_id") or "")
    fen = int(row.get("hourly_rate_fen") or 0)
    form["hourly_rate_yuan"] = f"{fen // 100}" if fen % 100 == 0 else f"{fen / 100:.2f}"
    for name in FORM_FLAGS:
        form[name] = "on" if row.get(name) else ""
    form.update(form_fields(rows_from_hours(row.get("opening_hours"))))
    return form
