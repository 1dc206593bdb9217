"""Space reads: leasable and leased area by building and unit kind, leases ending, unmet demand."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, timedelta

from park.reports.space import SpaceGroup
from park.shared.db import fetch
from park.reports.queries import as_date


async def space_groups(on: date) -> list[SpaceGroup]:
    """Leasable and leased m² per building and unit kind on a date."""
    rows = await fetch(
        "SELECT u.building AS building_id, MIN(bu.name) AS building_name, MIN(bu.name_en) AS building_name_en, u.kind AS kind, "
        "SUM(u.area_m2) AS leasable_m2, "
        "SUM(CASE WHEN l.id IS NULL THEN 0 ELSE u.area_m2 END) AS leased_m2, "
        "COUNT(*) AS unit_count, SUM(CASE WHEN l.id IS NULL THEN 0 ELSE 1 END) AS leased_count "
        "FROM space_unit u JOIN building bu ON bu.id = u.building "
        # Leases of one unit never overlap, so at most one is live on a date.
        "LEFT JOIN space_lease l ON l.id = (SELECT l2.id FROM space_lease l2 "
        "WHERE l2.unit = u.id AND l2.starts_on <= $1 AND l2.ends_on > $1 LIMIT 1) "
        "GROUP BY u.building, u.kind",
        on,
    )
    return [
        SpaceGroup(
            building_id=int(row["building_id"]),
            building_name=row["building_name"] or "",
            kind=row["kind"],
            leasable_m2=float(row["leasable_m2"] or 0),
            leased_m2=float(row["leased_m2"] or 0),
            unit_count=int(row["unit_count"] or 0),
            leased_count=int(row["leased_count"] or 0),
            building_name_en=row["building_name_en"] or "",
        )
        for row in rows
    ]


@dataclass(frozen=True)
class LeaseEnding:
    lease_id: int
    unit_code: str
    building_name: str
    tenant_id: int
    tenant_name: str
    area_m2: float
    ends_on: date
    building_name_en: str = ""
    tenant_name_en: str = ""


async def leases_ending(on: date, within_days: int = 90) -> list[LeaseEnding]:
    """Leases live on `on` that end within the next `within_days` days, soonest first."""
    until = on + timedelta(days=within_days)
    rows = await fetch(
        "SELECT l.id AS id, u.code AS code, bu.name AS building_name, bu.name_en AS building_name_en, "
        "l.tenant AS tenant_id, t.name AS tenant_name, t.name_en AS tenant_name_en, u.area_m2 AS area_m2, l.ends_on AS ends_on "
        "FROM space_lease l JOIN space_unit u ON u.id = l.unit "
        "JOIN building bu ON bu.id = u.building "
        "JOIN tenant t ON t.id = l.tenant "
        "WHERE l.starts_on <= $1 AND l.ends_on > $1 AND l.ends_on <= $2 "
        "ORDER BY l.ends_on, l.id",
        on,
        until,
    )
    return [
        LeaseEnding(
            lease_id=int(row["id"]),
            unit_code=row["code"],
            building_name=row["building_name"] or "",
            tenant_id=int(row["tenant_id"]),
            tenant_name=row["tenant_name"] or "",
            area_m2=float(row["area_m2"] or 0),
            ends_on=as_date(row["ends_on"]),
            building_name_en=row["building_name_en"] or "",
            tenant_name_en=row["tenant_name_en"] or "",
        )
        for row in rows
    ]


@dataclass(frozen=True)
class UnmetDemand:
    unit_kind: str
    applications: int
    min_area_m2: float
    max_area_m2: float


async def unmet_demand() -> list[UnmetDemand]:
    """Applications still waiting for space (open, or left unhoused by a round) per unit kind."""
    rows = await fetch(
        "SELECT unit_kind, COUNT(*) AS n, SUM(min_area_m2) AS min_m2, SUM(max_area_m2) AS max_m2 "
        "FROM space_application WHERE status IN ('open', 'unallocated') "
        "GROUP BY unit_kind ORDER BY unit_kind"
    )
    return [
        UnmetDemand(
            unit_kind=row["unit_kind"],
            applications=int(row["n"]),
            min_area_m2=float(row["min_m2"] or 0),
            max_area_m2=float(row["max_m2"] or 0),
        )
        for row in rows
    ]
