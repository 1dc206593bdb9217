"""Database reads and writes for the waitlist."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from park.bookings.tables import WaitlistEntry
from park.shared.listing import filtered_page
from park.shared.reasons import stored



async def insert_wait(values: dict[str, Any]) -> dict[str, Any]:
    row = WaitlistEntry(**values)
    await row.save()
    return await get_wait(row.id)


async def get_wait(entry_id: int) -> dict[str, Any] | None:
    return await WaitlistEntry.select().where(WaitlistEntry.id == entry_id).first()


async def update_wait(entry_id: int, values: dict[str, Any]) -> None:
    await WaitlistEntry.update({getattr(WaitlistEntry, k): v for k, v in values.items()}).where(
        WaitlistEntry.id == entry_id
    )


async def claim_wait(entry_id: int, booking_id: int, now: datetime) -> bool:
    rows = await WaitlistEntry.update(
        {WaitlistEntry.status: "booked", WaitlistEntry.booking_id: booking_id, WaitlistEntry.decided_at: now}
    ).where((WaitlistEntry.id == entry_id) & (WaitlistEntry.status == "waiting")).returning(WaitlistEntry.id)
    return bool(rows)


async def list_waits(
    *, tenant_id: int | None, status: str | None, limit: int, offset: int
) -> tuple[list[dict[str, Any]], int]:
    query = WaitlistEntry.select().order_by(WaitlistEntry.starts_at).order_by(WaitlistEntry.id)
    count = WaitlistEntry.count()
    conditions = []
    if tenant_id is not None:
        conditions.append(WaitlistEntry.tenant == tenant_id)
    if status:
        conditions.append(WaitlistEntry.status == status)
    return await filtered_page(query, count, conditions, limit, offset)


async def waiting_entries(facility_id: int, now: datetime) -> list[dict[str, Any]]:
    return await WaitlistEntry.select().where(
        (WaitlistEntry.facility == facility_id) & (WaitlistEntry.status == "waiting") & (WaitlistEntry.starts_at > now)
    )


async def expire_past_waits(now: datetime) -> int:
    rows = await WaitlistEntry.update(
        {WaitlistEntry.status: "expired", WaitlistEntry.decided_at: now,
         **{getattr(WaitlistEntry, column): value for column, value in stored("status_reason", "waitlist.slot_not_freed").items()}}
    ).where((WaitlistEntry.status == "waiting") & (WaitlistEntry.starts_at <= now)).returning(WaitlistEntry.id)
    return len(rows)


async def facilities_with_waiting(now: datetime) -> list[int]:
    rows = await WaitlistEntry.select(WaitlistEntry.facility).where(
        (WaitlistEntry.status == "waiting") & (WaitlistEntry.starts_at > now)
    ).distinct()
    return sorted({row["facility"] for row in rows})
