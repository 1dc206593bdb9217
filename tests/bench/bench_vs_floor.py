"""Benchmark: Park against a bare floor, same server, same workers, same load generator, same run.

Run from the repository root (`make bench` does):

    PARK_BENCH_DATABASE_URL=postgresql://postgres@127.0.0.1:5432/postgres \\
        .venv/bin/python tests/bench/bench_vs_floor.py [--quick | --full] [--seconds S]

The floor (`tests/bench/floor_app.py`) is a bare Litestar app under the same
`uvicorn --workers N` with the same pool size, doing one Piccolo insert per
booking and one GiST overlap query per week read. Every figure is printed as a
ratio to the floor measured minutes before it, so the noise of a shared machine
mostly cancels.

Load: wrk (`apt-get install wrk`), one thread, 64 connections (`--connections`),
`--seconds` per run (5 with --quick, the default; 10 with --full). Floor and Park
serve side by side and their runs alternate, `--repeat` times (2 with --quick, 3
with --full); each figure is the run with the median rate. Each booking
asks for a distinct (facility, hour) as one of 2,000 firms (so quotas never
refuse), on 40 facilities open around the clock (20 one-seat rooms, 20 10-seat labs).

It prints:

- the table: booking create on PostgreSQL and SQLite, one facility's week of
  availability on PostgreSQL (64 connections, and one client's p95), each with
  p99 and the ratio Park / floor;
- worker resident memory (VmRSS) sampled under the booking load;
- the scale curve on PostgreSQL: booking throughput and p99 at 1, 2 and 4
  workers, and at 10^4, 10^5 stored bookings (and 10^6 with --full), bulk-loaded
  with COPY (PostgreSQL) / executemany (SQLite) into the past, so they lengthen
  the indexes the booking path reads without blocking new slots;
- after each database's runs, the slots over capacity (must be 0: it exits 1 otherwise).

Without PARK_BENCH_DATABASE_URL (or PARK_TEST_DATABASE_URL) the PostgreSQL rows
are skipped. The databases are made for the run and dropped afterwards.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import logging
import math
import os
import random
import secrets
import shutil
import sqlite3
import subprocess
import sys
import tempfile
import threading
import time
from dataclasses import dataclass, field
from datetime import datetime, timedelta, timezone
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(ROOT))

SERVER_URL = os.environ.get("PARK_BENCH_DATABASE_URL") or os.environ.get("PARK_TEST_DATABASE_URL", "")
ALL_WEEK = {day: [["00:00", "24:00"]] for day in ("mon", "tue", "wed", "thu", "fri", "sat", "sun")}
FACILITIES = 40
FIRMS = 2000
POOL_SIZE = "10"


# --- databases and data ---------------------------------------------------------------

async def _admin(statement: str) -> None:
    import asyncpg

    connection = await asyncpg.connect(SERVER_URL)
    try:
        await connection.execute(statement)
    finally:
        await connection.close()


@dataclass
class Bench:
    """One database prepared for the run."""

    url: str
    backend: str  # "PostgreSQL" or "SQLite"
    facilities: list[int] = field(default_factory=list)
    capacities: dict[int, int] = field(default_factory=dict)
    tokens: list[str] = field(default_factory=list)
    users: list[tuple[int, int]] = field(default_factory=list)  # (user, tenant)
    next_hour: datetime | None = None  # first hour no run has booked yet

    def slots_from(self, requests: int) -> datetime:
        """Reserve a range of hours for a run of up to `requests` bookings; its first hour."""
        start = self.next_hour
        self.next_hour = start + timedelta(hours=math.ceil(requests / len(self.facilities)) + 24)
        return start


async def prepare(bench: Bench) -> None:
    """Migrations, facilities, firms with one member and one token each, the floor's table."""
    from park.accounts.service import token_digest
    from park.accounts.tables import ApiToken, User
    from park.facilities.tables import Building, Facility
    from park.shared.db import current_engine
    from park.shared.migrate import upgrade_database
    from park.tenants.tables import Tenant
    from tests.bench.floor_app import FloorBooking
    from tests.builders import make_uscc

    await upgrade_database()
    building = Building(name="基准楼", name_en="Bench Building", code="BENCH")
    await building.save()
    for number in range(FACILITIES):
        capacity = 1 if number < FACILITIES // 2 else 10
        facility = Facility(
            name=f"基准设施 {number}", kind="meeting_room" if capacity == 1 else "lab", building=building.id,
            capacity=capacity, opening_hours=ALL_WEEK, slot_minutes=60, min_duration_minutes=60,
            max_duration_minutes=240, max_advance_days=365,
        )
        await facility.save()
        bench.facilities.append(facility.id)
        bench.capacities[facility.id] = capacity
    now = datetime.now(timezone.utc)
    tenant_ids: list[int] = []
    user_ids: list[int] = []
    bench.tokens = [secrets.token_urlsafe(32) for _ in range(FIRMS)]
    for chunk in range(0, FIRMS, 200):  # chunks stay under SQLite's limit on bound values
        numbers = range(chunk, min(chunk + 200, FIRMS))
        tenants = await Tenant.insert(*[
            Tenant(name=f"基准企业 {n}", uscc=make_uscc(700_000_000 + n), sector="new_media") for n in numbers
        ])
        tenant_ids += [row["id"] for row in tenants]
        users = await User.insert(*[
            User(email=f"bench{n}@firm.test", name=f"Bench {n}", password_hash="x", role="member",
                 tenant=tenant_ids[n], calendar_token=secrets.token_urlsafe(24)) for n in numbers
        ])
        user_ids += [row["id"] for row in users]
        await ApiToken.insert(*[
            ApiToken(user=user_ids[n], token_hash=token_digest(bench.tokens[n]), name="bench", created_at=now,
                     expires_at=now + timedelta(days=2)) for n in numbers
        ])
    bench.users = list(zip(user_ids, tenant_ids))
    FloorBooking._meta.db = current_engine()
    await FloorBooking.create_table(if_not_exists=True)
    bench.next_hour = (now + timedelta(days=2)).replace(minute=0, second=0, microsecond=0)


COLUMNS = ("facility", "tenant", "user", "starts_at", "ends_at", "occupied_until", "exclusive", "seats",
           "purpose", "status", "created_at", "status_reason")


async def fill(bench: Bench, target: int) -> float:
    """Bulk-load past bookings until the table holds `target`; seconds taken."""
    from park.bookings.tables import Booking

    existing = await Booking.count()
    if existing >= target:
        return 0.0
    began = time.perf_counter()
    rng = random.Random(target)
    # Hour k back from a week ago, facility by facility: no two rows of one facility overlap.
    newest = (datetime.now(timezone.utc) - timedelta(days=7)).replace(minute=0, second=0, microsecond=0)
    offset = existing  # earlier loads used hours 0..existing-1 (roughly): continue further back
    rows = []
    for n in range(offset, target):
        facility = bench.facilities[n % len(bench.facilities)]
        starts_at = newest - timedelta(hours=n // len(bench.facilities) + 1)
        user, tenant = bench.users[rng.randrange(len(bench.users))]
        ends_at = starts_at + timedelta(hours=1)
        rows.append((facility, tenant, user, starts_at, ends_at, ends_at, bench.capacities[facility] == 1, 1, "",
                     "completed", starts_at, ""))
    if bench.backend == "SQLite":
        iso = lambda v: v.isoformat() if isinstance(v, datetime) else v  # noqa: E731
        with sqlite3.connect(bench.url.removeprefix("sqlite:///")) as connection:
            connection.executemany(
                f"INSERT INTO booking ({', '.join(chr(34) + c + chr(34) for c in COLUMNS)}) "
                f"VALUES ({', '.join('?' for _ in COLUMNS)})",
                ([iso(v) for v in row] for row in rows),
            )
            connection.execute("ANALYZE")
    else:
        import asyncpg

        connection = await asyncpg.connect(bench.url)
        try:
            await connection.copy_records_to_table("booking", records=rows, columns=list(COLUMNS))
            await connection.execute("ANALYZE booking")
        finally:
            await connection.close()
    return time.perf_counter() - began


async def over_capacity() -> int:
    """Points in time where a facility holds more seats than its capacity (a sweep over the seat-holding bookings)."""
    from park.shared.db import fetch

    capacity = {row["id"]: row["capacity"] for row in await fetch("SELECT id, capacity FROM facility")}
    rows = await fetch(
        "SELECT facility, starts_at, occupied_until, seats FROM booking "
        "WHERE status IN ('pending', 'confirmed', 'checked_in')"
    )
    events: dict[int, list[tuple[datetime, int]]] = {}
    for row in rows:
        events.setdefault(row["facility"], []).extend(
            [(row["starts_at"], row["seats"]), (row["occupied_until"], -row["seats"])]
        )
    over = 0
    for facility, changes in events.items():
        held = 0
        for _, seats in sorted(changes, key=lambda change: (change[0], change[1])):  # half-open: ends first
            held += seats
            over += held > capacity[facility]
    return over


def on_database(url: str, work):
    """Run `work()` (a coroutine function) with Park's engine bound to `url`."""
    async def run():
        from park.settings import load_settings
        from park.shared.db import close_database, open_database

        os.environ["PARK_DATABASE_URL"] = url
        engine = await open_database(load_settings())
        try:
            return await work()
        finally:
            await close_database(engine)

    return asyncio.run(run())


# --- servers and load -----------------------------------------------------------------

class Server:
    """`park serve` or the floor under `uvicorn --workers N`, on a free port."""

    def __init__(self, kind: str, url: str, workers: int) -> None:
        from tests.support import free_port

        self.port = free_port()
        self.base_url = f"http://127.0.0.1:{self.port}"
        env = os.environ | {"PARK_DATABASE_URL": url, "PARK_SCHEDULER_EMBEDDED": "false",
                            "PARK_DATABASE_POOL_SIZE": POOL_SIZE, "PYTHONPATH": str(ROOT)}
        if kind == "park":
            command = [sys.executable, "-m", "park.cli", "serve", "--port", str(self.port), "--workers", str(workers)]
        else:
            command = [sys.executable, "-m", "uvicorn", "tests.bench.floor_app:create_app", "--factory",
                       "--port", str(self.port), "--workers", str(workers), "--no-access-log", "--log-level", "warning"]
        self.log = tempfile.TemporaryFile()
        self.process = subprocess.Popen(command, env=env, cwd=ROOT, stdout=subprocess.DEVNULL, stderr=self.log)
        self.workers = workers

    def __enter__(self) -> "Server":
        import httpx

        deadline = time.monotonic() + 60
        while True:
            if self.process.poll() is not None:
                self.log.seek(0)
                raise RuntimeError(f"server exited: {self.log.read().decode()[-2000:]}")
            try:
                httpx.get(f"{self.base_url}/healthz", timeout=1)
                if len(self.worker_pids()) >= self.workers:
                    break
            except httpx.HTTPError:
                pass
            if time.monotonic() > deadline:
                raise RuntimeError("server did not start within 60 s")
            time.sleep(0.2)
        return self

    def __exit__(self, *exc) -> None:
        self.process.terminate()
        try:
            self.process.wait(timeout=15)
        except subprocess.TimeoutExpired:
            self.process.kill()
        self.log.close()

    def worker_pids(self) -> list[int]:
        """The processes serving requests: the workers, or the server itself with one worker."""
        if self.workers == 1:
            return [self.process.pid]
        children = []
        for entry in Path("/proc").iterdir():
            if entry.name.isdigit():
                try:
                    stat = (entry / "stat").read_text()
                except OSError:
                    continue
                if int(stat.rsplit(")", 1)[1].split()[1]) == self.process.pid:
                    children.append(int(entry.name))
        # uvicorn's multiprocessing also starts a resource tracker: the workers are the big ones.
        return sorted(children, key=rss_mb, reverse=True)[: self.workers]


def rss_mb(pid: int) -> float:
    try:
        for line in Path(f"/proc/{pid}/status").read_text().splitlines():
            if line.startswith("VmRSS:"):
                return int(line.split()[1]) / 1024
    except OSError:
        pass
    return 0.0


WRK_BOOK = """
local tokens = {%(tokens)s}
local facilities = {%(facilities)s}
local start = %(start)d
local counter = 0
wrk.method = "POST"
wrk.headers["Content-Type"] = "application/json"
request = function()
  local f = facilities[(counter %% #facilities) + 1]
  local hour = start + math.floor(counter / #facilities) * 3600
  local token = tokens[(counter %% #tokens) + 1]
  counter = counter + 1
  local body = string.format('{"facility_id": %%d, "starts_at": "%%s", "ends_at": "%%s"}', f,
    os.date("!%%Y-%%m-%%dT%%H:%%M:%%SZ", hour), os.date("!%%Y-%%m-%%dT%%H:%%M:%%SZ", hour + 3600))
  return wrk.format(nil, "%(path)s", {["Authorization"] = "Bearer " .. token}, body)
end
"""

WRK_DONE = """
done = function(summary, latency, requests)
  io.write(string.format('WRK {"requests": %d, "duration_us": %d, "non2xx": %d, "errors": %d, '
    .. '"p50_us": %d, "p95_us": %d, "p99_us": %d}\\n', summary.requests, summary.duration, summary.errors.status,
    summary.errors.connect + summary.errors.read + summary.errors.write + summary.errors.timeout,
    latency:percentile(50), latency:percentile(95), latency:percentile(99)))
end
"""


@dataclass(frozen=True)
class Run:
    rate: float  # requests per second
    p50_ms: float
    p95_ms: float
    p99_ms: float
    requests: int
    failed: int  # non-2xx answers and socket errors

    def __str__(self) -> str:
        failed = f", {self.failed} failed" if self.failed else ""
        return f"{self.rate:7.0f} req/s, p50 {self.p50_ms:6.1f} ms, p99 {self.p99_ms:7.1f} ms{failed}"


def wrk(base_url: str, script: str, seconds: int, connections: int, path: str = "/") -> Run:
    with tempfile.NamedTemporaryFile("w", suffix=".lua", delete=False) as lua:
        lua.write(script + WRK_DONE)
    try:
        result = subprocess.run(
            ["wrk", "-t1", f"-c{connections}", f"-d{seconds}s", "--timeout", "10s", "-s", lua.name, base_url + path],
            capture_output=True, text=True, timeout=seconds + 60,
        )
    finally:
        os.unlink(lua.name)
    line = next((l for l in result.stdout.splitlines() if l.startswith("WRK ")), None)
    if line is None:
        raise RuntimeError(f"wrk failed: {result.stdout}\n{result.stderr}")
    figures = json.loads(line[4:])
    return Run(
        rate=figures["requests"] / (figures["duration_us"] / 1e6),
        p50_ms=figures["p50_us"] / 1000, p95_ms=figures["p95_us"] / 1000, p99_ms=figures["p99_us"] / 1000,
        requests=figures["requests"], failed=figures["non2xx"] + figures["errors"],
    )


def book(bench: Bench, server: Server, path: str, seconds: int, connections: int, rate_guess: int = 3000) -> Run:
    start = bench.slots_from(rate_guess * seconds)
    script = WRK_BOOK % {
        "tokens": ", ".join(f'"{t}"' for t in bench.tokens),
        "facilities": ", ".join(str(f) for f in bench.facilities),
        "start": int(start.timestamp()),
        "path": path,
    }
    return wrk(server.base_url, script, seconds, connections)


def read_week(bench: Bench, server: Server, path_of, seconds: int, connections: int) -> Run:
    """GETs of one one-seat facility's next week (where the booking runs left their bookings)."""
    facility = bench.facilities[0]
    begin = (datetime.now(timezone.utc) + timedelta(days=2)).replace(hour=0, minute=0, second=0, microsecond=0)
    window = f"from={begin:%Y-%m-%dT%H:%M:%SZ}&to={begin + timedelta(days=7):%Y-%m-%dT%H:%M:%SZ}"
    token = bench.tokens[0]
    script = f'wrk.method = "GET"\nwrk.headers["Authorization"] = "Bearer {token}"\n'
    return wrk(server.base_url, script, seconds, connections, path=f"{path_of(facility)}?{window}")


class MemoryWatch:
    """Samples the workers' resident memory every 0.2 s while the block runs; the peak per worker."""

    def __init__(self, server: Server) -> None:
        self.server = server
        self.peaks: dict[int, float] = {}
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._sample, daemon=True)

    def _sample(self) -> None:
        pids = self.server.worker_pids()
        while not self._stop.wait(0.2):
            for pid in pids:
                self.peaks[pid] = max(self.peaks.get(pid, 0.0), rss_mb(pid))

    def __enter__(self) -> "MemoryWatch":
        self._thread.start()
        return self

    def __exit__(self, *exc) -> None:
        self._stop.set()
        self._thread.join()


# --- the runs -------------------------------------------------------------------------

def median_run(runs: list[Run]) -> Run:
    """The run with the median rate (the lower middle one of an even count)."""
    return sorted(runs, key=lambda run: run.rate)[(len(runs) - 1) // 2]


PARK_BOOK = "/api/v1/bookings"
FLOOR_BOOK = "/floor/bookings"


def ratio(park: Run, floor: Run) -> str:
    return f"{park.rate / floor.rate:.2f}"


def each_run(name: str, floors: list[Run], parks: list[Run]) -> list[str]:
    """One line per alternating pair of runs, so the spread behind a median is seen."""
    return [f"{name}, run {n}: floor {floor} | Park {park} | ratio {ratio(park, floor)}"
            for n, (floor, park) in enumerate(zip(floors, parks), start=1)]


def run_postgres(args, table: list[tuple], notes: list[str]) -> None:
    name = f"park_bench_{secrets.token_hex(3)}"
    asyncio.run(_admin(f'CREATE DATABASE "{name}"'))
    bench = Bench(url=f"{SERVER_URL.rsplit('/', 1)[0]}/{name}", backend="PostgreSQL")
    try:
        on_database(bench.url, lambda: prepare(bench))
        loaded = on_database(bench.url, lambda: fill(bench, 10_000))
        notes.append(f"PostgreSQL: 10^4 bookings bulk-loaded in {loaded:.1f} s")
        seconds, connections = args.seconds, args.connections
        floor_week_path = lambda f: f"/floor/facilities/{f}/week"  # noqa: E731
        park_week_path = lambda f: f"/api/v1/facilities/{f}/availability"  # noqa: E731
        with Server("floor", bench.url, args.workers) as floor, Server("park", bench.url, args.workers) as park:
            book(bench, floor, FLOOR_BOOK, 2, connections)  # warm-up: connections, pools, first imports
            book(bench, park, PARK_BOOK, 2, connections)
            pairs: dict[str, list[Run]] = {}
            peaks: dict[int, float] = {}
            for _ in range(args.repeat):  # floor and Park alternate, so drifting load hits both alike
                pairs.setdefault("floor insert", []).append(book(bench, floor, FLOOR_BOOK, seconds, connections))
                with MemoryWatch(park) as memory:
                    pairs.setdefault("park book", []).append(book(bench, park, PARK_BOOK, seconds, connections))
                peaks = {pid: max(mb, peaks.get(pid, 0.0)) for pid, mb in memory.peaks.items()}
            for _ in range(args.repeat):
                pairs.setdefault("floor week", []).append(read_week(bench, floor, floor_week_path, seconds, connections))
                pairs.setdefault("park week", []).append(read_week(bench, park, park_week_path, seconds, connections))
            pairs["floor week 1"] = [read_week(bench, floor, floor_week_path, min(seconds, 5), 1)]
            pairs["park week 1"] = [read_week(bench, park, park_week_path, min(seconds, 5), 1)]
        floor_insert, park_book, floor_week, park_week, floor_week_1, park_week_1 = (
            median_run(pairs[k]) for k in
            ("floor insert", "park book", "floor week", "park week", "floor week 1", "park week 1")
        )
        table.append(("create a booking, PostgreSQL", park_book, floor_insert, "one-row Piccolo insert"))
        notes.extend(each_run("PostgreSQL booking", pairs["floor insert"], pairs["park book"]))
        table.append(("one facility's week, PostgreSQL", park_week, floor_week, "one GiST overlap query"))
        table.append(("  the same, one client (p95)", park_week_1, floor_week_1, "one GiST overlap query"))
        shown = ", ".join(f"{mb:.0f} MB" for mb in sorted(peaks.values(), reverse=True))
        notes.append(f"worker resident memory under the PostgreSQL booking load (peak per worker): {shown}")

        curve = [(f"{args.workers} workers, 10^4 stored", park_book)]
        for workers in (1, 4):
            if workers == args.workers:
                continue
            with Server("park", bench.url, workers) as park:
                book(bench, park, PARK_BOOK, 2, connections)
                curve.append((f"{workers} worker{'s' if workers > 1 else ''}, 10^4 stored",
                              book(bench, park, PARK_BOOK, seconds, connections)))
        for size, label in ((100_000, "10^5"), (1_000_000, "10^6")):
            if size > args.max_stored:
                continue
            loaded = on_database(bench.url, lambda: fill(bench, size))
            notes.append(f"PostgreSQL: filled to {label} bookings in {loaded:.1f} s")
            with Server("park", bench.url, args.workers) as park:
                book(bench, park, PARK_BOOK, 2, connections)
                curve.append((f"{args.workers} workers, {label} stored", book(bench, park, PARK_BOOK, seconds, connections)))
        print_curve(curve, floor_insert)
        over = on_database(bench.url, over_capacity)
        notes.append(f"PostgreSQL: slots over capacity after the runs: {over}")
        if over:
            raise SystemExit(f"PostgreSQL: {over} bookings over capacity")
    finally:
        asyncio.run(_admin(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))


def run_sqlite(args, table: list[tuple], notes: list[str]) -> None:
    folder = tempfile.mkdtemp(prefix="park-bench-")
    bench = Bench(url=f"sqlite:///{folder}/bench.db", backend="SQLite")
    try:
        on_database(bench.url, lambda: prepare(bench))
        on_database(bench.url, lambda: fill(bench, 10_000))
        seconds, connections = args.seconds, args.connections
        with Server("floor", bench.url, args.workers) as floor, Server("park", bench.url, args.workers) as park:
            book(bench, floor, FLOOR_BOOK, 2, connections)
            book(bench, park, PARK_BOOK, 2, connections)
            floors, parks = [], []
            for _ in range(args.repeat):
                floors.append(book(bench, floor, FLOOR_BOOK, seconds, connections))
                parks.append(book(bench, park, PARK_BOOK, seconds, connections))
        floor_insert, park_book = median_run(floors), median_run(parks)
        table.append(("create a booking, SQLite", park_book, floor_insert, "one-row Piccolo insert"))
        notes.extend(each_run("SQLite booking", floors, parks))
        over = on_database(bench.url, over_capacity)
        notes.append(f"SQLite: slots over capacity after the runs: {over}")
        if over:
            raise SystemExit(f"SQLite: {over} bookings over capacity")
    finally:
        shutil.rmtree(folder, ignore_errors=True)


def print_table(table: list[tuple], args) -> None:
    print(f"\nwrk -t1 -c{args.connections} -d{args.seconds}s; uvicorn --workers {args.workers}; pool {POOL_SIZE}; "
          f"10^4 bookings stored; median of {args.repeat} alternating floor/Park runs")
    print(f"| work | Park | bare floor | Park / floor |")
    print(f"|---|---|---|---|")
    for work, park, floor, floor_name in table:
        if "one client" in work:
            print(f"| {work} | {park.rate:.0f} req/s, p95 {park.p95_ms:.1f} ms | {floor_name}: {floor.rate:.0f} req/s, "
                  f"p95 {floor.p95_ms:.1f} ms | {ratio(park, floor)} |")
        else:
            failed = f" ({park.failed} failed)" if park.failed else ""
            print(f"| {work} | {park.rate:.0f} req/s, p99 {park.p99_ms:.0f} ms{failed} | {floor_name}: "
                  f"{floor.rate:.0f} req/s, p99 {floor.p99_ms:.0f} ms | {ratio(park, floor)} |")


def print_curve(curve: list[tuple[str, Run]], floor: Run) -> None:
    print("\nscale curve, booking create on PostgreSQL (ratio to the floor's insert at the default workers):")
    for label, run in curve:
        print(f"  {label:<26} {run}  ratio {ratio(run, floor)}")


# --- one booking, statement by statement ----------------------------------------------

def profile(args) -> None:
    """`--profile N`: N bookings through Park's ASGI app in this process, one after another (`--profile-week N`:
    N reads of one facility's week of availability, after 30 bookings).

    Prints the statements of one booking (each a round trip on PostgreSQL), the statements,
    wall and CPU time per booking, and where the CPU goes (cProfile, Park's functions).
    PostgreSQL when a server is named (unless `--only sqlite`), else SQLite.
    """
    postgres = SERVER_URL.startswith("postgres") and args.only != "sqlite"
    if postgres:
        name = f"park_bench_{secrets.token_hex(3)}"
        asyncio.run(_admin(f'CREATE DATABASE "{name}"'))
        bench = Bench(url=f"{SERVER_URL.rsplit('/', 1)[0]}/{name}", backend="PostgreSQL")
    else:
        folder = tempfile.mkdtemp(prefix="park-bench-")
        bench = Bench(url=f"sqlite:///{folder}/bench.db", backend="SQLite")
    try:
        on_database(bench.url, lambda: prepare(bench))
        on_database(bench.url, lambda: fill(bench, 10_000))
        on_database(bench.url, lambda: _profile_requests(bench, args.profile or args.profile_week, week=bool(args.profile_week)))
    finally:
        if postgres:
            asyncio.run(_admin(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
        else:
            shutil.rmtree(folder, ignore_errors=True)


async def _profile_requests(bench: Bench, count: int, *, week: bool = False) -> None:
    import cProfile
    import pstats

    import httpx

    from park.app import create_app
    from park.settings import load_settings

    statements: list[tuple[str, float]] = []
    recording = [False]
    _count_statements(statements, recording)
    app = create_app(load_settings())
    logging.getLogger("park.request").setLevel(logging.WARNING)  # not a line per booking
    start = bench.slots_from(count + 50)
    sent = [0]

    async def one(http) -> None:
        n = sent[0]
        sent[0] += 1
        facility = bench.facilities[n % len(bench.facilities)]
        hour = start + timedelta(hours=n // len(bench.facilities))
        body = {"facility_id": facility, "starts_at": hour.isoformat(), "ends_at": (hour + timedelta(hours=1)).isoformat()}
        answer = await http.post(PARK_BOOK, json=body, headers={"Authorization": f"Bearer {bench.tokens[n % len(bench.tokens)]}"})
        if answer.status_code != 201:
            raise SystemExit(f"booking answered {answer.status_code}: {answer.text}")

    async def read_week(http) -> None:
        begin = start.replace(hour=0)
        window = {"from": begin.isoformat(), "to": (begin + timedelta(days=7)).isoformat()}
        answer = await http.get(f"/api/v1/facilities/{bench.facilities[0]}/availability", params=window,
                                headers={"Authorization": f"Bearer {bench.tokens[0]}"})
        if answer.status_code != 200:
            raise SystemExit(f"the week answered {answer.status_code}: {answer.text}")

    what = "week read" if week else "booking"
    transport = httpx.ASGITransport(app=app)
    async with httpx.AsyncClient(transport=transport, base_url="http://bench") as http:
        for _ in range(30):  # warm-up: imports, prepared statements, caches (and bookings in the week read)
            await one(http)
        if week:
            one = read_week  # noqa: F811
            for _ in range(30):
                await one(http)
        recording[0] = True
        await one(http)
        recording[0] = False
        print(f"\none {what} on {bench.backend}: {len(statements)} statements (each a round trip on PostgreSQL)")
        for sql, seconds in statements:
            print(f"  {seconds * 1000:6.2f} ms  {' '.join(sql.split())[:150]}")
        statements.clear()
        recording[0] = True
        profiler = cProfile.Profile()
        wall, cpu = time.perf_counter(), time.process_time()
        profiler.enable()
        for _ in range(count):
            await one(http)
        profiler.disable()
        wall, cpu = time.perf_counter() - wall, time.process_time() - cpu
        recording[0] = False
    in_database = sum(seconds for _, seconds in statements)
    print(f"\n{count} of them one after another: {len(statements) / count:.1f} statements, "
          f"{wall / count * 1000:.2f} ms wall ({in_database / count * 1000:.2f} ms of it waiting on statements), "
          f"{cpu / count * 1000:.2f} ms CPU per {what} (CPU under cProfile, so higher than without)")
    stats = pstats.Stats(profiler)
    print("\nwhere the CPU goes, by own time (over all of them):")
    stats.sort_stats("tottime").print_stats(40)
    print("\nPark's functions by cumulative time (a coroutine counts once per resumption):")
    stats.sort_stats("cumulative").print_stats(r"park/", 30)


def _count_statements(statements: list[tuple[str, float]], recording: list[bool]) -> None:
    """Wrap the drivers' statement calls so each one is timed and noted while `recording[0]`."""
    import aiosqlite
    import asyncpg

    def wrap(cls, name, label):
        original = getattr(cls, name)

        async def timed(self, query, *args, **kwargs):
            if not recording[0]:
                return await original(self, query, *args, **kwargs)
            began = time.perf_counter()
            try:
                return await original(self, query, *args, **kwargs)
            finally:
                statements.append((label(query, args), time.perf_counter() - began))

        setattr(cls, name, timed)

    for name in ("fetch", "fetchrow", "fetchval", "execute", "executemany"):
        wrap(asyncpg.connection.Connection, name, lambda query, args: str(query))
    # SQLite: every call into a connection's thread (a statement, a fetch, a commit).
    wrap(aiosqlite.Connection, "_execute",
         lambda fn, args: f"{getattr(fn, '__name__', fn)} {args[0] if args and isinstance(args[0], str) else ''}")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--quick", action="store_true", help="5 s runs, up to 10^5 stored (the default)")
    parser.add_argument("--full", action="store_true", help="10 s runs, up to 10^6 stored")
    parser.add_argument("--seconds", type=int, default=None)
    parser.add_argument("--connections", type=int, default=64)
    parser.add_argument("--workers", type=int, default=2)
    parser.add_argument("--repeat", type=int, default=None, help="alternating floor/Park runs per figure, median kept "
                        "(2 with --quick, 3 with --full)")
    parser.add_argument("--only", choices=["postgres", "sqlite"], default=None)
    parser.add_argument("--profile", type=int, default=0, metavar="N",
                        help="instead: N bookings in this process, one at a time; their statements and CPU")
    parser.add_argument("--profile-week", type=int, default=0, metavar="N",
                        help="the same for N reads of one facility's week of availability")
    args = parser.parse_args()
    if args.profile or args.profile_week:
        profile(args)
        return
    args.seconds = args.seconds or (10 if args.full else 5)
    args.max_stored = 1_000_000 if args.full else 100_000
    args.repeat = args.repeat or (3 if args.full else 2)
    if shutil.which("wrk") is None:
        raise SystemExit("wrk is needed: apt-get install -y wrk")
    table: list[tuple] = []
    notes: list[str] = []
    began = time.monotonic()
    if args.only != "sqlite":
        if SERVER_URL.startswith("postgres"):
            run_postgres(args, table, notes)
        else:
            notes.append("PostgreSQL skipped: set PARK_BENCH_DATABASE_URL=postgresql://postgres@127.0.0.1:5432/postgres")
    if args.only != "postgres":
        run_sqlite(args, table, notes)
    print_table(table, args)
    print()
    for note in notes:
        print(note)
    print(f"benchmark took {time.monotonic() - began:.0f} s")


if __name__ == "__main__":
    main()
