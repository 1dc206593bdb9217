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


ALL_WEEK = {day: [["00:00", "24:00"]] for day in ("mon", "tue", "wed", "thu", "fri", "sat", "sun")}


async def create_building(**overrides) -> dict:
    """A stored building."""
    import secrets

    from park.facilities.tables import Building

    values = {"name": "测试楼", "name_en": "Test Building", "code": f"T{secrets.token_hex(3)}"} | overrides
    building = Building(**values)
    await building.save()
    return building.to_dict()


async def create_facility(building_id: int | None = None, **overrides) -> dict:
    """A stored facility: a one-seat meeting room open Monday–Friday 09:00–18:00 unless told otherwise."""
    from park.facilities.tables import Facility

    if building_id is None:
        building_id = (await create_building())["id"]
    values = {
        "name": "会议室", "name_en": "Meeting Room", "kind": "meeting_room", "building": building_id,
        "opening_hours": {d: [["09:00", "18:00"]] for d in ("mon", "tue", "wed", "thu", "fri")},
    } | overrides
    facility = Facility(**values)
    await facility.save()
    return facility.to_dict()
