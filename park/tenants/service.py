"""Tenant use cases: list, read (scoped to the caller's firm), create and change firms."""

from __future__ import annotations

from dataclasses import asdict
from datetime import date, datetime
from typing import Any

from park.shared.actor import Actor
from park.audit import service as audit
from park.shared.db import transaction
from park.shared.errors import Conflict, NotFound, ValidationFailed
from park.shared.guards import require_manager
from park.tenants import queries
from park.tenants.model import TenantFields, tenant_problems
from park.tenants.rules import normalise_uscc

PLAIN_FIELDS = ("name", "name_en", "uscc", "sector", "staff_count", "rd_staff_count", "ip_count", "contact_email")


def visible_tenant_id(actor: Actor, tenant_id: int) -> int:
    """The id if the caller may see that firm; another firm's id is NotFound, like one that does not exist."""
    if not actor.can_see_tenant(tenant_id):
        raise NotFound("No such tenant.")
    return tenant_id


async def get_tenant(actor: Actor, tenant_id: int, today: date) -> dict[str, Any]:
    row = await queries.tenant_by_id(visible_tenant_id(actor, tenant_id), today)
    if row is None:
        raise NotFound("No such tenant.")
    return row


async def list_tenants(
    actor: Actor, *, limit: int, offset: int, q: str | None, sector: str | None, today: date
) -> tuple[list[dict[str, Any]], int]:
    require_manager(actor)
    return await queries.list_tenants(limit=limit, offset=offset, q=q, sector=sector, today=today)


def _plain_values(fields: TenantFields) -> dict[str, Any]:
    values = {name: getattr(fields, name) for name in PLAIN_FIELDS if getattr(fields, name) is not None}
    if "uscc" in values:
        values["uscc"] = normalise_uscc(values["uscc"])
    for name in ("name", "name_en", "contact_email"):
        if name in values:
            values[name] = values[name].strip()
    return values


def _audit_detail(values: dict[str, Any], fields: TenantFields) -> dict[str, Any]:
    detail = dict(values)
    if fields.qualifications is not None:
        detail["qualifications"] = [
            asdict(item) | {"valid_until": item.valid_until.isoformat() if item.valid_until else None}
            for item in fields.qualifications
        ]
    return detail


async def create_tenant(actor: Actor, fields: TenantFields, now: datetime, today: date) -> dict[str, Any]:
    require_manager(actor)
    problems = tenant_problems(fields, creating=True)
    if problems:
        raise ValidationFailed(problems)
    values = _plain_values(fields) | {"created_at": now, "updated_at": now}
    async with transaction():
        if await queries.uscc_taken(values["uscc"]):
            raise Conflict("A firm with this unified social credit code is already registered.")
        tenant_id = await queries.insert_tenant(values)
        await queries.replace_qualifications(tenant_id, fields.qualifications or [])
        await audit.record(actor, "tenant.create", "tenant", tenant_id, _audit_detail(_plain_values(fields), fields), at=now)
    return await get_tenant(actor, tenant_id, today)


async def update_tenant(actor: Actor, tenant_id: int, fields: TenantFields, now: datetime, today: date) -> dict[str, Any]:
    require_manager(actor)
    current = await get_tenant(actor, tenant_id, today)
    merged_counts = TenantFields(
        staff_count=fields.staff_count if fields.staff_count is not None else current["staff_count"],
        rd_staff_count=fields.rd_staff_count if fields.rd_staff_count is not None else current["rd_staff_count"],
    )
    problems = tenant_problems(fields, creating=False) + [
        p for p in tenant_problems(merged_counts, creating=False) if p.field == "rd_staff_count"
    ]
    if problems:
        raise ValidationFailed(list({(p.field, p.message): p for p in problems}.values()))
    values = _plain_values(fields)
    async with transaction():
        if "uscc" in values and await queries.uscc_taken(values["uscc"], except_id=tenant_id):
            raise Conflict("A firm with this unified social credit code is already registered.")
        await queries.update_tenant(tenant_id, values, now)
        if fields.qualifications is not None:
            await queries.replace_qualifications(tenant_id, fields.qualifications)
        await audit.record(actor, "tenant.update", "tenant", tenant_id, _audit_detail(values, fields), at=now)
    return await get_tenant(actor, tenant_id, today)
