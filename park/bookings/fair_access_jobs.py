"""Scheduled fair access: the window-mode draws and the waitlist."""

from __future__ import annotations

import logging
from datetime import datetime

from park.bookings import waitlist_queries
from park.bookings.fair_access import draw_facility
from park.bookings.model import REQUESTED
from park.bookings.tables import Booking
from park.bookings.waitlist import fill_waitlist_for
from park.priority.service import current_policy
from park.settings import Settings
from park.shared.db import transaction

log = logging.getLogger(__name__)


async def run_window_draws(now: datetime, settings: Settings) -> int:
    """Draw the gathered requests of every window-mode facility whose cut-off has passed.

    Returns how many requests were decided. Each facility is drawn in its own
    transaction under its lock, and a request is decided only while still
    `requested`, so a second scheduler finds nothing left to draw.
    """
    policy = current_policy(settings)
    rows = await Booking.select(Booking.facility).where(
        (Booking.status == REQUESTED) & (Booking.starts_at > now) & (Booking.facility.booking_mode == "window")
    ).distinct()
    decided = 0
    for facility_id in sorted({row["facility"] for row in rows}):
        try:
            outcome = await draw_facility(facility_id, now, settings.zone, policy)
        except Exception:  # one facility's bad data must not stop the other draws
            log.exception("window draw of facility %s failed; skipped", facility_id)
            continue
        decided += len(outcome["granted"]) + len(outcome["declined"])
    return decided


async def fill_waitlist(now: datetime, settings: Settings) -> int:
    """Book freed slots for waiting firms, best-ranked first; entries whose start passed expire.

    Returns how many entries were booked.
    """
    policy = current_policy(settings)
    async with transaction():
        await waitlist_queries.expire_past_waits(now)
    booked = 0
    for facility_id in await waitlist_queries.facilities_with_waiting(now):
        try:
            booked += len(await fill_waitlist_for(facility_id, now, settings.zone, policy))
        except Exception:  # one facility's bad data must not stop the others
            log.exception("waitlist of facility %s failed; skipped", facility_id)
    return booked
