"""Use cases that change a booking's status: cancel (one booking, or a series from a date), approve, reject, check in.

Each writes the status through `park.bookings.lifecycle`, the one owner of it.
"""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import Any
from zoneinfo import ZoneInfo

from park.audit.service import record
from park.bookings import queries
from park.bookings.lifecycle import change_status, try_change_status
from park.bookings.model import CANCELLED, CHECKED_IN, CONFIRMED, PENDING, REJECTED
from park.bookings.notices import occurrences_reason, notify
from park.bookings.refusals import raise_violations
from park.bookings.rules import cancellation_violation, check_in_violation
from park.bookings.service import get_booking
from park.bookings.steps import facility_any
from park.facilities.model import FacilitySpec
from park.shared.actor import Actor
from park.shared.labels import term
from park.shared.db import transaction
from park.shared.errors import Conflict, Forbidden, NotFound
from park.shared.guards import require_manager
from park.shared.labels import N_
from park.shared.locking import lock
from park.shared.reasons import stored


async def _locked_booking(actor: Actor, booking_id: int) -> tuple[dict[str, Any], dict[str, Any], FacilitySpec]:
    row = await get_booking(actor, booking_id)
    await lock("facility", row["facility"])
    row = await queries.get_booking(booking_id)  # re-read under the lock
    facility_row, spec = await facility_any(row["facility"])
    return row, facility_row, spec


def _may_cancel(actor: Actor, row: dict[str, Any]) -> None:
    if not (actor.is_manager or row["user"] == actor.id or actor.is_tenant_admin):
        raise Forbidden("Only the person who booked, the firm's administrator or a park manager may cancel it.")


def after_cutoff(row: dict[str, Any], spec: FacilitySpec, now: datetime) -> bool:
    """Whether cancelling now falls after the facility's cut-off, when billing charges the late-cancel share."""
    minutes = spec.cancel_cutoff_minutes
    return minutes > 0 and now > row["starts_at"] - timedelta(minutes=minutes)


async def preview_cancellation(actor: Actor, booking_id: int, now: datetime) -> dict[str, Any]:
    """What `cancel_booking` would do, writing nothing: the booking, its facility, whether it is late or refused."""
    row = await get_booking(actor, booking_id)
    _may_cancel(actor, row)
    facility_row, spec = await facility_any(row["facility"])
    violation = cancellation_violation(queries.to_value(row), spec, now, by_manager=actor.is_manager)
    return {"booking": row, "facility": facility_row, "late": after_cutoff(row, spec, now), "refused": violation is not None}


async def cancel_booking(actor: Actor, booking_id: int, now: datetime, zone: ZoneInfo, reason: str = "") -> dict[str, Any]:
    async with transaction():
        row, facility_row, spec = await _locked_booking(actor, booking_id)
        _may_cancel(actor, row)
        violation = cancellation_violation(queries.to_value(row), spec, now, by_manager=actor.is_manager)
        raise_violations([violation] if violation else [])
        reason = reason or (N_("Cancelled by a park manager.") if actor.is_manager and row["user"] != actor.id else "")
        row = await change_status(booking_id, row["status"], CANCELLED, cancelled_at=now, status_reason=reason)
        await notify("booking.cancelled", row, facility_row["name"], zone, now, reason)
        await record(actor, "booking.cancel", "booking", booking_id, {"reason": reason}, at=now)
        return row


async def _series_to_cancel(actor: Actor, series_id: int) -> dict[str, Any]:
    series = await queries.get_series(series_id)
    if series is None or not (actor.is_manager or series["tenant"] == actor.tenant_id):
        raise NotFound("There is no series %(id)s.", params={"id": series_id})
    _may_cancel(actor, series)
    return series


def _cancellable(actor: Actor, rows: list[dict[str, Any]], spec: FacilitySpec, cutoff: datetime, now: datetime) -> list[dict[str, Any]]:
    """The occurrences starting at or after `cutoff` that may still be cancelled now."""
    return [
        row for row in rows
        if row["starts_at"] >= cutoff
        and cancellation_violation(queries.to_value(row), spec, now, by_manager=actor.is_manager) is None
    ]


async def preview_series_cancellation(actor: Actor, series_id: int, from_at: datetime | None, now: datetime) -> dict[str, Any]:
    """What `cancel_series` would cancel, writing nothing: the series, its facility and the occurrences, by start."""
    series = await _series_to_cancel(actor, series_id)
    facility_row, spec = await facility_any(series["facility"])
    rows = _cancellable(actor, await queries.bookings_of_series(series_id), spec, max(from_at or now, now), now)
    return {"series": series, "facility": facility_row, "occurrences": sorted(rows, key=lambda row: row["starts_at"])}


async def cancel_series(
    actor: Actor, series_id: int, from_at: datetime | None, now: datetime, zone: ZoneInfo
) -> list[dict[str, Any]]:
    """Cancel every still-cancellable occurrence starting at or after `from_at` (default: now)."""
    series = await _series_to_cancel(actor, series_id)
    cutoff = max(from_at or now, now)
    cancelled = []
    async with transaction():
        await lock("facility", series["facility"])
        facility_row, spec = await facility_any(series["facility"])
        for row in _cancellable(actor, await queries.bookings_of_series(series_id), spec, cutoff, now):
            changed = await try_change_status(
                row["id"], row["status"], CANCELLED, cancelled_at=now, **stored("status_reason", "booking.series_cancelled")
            )
            if changed is not None:
                cancelled.append(changed)
        if cancelled:
            await notify("booking.cancelled", cancelled[0], facility_row["name"], zone, now,
                         reason=occurrences_reason(len(cancelled)))
            await record(actor, "booking.cancel_series", "booking_series", series_id, {"cancelled": len(cancelled)}, at=now)
    return cancelled


async def approve_booking(actor: Actor, booking_id: int, now: datetime, zone: ZoneInfo) -> dict[str, Any]:
    return await _decide(actor, booking_id, CONFIRMED, "booking.approved", "booking.approve", now, zone)


async def reject_booking(actor: Actor, booking_id: int, now: datetime, zone: ZoneInfo, reason: str = "") -> dict[str, Any]:
    return await _decide(actor, booking_id, REJECTED, "booking.rejected", "booking.reject", now, zone, reason)


async def _decide(actor, booking_id, status, notice, action, now, zone, reason: str = "") -> dict[str, Any]:
    require_manager(actor, N_("Only park managers may approve or reject bookings."))
    async with transaction():
        row, facility_row, _spec = await _locked_booking(actor, booking_id)
        if row["status"] != PENDING:
            raise Conflict("Only pending bookings can be decided; this one is %(status)s.", params={"status": term("booking_status", row["status"])}, extra={"rule": "decidable"})
        if status == CONFIRMED and row["starts_at"] <= now:
            raise Conflict("This booking has already started; it can no longer be approved.", extra={"rule": "decidable"})
        row = await change_status(booking_id, PENDING, status, decided_at=now, decided_by=actor.id, status_reason=reason)
        await notify(notice, row, facility_row["name"], zone, now, reason)
        await record(actor, action, "booking", booking_id, {"reason": reason} if reason else None, at=now)
        return row


async def check_in(actor: Actor, booking_id: int, now: datetime) -> dict[str, Any]:
    async with transaction():
        row = await get_booking(actor, booking_id)
        if row["user"] != actor.id:
            raise Forbidden("Only the person who booked may check in.")
        violation = check_in_violation(queries.to_value(row), now)
        raise_violations([violation] if violation else [])
        row = await change_status(booking_id, row["status"], CHECKED_IN, checked_in_at=now)
        await record(actor, "booking.check_in", "booking", booking_id, at=now)
        return row


async def decide_bookings(
    actor: Actor, decisions: list[tuple[int, str, str]], now: datetime, zone: ZoneInfo
) -> list[tuple[int, dict[str, Any] | None, Exception | None]]:
    """Decide several pending bookings, each `(booking id, "approve" or "reject", reason)` in its own transaction.

    One refused decision (already decided, already started, no such booking) leaves the others standing:
    each comes back as (id, the stored row, None) or (id, None, the domain error).
    """
    require_manager(actor, N_("Only park managers may approve or reject bookings."))
    outcomes: list[tuple[int, dict[str, Any] | None, Exception | None]] = []
    for booking_id, verdict, reason in decisions:
        try:
            if verdict == "approve":
                row = await approve_booking(actor, booking_id, now, zone)
            else:
                row = await reject_booking(actor, booking_id, now, zone, reason)
        except (NotFound, Conflict) as error:
            outcomes.append((booking_id, None, error))
        else:
            outcomes.append((booking_id, row, None))
    return outcomes
