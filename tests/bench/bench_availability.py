"""Benchmark: availability of every demo facility for one week, with 1,000,000 bookings stored.

Run from the repository root (SQLite in a temporary file by default):

    .venv/bin/python tests/bench/bench_availability.py [--bookings 1000000] [--seed 2026]
    PARK_BENCH_DATABASE_URL=postgresql://postgres@127.0.0.1:5432/postgres \\
        .venv/bin/python tests/bench/bench_availability.py

It creates a fresh database (on PostgreSQL: a new database on that server,
dropped afterwards), applies the migrations, loads the demo base, then adds
seeded bookings until the table holds the requested number: spread over the
demo facilities from four years back to the end of the advance window, on
each facility's slot grid inside its opening hours. It then asks the
availability service (the same call the API makes: one indexed query for the
bookings, one for the blackouts, then the pure slot computation) for every
facility, for next week, and prints the time per facility and in total. The
pure computation alone is timed as well, and so is the time-first search over
every facility at once (GET /api/v1/availability: p50 and p95 of 30 runs).
"""

from __future__ import annotations

import argparse
import asyncio
import os
import random
import secrets
import sqlite3
import statistics
import sys
import tempfile
import time
from datetime import datetime, timedelta, timezone
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[2]))

SERVER_URL = os.environ.get("PARK_BENCH_DATABASE_URL", "")


def make_database() -> tuple[str, str]:
    """(url, name or folder) of a fresh database."""
    if SERVER_URL:
        import asyncpg

        name = f"park_bench_{secrets.token_hex(3)}"

        async def create() -> None:
            connection = await asyncpg.connect(SERVER_URL)
            await connection.execute(f'CREATE DATABASE "{name}"')
            await connection.close()

        asyncio.run(create())
        base = SERVER_URL.rsplit("/", 1)[0]
        return f"{base}/{name}", name
    folder = tempfile.mkdtemp(prefix="park-bench-")
    return f"sqlite:///{folder}/bench.db", folder


def drop_database(name: str) -> None:
    if SERVER_URL:
        import asyncpg

        async def drop() -> None:
            connection = await asyncpg.connect(SERVER_URL)
            await connection.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
            await connection.close()

        asyncio.run(drop())
    else:
        import shutil

        shutil.rmtree(name, ignore_errors=True)


def plan_rows(facilities, users, zone, now, total: int, rng: random.Random):
    """Seeded booking rows on each facility's slot grid inside its opening hours."""
    from park.bookings.availability import open_runs
    from park.facilities.queries import to_spec
    from park.shared.timespan import Span

    members = [u for u in users if u["tenant"]]
    per_facility = total // len(facilities) + 1
    history = Span(now - timedelta(days=4 * 365), now + timedelta(days=90))
    for facility in facilities:
        spec = to_spec(facility)
        runs = open_runs(spec, history, zone)
        grid_starts = []
        for run in runs:
            t = run.starts_at
            while t + spec.slot <= run.ends_at:
                grid_starts.append((t, run.ends_at))
                t += spec.slot
        for _ in range(per_facility):
            starts_at, run_end = grid_starts[rng.randrange(len(grid_starts))]
            slots = rng.randint(1, 4)
            ends_at = min(starts_at + spec.slot * slots, run_end)
            member = members[rng.randrange(len(members))]
            if ends_at <= now:
                status = "completed" if rng.random() < 0.85 else rng.choice(["cancelled", "no_show"])
            else:
                status = "confirmed" if rng.random() < 0.9 else "cancelled"
            yield (
                facility["id"], member["tenant"], member["id"], starts_at, ends_at, ends_at + spec.buffer,
                spec.capacity == 1, 1, "", status, now,
            )


async def fill(url: str, target: int, seed: int) -> tuple[int, float]:
    from park.accounts.tables import User
    from park.bookings.tables import Booking
    from park.facilities.tables import Facility
    from park.settings import load_settings
    from park.shared.db import current_engine, is_sqlite

    settings = load_settings()
    existing = await Booking.count()
    facilities = await Facility.select()
    users = await User.select(User.id, User.tenant)
    rng = random.Random(seed)
    began = time.perf_counter()
    rows = list(plan_rows(facilities, users, settings.zone, datetime.now(timezone.utc), target - existing, rng))[: target - existing]
    columns = ("facility", "tenant", "user", "starts_at", "ends_at", "occupied_until", "exclusive", "seats", "purpose", "status", "created_at")
    if is_sqlite():
        # Bulk load outside the ORM: the benchmark is about reading, not inserting.
        path = current_engine().path
        with sqlite3.connect(path) as connection:
            iso = lambda v: v.astimezone(timezone.utc).isoformat() if isinstance(v, datetime) else v  # noqa: E731
            connection.executemany(
                f'INSERT INTO booking ({", ".join(chr(34) + c + chr(34) for c in columns)}, status_reason) '
                f'VALUES ({", ".join("?" for _ in columns)}, \'\')',
                ([iso(v) for v in row] for row in rows),
            )
            connection.execute("ANALYZE")
    else:
        import asyncpg

        connection = await asyncpg.connect(url.replace("postgresql://", "postgres://", 1))
        # Capacity-1 rows drawn at random may overlap; the benchmark copies them with exclusive=false.
        await connection.copy_records_to_table(
            "booking", records=[r[:6] + (False,) + r[7:] + ("",) for r in rows], columns=[*columns, "status_reason"]
        )
        await connection.execute("ANALYZE booking")
        await connection.close()
    return await Booking.count(), time.perf_counter() - began


async def measure(days: int) -> None:
    from park.bookings import queries as booking_queries
    from park.bookings.search import facility_availability
    from park.facilities import queries
    from park.bookings.availability import compute_availability
    from park.facilities.tables import Facility
    from park.settings import load_settings
    from park.shared.timespan import Span

    zone = load_settings().zone
    today = datetime.now(zone).date()
    monday = today + timedelta(days=7 - today.weekday())
    window = Span(datetime(monday.year, monday.month, monday.day, tzinfo=zone),
                  datetime(monday.year, monday.month, monday.day, tzinfo=zone) + timedelta(days=days))
    facilities = await Facility.select(Facility.id).order_by(Facility.id)
    timings, slot_count, booking_count = [], 0, 0
    for row in facilities:  # warm-up: connections, caches, query plans
        await facility_availability(row["id"], window, zone)
    began_all = time.perf_counter()
    pure = 0.0
    for row in facilities:
        began = time.perf_counter()
        slots = await facility_availability(row["id"], window, zone)
        timings.append(time.perf_counter() - began)
        slot_count += len(slots)
        spec = queries.to_spec(await queries.get_facility(row["id"]))
        bookings = await booking_queries.live_bookings_near(row["id"], window, spec.buffer)
        booking_count += len(bookings)
        began = time.perf_counter()
        compute_availability(spec, window, zone, bookings, [])
        pure += time.perf_counter() - began
    total = time.perf_counter() - began_all - pure  # the loop also re-read bookings for the pure timing
    print(f"facilities:                 {len(facilities)}")
    print(f"window:                     {window.starts_at.astimezone(zone):%Y-%m-%d} + {days} days")
    print(f"slots computed:             {slot_count}")
    print(f"live bookings in windows:   {booking_count}")
    print(f"availability, all (service): {sum(timings) * 1000:8.1f} ms")
    print(f"  per facility: median {statistics.median(timings) * 1000:.2f} ms, max {max(timings) * 1000:.2f} ms")
    print(f"pure computation, all:       {pure * 1000:8.1f} ms")
    del total
    await measure_search(window, zone)


async def measure_search(window, zone, runs: int = 30) -> None:
    """The time-first search (GET /api/v1/availability's service call) over every facility for the window."""
    from park.shared.actor import Actor
    from park.accounts.tables import User
    from park.bookings.search import search_availability

    user = await User.select(User.id, User.email, User.name, User.role, User.tenant).where(User.role == "member").first()
    actor = Actor(id=user["id"], email=user["email"], name=user["name"], role=user["role"], tenant_id=user["tenant"])
    now = datetime.now(timezone.utc)
    await search_availability(actor, window, now, zone, duration_minutes=60)  # warm-up
    timings = []
    for _ in range(runs):
        began = time.perf_counter()
        hits = await search_availability(actor, window, now, zone, duration_minutes=60)
        timings.append(time.perf_counter() - began)
    timings.sort()
    p95 = timings[max(0, round(0.95 * len(timings)) - 1)]
    print(f"whole-park search ({len(hits)} facilities with free time, {runs} runs): "
          f"p50 {statistics.median(timings) * 1000:.1f} ms, p95 {p95 * 1000:.1f} ms")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--bookings", type=int, default=1_000_000)
    parser.add_argument("--seed", type=int, default=2026)
    parser.add_argument("--days", type=int, default=7)
    args = parser.parse_args()

    url, handle = make_database()
    os.environ["PARK_DATABASE_URL"] = url
    try:
        asyncio.run(run(url, args))
    finally:
        drop_database(handle)


async def run(url: str, args) -> None:
    from park.demo import load_demo
    from park.settings import load_settings
    from park.shared.db import close_database, open_database
    from park.shared.migrate import upgrade_database

    settings = load_settings()
    engine = await open_database(settings)
    try:
        await upgrade_database()
        began = time.perf_counter()
        await load_demo(datetime.now(timezone.utc), settings.zone)
        print(f"database:                   {'PostgreSQL' if SERVER_URL else 'SQLite'}")
        print(f"demo loaded in              {time.perf_counter() - began:.1f} s")
        count, seconds = await fill(url, args.bookings, args.seed)
        print(f"bookings stored:            {count} (bulk load {seconds:.1f} s)")
        await measure(args.days)
    finally:
        await close_database(engine)


if __name__ == "__main__":
    main()
