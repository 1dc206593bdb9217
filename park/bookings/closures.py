"""Closing a facility cancels, with notice, the live bookings the closure hits.

Used by blackouts and by deactivating a facility. Each cancellation goes
through `park.bookings.lifecycle`, so a booking changed meanwhile (or one
already checked in, which the transition table does not let become cancelled)
is left as it is.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any
from zoneinfo import ZoneInfo

from park.bookings import queries
from park.bookings.lifecycle import try_change_status
from park.bookings.model import CANCELLED, STATUSES, can_transition
from park.bookings.service import notify
from park.bookings.tables import Booking
from park.shared.timespan import Span

# Statuses a closure cancels: every live one the transition table lets become cancelled.
CANCELLED_BY_CLOSURE = [status for status in STATUSES if can_transition(status, CANCELLED)]


async def cancel_for_closure(
    facility: dict[str, Any], span: Span, notice: str, now: datetime, zone: ZoneInfo
) -> list[dict[str, Any]]:
    """Cancel the facility's live bookings overlapping `span`; call inside a transaction, facility locked."""
    hit = await Booking.select(Booking.id, Booking.status).where(
        (Booking.facility == facility["id"])
        & (Booking.starts_at < span.ends_at)
        & (Booking.ends_at > span.starts_at)
        & (Booking.starts_at >= span.starts_at - queries.MAX_BOOKING_SPAN)
        & Booking.status.is_in(CANCELLED_BY_CLOSURE)
    ).order_by(Booking.id)
    cancelled: list[dict[str, Any]] = []
    for booking in hit:
        row = await try_change_status(booking["id"], booking["status"], CANCELLED, cancelled_at=now, status_reason=notice)
        if row is not None:
            await notify("booking.cancelled", row, facility["name"], zone, now, notice)
            cancelled.append(row)
    return cancelled
