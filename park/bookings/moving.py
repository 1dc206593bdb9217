"""Move or change a booking: new times, another facility, seats, purpose, in one transaction.

The same locks and rules as a new booking (`service.book_facility`): the
facilities involved are locked in id order, the live bookings read, the pure
rules run with the booking itself left out, the quota checked without its old
hours. Any refusal raises before anything is written, and the transaction
rolls back, so a refused move leaves the booking exactly as it was.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timezone
from typing import Any
from zoneinfo import ZoneInfo

from park.shared.actor import Actor
from park.shared.locking import lock
from park.audit.service import record
from park.bookings import lifecycle, queries, service, steps
from park.bookings.live import booking_changed
from park.bookings.notices import moved_reason, notify
from park.bookings.quotas import check_quota
from park.bookings.refusals import raise_violations, taken_meanwhile
from park.bookings.model import CONFIRMED, PENDING, BookingRequest
from park.bookings.rules import BookingContext, check_request
from park.bookings.search import MovingBooking, with_alternatives
from park.shared.db import transaction
from park.shared.errors import Conflict, DomainError, Forbidden, NotFound, ValidationFailed
from park.shared.timespan import Span

MOVABLE = frozenset({PENDING, CONFIRMED})


@dataclass(frozen=True)
class BookingChanges:
    """What to change; None keeps the booking's current value."""

    starts_at: datetime | None = None
    ends_at: datetime | None = None
    facility_id: int | None = None
    seats: int | None = None
    purpose: str | None = None


@dataclass(frozen=True)
class MoveResult:
    booking: dict[str, Any]
    back_to_pending: bool  # a confirmed booking moved on an approval facility waits for a manager again


async def send_back_for_approval(booking_id: int) -> None:
    """The one place a moved booking goes from confirmed back to pending (confirmed → pending in TRANSITIONS)."""
    await lifecycle.change_status(booking_id, CONFIRMED, PENDING, decided_at=None, decided_by=None)


async def move_booking(
    actor: Actor, booking_id: int, changes: BookingChanges, now: datetime, zone: ZoneInfo, policy: Any = None
) -> MoveResult:
    try:
        async with transaction():
            return await _move(actor, booking_id, changes, now, zone, policy)
    except Exception as error:
        refusal = taken_meanwhile(error)
        if isinstance(refusal, Conflict):
            refusal = await _with_alternatives(refusal, actor, booking_id, changes, now, zone)
        if refusal is error:
            raise
        raise refusal from None


async def _with_alternatives(
    refusal: Conflict, actor: Actor, booking_id: int, changes: BookingChanges, now: datetime, zone: ZoneInfo
) -> DomainError:
    """The refusal with the times the booking could move to instead (the booking is as it was: nothing was written)."""
    current = await queries.get_booking(booking_id)
    if current is None:
        return refusal
    try:
        wanted = Span(changes.starts_at or current["starts_at"], changes.ends_at or current["ends_at"])
    except ValueError:
        return refusal
    seats = current["seats"] if changes.seats is None else changes.seats
    moving = MovingBooking(booking_id, current["facility"], Span(current["starts_at"], current["ends_at"]))
    return await with_alternatives(
        refusal, actor, changes.facility_id or current["facility"], wanted, seats, now, zone, moving=moving
    )


async def _move(actor: Actor, booking_id: int, changes: BookingChanges, now: datetime, zone: ZoneInfo, policy: Any) -> MoveResult:
    current = await service.get_booking(actor, booking_id)  # another firm's booking: 404
    if not (actor.is_manager or current["user"] == actor.id or actor.is_tenant_admin):
        raise Forbidden("Only the person who booked, the firm's administrator or a park manager may change it.")
    target_id = changes.facility_id or current["facility"]
    for facility_id in sorted({current["facility"], target_id}):
        await lock("facility", facility_id)
    current = await queries.get_booking(booking_id)  # re-read under the lock
    if current["status"] not in MOVABLE:
        raise Conflict("Only a pending or confirmed booking can be changed.", extra={"rule": "movable"})
    if current["starts_at"] <= now:
        raise Conflict("This booking has already started; it can no longer be changed.", extra={"rule": "movable"})
    try:
        facility_row, spec = await steps.load_facility(target_id)
    except NotFound:
        raise ValidationFailed.on("facility_id", "there is no such facility") from None
    if spec.booking_mode == "window":
        raise Conflict(
            "Requests for this facility are allocated by a draw; cancel the booking and book again instead.",
            extra={"rule": "movable"},
        )
    data = steps.BookingInput(
        facility_id=target_id,
        starts_at=changes.starts_at or current["starts_at"],
        ends_at=changes.ends_at or current["ends_at"],
        seats=current["seats"] if changes.seats is None else changes.seats,
        purpose=current["purpose"] if changes.purpose is None else changes.purpose,
    )
    steps.check_years(data)
    request = BookingRequest(
        facility_id=target_id, tenant_id=current["tenant"], user_id=current["user"],
        starts_at=data.starts_at, ends_at=data.ends_at, seats=data.seats, purpose=data.purpose,
    )
    if not steps.sound_times(request):
        raise_violations(check_request(BookingContext(request=request, facility=spec, now=now, zone=zone)))
    span = Span(request.starts_at, request.ends_at)
    facts = await steps.context_facts(spec, current["user"], span)
    ctx = BookingContext(request=request, facility=spec, now=now, zone=zone, ignore_booking_id=booking_id, **facts)
    raise_violations(check_request(ctx))
    await lock("tenant", request.tenant_id)
    await check_quota(request.tenant_id, spec, [span], zone, now, policy, exclude_booking=booking_id)

    moved = (
        span != Span(current["starts_at"], current["ends_at"])
        or target_id != current["facility"]
        or request.seats != current["seats"]
    )
    values: dict[str, Any] = {
        "facility": target_id,
        "starts_at": span.starts_at,
        "ends_at": span.ends_at,
        "occupied_until": (span.ends_at + spec.buffer).astimezone(timezone.utc),
        "exclusive": spec.capacity == 1,
        "seats": request.seats,
        "purpose": request.purpose,
    }
    detached = moved and current["series"] is not None
    if detached:
        values |= {"series": None, "occurrence_index": None}  # one occurrence moved leaves its series
    await queries.update_booking(booking_id, **values)
    await booking_changed(current)  # where it was; where it is now follows below
    back_to_pending = moved and current["status"] == CONFIRMED and spec.requires_approval
    if back_to_pending:
        await send_back_for_approval(booking_id)
    row = await booking_changed(await queries.get_booking(booking_id))
    row["facility_name"] = facility_row["name"]
    if moved:
        await notify(f"booking.{row['status']}", row, facility_row["name"], zone, now, reason=moved_reason(), booker=actor)
    await record(
        actor, "booking.move", "booking", booking_id,
        {
            "from": {"facility_id": current["facility"], "starts_at": current["starts_at"].isoformat(), "ends_at": current["ends_at"].isoformat()},
            "to": {"facility_id": target_id, "starts_at": span.starts_at.isoformat(), "ends_at": span.ends_at.isoformat()},
            "status": row["status"], "detached_from_series": current["series"] if detached else None,
        },
        at=now,
    )
    return MoveResult(row, back_to_pending)
