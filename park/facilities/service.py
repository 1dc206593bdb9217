"""Catalogue use cases: buildings, facilities, lifting blackouts, authorisations.

Changes that reach live bookings (changing or deactivating a facility, adding a
blackout) and a facility's availability are bookings' use cases:
`park.bookings.closures` and `park.bookings.search`. This package imports no
bookings module.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any
from zoneinfo import ZoneInfo

from park.shared.actor import Actor
from park.audit.service import record
from park.facilities import queries
from park.facilities.hours import HoursError, parse_hours
from park.facilities.model import facility_problems
from park.facilities.tables import Authorization, Blackout, Building, Facility, TrainingRequest
from park.shared import live
from park.shared.db import transaction
from park.shared import guards
from park.shared.errors import Conflict, FieldError, NotFound, ValidationFailed
from park.shared.i18n import local, translate
from park.shared.labels import N_

FACILITY_DEFAULTS: dict[str, Any] = {
    "name_en": "",
    "code": None,
    "platform": "",
    "platform_en": "",
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


BUILDING_TEXTS: dict[str, int] = {"name": 200, "name_en": 200, "address": 300, "address_en": 300}
"""A building's words and their longest length; its code is set once (units and imports name it by it)."""


def _building_texts(values: dict[str, Any], partial: bool = False) -> tuple[dict[str, str], list[FieldError]]:
    """The building words `values` gives, trimmed (all of them unless `partial`), and what is wrong with them."""
    texts = {field: str(values[field] or "").strip() for field in BUILDING_TEXTS if field in values}
    if not partial:
        texts = {field: "" for field in BUILDING_TEXTS} | texts
    errors = [FieldError(field, "Use at most %(limit)s characters.", {"limit": length})
              for field, length in BUILDING_TEXTS.items() if len(texts.get(field, "")) > length]
    if "name" in texts and not texts["name"]:
        errors.insert(0, FieldError("name", "give the building a name"))
    return texts, errors


async def create_building(actor: Actor, code: str, values: dict[str, Any], now: datetime) -> dict[str, Any]:
    """A new building: `values` holds its name and, optionally, English name, address and English address."""
    require_manager(actor)
    code = code.strip()
    texts, errors = _building_texts(values)
    if not code or len(code) > 20:
        errors.append(FieldError("code", "give a short code (at most 20 characters)"))
    if errors:
        raise ValidationFailed(errors)
    async with transaction():
        if await Building.exists().where(Building.code == code):
            raise Conflict("A building with code %(code)s exists already; choose another code.", params={"code": code})
        rows = await Building.insert(Building(code=code, **texts)).returning(Building.id)
        await record(actor, "building.create", "building", rows[0]["id"], {"code": code}, at=now)
        return await queries.get_building(rows[0]["id"])


async def update_building(actor: Actor, building_id: int, values: dict[str, Any], now: datetime) -> dict[str, Any]:
    """Change a building's names and address (those fields of `values` given; its code stays)."""
    require_manager(actor)
    texts, errors = _building_texts(values, partial=True)
    if errors:
        raise ValidationFailed(errors)
    async with transaction():
        row = await queries.get_building(building_id)
        if row is None:
            raise NotFound("There is no building %(id)s.", params={"id": building_id})
        if not texts:
            return row
        await Building.update({getattr(Building, field): text for field, text in texts.items()}).where(
            Building.id == building_id)
        row = row | texts
        await record(actor, "building.update", "building", building_id,
                     {"fields": sorted(texts), "name": row["name"], "name_en": row["name_en"]}, at=now)
        return row


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
        await record(actor, "facility.create", "facility", rows[0]["id"], {"name": values["name"], "name_en": values["name_en"]}, at=now)
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
        await TrainingRequest.update({TrainingRequest.closed_at: now}).where(
            (TrainingRequest.facility == facility_id) & (TrainingRequest.user == user_id) & TrainingRequest.closed_at.is_null()
        )
        await record(actor, "authorization.grant", "authorization", auth_id, {"facility_id": facility_id, "user_id": user_id}, at=now)
        return await Authorization.select().where(Authorization.id == auth_id).first()


async def ask_for_training(actor: Actor, facility_id: int, now: datetime, zone: ZoneInfo, base_url: str = "") -> dict[str, Any]:
    """Ask the park managers to train the caller for a facility that needs training.

    One open request per user and facility; the managers are mailed when it is made and
    at most once a park-local day after that, however often the user asks. The row
    returned carries `notified`: whether this call told the managers.
    """
    from park.notifications.service import enqueue, manager_recipients
    from park.shared.locking import lock

    async with transaction():
        facility = await queries.get_facility(facility_id)
        if facility is None or not facility["is_active"]:
            raise NotFound("There is no facility %(id)s.", params={"id": facility_id})
        if not facility["requires_authorization"]:
            raise Conflict("This facility needs no training: anyone may book it.")
        held = await queries.authorization_for(actor.id, facility_id)
        if held is not None and held.valid_at(now):
            raise Conflict("You are already trained for this facility.")
        await lock("park_user", actor.id)  # two clicks at once: one request, one mail
        row = await queries.open_training_request(actor.id, facility_id)
        today = now.astimezone(zone).date()
        if row is not None and row["notified_at"].astimezone(zone).date() == today:
            return {**row, "notified": False}
        if row is None:
            inserted = await TrainingRequest.insert(
                TrainingRequest(facility=facility_id, user=actor.id, requested_at=now, notified_at=now)
            ).returning(TrainingRequest.id)
            request_id = inserted[0]["id"]
        else:
            request_id = row["id"]
            await TrainingRequest.update({TrainingRequest.notified_at: now}).where(TrainingRequest.id == request_id)
        link = f"{base_url.rstrip('/')}/facilities/{facility_id}/authorizations"
        for email, locale in await manager_recipients():
            lang = locale or "zh_Hans"
            name = local(facility, lang)
            subject = translate(lang, N_("Training request: %(facility)s"), facility=name)
            body = translate(lang, N_("%(name)s <%(email)s> asks to be trained for %(facility)s. Record the training here: %(link)s"),
                             name=actor.name, email=actor.email, facility=name, link=link)
            await enqueue("training.request", email, subject, body, now)
        await record(actor, "training.request", "training_request", request_id, {"facility_id": facility_id}, at=now)
        stored = await TrainingRequest.select().where(TrainingRequest.id == request_id).first()
        return {**stored, "notified": True}


async def close_training_request(actor: Actor, facility_id: int, request_id: int, now: datetime) -> None:
    """A manager sets aside an open request without recording training (recording it closes it too)."""
    require_manager(actor)
    async with transaction():
        found = 0 < request_id < 2**31 and await TrainingRequest.exists().where(
            (TrainingRequest.id == request_id) & (TrainingRequest.facility == facility_id) & TrainingRequest.closed_at.is_null()
        )
        if not found:
            raise NotFound("There is no open training request %(id)s.", params={"id": request_id})
        await TrainingRequest.update({TrainingRequest.closed_at: now}).where(TrainingRequest.id == request_id)
        await record(actor, "training.request.close", "training_request", request_id, {"facility_id": facility_id}, at=now)


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
