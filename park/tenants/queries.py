"""Tenant reads and writes: rows in, plain dicts out."""

from __future__ import annotations

from datetime import date, datetime
from typing import Any

from park.shared.dialect import matches
from park.tenants.model import Qualification
from park.tenants.rules import valid_qualifications
from park.tenants.tables import QualificationRecord, Tenant

TENANT_COLUMNS = (
    Tenant.id,
    Tenant.name,
    Tenant.name_en,
    Tenant.uscc,
    Tenant.sector,
    Tenant.staff_count,
    Tenant.rd_staff_count,
    Tenant.ip_count,
    Tenant.contact_email,
    Tenant.created_at,
    Tenant.updated_at,
)


async def _records_by_tenant(tenant_ids: list[int]) -> dict[int, list[dict[str, Any]]]:
    if not tenant_ids:
        return {}
    rows = (
        await QualificationRecord.select(
            QualificationRecord.tenant, QualificationRecord.kind, QualificationRecord.certificate_no, QualificationRecord.valid_until
        )
        .where(QualificationRecord.tenant.is_in(tenant_ids))
        .order_by(QualificationRecord.kind)
    )
    grouped: dict[int, list[dict[str, Any]]] = {tenant_id: [] for tenant_id in tenant_ids}
    for row in rows:
        grouped[row["tenant"]].append(
            {"kind": row["kind"], "certificate_no": row["certificate_no"], "valid_until": row["valid_until"]}
        )
    return grouped


def _with_qualifications(row: dict[str, Any], records: list[dict[str, Any]], today: date) -> dict[str, Any]:
    return row | {
        "qualification_records": records,
        "qualifications": valid_qualifications([(r["kind"], r["valid_until"]) for r in records], today),
    }


async def tenant_by_id(tenant_id: int, today: date) -> dict[str, Any] | None:
    row = await Tenant.select(*TENANT_COLUMNS).where(Tenant.id == tenant_id).first()
    if row is None:
        return None
    records = await _records_by_tenant([tenant_id])
    return _with_qualifications(row, records[tenant_id], today)


def _filters(q: str | None, sector: str | None):
    conditions = []
    if q:
        pattern = f"%{q.strip()}%"
        conditions.append(matches(Tenant.name, pattern) | matches(Tenant.name_en, pattern) | matches(Tenant.uscc, pattern))
    if sector:
        conditions.append(Tenant.sector == sector)
    return conditions


async def list_tenants(
    *, limit: int, offset: int, q: str | None, sector: str | None, today: date
) -> tuple[list[dict[str, Any]], int]:
    query = Tenant.select(*TENANT_COLUMNS).order_by(Tenant.name)
    count = Tenant.count()
    for condition in _filters(q, sector):
        query = query.where(condition)
        count = count.where(condition)
    rows = await query.limit(limit).offset(offset)
    records = await _records_by_tenant([row["id"] for row in rows])
    return [_with_qualifications(row, records[row["id"]], today) for row in rows], await count


async def uscc_taken(uscc: str, except_id: int | None = None) -> bool:
    query = Tenant.exists().where(Tenant.uscc == uscc)
    if except_id is not None:
        query = query.where(Tenant.id != except_id)
    return await query


async def insert_tenant(values: dict[str, Any]) -> int:
    tenant = Tenant(**values)
    await tenant.save()
    return tenant.id


async def update_tenant(tenant_id: int, values: dict[str, Any], now: datetime) -> None:
    columns = {getattr(Tenant, name): value for name, value in values.items()}
    columns[Tenant.updated_at] = now
    await Tenant.update(columns).where(Tenant.id == tenant_id)


async def replace_qualifications(tenant_id: int, qualifications: list[Qualification]) -> None:
    await QualificationRecord.delete().where(QualificationRecord.tenant == tenant_id)
    if qualifications:
        await QualificationRecord.insert(
            *[
                QualificationRecord(
                    tenant=tenant_id, kind=item.kind, certificate_no=item.certificate_no, valid_until=item.valid_until
                )
                for item in qualifications
            ]
        )
