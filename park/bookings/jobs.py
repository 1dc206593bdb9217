"""Booking housekeeping jobs: no-shows, completions, expiring approvals, reminders.

Each job is a plain `async def job(now, settings)`. Every change claims its rows with a
conditional UPDATE (`park.bookings.lifecycle`: status still what we read), so
two scheduler processes running the same job never act on one booking twice.
"""

from __future__ import annotations

from datetime import datetime, timedelta

from park.bookings.model import (
    CHECK_IN_CLOSES_AFTER,
    CHECKED_IN,
    COMPLETED,
    CONFIRMED,
    EXPIRED,
    NO_SHOW,
    PENDING,
    REQUESTED,
)
from park.bookings.lifecycle import try_change_status
from park.bookings.notices import notify
from park.bookings.tables import Booking
from park.facilities.tables import Facility
from park.settings import Settings
from park.shared.db import transaction
from park.shared.reasons import stored

# Reminders go out this long before a confirmed booking starts.
REMINDER_LEAD = timedelta(hours=24)
# Never look further back than this for bookings to tidy (keeps the scans short).
LOOK_BACK = timedelta(days=14)


async def _facility_names(ids: set[int]) -> dict[int, str]:
    if not ids:
        return {}
    rows = await Facility.select(Facility.id, Facility.name).where(Facility.id.is_in(list(ids)))
    return {r["id"]: r["name"] for r in rows}


async def release_no_shows(now: datetime, settings: Settings) -> int:
    """Confirmed bookings nobody checked in to become no-shows (their seats return);
    checked-in bookings whose time is over become completed. Returns bookings changed."""
    changed = 0
    due = await Booking.select(Booking.id, Booking.facility).where(
        (Booking.status == CONFIRMED)
        & (Booking.starts_at <= now - CHECK_IN_CLOSES_AFTER)
        & (Booking.starts_at >= now - LOOK_BACK)
    )
    names = await _facility_names({r["facility"] for r in due})
    for row in due:
        async with transaction():
            booking = await try_change_status(
                row["id"], CONFIRMED, NO_SHOW, **stored("status_reason", "booking.no_show")
            )
            if booking is not None:
                changed += 1
                await notify("booking.no_show", booking, names.get(row["facility"], ""), settings.zone, now)
    finished = await Booking.select(Booking.id).where(
        (Booking.status == CHECKED_IN) & (Booking.ends_at <= now) & (Booking.ends_at >= now - LOOK_BACK)
    )
    for row in finished:
        if await try_change_status(row["id"], CHECKED_IN, COMPLETED) is not None:
            changed += 1
    return changed


async def expire_pending(now: datetime, settings: Settings) -> int:
    """Pending bookings not decided by their start expire (and free their seats);
    window-mode requests never drawn expire too."""
    changed = 0
    for status in (PENDING, REQUESTED):
        due = await Booking.select(Booking.id, Booking.facility).where(
            (Booking.status == status) & (Booking.starts_at <= now)
        )
        names = await _facility_names({r["facility"] for r in due})
        for row in due:
            async with transaction():
                booking = await try_change_status(
                    row["id"], status, EXPIRED, decided_at=now, **stored("status_reason", "booking.not_decided")
                )
                if booking is not None:
                    changed += 1
                    await notify("booking.expired", booking, names.get(row["facility"], ""), settings.zone, now)
    return changed


async def send_reminders(now: datetime, settings: Settings) -> int:
    """One reminder per confirmed booking, about a day before it starts."""
    due = await Booking.select(Booking.id, Booking.facility).where(
        (Booking.status == CONFIRMED)
        & Booking.reminder_sent_at.is_null()
        & (Booking.starts_at > now)
        & (Booking.starts_at <= now + REMINDER_LEAD)
    )
    names = await _facility_names({r["facility"] for r in due})
    sent = 0
    for row in due:
        async with transaction():
            rows = await Booking.update({Booking.reminder_sent_at: now}).where(
                (Booking.id == row["id"]) & Booking.reminder_sent_at.is_null()
            ).returning(*Booking.all_columns())
            if rows:
                sent += 1
                await notify("booking.reminder", rows[0], names.get(row["facility"], ""), settings.zone, now)
    return sent


JOBS = [release_no_shows, expire_pending, send_reminders]
