"""Benchmark: the monthly occupancy report over 1,000,000 bookings, on SQLite and PostgreSQL.

Run from the repository root:

    .venv/bin/python tests/bench/bench_reports.py                       # both databases
    .venv/bin/python tests/bench/bench_reports.py --database sqlite
    .venv/bin/python tests/bench/bench_reports.py --database postgres \\
        --postgres-url postgresql://postgres@127.0.0.1:5432/postgres
    .venv/bin/python tests/bench/bench_reports.py --bookings 100000     # a quicker look

For each database it makes a fresh, throw-away database (a temporary SQLite
file, or a new PostgreSQL database on the server named by --postgres-url,
dropped afterwards), applies the migrations, and loads a seeded park: 12
buildings, 1,000 facilities of every kind (rooms and studios of one seat,
the rest 2 to 40 seats; open 08:00-22:00 every day, labs round the clock),
200 tenants, and N bookings starting in November 2026 (park time,
Asia/Shanghai) plus a tenth as many in October and December, some overnight
across midnight and the month's ends, in every status. Then it times what the
monthly snapshot does, each step separately, and the whole snapshot:

- utilization by facility, by kind and by tenant (SQL sums over the month);
- the weekday x hour heat map and daily series (SQL sums per hour);
- no-show and cancellation rates (SQL counts);
- the full monthly snapshot data from the raw bookings (all of the above, plus space figures);
- the fold of the load into the per-day sums (the scheduled job, not part of a snapshot);
- the monthly snapshot from the per-day sums (what the snapshot job does), checked
  equal to the raw one, and again after one booking changed (that day folded first).

The same seed always loads the same bookings, and the report figures printed
at the end let two runs be compared. Loading is not timed as part of the
report (it uses COPY on PostgreSQL and executemany on SQLite).
"""

from __future__ import annotations

import argparse
import asyncio
import os
import random
import secrets
import sys
import tempfile
import time
from datetime import datetime, timedelta, timezone
from pathlib import Path
from zoneinfo import ZoneInfo

ROOT = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(ROOT))

ZONE = ZoneInfo("Asia/Shanghai")
KINDS = ("lab", "equipment", "studio", "meeting_room", "event_hall", "workstation")
SECTORS = ("creative_design", "animation_games", "digital_publishing", "news_media", "new_media")
# Weighted so most bookings are live ones, as in a real month.
STATUSES = ["confirmed"] * 3 + ["completed"] * 10 + ["checked_in"] + ["cancelled"] * 2 + ["no_show"] + [
    "rejected",
    "expired",
]
WEEK = ("mon", "tue", "wed", "thu", "fri", "sat", "sun")
OPEN_HOURS = {day: [["08:00", "22:00"]] for day in WEEK}
ROUND_THE_CLOCK = {day: [["00:00", "24:00"]] for day in WEEK}
FACILITIES = 1000
MONTH_START = datetime(2026, 11, 1, tzinfo=ZONE).astimezone(timezone.utc)
MONTH_END = datetime(2026, 12, 1, tzinfo=ZONE).astimezone(timezone.utc)


def booking_rows(count: int, outside: int, facilities: list[tuple[int, int, str]], tenants: list[int],
                 user_id: int, seed: int):
    """(facility, tenant, user, starts_at, ends_at, seats, status) tuples, seeded.

    Facilities are picked in proportion to their capacity and bookings start
    inside opening hours, so the month comes out about half booked, as a busy
    park would; one booking in fifty is an overnight lab run across midnight.
    """
    rng = random.Random(seed)
    weights = [capacity for _, capacity, _ in facilities]
    labs = [facility for facility in facilities if facility[2] == "lab"]
    picks = rng.choices(facilities, weights=weights, k=count + outside)
    local_month_start = datetime(2026, 11, 1, 8, tzinfo=ZONE)
    rows = []
    for index in range(count + outside):
        facility_id, capacity, _kind = picks[index]
        if index < count:
            day = rng.randrange(30)
        else:  # mid-October or mid-December, so the report must pick the month out
            day = -rng.randrange(1, 15) if index % 2 else 30 + rng.randrange(15)
        if rng.random() < 0.02:
            facility_id, capacity, _kind = labs[rng.randrange(len(labs))]
            starts_local = local_month_start + timedelta(days=day, hours=12 + rng.randrange(4))
            duration = timedelta(hours=rng.randrange(6, 13))
        else:
            starts_local = local_month_start + timedelta(days=day, minutes=30 * rng.randrange(22))
            duration = timedelta(minutes=30 * rng.randrange(1, 9))
        starts_at = starts_local.astimezone(timezone.utc)
        ends_at = starts_at + duration
        seats = 1 if capacity == 1 else rng.randrange(1, min(capacity, 4) + 1)
        rows.append((facility_id, tenants[rng.randrange(len(tenants))], user_id, starts_at, ends_at, seats,
                     STATUSES[rng.randrange(len(STATUSES))]))
    return rows


async def load_park(count: int, outside: int, seed: int, is_sqlite: bool) -> None:
    import json

    from park.accounts.tables import User
    from park.facilities.tables import Building, Facility
    from park.shared.db import current_engine
    from park.tenants.tables import Tenant

    rng = random.Random(seed)
    buildings = []
    for number in range(1, 13):
        building = Building(name=f"{number}号楼", name_en=f"Building {number}", code=f"B{number}")
        await building.save()
        buildings.append(building.id)
    new_facilities = []
    for number in range(FACILITIES):
        kind = KINDS[number % len(KINDS)]
        capacity = 1 if kind in ("meeting_room", "studio") else rng.randrange(2, 41)
        new_facilities.append(Facility(
            name=f"设施{number}", name_en=f"Facility {number}", kind=kind,
            building=buildings[number % len(buildings)], platform=f"Platform {number % 7}",
            capacity=capacity,
            opening_hours=json.loads(json.dumps(ROUND_THE_CLOCK if kind == "lab" else OPEN_HOURS)),
        ))
    await Facility.insert(*new_facilities)
    facilities = [
        (row["id"], row["capacity"], row["kind"])
        for row in await Facility.select(Facility.id, Facility.capacity, Facility.kind).order_by(Facility.id)
    ]
    await Tenant.insert(*[
        Tenant(name=f"企业{number}", name_en=f"Firm {number}", uscc=f"91440300{number:09d}X",
               sector=SECTORS[number % len(SECTORS)])
        for number in range(200)
    ])
    tenants = [row["id"] for row in await Tenant.select(Tenant.id).order_by(Tenant.id)]
    user = User(email="bench@park.test", name="Bench", password_hash="x", role="manager",
                calendar_token=secrets.token_hex(16))
    await user.save()

    rows = booking_rows(count, outside, facilities, tenants, user.id, seed)
    created = MONTH_START - timedelta(days=30)
    engine = current_engine()
    if is_sqlite:
        import sqlite3

        connection = sqlite3.connect(engine.path)
        # Piccolo keeps Timestamptz on SQLite as str() of the UTC datetime.
        connection.executemany(
            "INSERT INTO booking (facility, tenant, user, starts_at, ends_at, occupied_until, exclusive, seats, "
            "purpose, status, created_at, status_reason) VALUES (?, ?, ?, ?, ?, ?, 0, ?, '', ?, ?, '')",
            [
                (f, t, u, str(s), str(e), str(e), seats, status, str(created))
                for f, t, u, s, e, seats, status in rows
            ],
        )
        connection.commit()
        connection.execute("ANALYZE")
        connection.close()
    else:
        connection = await engine.get_new_connection()
        try:
            await connection.copy_records_to_table(
                "booking",
                records=[(f, t, u, s, e, e, False, seats, "", status, created, "")
                         for f, t, u, s, e, seats, status in rows],
                columns=["facility", "tenant", "user", "starts_at", "ends_at", "occupied_until", "exclusive",
                         "seats", "purpose", "status", "created_at", "status_reason"],
                timeout=3600,  # not the app's command timeout: a million rows through the change trigger
            )
            await connection.execute("ANALYZE", timeout=3600)
        finally:
            await connection.close()


async def timed(label: str, results: list[tuple[str, float]], coroutine):
    started = time.perf_counter()
    value = await coroutine
    results.append((label, time.perf_counter() - started))
    return value


async def run_reports() -> tuple[list[tuple[str, float]], dict]:
    from park.reports import day_sums, service
    from park.reports import snapshots
    from park.reports.periods import Window, parse_period

    period = parse_period("monthly", "2026-11")
    window = Window(*period.bounds(ZONE))
    results: list[tuple[str, float]] = []
    opened = await timed(f"open seat-hours ({FACILITIES:,} facilities)", results, service.open_facilities(window, ZONE))
    by_facility = await timed("utilization by facility", results,
                              service.build_occupancy_report(window, "facility", ZONE, opened=opened))
    await timed("utilization by kind", results, service.build_occupancy_report(window, "kind", ZONE, opened=opened))
    await timed("utilization by tenant", results,
                service.build_occupancy_report(window, "tenant", ZONE, opened=opened))
    await timed("heat map and daily series", results, service.build_time_profile(window, ZONE, opened))
    await timed("no-show and cancellation rates", results, service.booking_rates(window))
    raw = await timed("whole snapshot from raw bookings", results,
                      snapshots.snapshot_data(period, ZONE, from_sums=False))
    assert raw["totals"] == by_facility.totals.as_dict()
    # The scheduled fold_report_sums job: after the bulk load, every day is pending.
    await timed("fold job after the load (not a snapshot)", results, day_sums.fold_changes(ZONE))
    data = await timed("whole monthly snapshot (day sums)", results, snapshots.snapshot_data(period, ZONE))
    assert data["totals"] == raw["totals"], (data["totals"], raw["totals"])
    # One booking changed: the next snapshot folds that day first.
    from park.shared.db import fetch

    await fetch("UPDATE booking SET status = 'cancelled' WHERE id = (SELECT MIN(id) FROM booking "
                "WHERE status = 'confirmed')")
    await timed("snapshot after one booking changed", results, snapshots.snapshot_data(period, ZONE))
    return results, data


async def bench(database: str, count: int, outside: int, seed: int, postgres_url: str) -> None:
    from park.settings import load_settings
    from park.shared.db import bind_engine, close_database, make_engine, open_database
    from park.shared.migrate import upgrade_database

    cleanup = None
    if database == "sqlite":
        folder = tempfile.mkdtemp(prefix="park-bench-")
        url = f"sqlite:///{folder}/bench.db"

        def cleanup() -> None:
            import shutil

            shutil.rmtree(folder, ignore_errors=True)
    else:
        import asyncpg

        name = f"park_bench_{os.getpid()}"
        admin = await asyncpg.connect(postgres_url)
        await admin.execute(f'DROP DATABASE IF EXISTS "{name}"')
        await admin.execute(f'CREATE DATABASE "{name}"')
        await admin.close()
        url = postgres_url.rsplit("/", 1)[0] + f"/{name}"

        async def cleanup() -> None:
            connection = await asyncpg.connect(postgres_url)
            await connection.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
            await connection.close()

    settings = load_settings(environ={**os.environ, "PARK_DATABASE_URL": url})
    bind_engine(make_engine(settings))
    engine = await open_database(settings)
    try:
        await upgrade_database()
        started = time.perf_counter()
        await load_park(count, outside, seed, database == "sqlite")
        load_s = time.perf_counter() - started
        results, data = await run_reports()
    finally:
        await close_database(engine)
        if cleanup is not None:
            outcome = cleanup()
            if asyncio.iscoroutine(outcome):
                await outcome
    totals = data["totals"]
    print(f"\n{database}: {count:,} bookings in November 2026 (+{outside:,} around it), seed {seed}")
    print(f"  loaded in {load_s:.1f} s (not part of the report)")
    for label, seconds in results:
        print(f"  {label:<42} {seconds:7.2f} s")
    print(f"  monthly utilization {totals['utilization']:.4f} "
          f"({totals['booked_hours']:,.0f} of {totals['open_hours']:,.0f} open seat-hours booked); "
          f"no-show rate {data['rates']['no_show_rate']}, cancellation rate {data['rates']['cancellation_rate']}")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--database", choices=("sqlite", "postgres", "both"), default="both")
    parser.add_argument("--bookings", type=int, default=1_000_000, help="bookings starting in the month")
    parser.add_argument("--seed", type=int, default=2026)
    parser.add_argument("--postgres-url", default=os.environ.get(
        "PARK_BENCH_POSTGRES_URL", "postgresql://postgres@127.0.0.1:5432/postgres"))
    args = parser.parse_args()
    outside = args.bookings // 10
    databases = ("sqlite", "postgres") if args.database == "both" else (args.database,)
    for database in databases:
        asyncio.run(bench(database, args.bookings, outside, args.seed, args.postgres_url))
    command = "  .venv/bin/python tests/bench/bench_reports.py " + " ".join(sys.argv[1:])
    print(f"\nReproduce with:\n{command.rstrip()}")


if __name__ == "__main__":
    main()
