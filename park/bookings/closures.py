"""Catalogue changes that reach live bookings: blackouts, deactivating a facility, a new capacity or buffer.

Closing a facility (a blackout, or deactivating it) cancels, with notice, the
live bookings the closure hits. Each cancellation goes
through `park.bookings.lifecycle`, so a booking changed meanwhile (or one
already checked in, which the transition table does not let become cancelled)
is left as it is.
"""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import Any
from zoneinfo import ZoneInfo

from park.audit.service import record
from park.bookings import queries
from park.bookings.availability import load_segments
from park.bookings.lifecycle import try_change_status
from park.bookings.model import CANCELLED, HOLDING_STATUSES, STATUSES, can_transition
from park.bookings.notices import notify, reason_in_both
from park.bookings.tables import Booking
from park.facilities import queries as facility_queries
from park.facilities.service import EDITABLE, code_free, require_manager, validated_facility
from park.facilities.tables import Blackout, Facility
from park.shared.actor import Actor
from park.shared.db import transaction
from park.shared.errors import Conflict, NotFound, ValidationFailed
from park.shared import live
from park.shared.locking import lock
from park.shared.reasons import stored
from park.shared.timespan import Span

# Statuses a closure cancels: every live one the transition table lets become cancelled.
CANCELLED_BY_CLOSURE = [status for status in STATUSES if can_transition(status, CANCELLED)]


def _hit_by_closure(facility_id: int, span: Span, *columns: Any) -> Any:
    """The facility's live bookings a closure over `span` cancels: the one query the closure and its preview share."""
    return Booking.select(*columns).where(
        (Booking.facility == facility_id)
        & (Booking.starts_at < span.ends_at)
        & (Booking.ends_at > span.starts_at)
        & (Booking.starts_at >= span.starts_at - queries.MAX_BOOKING_SPAN)
        & Booking.status.is_in(CANCELLED_BY_CLOSURE)
    ).order_by(Booking.id)


async def cancel_for_closure(
    facility: dict[str, Any], span: Span, notice: dict[str, Any], now: datetime, zone: ZoneInfo
) -> list[dict[str, Any]]:
    """Cancel the facility's live bookings overlapping `span`; call inside a transaction, facility locked.

    `notice`: the status reason's columns (park.shared.reasons.stored)."""
    hit = await _hit_by_closure(facility["id"], span, Booking.id, Booking.status)
    cancelled: list[dict[str, Any]] = []
    mailed = reason_in_both(notice["status_reason_code"], notice["status_reason_params"])
    for booking in hit:
        row = await try_change_status(booking["id"], booking["status"], CANCELLED, cancelled_at=now, **notice)
        if row is not None:
            await notify("booking.cancelled", row, facility["name"], zone, now, mailed)
            cancelled.append(row)
    return cancelled


# Deactivating a facility closes it from now on: a span reaching past any booking horizon.
CLOSED_FOR_GOOD = timedelta(days=366 * 10)
DEACTIVATED_NOTICE = stored("status_reason", "booking.taken_out_of_service")


async def update_facility(
    actor: Actor, facility_id: int, changes: dict[str, Any], now: datetime, zone: ZoneInfo
) -> dict[str, Any]:
    """Change a facility. Deactivating it cancels its live bookings from now on, with notice, as a blackout does."""
    require_manager(actor)
    async with transaction():
        current = await facility_queries.get_facility(facility_id)
        if current is None:
            raise NotFound("There is no facility %(id)s.", params={"id": facility_id})
        await lock("facility", facility_id)
        values = {**current, "building_id": current["building"], **changes}
        values = validated_facility(values)
        if "code" in changes:
            await code_free(values["code"], facility_id)
        if "building_id" in changes and await facility_queries.get_building(values["building_id"]) is None:
            raise ValidationFailed.on("building_id", "There is no building %(id)s.", id=values["building_id"])
        update = {getattr(Facility, k): values[k] for k in changes if k in EDITABLE and k != "building_id"}
        if "building_id" in changes:
            update[Facility.building] = values["building_id"]
        if "opening_hours" in changes:
            update[Facility.opening_hours] = values["opening_hours"]
        if "capacity" in changes or "buffer_minutes" in changes:
            await _restate_future_bookings(facility_id, values["capacity"], values["buffer_minutes"], now)
        if update:
            await Facility.update(update).where(Facility.id == facility_id)
        detail: dict[str, Any] = {"fields": sorted(changes)}
        if current["is_active"] and changes.get("is_active") is False:
            cancelled = await cancel_for_closure(current, Span(now, now + CLOSED_FOR_GOOD), DEACTIVATED_NOTICE, now, zone)
            detail["cancelled"] = [b["id"] for b in cancelled]
        await record(actor, "facility.update", "facility", facility_id, detail, at=now)
        return await facility_queries.get_facility(facility_id)


async def _restate_future_bookings(facility_id: int, capacity: int, buffer_minutes: int, now: datetime) -> None:
    """Keep future bookings within a changed capacity or buffer, and their stored seat-holding span current.

    A change the live bookings cannot meet is refused: cancel bookings first.
    """
    buffer = timedelta(minutes=buffer_minutes)
    rows = await Booking.select(Booking.id, Booking.starts_at, Booking.ends_at, Booking.seats, Booking.status).where(
        (Booking.facility == facility_id) & (Booking.ends_at > now) & Booking.status.is_in(list(HOLDING_STATUSES))
    )
    peak = max((load for _, _, load in load_segments(rows_as_holds(rows), buffer)), default=0)
    if peak > capacity:
        raise Conflict(
            "Future bookings hold up to %(peak)s seats at once (counting the buffer); "
            "cancel some before setting capacity %(capacity)s or buffer %(buffer)s minutes.",
            params={"peak": peak, "capacity": capacity, "buffer": buffer_minutes},
        )
    for row in rows:
        await Booking.update({Booking.occupied_until: row["ends_at"] + buffer, Booking.exclusive: capacity == 1}).where(
            Booking.id == row["id"]
        )


def rows_as_holds(rows: list[dict[str, Any]]) -> list[Any]:
    return [queries.to_value({"facility": 0, "tenant": 0, "user": 0, **row}) for row in rows]


def _check_blackout(actor: Actor, span: Span, reason: str) -> None:
    require_manager(actor)
    if len(reason) > 300:
        raise ValidationFailed.on("reason", "keep the reason under 300 characters")
    for name, value in (("starts_at", span.starts_at), ("ends_at", span.ends_at)):
        if not 2000 <= value.year <= 2999:
            raise ValidationFailed.on(name, "choose a date between the years 2000 and 2999")


async def _closed_facilities(facility_id: int | None, building_id: int | None) -> list[dict[str, Any]]:
    if facility_id is not None:
        facility = await facility_queries.get_facility(facility_id)
        if facility is None:
            raise NotFound("There is no facility %(id)s.", params={"id": facility_id})
        return [facility]
    if await facility_queries.get_building(building_id) is None:
        raise NotFound("There is no building %(id)s.", params={"id": building_id})
    return await Facility.select().where(Facility.building == building_id).order_by(Facility.id)


async def preview_blackout(
    actor: Actor, span: Span, reason: str, *, facility_id: int | None = None, building_id: int | None = None
) -> list[dict[str, Any]]:
    """What `add_blackout` would cancel, writing nothing: each booking with its facility and firm, by start.

    A booking that changes meanwhile may still escape the closure (as in `cancel_for_closure`); the
    preview is what holds now.
    """
    _check_blackout(actor, span, reason)
    hit: list[dict[str, Any]] = []
    for facility in await _closed_facilities(facility_id, building_id):
        rows = await _hit_by_closure(
            facility["id"], span, Booking.id, Booking.starts_at, Booking.ends_at, Booking.status,
            Booking.tenant.id.as_alias("tenant_id"), Booking.tenant.name.as_alias("tenant_name"),
            Booking.tenant.name_en.as_alias("tenant_name_en"),
        )
        hit += [{**row, "facility": facility} for row in rows]
    return sorted(hit, key=lambda row: (row["starts_at"], row["id"]))


async def add_blackout(
    actor: Actor,
    span: Span,
    reason: str,
    now: datetime,
    zone: ZoneInfo,
    *,
    facility_id: int | None = None,
    building_id: int | None = None,
) -> tuple[dict[str, Any], list[dict[str, Any]]]:
    """Close a facility (or every facility of a building) and cancel, with notice, the bookings it hits."""
    _check_blackout(actor, span, reason)
    async with transaction():
        facilities = await _closed_facilities(facility_id, building_id)
        for facility in facilities:
            await lock("facility", facility["id"])
        rows = await Blackout.insert(
            Blackout(facility=facility_id, building=building_id, starts_at=span.starts_at, ends_at=span.ends_at,
                     reason=reason, created_by=actor.id, created_at=now)
        ).returning(Blackout.id)
        blackout_id = rows[0]["id"]
        cancelled: list[dict[str, Any]] = []
        notice = (stored("status_reason", "booking.closed_because", reason=reason) if reason
                  else stored("status_reason", "booking.closed"))
        for facility in facilities:
            await live.publish(facility["id"], span.starts_at, span.ends_at)
            cancelled += await cancel_for_closure(facility, span, notice, now, zone)
        await record(actor, "blackout.create", "blackout", blackout_id,
                     {"facility_id": facility_id, "building_id": building_id, "cancelled": [b["id"] for b in cancelled]}, at=now)
        return await facility_queries.get_blackout(blackout_id), cancelled
