"""Benchmark: issuing November 2026's statements for 500 firms over 100,000 bookings.

Run from the repository root:

    .venv/bin/python tests/bench/bench_statements.py                      # SQLite
    .venv/bin/python tests/bench/bench_statements.py --database postgres \\
        --postgres-url postgresql://postgres@127.0.0.1:5432/postgres
    .venv/bin/python tests/bench/bench_statements.py --firms 100 --bookings 20000   # a quicker look

It reuses bench_reports.py's seeded park (1,000 facilities of every kind,
bookings in every status across November, a tenth around it), with N firms
instead of 200 and one leased unit per firm (some leases starting mid-month, so
rent is prorated), then times `issue_statements` for the month: every firm's
lines priced, subsidised under config/priority.toml and stored once.
"""

from __future__ import annotations

import argparse
import asyncio
import os
import sys
import time
from datetime import date
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
import bench_reports  # noqa: E402  (same folder; puts the repository on sys.path too)

ZONE = bench_reports.ZONE


async def load_firms_and_leases(firms: int) -> None:
    from park.allocation.tables import Lease, Unit
    from park.facilities.tables import Building
    from park.tenants.tables import Tenant

    have = await Tenant.count()
    if firms > have:
        await Tenant.insert(*[
            Tenant(name=f"企业{n}", name_en=f"Firm {n}", uscc=f"91440300{n:09d}Y",
                   sector=bench_reports.SECTORS[n % len(bench_reports.SECTORS)])
            for n in range(have, firms)
        ])
    building = (await Building.select(Building.id).first())["id"]
    tenants = [row["id"] for row in await Tenant.select(Tenant.id).order_by(Tenant.id)]
    await Unit.insert(*[Unit(building=building, floor=1 + n % 20, code=f"U{n}", kind="office",
                             area_m2=100.0, monthly_rent_fen=1_000_000 + 1000 * n) for n in range(len(tenants))])
    units = [row["id"] for row in await Unit.select(Unit.id).order_by(Unit.id)]
    await Lease.insert(*[
        Lease(unit=unit, tenant=tenant, starts_on=date(2026, 11, 1 + n % 28) if n % 5 == 0 else date(2026, 1, 1),
              ends_on=date(2027, 12, 31))
        for n, (unit, tenant) in enumerate(zip(units, tenants))
    ])


async def bench(database: str, firms: int, count: int, seed: int, postgres_url: str) -> None:
    from datetime import datetime, timezone

    from park.priority.parser import load_policy
    from park.billing.service import issue_statements
    from park.reports.periods import parse_period
    from park.settings import CONFIG_DIR, load_settings
    from park.shared.db import bind_engine, close_database, make_engine, open_database, fetch
    from park.shared.migrate import upgrade_database

    import tempfile, shutil  # noqa: E401

    folder = tempfile.mkdtemp(prefix="park-bench-")
    url = f"sqlite:///{folder}/bench.db" if database == "sqlite" else None
    name = f"park_bench_st_{os.getpid()}"
    if database == "postgres":
        import asyncpg

        admin = await asyncpg.connect(postgres_url)
        await admin.execute(f'DROP DATABASE IF EXISTS "{name}"')
        await admin.execute(f'CREATE DATABASE "{name}"')
        await admin.close()
        url = postgres_url.rsplit("/", 1)[0] + f"/{name}"
    settings = load_settings(environ={**os.environ, "PARK_DATABASE_URL": url})
    bind_engine(make_engine(settings))
    engine = await open_database(settings)
    try:
        await upgrade_database()
        await bench_reports.load_park(count, count // 10, seed, database == "sqlite")
        await load_firms_and_leases(firms)
        policy = load_policy(CONFIG_DIR / "priority.toml")
        now = datetime(2026, 12, 1, 0, 45, tzinfo=ZONE).astimezone(timezone.utc)
        started = time.perf_counter()
        issued = await issue_statements(parse_period("monthly", "2026-11"), now, ZONE, policy)
        seconds = time.perf_counter() - started
        [totals] = await fetch("SELECT COUNT(*) AS n, SUM(amount_fen) AS amount, SUM(subsidy_fen) AS subsidy "
                                 "FROM statement")
        [lines] = await fetch("SELECT COUNT(*) AS n FROM statement_line")
    finally:
        await close_database(engine)
        shutil.rmtree(folder, ignore_errors=True)
        if database == "postgres":
            import asyncpg

            connection = await asyncpg.connect(postgres_url)
            await connection.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
            await connection.close()
    print(f"\n{database}: {issued} statements for 2026-11 ({firms} firms, {count:,} bookings in the month "
          f"+{count // 10:,} around it, seed {seed})")
    print(f"  issued in {seconds:.2f} s ({lines['n']:,} lines; billed {int(totals['amount']) / 100:,.2f} yuan, "
          f"subsidised {int(totals['subsidy']) / 100:,.2f} yuan)")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--database", choices=("sqlite", "postgres"), default="sqlite")
    parser.add_argument("--firms", type=int, default=500)
    parser.add_argument("--bookings", type=int, default=100_000)
    parser.add_argument("--seed", type=int, default=2026)
    parser.add_argument("--postgres-url", default=os.environ.get(
        "PARK_BENCH_POSTGRES_URL", "postgresql://postgres@127.0.0.1:5432/postgres"))
    args = parser.parse_args()
    asyncio.run(bench(args.database, args.firms, args.bookings, args.seed, args.postgres_url))
    print("\nReproduce with:\n  .venv/bin/python tests/bench/bench_statements.py " + " ".join(sys.argv[1:]))


if __name__ == "__main__":
    main()
