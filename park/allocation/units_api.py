"""Units and leases JSON API."""

from __future__ import annotations

from datetime import date
from typing import Any

import msgspec
from litestar import Controller, Request, get, post
from litestar.params import FromPath, FromQuery, JSONBody

from park.allocation import units
from park.shared.api import Page, caller, paging
from park.shared.clock import utc_now
from park.shared.errors import ValidationFailed
from park.shared.guards import manager_only, signed_in


class UnitIn(msgspec.Struct):
    building_id: int
    floor: int
    code: str
    kind: str
    area_m2: float
    monthly_rent_fen: int = 0


class UnitOut(msgspec.Struct):
    id: int
    building_id: int
    floor: int
    code: str
    kind: str
    area_m2: float
    monthly_rent_fen: int


class LeaseIn(msgspec.Struct):
    unit_id: int
    tenant_id: int
    starts_on: date
    ends_on: date


class LeaseOut(msgspec.Struct):
    id: int
    unit_id: int
    tenant_id: int
    starts_on: date
    ends_on: date
    application_id: int | None


def unit_out(row: dict[str, Any]) -> UnitOut:
    return UnitOut(
        id=row["id"],
        building_id=row["building"],
        floor=row["floor"],
        code=row["code"],
        kind=row["kind"],
        area_m2=row["area_m2"],
        monthly_rent_fen=row["monthly_rent_fen"],
    )


def lease_out(row: dict[str, Any]) -> LeaseOut:
    return LeaseOut(
        id=row["id"],
        unit_id=row["unit"],
        tenant_id=row["tenant"],
        starts_on=row["starts_on"],
        ends_on=row["ends_on"],
        application_id=row["application"],
    )


def _date(value: str | None, field: str) -> date | None:
    if value is None or value == "":
        return None
    try:
        return date.fromisoformat(value)
    except ValueError:
        raise ValidationFailed.on(field, "Use a date like 2027-01-01.") from None


class UnitController(Controller):
    path = "/api/v1/units"
    tags = ["space"]
    guards = [manager_only]

    @get("", summary="Units; with vacant_from and vacant_to, only those with no lease in [from, to)")
    async def list_units(
        self,
        request: Request,
        building_id: FromQuery[int | None] = None,
        kind: FromQuery[str | None] = None,
        vacant_from: FromQuery[str | None] = None,
        vacant_to: FromQuery[str | None] = None,
        limit: FromQuery[int | None] = None,
        offset: FromQuery[int | None] = None,
    ) -> Page[UnitOut]:
        limit, offset = paging(limit, offset)
        rows, total = await units.list_units(
            caller(request),
            building_id=building_id,
            kind=kind,
            vacant_from=_date(vacant_from, "vacant_from"),
            vacant_to=_date(vacant_to, "vacant_to"),
            limit=limit,
            offset=offset,
        )
        return Page(items=[unit_out(row) for row in rows], total=total)

    @post("", summary="Add a unit")
    async def create_unit(self, request: Request, data: JSONBody[UnitIn]) -> UnitOut:
        row = await units.create_unit(caller(request), units.UnitInput(**msgspec.structs.asdict(data)), utc_now())
        return unit_out(row)

    @get("/{unit_id:int}", summary="One unit")
    async def get_unit(self, request: Request, unit_id: FromPath[int]) -> UnitOut:
        return unit_out(await units.get_unit(caller(request), unit_id))


class LeaseController(Controller):
    path = "/api/v1/leases"
    tags = ["space"]

    @get("", guards=[signed_in], summary="Leases (a firm sees its own)")
    async def list_leases(
        self,
        request: Request,
        unit_id: FromQuery[int | None] = None,
        tenant_id: FromQuery[int | None] = None,
        active_on: FromQuery[str | None] = None,
        limit: FromQuery[int | None] = None,
        offset: FromQuery[int | None] = None,
    ) -> Page[LeaseOut]:
        limit, offset = paging(limit, offset)
        rows, total = await units.list_leases(
            caller(request),
            unit_id=unit_id,
            tenant_id=tenant_id,
            active_on=_date(active_on, "active_on"),
            limit=limit,
            offset=offset,
        )
        return Page(items=[lease_out(row) for row in rows], total=total)

    @post("", guards=[manager_only], summary="Lease a unit to a firm over [starts_on, ends_on); an overlap → 409")
    async def create_lease(self, request: Request, data: JSONBody[LeaseIn]) -> LeaseOut:
        row = await units.create_lease(caller(request), units.LeaseInput(**msgspec.structs.asdict(data)), utc_now())
        return lease_out(row)


ROUTES: list[Any] = [UnitController, LeaseController]
