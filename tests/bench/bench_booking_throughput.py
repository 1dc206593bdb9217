"""Benchmark: booking creation throughput over HTTP on PostgreSQL, with several server workers.

Run from the repository root (PostgreSQL must be reachable):

    PARK_BENCH_DATABASE_URL=postgresql://postgres@127.0.0.1:5432/postgres \\
        .venv/bin/python tests/bench/bench_booking_throughput.py [--workers 4] [--requests 2000] [--concurrency 32]

It creates a fresh database on that server (dropped afterwards), applies the
migrations, creates 20 facilities open around the clock (ten one-seat rooms,
ten 10-seat labs) and 200 firms with one member each, starts `park serve`
with the given number of workers, and sends POST /api/v1/bookings with the
given concurrency in two shapes:

- spread: every request asks for a different (facility, hour) — little contention;
- contended: all requests go to two facilities, 40 requests per slot, so most
  answer 409 and every request waits for the same facility lock.

It prints requests per second, bookings created per second, latency
percentiles and the answers by status code, and checks that no slot holds
more seats than its capacity.

The Python client shares the machine's cores with the server; `--wrk SECONDS`
adds a run driven by wrk (a C load generator: `apt-get install wrk`), which
measures the server rather than the client. Each wrk request books a distinct
(facility, hour) slot as one of the firms.
"""

from __future__ import annotations

import argparse
import asyncio
import os
import re
import secrets
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from collections import Counter
from datetime import datetime, timedelta, timezone
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[2]))

SERVER_URL = os.environ.get("PARK_BENCH_DATABASE_URL", "")
ALL_WEEK = {day: [["00:00", "24:00"]] for day in ("mon", "tue", "wed", "thu", "fri", "sat", "sun")}


async def _admin(statement: str) -> None:
    import asyncpg

    connection = await asyncpg.connect(SERVER_URL)
    try:
        await connection.execute(statement)
    finally:
        await connection.close()


async def prepare(firms: int) -> tuple[list[dict], list[str]]:
    """Facilities and one bearer token per firm member."""
    from park.shared.actor import Actor
    from park.accounts.service import issue_token
    from park.accounts.tables import User
    from park.facilities.tables import Building, Facility
    from park.settings import load_settings
    from park.shared.migrate import upgrade_database
    from park.tenants.tables import Tenant
    from tests.builders import make_uscc

    settings = load_settings()
    await upgrade_database()
    building = Building(name="基准楼", name_en="Bench Building", code="BENCH")
    await building.save()
    facilities = []
    for number in range(20):
        capacity = 1 if number < 10 else 10
        facility = Facility(
            name=f"基准设施 {number}", kind="meeting_room" if capacity == 1 else "lab", building=building.id,
            capacity=capacity, opening_hours=ALL_WEEK, slot_minutes=60, min_duration_minutes=60,
            max_duration_minutes=240, max_advance_days=90,
        )
        await facility.save()
        facilities.append(facility.to_dict())
    tokens = []
    now = datetime.now(timezone.utc)
    for number in range(firms):
        tenant = Tenant(name=f"基准企业 {number}", uscc=make_uscc(700_000_000 + number), sector="new_media")
        await tenant.save()
        user = User(email=f"bench{number}@firm.test", name=f"Bench {number}", password_hash="x", role="member",
                    tenant=tenant.id, calendar_token=secrets.token_urlsafe(24))
        await user.save()
        token, _ = await issue_token(settings, Actor(user.id, user.email, user.name, "member", tenant.id), now)
        tokens.append(token)
    return facilities, tokens


async def fire(base_url: str, payloads: list[tuple[dict, str]], concurrency: int) -> tuple[float, list[float], Counter]:
    import httpx

    queue: asyncio.Queue = asyncio.Queue()
    for item in payloads:
        queue.put_nowait(item)
    latencies: list[float] = []
    codes: Counter = Counter()

    async def worker(http: httpx.AsyncClient) -> None:
        while not queue.empty():
            payload, token = queue.get_nowait()
            began = time.perf_counter()
            response = await http.post("/api/v1/bookings", json=payload, headers={"Authorization": f"Bearer {token}"})
            latencies.append(time.perf_counter() - began)
            code = response.status_code
            codes[f"{code} {response.json().get('code', '')}" if code >= 400 else str(code)] += 1

    limits = httpx.Limits(max_connections=concurrency, max_keepalive_connections=concurrency)
    async with httpx.AsyncClient(base_url=base_url, timeout=120, limits=limits) as http:
        began = time.perf_counter()
        await asyncio.gather(*[worker(http) for _ in range(concurrency)])
        elapsed = time.perf_counter() - began
    return elapsed, latencies, codes


def report(name: str, elapsed: float, latencies: list[float], codes: Counter) -> None:
    ordered = sorted(latencies)
    created = codes.get("201", 0)
    print(f"-- {name}")
    print(f"   requests: {len(latencies)} in {elapsed:.2f} s = {len(latencies) / elapsed:.0f} req/s; "
          f"bookings created: {created} = {created / elapsed:.0f} /s")
    print(f"   latency ms: p50 {statistics.median(ordered) * 1000:.1f}, "
          f"p95 {ordered[int(len(ordered) * 0.95) - 1] * 1000:.1f}, max {ordered[-1] * 1000:.1f}")
    print(f"   answers: {dict(sorted(codes.items()))}")


async def check_capacity() -> None:
    from park.shared.db import fetch

    rows = await fetch(
        "SELECT b.facility, b.starts_at, SUM(b.seats) AS seats, MAX(f.capacity) AS capacity "
        "FROM booking b JOIN facility f ON f.id = b.facility WHERE b.status = 'confirmed' "
        "GROUP BY b.facility, b.starts_at HAVING SUM(b.seats) > MAX(f.capacity)"
    )
    print(f"slots over capacity: {len(rows)}")
    if rows:
        raise SystemExit("overbooked!")


async def main_async(args) -> None:
    from park.settings import load_settings
    from park.shared.db import close_database, open_database
    from tests.support import live_server

    engine = await open_database(load_settings())
    try:
        facilities, tokens = await prepare(args.firms)
    finally:
        await close_database(engine)
    start = (datetime.now(timezone.utc) + timedelta(days=2)).replace(minute=0, second=0, microsecond=0)
    spread = []
    for number in range(args.requests):
        facility = facilities[number % len(facilities)]
        hour = start + timedelta(hours=number // len(facilities))
        spread.append(({"facility_id": facility["id"], "starts_at": hour.isoformat(),
                        "ends_at": (hour + timedelta(hours=1)).isoformat()}, tokens[number % len(tokens)]))
    contended = []
    later = start + timedelta(days=30)
    for number in range(args.requests):
        facility = facilities[number % 2 * 10]  # one one-seat room and one 10-seat lab
        hour = later + timedelta(hours=number // 40)
        contended.append(({"facility_id": facility["id"], "starts_at": hour.isoformat(),
                           "ends_at": (hour + timedelta(hours=1)).isoformat()}, tokens[number % len(tokens)]))
    with live_server(workers=args.workers, extra_env={"PARK_DATABASE_POOL_SIZE": "10"}) as base_url:
        await fire(base_url, spread[:50], args.concurrency)  # warm-up: connections and pools
        print(f"database: PostgreSQL; server: park serve --workers {args.workers}; client concurrency {args.concurrency}")
        report("spread (distinct slots)", *await fire(base_url, spread[50:], args.concurrency))
        report("contended (40 requests per slot, 2 facilities)", *await fire(base_url, contended, args.concurrency))
        if args.wrk:
            run_wrk(base_url, facilities, tokens, start + timedelta(days=45), args)
    engine = await open_database(load_settings())
    try:
        await check_capacity()
    finally:
        await close_database(engine)


WRK_SCRIPT = """
local tokens = {%(tokens)s}
local facilities = {%(facilities)s}
local start = %(start)d
local counter = 0
wrk.method = "POST"
wrk.headers["Content-Type"] = "application/json"
request = function()
  local f = facilities[(counter %% #facilities) + 1]
  local hour = start + math.floor(counter / #facilities) * 3600
  local token = tokens[(math.floor(counter / #facilities) %% #tokens) + 1]
  counter = counter + 1
  local body = string.format('{"facility_id": %%d, "starts_at": "%%s", "ends_at": "%%s"}', f,
    os.date("!%%Y-%%m-%%dT%%H:%%M:%%SZ", hour), os.date("!%%Y-%%m-%%dT%%H:%%M:%%SZ", hour + 3600))
  return wrk.format(nil, "/api/v1/bookings", {["Authorization"] = "Bearer " .. token}, body)
end
"""


def run_wrk(base_url: str, facilities: list[dict], tokens: list[str], start: datetime, args) -> None:
    """Distinct slots booked as fast as wrk (one thread, `--concurrency` connections) can send them."""
    if shutil.which("wrk") is None:
        print("-- wrk: not installed (apt-get install wrk); skipped")
        return
    script = WRK_SCRIPT % {
        "tokens": ", ".join(f'"{token}"' for token in tokens),
        "facilities": ", ".join(str(facility["id"]) for facility in facilities),
        "start": int(start.timestamp()),
    }
    with tempfile.NamedTemporaryFile("w", suffix=".lua", delete=False) as lua:
        lua.write(script)
    try:
        result = subprocess.run(
            ["wrk", "-t1", f"-c{args.concurrency}", f"-d{args.wrk}s", "--latency", "-s", lua.name, base_url],
            capture_output=True, text=True, timeout=args.wrk + 60,
        )
    finally:
        os.unlink(lua.name)
    rate = re.search(r"Requests/sec:\s+([\d.]+)", result.stdout)
    errors = re.search(r"Non-2xx or 3xx responses: (\d+)", result.stdout)
    total = re.search(r"(\d+) requests in", result.stdout)
    print(f"-- wrk, {args.wrk} s, {args.concurrency} connections (distinct slots)")
    print(f"   requests/s: {rate.group(1) if rate else '?'}; requests: {total.group(1) if total else '?'}; "
          f"non-2xx: {errors.group(1) if errors else 0}")
    for line in result.stdout.splitlines():
        if line.strip().startswith(("50%", "90%", "99%")):
            print(f"   latency {line.strip()}")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--workers", type=int, default=4)
    parser.add_argument("--requests", type=int, default=2000)
    parser.add_argument("--concurrency", type=int, default=32)
    parser.add_argument("--firms", type=int, default=200)
    parser.add_argument("--wrk", type=int, default=0, metavar="SECONDS", help="also drive the server with wrk for this long")
    args = parser.parse_args()
    if not SERVER_URL.startswith("postgres"):
        print("set PARK_BENCH_DATABASE_URL to a PostgreSQL server URL, e.g. postgresql://postgres@127.0.0.1:5432/postgres")
        return
    name = f"park_bench_{secrets.token_hex(3)}"
    asyncio.run(_admin(f'CREATE DATABASE "{name}"'))
    os.environ["PARK_DATABASE_URL"] = f"{SERVER_URL.rsplit('/', 1)[0]}/{name}"
    try:
        asyncio.run(main_async(args))
    finally:
        asyncio.run(_admin(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))


if __name__ == "__main__":
    main()
