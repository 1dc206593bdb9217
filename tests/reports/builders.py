"""Builders for report tests: stored buildings, facilities, bookings with defaults."""

from __future__ import annotations

import secrets
from datetime import datetime, timedelta, timezone
from typing import Any
from zoneinfo import ZoneInfo

SHANGHAI = ZoneInfo("Asia/Shanghai")
BERLIN = ZoneInfo("Europe/Berlin")
ROUND_THE_CLOCK = {day: [["00:00", "24:00"]] for day in ("mon", "tue", "wed", "thu", "fri", "sat", "sun")}


def local(year: int, month: int, day: int, hour: int = 0, minute: int = 0, zone: ZoneInfo = SHANGHAI) -> datetime:
    return datetime(year, month, day, hour, minute, tzinfo=zone)


async def create_building(**overrides: Any) -> dict[str, Any]:
    from park.facilities.tables import Building

    code = overrides.pop("code", f"B{secrets.token_hex(3)}")
    building = Building(name=overrides.pop("name", f"{code}号楼"), name_en=f"Building {code}", code=code, **overrides)
    await building.save()
    return building.to_dict()


async def create_facility(building_id: int, **overrides: Any) -> dict[str, Any]:
    from park.facilities.tables import Facility

    values = {
        "name": "会议室",
        "name_en": "Meeting room",
        "kind": "meeting_room",
        "building": building_id,
        "capacity": 1,
    } | overrides
    facility = Facility(**values)
    await facility.save()
    return facility.to_dict()


async def create_booking(
    facility_id: int,
    tenant_id: int,
    user_id: int,
    starts_at: datetime,
    ends_at: datetime | None = None,
    seats: int = 1,
    status: str = "confirmed",
) -> dict[str, Any]:
    from park.bookings.tables import Booking

    ends_at = ends_at or starts_at + timedelta(hours=1)
    booking = Booking(
        facility=facility_id,
        tenant=tenant_id,
        user=user_id,
        starts_at=starts_at.astimezone(timezone.utc),
        ends_at=ends_at.astimezone(timezone.utc),
        occupied_until=ends_at.astimezone(timezone.utc),
        seats=seats,
        status=status,
        created_at=starts_at.astimezone(timezone.utc) - timedelta(days=3),
    )
    await booking.save()
    return booking.to_dict()
