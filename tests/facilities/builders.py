"""Builders for facility values and seat holders with sensible defaults."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta, timezone
from zoneinfo import ZoneInfo

from park.facilities.hours import parse_hours
from park.facilities.model import FacilitySpec

SHANGHAI = ZoneInfo("Asia/Shanghai")


def at(day: int, hour: int, minute: int = 0, month: int = 12, year: int = 2026, zone: ZoneInfo = SHANGHAI) -> datetime:
    """A park-local time, aware (2026-12-01 is a Tuesday)."""
    return datetime(year, month, day, hour, minute, tzinfo=zone)


def make_facility(**overrides) -> FacilitySpec:
    values = dict(id=1, kind="meeting_room", building_id=1, capacity=1)
    if "opening_hours" in overrides and not hasattr(overrides["opening_hours"], "days"):
        overrides["opening_hours"] = parse_hours(overrides["opening_hours"])
    values.update(overrides)
    return FacilitySpec(**values)


@dataclass(frozen=True)
class Held:
    starts_at: datetime
    ends_at: datetime
    seats: int = 1
    status: str = "confirmed"


def make_booking(starts_at: datetime, ends_at: datetime | None = None, **overrides) -> Held:
    ends_at = ends_at or starts_at + timedelta(hours=1)
    return Held(starts_at.astimezone(timezone.utc), ends_at.astimezone(timezone.utc), **overrides)
