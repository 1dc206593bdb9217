"""Dashboard reads across domains: bookings, space and report snapshots."""

from __future__ import annotations

from datetime import date, datetime
from typing import Any

from park.allocation.tables import Lease, SpaceApplication, Unit
from park.bookings.tables import Booking
from park.dashboard.model import LIVE_STATUSES


async def pending_approvals(now: datetime, limit: int = 10) -> tuple[list[dict[str, Any]], int]:
    """Bookings still decidable (not yet started), the soonest first; and how many there are."""
    rows = await (
        Booking.select(
            Booking.id,
            Booking.starts_at,
            Booking.ends_at,
            Booking.seats,
            Booking.purpose,
            Booking.created_at,
            Booking.facility.id.as_alias("facility_id"),
            Booking.facility.name.as_alias("facility_name"),
            Booking.facility.name_en.as_alias("facility_name_en"),
            Booking.tenant.name.as_alias("tenant_name"),
            Booking.tenant.name_en.as_alias("tenant_name_en"),
            Booking.user.name.as_alias("user_name"),
        )
        .where(Booking.status == "pending", Booking.starts_at > now)
        .order_by(Booking.starts_at)
        .limit(limit)
    )
    return rows, await pending_total(now)


async def pending_total(now: datetime) -> int:
    """How many bookings are still decidable (pending, not yet started)."""
    return await Booking.count().where(Booking.status == "pending", Booking.starts_at > now)


async def in_use_count(now: datetime) -> int:
    """Bookings under way at this instant."""
    return await Booking.count().where(
        Booking.status.is_in(list(LIVE_STATUSES)), Booking.starts_at <= now, Booking.ends_at > now
    )


async def booked_count(starts_at: datetime, ends_at: datetime) -> int:
    """Bookings that hold a facility some time in `[starts_at, ends_at)`."""
    return await Booking.count().where(
        Booking.status.is_in(list(LIVE_STATUSES)), Booking.starts_at < ends_at, Booking.ends_at > starts_at
    )


async def units_and_leases(on: date) -> tuple[list[dict[str, Any]], set[int]]:
    """Every unit, and the ids of those leased on `on` (leases are `[starts_on, ends_on)`)."""
    units = await Unit.select(Unit.id, Unit.kind, Unit.area_m2)
    leased = await Lease.select(Lease.unit).where(Lease.starts_on <= on, Lease.ends_on > on)
    return units, {row["unit"] for row in leased}


async def open_application_count() -> int:
    return await SpaceApplication.count().where(SpaceApplication.status == "open")
