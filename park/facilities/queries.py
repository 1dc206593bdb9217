"""Catalogue reads: buildings and facilities."""

from __future__ import annotations

from typing import Any

from park.facilities.tables import Building, Facility


async def list_buildings() -> list[dict[str, Any]]:
    return await Building.select().order_by(Building.code)


async def list_facilities(*, building_id: int | None = None, kind: str | None = None) -> list[dict[str, Any]]:
    query = Facility.select().where(Facility.is_active == True)  # noqa: E712
    if building_id is not None:
        query = query.where(Facility.building == building_id)
    if kind:
        query = query.where(Facility.kind == kind)
    return await query.order_by(Facility.building).order_by(Facility.name)
