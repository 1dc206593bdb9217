"""Benchmark: one allocation round of 5,000 applications over 2,000 units.

Run from the repository root:

    .venv/bin/python tests/bench/bench_allocation.py [--seed 2026] [--applications 5000] [--units 2000]
    .venv/bin/python tests/bench/bench_allocation.py --shape nested

It builds a seeded random round (five unit kinds, twelve buildings, about a
fifth of the units already leased for part of the period, scores 0-150 with
many ties, a third of the applicants naming preferred buildings), runs
`allocate` once and prints the time of each step and the outcome. The same
seed always builds the same round and gives the same result.

`--shape nested` builds a harder round instead: one kind, one building,
every applicant asking for anything from the smallest unit up to a random
bound, so the small units are wanted by everyone and higher-ranked firms must
keep giving way to narrower ones. It exercises the search the most.
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
from park.allocation.policy import load_policy  # noqa: E402
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


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--seed", type=int, default=2026)
    parser.add_argument("--applications", type=int, default=5000)
    parser.add_argument("--units", type=int, default=2000)
    parser.add_argument("--shape", choices=("random", "nested"), default="random")
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


if __name__ == "__main__":
    main()
