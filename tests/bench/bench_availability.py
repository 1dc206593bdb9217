"""Benchmark: a facility's week, the whole-park search and the day timeline, with 1,000,000 bookings stored.

Run from the repository root; both databases when PARK_BENCH_DATABASE_URL names a PostgreSQL server:

    PARK_BENCH_DATABASE_URL=postgresql://postgres@127.0.0.1:5432/postgres \\
        .venv/bin/python tests/bench/bench_availability.py [--bookings 1000000] [--seconds 10] [--only sqlite|postgres]

For each database it creates a fresh one (on PostgreSQL a new database on that
server, dropped afterwards; on SQLite a temporary file), applies the migrations,
loads the demo base, then adds seeded bookings until the table holds the
requested number: spread over the demo facilities from four years back to the
end of the advance window, on each facility's slot grid inside its opening hours
(on PostgreSQL then VACUUM ANALYZE, as autovacuum would do after such a load).

It then serves Park (`park serve --workers 2`) and the bare floor
(`tests/bench/floor_app.py`, same server, workers and pool) side by side and
measures with wrk, over HTTP, as a demo member (a bearer token):

- one facility's week: GET /api/v1/facilities/{id}/availability (floor: one overlap query);
- the whole-park search: GET /api/v1/availability over every demo facility for a week
  (floor: one query for every facility's bookings in the week);
- the day timeline page: GET /timeline?date=… (floor: the same query for the day);

each at one client (p50 and p95) and at 64 connections (requests per second),
floor and Park alternating, every figure also as a ratio to the floor's. Before
the HTTP runs it times the services in-process (per facility, the pure slot
computation, the search): where the time goes.
Aims (issue 12): p95 at one client <= 20 ms for a facility's week, <= 50 ms for the whole-park search.
"""

from __future__ import annotations

import argparse
import asyncio
import os
import random
import secrets
import shutil
import sqlite3
import statistics
import sys
import tempfile
import time
from datetime import datetime, timedelta, timezone
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[2]))

SERVER_URL = os.environ.get("PARK_BENCH_DATABASE_URL", "")


def make_database(postgres: bool) -> tuple[str, str]:
    """(url, name or folder) of a fresh database."""
    if postgres:
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


def drop_database(name: str, postgres: bool) -> None:
    if postgres:
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
        # What autovacuum does soon after a bulk load (this server runs with it off): statistics, and
        # the visibility map that lets the reads of free time be index-only scans.
        await connection.execute("VACUUM ANALYZE booking")
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
    await measure_search_parts(window, zone, now, runs)


async def measure_search_parts(window, zone, now, runs: int) -> None:
    """The search's reads timed apart from its pure computation (medians): where its time goes."""
    from park.bookings import queries as booking_queries
    from park.bookings.availability import free_intervals
    from park.facilities import queries

    rows, _total = await queries.search_facilities()
    specs = {row["id"]: queries.to_spec(row) for row in rows}
    widest = timedelta(minutes=max(spec.buffer_minutes for spec in specs.values()))
    held = await booking_queries.seats_held_of(sorted(specs), window, widest)
    blackouts = await queries.blackouts_of(list(specs.values()), window)

    async def compute() -> None:
        for spec in specs.values():
            free_intervals(spec, window, zone, now, held[spec.id], blackouts, duration=timedelta(minutes=60))

    parts = (
        ("the facilities", lambda: queries.search_facilities()),
        (f"their seat-holding bookings ({sum(map(len, held.values()))})",
         lambda: booking_queries.seats_held_of(sorted(specs), window, widest)),
        ("their blackouts", lambda: queries.blackouts_of(list(specs.values()), window)),
        ("free intervals (pure)", compute),
    )
    for what, step in parts:
        timings = []
        for _ in range(runs):
            began = time.perf_counter()
            await step()
            timings.append(time.perf_counter() - began)
        print(f"  of which {what}: {statistics.median(timings) * 1000:.1f} ms")


# --- over HTTP: Park and the floor side by side ------------------------------------------

async def member_token() -> str:
    """A bearer token for the demo's first member (the API and the pages both accept it)."""
    from park.accounts.service import token_digest
    from park.accounts.tables import ApiToken, User

    user = await User.select(User.id).where(User.role == "member").order_by(User.id).first()
    token = secrets.token_urlsafe(32)
    now = datetime.now(timezone.utc)
    await ApiToken(user=user["id"], token_hash=token_digest(token), name="bench", created_at=now,
                   expires_at=now + timedelta(days=1)).save()
    return token


async def week_facility() -> tuple[int, int]:
    """The first one-seat facility booked at once (no draw) whose week is read, and how many facilities there are."""
    from park.facilities.tables import Facility

    rows = await Facility.select(Facility.id, Facility.capacity, Facility.booking_mode).order_by(Facility.id)
    chosen = next(r["id"] for r in rows if r["capacity"] == 1 and r["booking_mode"] == "instant")
    return chosen, len(rows)


def http_targets(facility: int, days: int) -> list[tuple[str, str, str]]:
    """(what, Park path, floor path) of each measured read: next Monday's week, and that Monday for the timeline."""
    from park.settings import load_settings

    zone = load_settings().zone
    today = datetime.now(zone).date()
    monday = today + timedelta(days=7 - today.weekday())
    begin = datetime(monday.year, monday.month, monday.day, tzinfo=zone).astimezone(timezone.utc)
    end = begin + timedelta(days=days)
    z = lambda t: t.strftime("%Y-%m-%dT%H:%M:%SZ")  # noqa: E731
    week = f"from={z(begin)}&to={z(end)}"
    day = f"from={z(begin)}&to={z(begin + timedelta(days=1))}"
    return [
        ("one facility's week", f"/api/v1/facilities/{facility}/availability?{week}", f"/floor/facilities/{facility}/week?{week}"),
        ("whole-park search, a week", f"/api/v1/availability?{week}&duration_minutes=60&limit=100", f"/floor/bookings?{week}"),
        ("day timeline page", f"/timeline?date={monday.isoformat()}", f"/floor/bookings?{day}"),
    ]


def check_answers(park_url: str, floor_url: str, targets, token: str) -> None:
    """Each measured URL answers 200 (the timeline as the signed-in member), so the runs time real work."""
    import httpx

    headers = {"Authorization": f"Bearer {token}"}
    for what, park_path, floor_path in targets:
        park = httpx.get(park_url + park_path, headers=headers, timeout=30)
        floor = httpx.get(floor_url + floor_path, timeout=30)
        if park.status_code != 200 or floor.status_code != 200:
            raise SystemExit(f"{what}: Park answered {park.status_code}, the floor {floor.status_code}: {park.text[:300]}")
        if park_path.startswith("/timeline") and "data-movable" not in park.text:
            raise SystemExit("the timeline did not render for a signed-in member")


def settle(*servers) -> float:
    """Wait until the servers have worked off what a closed wrk run left queued (the next run must not pay for it).

    Seconds waited: done when /healthz answers within 0.1 s three times running, or after 30 s.
    """
    import httpx

    began_all = time.monotonic()
    for server in servers:
        quick = 0
        while quick < 3 and time.monotonic() - began_all < 30:
            began = time.perf_counter()
            try:
                httpx.get(f"{server.base_url}/healthz", timeout=30)
            except httpx.HTTPError:
                pass
            quick = quick + 1 if time.perf_counter() - began < 0.1 else 0
            time.sleep(0.05)
    return time.monotonic() - began_all


def measure_http(url: str, postgres: bool, token: str, facility: int, args, rows: list, notes: list[str]) -> None:
    from tests.bench.bench_vs_floor import Server, wrk

    targets = http_targets(facility, args.days)
    script = f'wrk.method = "GET"\nwrk.headers["Authorization"] = "Bearer {token}"\n'
    backend = "PostgreSQL" if postgres else "SQLite"
    with Server("floor", url, args.workers) as floor, Server("park", url, args.workers) as park:
        check_answers(park.base_url, floor.base_url, targets, token)
        for what, park_path, floor_path in targets:
            wrk(floor.base_url, script, 1, 2, floor_path)  # warm-up: pools, caches, plans
            wrk(park.base_url, script, 1, 2, park_path)
            floor_one = wrk(floor.base_url, script, args.seconds, 1, floor_path)
            park_one = wrk(park.base_url, script, args.seconds, 1, park_path)
            floor_many = wrk(floor.base_url, script, args.seconds, args.connections, floor_path)
            waited = settle(floor, park)
            park_many = wrk(park.base_url, script, args.seconds, args.connections, park_path)
            waited += settle(floor, park)
            print(f"  {what}: measured ({waited:.1f} s waited for the queues left by the 64-connection runs)", flush=True)
            failed = park_one.failed + park_many.failed + floor_one.failed + floor_many.failed
            if failed:
                notes.append(f"{backend}, {what}: {failed} answers were not 2xx or failed")
            rows.append((f"{what}, {backend}", park_one, floor_one, park_many, floor_many))


def print_http(rows: list, args) -> None:
    print(f"\nover HTTP: wrk -t1, one client and -c{args.connections}, {args.seconds} s each; uvicorn --workers {args.workers}; "
          "Park and the bare floor side by side, alternating")
    print("| read | Park, one client: p50 / p95 | floor, one client: p50 / p95 | p95 Park/floor "
          f"| Park at {args.connections} connections | floor at {args.connections} | rate Park/floor |")
    print("|---|---|---|---|---|---|---|")
    for what, park_one, floor_one, park_many, floor_many in rows:
        print(f"| {what} | {park_one.p50_ms:.1f} / {park_one.p95_ms:.1f} ms | {floor_one.p50_ms:.1f} / {floor_one.p95_ms:.1f} ms "
              f"| {park_one.p95_ms / floor_one.p95_ms:.1f} | {park_many.rate:.0f} req/s (p95 {park_many.p95_ms:.0f} ms) "
              f"| {floor_many.rate:.0f} req/s | {park_many.rate / floor_many.rate:.2f} |")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--bookings", type=int, default=1_000_000)
    parser.add_argument("--seed", type=int, default=2026)
    parser.add_argument("--days", type=int, default=7)
    parser.add_argument("--seconds", type=int, default=10, help="length of each wrk run")
    parser.add_argument("--connections", type=int, default=64)
    parser.add_argument("--workers", type=int, default=2)
    parser.add_argument("--only", choices=["postgres", "sqlite"], default=None)
    args = parser.parse_args()
    if shutil.which("wrk") is None:
        raise SystemExit("wrk is needed: apt-get install -y wrk")
    backends = []
    if args.only != "sqlite":
        if SERVER_URL.startswith("postgres"):
            backends.append(True)
        elif args.only == "postgres":
            raise SystemExit("set PARK_BENCH_DATABASE_URL=postgresql://postgres@127.0.0.1:5432/postgres")
    if args.only != "postgres":
        backends.append(False)
    began = time.monotonic()
    rows: list = []
    notes: list[str] = []
    for postgres in backends:
        url, handle = make_database(postgres)
        os.environ["PARK_DATABASE_URL"] = url
        try:
            token, facility = asyncio.run(run(url, args, postgres))
            measure_http(url, postgres, token, facility, args, rows, notes)
        finally:
            drop_database(handle, postgres)
    print_http(rows, args)
    for note in notes:
        print(note)
    print(f"benchmark took {time.monotonic() - began:.0f} s")


async def run(url: str, args, postgres: bool) -> tuple[str, int]:
    """Prepare the database and time the services in-process; the member's token and the facility to read."""
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
        print(f"\n== database:                {'PostgreSQL' if postgres else 'SQLite'}")
        print(f"demo loaded in              {time.perf_counter() - began:.1f} s")
        count, seconds = await fill(url, args.bookings, args.seed)
        print(f"bookings stored:            {count} (bulk load {seconds:.1f} s)")
        await measure(args.days)
        facility, facilities = await week_facility()
        print(f"over HTTP: facility {facility} for the week, {facilities} facilities for the search and the timeline")
        return await member_token(), facility
    finally:
        await close_database(engine)


if __name__ == "__main__":
    main()
