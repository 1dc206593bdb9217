"""Tenant firms JSON API: managers list, create and edit firms; a firm's users read their own."""

from __future__ import annotations

from datetime import date, datetime
from typing import Any

import msgspec
from litestar import Controller, Request, get, patch, post
from litestar.di import NamedDependency
from litestar.params import FromPath, FromQuery, JSONBody

from park.shared.guards import manager_only, signed_in
from park.settings import Settings
from park.shared.api import Page, caller, paging
from park.shared.clock import utc_now
from park.tenants import service
from park.shared.errors import ValidationFailed
from park.tenants.model import QUALIFICATION_MESSAGE, Qualification, TenantFields, merge_qualifications
from park.tenants.rules import QUALIFICATIONS


class QualificationRecordIO(msgspec.Struct):
    kind: str
    certificate_no: str = ""
    valid_until: date | None = None


class TenantIn(msgspec.Struct):
    name: str
    uscc: str
    sector: str
    name_en: str = ""
    qualifications: list[str] = []
    qualification_records: list[QualificationRecordIO] | None = None
    staff_count: int = 0
    rd_staff_count: int = 0
    ip_count: int = 0
    contact_email: str = ""


class TenantPatch(msgspec.Struct):
    """Only the fields sent change; `qualifications`/`qualification_records` replace the firm's whole list."""

    name: str | None = None
    name_en: str | None = None
    uscc: str | None = None
    sector: str | None = None
    qualifications: list[str] | None = None
    qualification_records: list[QualificationRecordIO] | None = None
    staff_count: int | None = None
    rd_staff_count: int | None = None
    ip_count: int | None = None
    contact_email: str | None = None


class TenantOut(msgspec.Struct):
    id: int
    name: str
    name_en: str
    uscc: str
    sector: str
    qualifications: list[str]
    qualification_records: list[QualificationRecordIO]
    staff_count: int
    rd_staff_count: int
    ip_count: int
    contact_email: str
    created_at: datetime
    updated_at: datetime


def tenant_out(row: dict[str, Any]) -> TenantOut:
    return TenantOut(
        id=row["id"],
        name=row["name"],
        name_en=row["name_en"],
        uscc=row["uscc"],
        sector=row["sector"],
        qualifications=row["qualifications"],
        qualification_records=[QualificationRecordIO(**record) for record in row["qualification_records"]],
        staff_count=row["staff_count"],
        rd_staff_count=row["rd_staff_count"],
        ip_count=row["ip_count"],
        contact_email=row["contact_email"],
        created_at=row["created_at"],
        updated_at=row["updated_at"],
    )


def fields_from(data: TenantIn | TenantPatch) -> TenantFields:
    unknown = [r.kind for r in data.qualification_records or [] if r.kind not in QUALIFICATIONS]
    if unknown:
        raise ValidationFailed.on("qualification_records", QUALIFICATION_MESSAGE)
    records = (
        None
        if data.qualification_records is None
        else [Qualification(r.kind, r.certificate_no.strip(), r.valid_until) for r in data.qualification_records]
    )
    plain = data.qualifications
    if isinstance(data, TenantIn) and not plain and records is None:
        plain = []
    return TenantFields(
        name=data.name,
        name_en=data.name_en,
        uscc=data.uscc,
        sector=data.sector,
        qualifications=merge_qualifications(plain, records),
        staff_count=data.staff_count,
        rd_staff_count=data.rd_staff_count,
        ip_count=data.ip_count,
        contact_email=data.contact_email,
    )


def park_today(settings: Settings) -> date:
    return utc_now().astimezone(settings.zone).date()


class TenantController(Controller):
    path = "/api/v1/tenants"
    tags = ["tenants"]

    @get("", guards=[manager_only], summary="Tenant firms (search by name or code, filter by sector)")
    async def list_tenants(
        self,
        request: Request,
        settings: NamedDependency[Settings],
        limit: FromQuery[int | None] = None,
        offset: FromQuery[int | None] = None,
        q: FromQuery[str | None] = None,
        sector: FromQuery[str | None] = None,
    ) -> Page[TenantOut]:
        limit, offset = paging(limit, offset)
        rows, total = await service.list_tenants(
            caller(request), limit=limit, offset=offset, q=q, sector=sector, today=park_today(settings)
        )
        return Page(items=[tenant_out(row) for row in rows], total=total)

    @post("", guards=[manager_only], summary="Register a tenant firm")
    async def create_tenant(self, request: Request, data: JSONBody[TenantIn], settings: NamedDependency[Settings]) -> TenantOut:
        row = await service.create_tenant(caller(request), fields_from(data), utc_now(), park_today(settings))
        return tenant_out(row)

    @get("/{tenant_id:int}", guards=[signed_in], summary="One firm (a firm's own users may read it)")
    async def get_tenant(self, request: Request, tenant_id: FromPath[int], settings: NamedDependency[Settings]) -> TenantOut:
        return tenant_out(await service.get_tenant(caller(request), tenant_id, park_today(settings)))

    @patch("/{tenant_id:int}", guards=[manager_only], summary="Change a firm's details")
    async def update_tenant(
        self, request: Request, tenant_id: FromPath[int], data: JSONBody[TenantPatch], settings: NamedDependency[Settings]
    ) -> TenantOut:
        row = await service.update_tenant(caller(request), tenant_id, fields_from(data), utc_now(), park_today(settings))
        return tenant_out(row)


ROUTES = [TenantController]
