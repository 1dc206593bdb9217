"""Catalogue use cases: buildings, facilities, lifting blackouts, authorisations.

Changes that reach live bookings (changing or deactivating a facility, adding a
blackout) and a facility's availability are bookings' use cases:
`park.bookings.closures` and `park.bookings.search`. This package imports no
bookings module.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from park.shared.actor import Actor
from park.audit.service import record
from park.facilities import queries
from park.facilities.hours import HoursError, parse_hours
from park.facilities.model import facility_problems
from park.facilities.tables import Authorization, Blackout, Building, Facility
from park.shared import live
from park.shared.db import transaction
from park.shared import guards
from park.shared.errors import Conflict, FieldError, NotFound, ValidationFailed
from park.shared.labels import N_

FACILITY_DEFAULTS: dict[str, Any] = {
    "name_en": "",
    "code": None,
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


def require_manager(actor: Actor) -> None:
    guards.require_manager(actor, N_("Only park managers may change the catalogue."))


def validated_facility(values: dict[str, Any]) -> dict[str, Any]:
    """Facility settings checked together; opening hours normalised to the contract's shape."""
    errors = [FieldError(f, m) for f, m in facility_problems(values)]
    if not str(values.get("name") or "").strip():
        errors.append(FieldError("name", "give the facility a name"))
    code = (values.get("code") or "").strip()
    values["code"] = code or None
    if len(code) > 40:
        errors.append(FieldError("code", "Use at most 40 characters."))
    try:
        values["opening_hours"] = parse_hours(values.get("opening_hours")).to_contract()
    except HoursError as error:
        errors.append(FieldError(error.field, error.message))
    if errors:
        raise ValidationFailed(errors)
    return values


async def create_building(actor: Actor, name: str, code: str, name_en: str, now: datetime) -> dict[str, Any]:
    require_manager(actor)
    errors = []
    if not name.strip():
        errors.append(FieldError("name", "give the building a name"))
    if not code.strip() or len(code) > 20:
        errors.append(FieldError("code", "give a short code (at most 20 characters)"))
    if errors:
        raise ValidationFailed(errors)
    async with transaction():
        if await Building.exists().where(Building.code == code.strip()):
            raise Conflict("A building with code %(code)s exists already; choose another code.", params={"code": code})
        rows = await Building.insert(Building(name=name.strip(), name_en=name_en.strip(), code=code.strip())).returning(Building.id)
        await record(actor, "building.create", "building", rows[0]["id"], {"code": code}, at=now)
        return await queries.get_building(rows[0]["id"])


async def rename_building(actor: Actor, building_id: int, name: str, name_en: str, now: datetime) -> dict[str, Any]:
    """A building's names (its code stays: units and imports name it by it)."""
    require_manager(actor)
    if not name.strip():
        raise ValidationFailed.on("name", "give the building a name")
    if len(name) > 200 or len(name_en) > 200:
        raise ValidationFailed.on("name" if len(name) > 200 else "name_en", "Use at most 200 characters.")
    async with transaction():
        if await queries.get_building(building_id) is None:
            raise NotFound(f"There is no building {building_id}.")
        await Building.update({Building.name: name.strip(), Building.name_en: name_en.strip()}).where(
            Building.id == building_id)
        await record(actor, "building.rename", "building", building_id, {"name": name.strip()}, at=now)
        return await queries.get_building(building_id)


async def create_facility(actor: Actor, data: dict[str, Any], now: datetime) -> dict[str, Any]:
    require_manager(actor)
    values = {**FACILITY_DEFAULTS, **{k: v for k, v in data.items() if v is not None or k == "opening_hours"}}
    values = validated_facility(values)
    async with transaction():
        if await queries.get_building(values["building_id"]) is None:
            raise ValidationFailed.on("building_id", "There is no building %(id)s.", id=values["building_id"])
        await code_free(values["code"], None)
        row = {k: values[k] for k in ("name", *FACILITY_DEFAULTS)}
        rows = await Facility.insert(Facility(**row, kind=values["kind"], building=values["building_id"], created_at=now)).returning(Facility.id)
        await record(actor, "facility.create", "facility", rows[0]["id"], {"name": values["name"]}, at=now)
        return await queries.get_facility(rows[0]["id"])


async def closure_lifted(blackout: dict[str, Any]) -> None:
    """Announce (live) the facilities a blackout closed, for its period."""
    if blackout["facility"] is not None:
        ids = [blackout["facility"]]
    else:
        ids = [row["id"] for row in await Facility.select(Facility.id).where(Facility.building == blackout["building"])]
    for facility_id in ids:
        await live.publish(facility_id, blackout["starts_at"], blackout["ends_at"])


async def delete_blackout(actor: Actor, blackout_id: int, now: datetime) -> None:
    require_manager(actor)
    async with transaction():
        blackout = await queries.get_blackout(blackout_id)
        if blackout is None:
            raise NotFound("There is no blackout %(id)s.", params={"id": blackout_id})
        await closure_lifted(blackout)
        await Blackout.delete().where(Blackout.id == blackout_id)
        await record(actor, "blackout.delete", "blackout", blackout_id, at=now)


async def grant_authorization(
    actor: Actor, facility_id: int, user_id: int, valid_until: datetime | None, note: str, now: datetime
) -> dict[str, Any]:
    """Record (or renew) a user's training for a facility."""
    from park.accounts.tables import User

    require_manager(actor)
    async with transaction():
        if await queries.get_facility(facility_id) is None:
            raise NotFound("There is no facility %(id)s.", params={"id": facility_id})
        if not 0 < user_id < 2**31 or not await User.exists().where(User.id == user_id):
            raise ValidationFailed.on("user_id", "There is no user %(id)s.", id=user_id)
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
    require_manager(actor)
    async with transaction():
        if not 0 < authorization_id < 2**31 or not await Authorization.exists().where(Authorization.id == authorization_id):
            raise NotFound("There is no authorisation %(id)s.", params={"id": authorization_id})
        await Authorization.delete().where(Authorization.id == authorization_id)
        await record(actor, "authorization.revoke", "authorization", authorization_id, at=now)


async def code_free(code: str | None, facility_id: int | None) -> None:
    """A facility code is unique: refuse one another facility holds."""
    if code is None:
        return
    taken = Facility.exists().where(Facility.code == code)
    if facility_id is not None:
        taken = taken.where(Facility.id != facility_id)
    if await taken:
        raise ValidationFailed.on("code", "Another facility has the code %(code)s; codes are unique.", code=code)
