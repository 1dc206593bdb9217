"""Catalogue use cases: buildings, facilities, blackouts, authorisations, availability."""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import Any
from zoneinfo import ZoneInfo

from park.shared.actor import Actor
from park.audit.service import record
from park.bookings import queries as booking_queries
from park.bookings.model import HOLDING_STATUSES
from park.bookings.closures import cancel_for_closure
from park.shared.locking import lock
from park.bookings.tables import Booking
from park.facilities import queries
from park.facilities.availability import Slot, compute_availability, load_segments
from park.facilities.hours import HoursError, parse_hours
from park.facilities.model import facility_problems
from park.facilities.tables import Authorization, Blackout, Building, Facility
from park.shared import live
from park.shared.db import transaction
from park.shared.errors import Conflict, FieldError, Forbidden, NotFound, ValidationFailed
from park.shared.timespan import Span

MAX_AVAILABILITY_WINDOW = timedelta(days=62)

FACILITY_DEFAULTS: dict[str, Any] = {
    "name_en": "",
    "platform": "",
    "description": "",
    "capacity": 1,
    "booking_mode": "instant",
    "requires_approval": False,
    "requires_authorization": False,
    "opening_hours": None,
    "slot_minutes": 30,
    "min_duration_minutes": 30,
    "max_duration_minutes": 480,
    "max_advance_days": 90,
    "buffer_minutes": 0,
    "cancel_cutoff_minutes": 0,
    "hourly_rate_fen": 0,
}
EDITABLE = ("name", "building_id", "is_active", *FACILITY_DEFAULTS)


def _require_manager(actor: Actor) -> None:
    if not actor.is_manager:
        raise Forbidden("Only park managers may change the catalogue.")


def _validated(values: dict[str, Any]) -> dict[str, Any]:
    """Facility settings checked together; opening hours normalised to the contract's shape."""
    errors = [FieldError(f, m) for f, m in facility_problems(values)]
    if not str(values.get("name") or "").strip():
        errors.append(FieldError("name", "give the facility a name"))
    try:
        values["opening_hours"] = parse_hours(values.get("opening_hours")).to_contract()
    except HoursError as error:
        errors.append(FieldError(error.field, error.message))
    if errors:
        raise ValidationFailed(errors)
    return values


async def create_building(actor: Actor, name: str, code: str, name_en: str, now: datetime) -> dict[str, Any]:
    _require_manager(actor)
    errors = []
    if not name.strip():
        errors.append(FieldError("name", "give the building a name"))
    if not code.strip() or len(code) > 20:
        errors.append(FieldError("code", "give a short code (at most 20 characters)"))
    if errors:
        raise ValidationFailed(errors)
    async with transaction():
        if await Building.exists().where(Building.code == code.strip()):
            raise Conflict(f"A building with code {code} exists already; choose another code.")
        rows = await Building.insert(Building(name=name.strip(), name_en=name_en.strip(), code=code.strip())).returning(Building.id)
        await record(actor, "building.create", "building", rows[0]["id"], {"code": code}, at=now)
        return await queries.get_building(rows[0]["id"])


async def create_facility(actor: Actor, data: dict[str, Any], now: datetime) -> dict[str, Any]:
    _require_manager(actor)
    values = {**FACILITY_DEFAULTS, **{k: v for k, v in data.items() if v is not None or k == "opening_hours"}}
    values = _validated(values)
    async with transaction():
        if await queries.get_building(values["building_id"]) is None:
            raise ValidationFailed.on("building_id", f"there is no building {values['building_id']}")
        row = {k: values[k] for k in ("name", *FACILITY_DEFAULTS)}
        rows = await Facility.insert(Facility(**row, kind=values["kind"], building=values["building_id"], created_at=now)).returning(Facility.id)
        await record(actor, "facility.create", "facility", rows[0]["id"], {"name": values["name"]}, at=now)
        return await queries.get_facility(rows[0]["id"])


# Deactivating a facility closes it from now on: a span reaching past any booking horizon.
CLOSED_FOR_GOOD = timedelta(days=366 * 10)
DEACTIVATED_NOTICE = "The facility has been taken out of service."


async def update_facility(
    actor: Actor, facility_id: int, changes: dict[str, Any], now: datetime, zone: ZoneInfo
) -> dict[str, Any]:
    """Change a facility. Deactivating it cancels its live bookings from now on, with notice, as a blackout does."""
    _require_manager(actor)
    async with transaction():
        current = await queries.get_facility(facility_id)
        if current is None:
            raise NotFound(f"There is no facility {facility_id}.")
        await lock("facility", facility_id)
        values = {**current, "building_id": current["building"], **changes}
        values = _validated(values)
        if "building_id" in changes and await queries.get_building(values["building_id"]) is None:
            raise ValidationFailed.on("building_id", f"there is no building {values['building_id']}")
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
        return await queries.get_facility(facility_id)


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
            f"Future bookings hold up to {peak} seats at once (counting the buffer); "
            f"cancel some before setting capacity {capacity} or buffer {buffer_minutes} minutes."
        )
    for row in rows:
        await Booking.update({Booking.occupied_until: row["ends_at"] + buffer, Booking.exclusive: capacity == 1}).where(
            Booking.id == row["id"]
        )


def rows_as_holds(rows: list[dict[str, Any]]) -> list[Any]:
    from park.bookings.queries import to_value

    return [to_value({"facility": 0, "tenant": 0, "user": 0, **row}) for row in rows]


async def availability(facility_id: int, window: Span, zone: ZoneInfo) -> list[Slot]:
    if window.duration > MAX_AVAILABILITY_WINDOW:
        raise ValidationFailed.on("to", "ask for at most 62 days at a time")
    row = await queries.get_facility(facility_id)
    if row is None or not row["is_active"]:
        raise NotFound(f"There is no facility {facility_id}.")
    spec = queries.to_spec(row)
    bookings = await booking_queries.live_bookings_near(facility_id, window, spec.buffer)
    blackouts = await queries.blackouts_for(spec, window)
    return compute_availability(spec, window, zone, bookings, blackouts)


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
    _require_manager(actor)
    if len(reason) > 300:
        raise ValidationFailed.on("reason", "keep the reason under 300 characters")
    for name, value in (("starts_at", span.starts_at), ("ends_at", span.ends_at)):
        if not 2000 <= value.year <= 2999:
            raise ValidationFailed.on(name, "choose a date between the years 2000 and 2999")
    async with transaction():
        if facility_id is not None:
            facility = await queries.get_facility(facility_id)
            if facility is None:
                raise NotFound(f"There is no facility {facility_id}.")
            facilities = [facility]
        else:
            if await queries.get_building(building_id) is None:
                raise NotFound(f"There is no building {building_id}.")
            facilities = await Facility.select().where(Facility.building == building_id).order_by(Facility.id)
        for facility in facilities:
            await lock("facility", facility["id"])
        rows = await Blackout.insert(
            Blackout(facility=facility_id, building=building_id, starts_at=span.starts_at, ends_at=span.ends_at,
                     reason=reason, created_by=actor.id, created_at=now)
        ).returning(Blackout.id)
        blackout_id = rows[0]["id"]
        cancelled: list[dict[str, Any]] = []
        notice = f"The facility is closed: {reason}" if reason else "The facility is closed for that period."
        for facility in facilities:
            await live.publish(facility["id"], span.starts_at, span.ends_at)
            cancelled += await cancel_for_closure(facility, span, notice, now, zone)
        await record(actor, "blackout.create", "blackout", blackout_id,
                     {"facility_id": facility_id, "building_id": building_id, "cancelled": [b["id"] for b in cancelled]}, at=now)
        return await queries.get_blackout(blackout_id), cancelled


async def closure_lifted(blackout: dict[str, Any]) -> None:
    """Announce (live) the facilities a blackout closed, for its period."""
    if blackout["facility"] is not None:
        ids = [blackout["facility"]]
    else:
        ids = [row["id"] for row in await Facility.select(Facility.id).where(Facility.building == blackout["building"])]
    for facility_id in ids:
        await live.publish(facility_id, blackout["starts_at"], blackout["ends_at"])


async def delete_blackout(actor: Actor, blackout_id: int, now: datetime) -> None:
    _require_manager(actor)
    async with transaction():
        blackout = await queries.get_blackout(blackout_id)
        if blackout is None:
            raise NotFound(f"There is no blackout {blackout_id}.")
        await closure_lifted(blackout)
        await Blackout.delete().where(Blackout.id == blackout_id)
        await record(actor, "blackout.delete", "blackout", blackout_id, at=now)


async def grant_authorization(
    actor: Actor, facility_id: int, user_id: int, valid_until: datetime | None, note: str, now: datetime
) -> dict[str, Any]:
    """Record (or renew) a user's training for a facility."""
    from park.accounts.tables import User

    _require_manager(actor)
    async with transaction():
        if await queries.get_facility(facility_id) is None:
            raise NotFound(f"There is no facility {facility_id}.")
        if not 0 < user_id < 2**31 or not await User.exists().where(User.id == user_id):
            raise ValidationFailed.on("user_id", f"there is no user {user_id}")
        if valid_until is not None and valid_until <= now:
            raise ValidationFailed.on("valid_until", "the expiry must lie in the future")
        existing = await Authorization.select(Authorization.id).where(
            (Authorization.facility == facility_id) & (Authorization.user == user_id)
        ).first()
        if existing:
            await Authorization.update({Authorization.valid_until: valid_until, Authorization.note: note,
                                        Authorization.granted_by: actor.id, Authorization.granted_at: now}).where(
                Authorization.id == existing["id"])
            auth_id = existing["id"]
        else:
            rows = await Authorization.insert(Authorization(facility=facility_id, user=user_id, valid_until=valid_until,
                                                            note=note, granted_by=actor.id, granted_at=now)).returning(Authorization.id)
            auth_id = rows[0]["id"]
        await record(actor, "authorization.grant", "authorization", auth_id, {"facility_id": facility_id, "user_id": user_id}, at=now)
        return await Authorization.select().where(Authorization.id == auth_id).first()


async def revoke_authorization(actor: Actor, authorization_id: int, now: datetime) -> None:
    _require_manager(actor)
    async with transaction():
        if not 0 < authorization_id < 2**31 or not await Authorization.exists().where(Authorization.id == authorization_id):
            raise NotFound(f"There is no authorisation {authorization_id}.")
        await Authorization.delete().where(Authorization.id == authorization_id)
        await record(actor, "authorization.revoke", "authorization", authorization_id, at=now)
