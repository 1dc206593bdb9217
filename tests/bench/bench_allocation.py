"""Benchmark: one allocation round of 5,000 applications over 2,000 units.

Run from the repository root:

    .venv/bin/python tests/bench/bench_allocation.py [--seed 2026] [--applications 5000] [--units 2000]
    .venv/bin/python tests/bench/bench_allocation.py --shape nested
    .venv/bin/python tests/bench/bench_allocation.py --database

It builds a seeded random round (five unit kinds, twelve buildings, about a
fifth of the units already leased for part of the period, scores 0-150 with
many ties, a third of the applicants naming preferred buildings), runs
`allocate` once and prints the time of each step and the outcome. The same
seed always builds the same round and gives the same result.

`--shape nested` builds a harder round instead: one kind, one building,
every applicant asking for anything from the smallest unit up to a random
bound, so the small units are wanted by everyone and higher-ranked firms must
keep giving way to narrower ones. It exercises the search the most.

`--database` runs the same random round end to end through the service on a
throw-away SQLite file: the firms, units, leases and open applications are
stored first, then `run_allocation_round` rescores every application, allocates
and stores the proposal with its explanations; the time of that call is printed.
"""

from __future__ import annotations

import argparse
import random
import sys
import time
from datetime import date, datetime, timedelta, timezone
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[2]))

from park.allocation.model import UNIT_KINDS, Application, Lease, Unit  # noqa: E402
from park.priority.parser import load_policy  # noqa: E402
from park.allocation.rules import allocate  # noqa: E402

POLICY_PATH = Path(__file__).resolve().parents[2] / "config" / "priority.toml"


def build_round(seed: int, application_count: int, unit_count: int):
    rng = random.Random(seed)
    buildings = list(range(1, 13))
    units = [
        Unit(
            id=i,
            building_id=rng.choice(buildings),
            kind=rng.choice(UNIT_KINDS),
            area_m2=float(rng.randrange(30, 800, 5)),
            code=f"U{i:05d}",
        )
        for i in range(1, unit_count + 1)
    ]
    leases = []
    for unit in units:
        if rng.random() < 0.2:
            start = date(2026, 1, 1) + timedelta(days=rng.randrange(0, 700))
            leases.append(Lease(unit.id, start, start + timedelta(days=rng.randrange(90, 900))))
    base = datetime(2026, 10, 1, tzinfo=timezone.utc)
    applications = []
    for i in range(1, application_count + 1):
        low = float(rng.randrange(30, 600, 10))
        prefs = tuple(rng.sample(buildings, rng.randint(1, 4))) if rng.random() < 0.33 else ()
        applications.append(
            Application(
                id=i,
                tenant_id=i,
                unit_kind=rng.choice(UNIT_KINDS),
                min_area_m2=low,
                max_area_m2=low + rng.randrange(20, 400, 10),
                start_date=date(2027, 1, 1) + timedelta(days=rng.randrange(0, 180)),
                term_months=rng.choice((12, 24, 36)),
                score=rng.randrange(0, 151, 5),
                submitted_at=base + timedelta(minutes=rng.randrange(0, 60 * 24 * 30)),
                preferred_building_ids=prefs,
                tenant_name=f"Firm {i}",
            )
        )
    return applications, units, leases


def build_nested_round(seed: int, application_count: int, unit_count: int):
    rng = random.Random(seed)
    units = [Unit(id=i, building_id=1, kind="office", area_m2=float(i), code=f"U{i:05d}") for i in range(1, unit_count + 1)]
    base = datetime(2026, 10, 1, tzinfo=timezone.utc)
    applications = [
        Application(
            id=i,
            tenant_id=i,
            unit_kind="office",
            min_area_m2=1.0,
            max_area_m2=float(rng.randrange(1, unit_count + 1)),
            start_date=date(2027, 1, 1),
            term_months=12,
            score=rng.randrange(3),
            submitted_at=base + timedelta(seconds=i),
            tenant_name=f"Firm {i}",
        )
        for i in range(1, application_count + 1)
    ]
    return applications, units, []


async def store_round(applications, units, leases, sector_of=lambda application: "animation_games"):
    """Write a generated round (buildings, firms, units, leases, open applications) into the open database."""
    from park.allocation.tables import Lease as LeaseRow
    from park.allocation.tables import SpaceApplication
    from park.allocation.tables import Unit as UnitRow
    from park.facilities.tables import Building
    from park.tenants.tables import Tenant

    building_ids = {}
    for number in sorted({u.building_id for u in units} | {b for a in applications for b in a.preferred_building_ids}):
        rows = await Building.insert(Building(name=f"楼 {number}", name_en=f"Building {number}", code=f"B{number}")).returning(Building.id)
        building_ids[number] = rows[0]["id"]
    tenant_rows = await Tenant.insert(
        *[Tenant(name=f"企业{a.id}", name_en=f"Firm {a.id}", uscc=f"{a.id:018d}", sector=sector_of(a),
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


async def run_through_database(applications, units, leases) -> float:
    """Store the round in a fresh SQLite file and time `run_allocation_round` on it."""
    import os
    import tempfile

    folder = tempfile.mkdtemp(prefix="park-bench-")
    os.environ["PARK_DATABASE_URL"] = f"sqlite:///{folder}/bench.db"
    from park.shared.actor import Actor
    from park.allocation import rounds
    from park.priority.service import current_policy
    from park.settings import load_settings
    from park.shared.db import open_database
    from park.shared.migrate import upgrade_database

    settings = load_settings()
    await upgrade_database()
    await open_database(settings)
    await store_round(applications, units, leases)
    manager = Actor(id=0, email="bench@park.test", name="Bench", role="manager", tenant_id=None)
    started = time.perf_counter()
    await rounds.run_allocation_round(manager, datetime(2026, 11, 25, tzinfo=timezone.utc), settings.zone, current_policy(settings))
    return time.perf_counter() - started


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--seed", type=int, default=2026)
    parser.add_argument("--applications", type=int, default=5000)
    parser.add_argument("--units", type=int, default=2000)
    parser.add_argument("--shape", choices=("random", "nested"), default="random")
    parser.add_argument("--database", action="store_true", help="also run the round through the service on SQLite")
    args = parser.parse_args()
    policy = load_policy(POLICY_PATH)
    build = build_nested_round if args.shape == "nested" else build_round
    t0 = time.perf_counter()
    applications, units, leases = build(args.seed, args.applications, args.units)
    t1 = time.perf_counter()
    result = allocate(applications, units, leases, policy)
    t2 = time.perf_counter()
    housed = sum(1 for a in result.assignments if a.unit_id is not None)
    print(
        f"round: {len(applications)} applications, {len(units)} units, {len(leases)} leases "
        f"(shape {args.shape}, seed {args.seed}, policy {policy.version})"
    )
    print(f"built in {t1 - t0:.2f} s; allocated in {t2 - t1:.2f} s")
    print(f"housed {housed}; not housed {len(applications) - housed}")
    if args.database:
        import asyncio

        seconds = asyncio.run(run_through_database(applications, units, leases))
        print(f"through the service on SQLite (rescore, allocate, store the proposal): {seconds:.2f} s")


if __name__ == "__main__":
    main()
