"""Units and leases (use cases): add and list units, lease a unit to a firm without overlap."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime
from typing import Any

from park.allocation import queries
from park.shared.guards import require_manager
from park.allocation.model import MAX_AREA_M2, MAX_TERM_MONTHS, UNIT_KINDS
from park.allocation.rules import add_months
from park.audit.service import record
from park.shared.actor import Actor
from park.shared.db import transaction
from park.shared.errors import Conflict, FieldError, Forbidden, NotFound, ValidationFailed
from park.shared.locking import lock


def _is_exclusion_violation(error: BaseException) -> bool:
    return getattr(error, "sqlstate", None) in ("23P01", "23514")


# Units.


@dataclass(frozen=True)
class UnitInput:
    building_id: int
    floor: int
    code: str
    kind: str
    area_m2: float
    monthly_rent_fen: int = 0


def unit_problems(data: UnitInput) -> list[FieldError]:
    errors = []
    if not data.code.strip():
        errors.append(FieldError("code", "Give the unit a code, e.g. A-1203."))
    if data.kind not in UNIT_KINDS:
        errors.append(FieldError("kind", "Use one of: %(choices)s.", {"choices": ', '.join(UNIT_KINDS)}))
    if not 0 < data.area_m2 <= MAX_AREA_M2:
        errors.append(FieldError("area_m2", "The area must be a positive number of square metres."))
    if data.monthly_rent_fen < 0:
        errors.append(FieldError("monthly_rent_fen", "Rent cannot be negative."))
    return errors


async def create_unit(actor: Actor, data: UnitInput, now: datetime) -> dict[str, Any]:
    require_manager(actor)
    errors = unit_problems(data)
    code = data.code.strip()
    if errors:
        raise ValidationFailed(errors)
    async with transaction():
        if not await queries.building_exists(data.building_id):
            raise ValidationFailed.on("building_id", "No such building.")
        if await queries.unit_code_taken(data.building_id, code):
            raise Conflict("Unit %(code)s already exists in that building.", params={"code": code})
        row = await queries.insert_unit(
            {
                "building": data.building_id,
                "floor": data.floor,
                "code": code,
                "kind": data.kind,
                "area_m2": float(data.area_m2),
                "monthly_rent_fen": data.monthly_rent_fen,
                "created_at": now,
            }
        )
        await record(actor, "unit.create", "unit", row["id"], {"code": code, "building_id": data.building_id}, at=now)
    return row


async def update_unit(actor: Actor, unit_id: int, data: UnitInput, now: datetime) -> dict[str, Any]:
    """A unit's floor, kind, area and rent (its building and code stay: leases name it by them)."""
    require_manager(actor)
    errors = unit_problems(data)
    if errors:
        raise ValidationFailed(errors)
    async with transaction():
        await lock("space_unit", unit_id)
        if await queries.get_unit(unit_id) is None:
            raise NotFound("No such unit.")
        await queries.update_unit(unit_id, {"floor": data.floor, "kind": data.kind, "area_m2": float(data.area_m2),
                                            "monthly_rent_fen": data.monthly_rent_fen})
        await record(actor, "unit.update", "unit", unit_id, {"fields": ["floor", "kind", "area_m2", "monthly_rent_fen"]}, at=now)
    return await queries.get_unit(unit_id)


async def get_unit(actor: Actor, unit_id: int) -> dict[str, Any]:
    require_manager(actor)
    row = await queries.get_unit(unit_id)
    if row is None:
        raise NotFound("No such unit.")
    return row


async def list_units(actor: Actor, **filters: Any) -> tuple[list[dict[str, Any]], int]:
    require_manager(actor)
    vacant_from, vacant_to = filters.get("vacant_from"), filters.get("vacant_to")
    if (vacant_from is None) != (vacant_to is None):
        raise ValidationFailed.on("vacant_to", "Give both vacant_from and vacant_to, or neither.")
    if vacant_from is not None and vacant_to <= vacant_from:
        raise ValidationFailed.on("vacant_to", "vacant_to must come after vacant_from.")
    return await queries.list_units(**filters)


# Leases.


@dataclass(frozen=True)
class LeaseInput:
    unit_id: int
    tenant_id: int
    starts_on: date
    ends_on: date


async def create_lease(actor: Actor, data: LeaseInput, now: datetime) -> dict[str, Any]:
    require_manager(actor)
    if data.ends_on <= data.starts_on:
        raise ValidationFailed.on("ends_on", "A lease must end after it starts (ends_on is exclusive).")
    for name, value in (("starts_on", data.starts_on), ("ends_on", data.ends_on)):
        if not 2000 <= value.year <= 2999:  # the bound blackouts use
            raise ValidationFailed.on(name, "choose a date between the years 2000 and 2999")
    async with transaction():
        if await queries.get_unit(data.unit_id) is None:
            raise ValidationFailed.on("unit_id", "No such unit.")
        if not await queries.tenant_names([data.tenant_id]):
            raise ValidationFailed.on("tenant_id", "No such tenant.")
        row = await insert_lease(data.unit_id, data.tenant_id, data.starts_on, data.ends_on, now)
        await record(
            actor,
            "lease.create",
            "lease",
            row["id"],
            {"unit_id": data.unit_id, "tenant_id": data.tenant_id, "starts_on": str(data.starts_on), "ends_on": str(data.ends_on)},
            at=now,
        )
    return row


async def insert_lease(
    unit_id: int, tenant_id: int, starts_on: date, ends_on: date, now: datetime, application_id: int | None = None
) -> dict[str, Any]:
    """Inside a transaction: check, then insert; PostgreSQL's exclusion constraint has the final word."""
    await lock("space_unit", unit_id)
    clash = await queries.overlapping_leases(unit_id, starts_on, ends_on)
    if clash:
        other = clash[0]
        raise Conflict(
            "The unit is already leased from %(starts_on)s to %(ends_on)s.",
            params={"starts_on": other["starts_on"], "ends_on": other["ends_on"]}, extra={"lease_id": other["id"]},
        )
    try:
        return await queries.insert_lease(
            {
                "unit": unit_id,
                "tenant": tenant_id,
                "starts_on": starts_on,
                "ends_on": ends_on,
                "application": application_id,
                "created_at": now,
            }
        )
    except Exception as error:
        if _is_exclusion_violation(error):
            raise Conflict("The unit is already leased over part of that period.") from None
        raise


async def _lease_to_change(lease_id: int) -> dict[str, Any]:
    """Inside a transaction: the lease, its unit locked (the lock create_lease takes)."""
    lease = await queries.get_lease(lease_id)
    if lease is None:
        raise NotFound("No such lease.")
    await lock("space_unit", lease["unit"])
    return await queries.get_lease(lease_id) or lease


async def end_lease_early(actor: Actor, lease_id: int, ends_on: date, today: date, now: datetime) -> dict[str, Any]:
    """End a lease before its term: the unit is free from `ends_on` (exclusive end, as every lease's)."""
    require_manager(actor)
    async with transaction():
        lease = await _lease_to_change(lease_id)
        if ends_on >= lease["ends_on"]:
            raise ValidationFailed.on("ends_on", "To end a lease early, choose a day before its current end.")
        if ends_on <= lease["starts_on"]:
            raise ValidationFailed.on("ends_on", "A lease must end after it starts (ends_on is exclusive).")
        if ends_on < today:
            raise ValidationFailed.on("ends_on", "A lease cannot end in the past; choose today or later.")
        await queries.set_lease_end(lease_id, ends_on)
        await record(actor, "lease.end_early", "lease", lease_id,
                     {"ends_on": str(ends_on), "was": str(lease["ends_on"])}, at=now)
        return await queries.get_lease(lease_id)


async def renew_lease(actor: Actor, lease_id: int, months: int, now: datetime) -> dict[str, Any]:
    """Extend a lease by a term from its current end, if no other lease holds the unit over that term."""
    require_manager(actor)
    if not 1 <= months <= MAX_TERM_MONTHS:
        raise ValidationFailed.on("months", "Renew for 1 to %(months)s months.", months=MAX_TERM_MONTHS)
    async with transaction():
        lease = await _lease_to_change(lease_id)
        old_end = lease["ends_on"]
        new_end = add_months(old_end, months)
        if new_end.year > 2999:
            raise ValidationFailed.on("months", "choose a date between the years 2000 and 2999")
        clash = [other for other in await queries.overlapping_leases(lease["unit"], old_end, new_end)
                 if other["id"] != lease_id]
        if clash:
            raise Conflict(
                "The unit is already leased from %(starts_on)s to %(ends_on)s.",
                params={"starts_on": clash[0]["starts_on"], "ends_on": clash[0]["ends_on"]}, extra={"lease_id": clash[0]["id"]},
            )
        try:
            await queries.set_lease_end(lease_id, new_end)
        except Exception as error:
            if _is_exclusion_violation(error):
                raise Conflict("The unit is already leased over part of that period.") from None
            raise
        await record(actor, "lease.renew", "lease", lease_id,
                     {"months": months, "ends_on": str(new_end), "was": str(old_end)}, at=now)
        return await queries.get_lease(lease_id)


async def list_leases(actor: Actor, **filters: Any) -> tuple[list[dict[str, Any]], int]:
    """Managers see every lease; a firm sees only its own."""
    if not actor.is_manager:
        if actor.tenant_id is None:
            raise Forbidden("Only a firm's users or park managers may read leases.")
        filters["tenant_id"] = actor.tenant_id
    return await queries.list_leases(**filters)
