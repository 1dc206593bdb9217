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

from bench_allocation import build_round, store_round  # noqa: E402


async def run(applications, units, leases) -> None:
    folder = tempfile.mkdtemp(prefix="park-bench-")
    os.environ["PARK_DATABASE_URL"] = f"sqlite:///{folder}/bench.db"
    from park.shared.actor import Actor
    from park.allocation import simulation
    from park.priority.service import current_policy, document_in_force
    from park.tenants.rules import SECTORS
    from park.piccolo_app import APP_CONFIG
    from park.settings import load_settings
    from park.shared.db import open_database
    from park.shared.migrate import upgrade_database

    settings = load_settings()
    await upgrade_database()
    await open_database(settings)
    await store_round(applications, units, leases, sector_of=lambda a: SECTORS[a.id % len(SECTORS)])
    document = copy.deepcopy(document_in_force(settings))
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
