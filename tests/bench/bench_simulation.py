"""Benchmark: a what-if round of 5,000 applications over 2,000 units, through the service on SQLite.

Run from the repository root:

    .venv/bin/python tests/bench/bench_simulation.py [--seed 2026] [--applications 5000] [--units 2000]

It stores the seeded random round of `bench_allocation.py` (firms spread over the
eleven sectors) in a throw-away SQLite file, then times `simulate_round` with an
edited policy (cultural tourism raised to 60 points): one read of the open
applications, facts, units and leases; both rounds (the policy in force and the
edited one) scored and allocated; their differences and housed area by sector
and qualification. It checks that no table changed and prints the figures.
"""

from __future__ import annotations

import argparse
import asyncio
import copy
import os
import sys
import tempfile
import time
from datetime import datetime, timezone
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[2]))
sys.path.insert(0, str(Path(__file__).resolve().parent))

from bench_allocation import build_round  # noqa: E402


async def run(applications, units, leases) -> None:
    folder = tempfile.mkdtemp(prefix="park-bench-")
    os.environ["PARK_DATABASE_URL"] = f"sqlite:///{folder}/bench.db"
    from park.accounts.model import Actor
    from park.allocation import simulation
    from park.allocation.model import SECTORS
    from park.allocation.policy import current_policy
    from park.allocation.tables import Lease as LeaseRow
    from park.allocation.tables import SpaceApplication
    from park.allocation.tables import Unit as UnitRow
    from park.facilities.tables import Building
    from park.piccolo_app import APP_CONFIG
    from park.settings import load_settings
    from park.shared.db import open_database
    from park.shared.migrate import upgrade_database
    from park.tenants.tables import Tenant

    settings = load_settings()
    await upgrade_database()
    await open_database(settings)
    building_ids = {}
    for number in sorted({u.building_id for u in units} | {b for a in applications for b in a.preferred_building_ids}):
        rows = await Building.insert(Building(name=f"楼 {number}", name_en=f"Building {number}", code=f"B{number}")).returning(Building.id)
        building_ids[number] = rows[0]["id"]
    tenant_rows = await Tenant.insert(
        *[Tenant(name=f"企业{a.id}", name_en=f"Firm {a.id}", uscc=f"{a.id:018d}", sector=SECTORS[a.id % len(SECTORS)],
                 staff_count=50, rd_staff_count=a.id % 50, ip_count=a.id % 20) for a in applications]
    ).returning(Tenant.id)
    unit_rows = await UnitRow.insert(
        *[UnitRow(building=building_ids[u.building_id], floor=1, code=u.code, kind=u.kind, area_m2=u.area_m2) for u in units]
    ).returning(UnitRow.id)
    unit_id = {u.id: row["id"] for u, row in zip(units, unit_rows)}
    if leases:
        await LeaseRow.insert(
            *[LeaseRow(unit=unit_id[x.unit_id], tenant=tenant_rows[0]["id"], starts_on=x.starts_on, ends_on=x.ends_on) for x in leases]
        )
    await SpaceApplication.insert(
        *[SpaceApplication(tenant=row["id"], unit_kind=a.unit_kind, min_area_m2=a.min_area_m2, max_area_m2=a.max_area_m2,
                           preferred_building_ids=[building_ids[b] for b in a.preferred_building_ids],
                           start_date=a.start_date, term_months=a.term_months, status="open", submitted_at=a.submitted_at)
          for a, row in zip(applications, tenant_rows)]
    )
    document = copy.deepcopy(simulation.document_in_force(settings))
    document["version"] += "-whatif"
    document["sectors"]["cultural_tourism"]["points"] = 60
    edited = simulation.edited_policy(document)
    tables = APP_CONFIG.table_classes
    before = {t._meta.tablename: await t.count() for t in tables}
    manager = Actor(id=0, email="bench@park.test", name="Bench", role="manager", tenant_id=None)
    started = time.perf_counter()
    result = await simulation.simulate_round(
        manager, datetime(2026, 11, 25, tzinfo=timezone.utc), settings.zone, current_policy(settings), edited
    )
    seconds = time.perf_counter() - started
    after = {t._meta.tablename: await t.count() for t in tables}
    changes: dict[str, int] = {}
    for d in result["differences"]:
        changes[d.change] = changes.get(d.change, 0) + 1
    print(f"simulation: {result['application_count']} applications, {result['unit_count']} units, {len(leases)} leases")
    print(f"simulated in {seconds:.2f} s (read, two rounds scored and allocated, differences, area splits)")
    print(f"housed {result['current_housed_count']} under {result['current_policy_version']}, "
          f"{result['housed_count']} under {result['policy_version']}; differences: {len(result['differences'])} {changes}")
    print("rows unchanged in every table:", before == after)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--seed", type=int, default=2026)
    parser.add_argument("--applications", type=int, default=5000)
    parser.add_argument("--units", type=int, default=2000)
    args = parser.parse_args()
    asyncio.run(run(*build_round(args.seed, args.applications, args.units)))


if __name__ == "__main__":
    main()
