"""Database reads and writes for units, leases, applications and rounds; rows ↔ model."""

from __future__ import annotations

from datetime import date, datetime, timedelta
from typing import Any

from park.accounts.tables import User
from park.allocation.tables import AllocationRound, Lease, RoundAssignment, SpaceApplication, Unit
from park.facilities.tables import Building
from park.tenants.tables import Tenant
from park.shared.listing import filtered_page


# Units.


async def building_exists(building_id: int) -> bool:
    return await Building.exists().where(Building.id == building_id)


async def building_names() -> dict[int, dict[str, Any]]:
    rows = await Building.select(Building.id, Building.name, Building.name_en, Building.code)
    return {row["id"]: row for row in rows}


async def unit_code_taken(building_id: int, code: str) -> bool:
    return await Unit.exists().where((Unit.building == building_id) & (Unit.code == code))


async def insert_unit(values: dict[str, Any]) -> dict[str, Any]:
    row = Unit(**values)
    await row.save()
    return await get_unit(row.id)


async def update_unit(unit_id: int, values: dict[str, Any]) -> None:
    await Unit.update({getattr(Unit, key): value for key, value in values.items()}).where(Unit.id == unit_id)


async def get_unit(unit_id: int) -> dict[str, Any] | None:
    return await Unit.select().where(Unit.id == unit_id).first()


async def list_units(
    *,
    building_id: int | None = None,
    kind: str | None = None,
    vacant_from: date | None = None,
    vacant_to: date | None = None,
    limit: int | None = None,
    offset: int = 0,
) -> tuple[list[dict[str, Any]], int]:
    """Units, optionally only those with no lease overlapping [vacant_from, vacant_to)."""
    query = Unit.select().order_by(Unit.building).order_by(Unit.floor).order_by(Unit.code)
    count = Unit.count()
    conditions = []
    if building_id is not None:
        conditions.append(Unit.building == building_id)
    if kind:
        conditions.append(Unit.kind == kind)
    if vacant_from is not None and vacant_to is not None:
        busy = Lease.select(Lease.unit).where((Lease.starts_on < vacant_to) & (Lease.ends_on > vacant_from))
        conditions.append(Unit.id.not_in(busy))
    return await filtered_page(query, count, conditions, limit, offset)


async def all_units() -> list[dict[str, Any]]:
    return await Unit.select()


# Leases.


async def overlapping_leases(unit_id: int, starts_on: date, ends_on: date) -> list[dict[str, Any]]:
    return await Lease.select().where(
        (Lease.unit == unit_id) & (Lease.starts_on < ends_on) & (Lease.ends_on > starts_on)
    )


async def insert_lease(values: dict[str, Any]) -> dict[str, Any]:
    row = Lease(**values)
    await row.save()
    return await Lease.select().where(Lease.id == row.id).first()


async def get_lease(lease_id: int) -> dict[str, Any] | None:
    if not 0 < lease_id < 2**31:
        return None
    return await Lease.select().where(Lease.id == lease_id).first()


async def set_lease_end(lease_id: int, ends_on: date) -> None:
    """A lease's new end; its end-of-lease reminders are owed again for that date."""
    await Lease.update({Lease.ends_on: ends_on, Lease.reminded_90_at: None, Lease.reminded_30_at: None}).where(
        Lease.id == lease_id)


async def list_leases(
    *,
    tenant_id: int | None = None,
    unit_id: int | None = None,
    active_on: date | None = None,
    limit: int | None = None,
    offset: int = 0,
) -> tuple[list[dict[str, Any]], int]:
    query = Lease.select().order_by(Lease.starts_on).order_by(Lease.id)
    count = Lease.count()
    conditions = []
    if tenant_id is not None:
        conditions.append(Lease.tenant == tenant_id)
    if unit_id is not None:
        conditions.append(Lease.unit == unit_id)
    if active_on is not None:
        conditions.append((Lease.starts_on <= active_on) & (Lease.ends_on > active_on))
    return await filtered_page(query, count, conditions, limit, offset)


async def leases_ending_after(day: date) -> list[dict[str, Any]]:
    return await Lease.select(Lease.unit, Lease.starts_on, Lease.ends_on, Lease.tenant).where(Lease.ends_on > day)


# Firms.


async def tenant_names(tenant_ids: list[int]) -> dict[int, dict[str, Any]]:
    if not tenant_ids:
        return {}
    rows = await Tenant.select(Tenant.id, Tenant.name, Tenant.name_en, Tenant.contact_email).where(
        Tenant.id.is_in(list(set(tenant_ids)))
    )
    return {row["id"]: row for row in rows}


async def all_tenant_names() -> list[dict[str, Any]]:
    """Every firm, for choosing one (a lease's holder)."""
    return await Tenant.select(Tenant.id, Tenant.name, Tenant.name_en).order_by(Tenant.name)


async def tenant_admin_emails(tenant_id: int) -> list[str]:
    rows = await User.select(User.email).where(
        (User.tenant == tenant_id) & (User.role == "tenant_admin") & (User.is_active == True)  # noqa: E712
    )
    return [row["email"] for row in rows]


# Applications.


async def insert_application(values: dict[str, Any]) -> dict[str, Any]:
    row = SpaceApplication(**values)
    await row.save()
    return await get_application(row.id)


async def get_application(application_id: int) -> dict[str, Any] | None:
    return await SpaceApplication.select().where(SpaceApplication.id == application_id).output(load_json=True).first()


async def update_application(application_id: int, values: dict[str, Any]) -> None:
    await SpaceApplication.update(
        {getattr(SpaceApplication, key): value for key, value in values.items()}
    ).where(SpaceApplication.id == application_id)


async def list_applications(
    *, tenant_id: int | None = None, status: str | None = None, limit: int | None = None, offset: int = 0
) -> tuple[list[dict[str, Any]], int]:
    query = SpaceApplication.select().order_by(SpaceApplication.id, ascending=False).output(load_json=True)
    count = SpaceApplication.count()
    conditions = []
    if tenant_id is not None:
        conditions.append(SpaceApplication.tenant == tenant_id)
    if status:
        conditions.append(SpaceApplication.status == status)
    return await filtered_page(query, count, conditions, limit, offset)


async def open_applications() -> list[dict[str, Any]]:
    return await SpaceApplication.select().where(SpaceApplication.status == "open").output(load_json=True)


# Rounds.


async def supersede_proposed_rounds() -> None:
    await AllocationRound.update({AllocationRound.status: "superseded"}).where(
        AllocationRound.status == "proposed"
    )


async def insert_round(values: dict[str, Any]) -> int:
    row = AllocationRound(**values)
    await row.save()
    return row.id


async def insert_assignments(rows: list[dict[str, Any]]) -> None:
    if rows:
        await RoundAssignment.insert(*[RoundAssignment(**values) for values in rows])


async def get_round(round_id: int) -> dict[str, Any] | None:
    return await AllocationRound.select().where(AllocationRound.id == round_id).first()


async def update_round(round_id: int, values: dict[str, Any]) -> None:
    await AllocationRound.update({getattr(AllocationRound, k): v for k, v in values.items()}).where(
        AllocationRound.id == round_id
    )


async def list_rounds(*, limit: int, offset: int) -> tuple[list[dict[str, Any]], int]:
    rows = await AllocationRound.select().order_by(AllocationRound.id, ascending=False).limit(limit).offset(offset)
    return rows, await AllocationRound.count()


async def round_assignments(round_id: int) -> list[dict[str, Any]]:
    return (
        await RoundAssignment.select()
        .where(RoundAssignment.allocation_round == round_id)
        .order_by(RoundAssignment.rank)
        .output(load_json=True)
    )


async def update_assignment(assignment_id: int, values: dict[str, Any]) -> None:
    await RoundAssignment.update({getattr(RoundAssignment, k): v for k, v in values.items()}).where(
        RoundAssignment.id == assignment_id
    )


async def assignments_of_application(application_id: int) -> list[dict[str, Any]]:
    return (
        await RoundAssignment.select()
        .where(RoundAssignment.application == application_id)
        .order_by(RoundAssignment.id, ascending=False)
        .output(load_json=True)
    )


# Reminders.


async def leases_to_remind(today: date, days: int, column: str) -> list[dict[str, Any]]:
    """Leases ending within `days` of today, not yet reminded at that step."""
    flag = getattr(Lease, column)
    return await Lease.select().where(
        (Lease.ends_on > today) & (Lease.ends_on <= today + timedelta(days=days)) & flag.is_null()
    ).order_by(Lease.id)


async def claim_reminder(lease_id: int, column: str, now: datetime) -> bool:
    """Mark a lease reminded; False when another process already did (so each reminder goes once)."""
    flag = getattr(Lease, column)
    rows = await Lease.update({flag: now}).where((Lease.id == lease_id) & flag.is_null()).returning(Lease.id)
    return bool(rows)
