"""Stored buildings, units and leases for allocation tests."""

from __future__ import annotations

import secrets
from datetime import date
from typing import Any


async def create_building(**overrides: Any) -> dict[str, Any]:
    from park.facilities.tables import Building

    code = overrides.pop("code", f"T{secrets.token_hex(3).upper()}")
    building = Building(name=overrides.pop("name", f"测试楼 {code}"), name_en=f"Test Building {code}", code=code, **overrides)
    await building.save()
    return building.to_dict()


async def create_unit(building_id: int, **overrides: Any) -> dict[str, Any]:
    from park.allocation.tables import Unit

    values = {
        "building": building_id,
        "floor": 3,
        "code": f"U-{secrets.token_hex(3).upper()}",
        "kind": "office",
        "area_m2": 120.0,
        "monthly_rent_fen": 1_200_000,
    } | overrides
    unit = Unit(**values)
    await unit.save()
    return unit.to_dict()


async def create_lease(unit_id: int, tenant_id: int, starts_on: date, ends_on: date) -> dict[str, Any]:
    from park.allocation.tables import Lease

    lease = Lease(unit=unit_id, tenant=tenant_id, starts_on=starts_on, ends_on=ends_on)
    await lease.save()
    return lease.to_dict()


async def qualify(tenant_id: int, *kinds: str, valid_until: date | None = None) -> None:
    from park.tenants.tables import QualificationRecord

    for kind in kinds:
        await QualificationRecord(tenant=tenant_id, kind=kind, valid_until=valid_until).save()


def application_body(**overrides: Any) -> dict[str, Any]:
    return {
        "unit_kind": "office",
        "min_area_m2": 80,
        "max_area_m2": 200,
        "preferred_building_ids": [],
        "start_date": "2031-01-01",
        "term_months": 24,
        "justification": "We are growing our animation team.",
    } | overrides
