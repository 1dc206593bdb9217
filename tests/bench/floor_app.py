"""The floor for bench_vs_floor.py: a bare Litestar app doing the least work a booking or a week's read can cost.

Served by the same server (uvicorn) with the same workers and pool size as Park:

- POST /floor/bookings parses the same JSON body Park takes and does one Piccolo insert;
- GET /floor/facilities/{id}/week?from=…&to=… runs one GiST overlap query on Park's own
  booking table (the exclusion constraint's index; on SQLite a range of the (facility, starts_at) index) and returns the rows;
- GET /floor/bookings?from=…&to=… returns every facility's seat-holding bookings in the window
  in one query (the read under a whole-park search or a day's timeline), grouped by facility.

No authentication, no rules, no audit, no outbox: what is left is the framework, the
driver and the database. Park's figures are printed as a ratio to these.
"""

from __future__ import annotations

import os
from datetime import datetime, timedelta
from typing import Annotated

import msgspec
from litestar import Litestar, get, post
from litestar.params import Parameter
from piccolo.columns import Integer, Timestamptz, Varchar
from piccolo.engine.postgres import PostgresEngine
from piccolo.engine.sqlite import SQLiteEngine
from piccolo.table import Table


class FloorBooking(Table, tablename="floor_booking"):
    facility = Integer()
    tenant = Integer(default=0)
    starts_at = Timestamptz()
    ends_at = Timestamptz()
    seats = Integer(default=1)
    purpose = Varchar(length=500, default="")


class BookingIn(msgspec.Struct):
    facility_id: int
    starts_at: datetime
    ends_at: datetime
    seats: int = 1
    purpose: str = ""


class BookingOut(msgspec.Struct):
    id: int
    facility_id: int
    starts_at: datetime
    ends_at: datetime


class Taken(msgspec.Struct):
    starts_at: datetime
    ends_at: datetime
    seats: int


def make_engine(url: str):
    if url.startswith("sqlite:///"):
        return SQLiteEngine(path=url.removeprefix("sqlite:///"), timeout=30)
    return PostgresEngine(config={"dsn": url})


ENGINE = make_engine(os.environ["PARK_DATABASE_URL"])
FloorBooking._meta.db = ENGINE


@post("/floor/bookings", status_code=201)
async def create_booking(data: BookingIn) -> BookingOut:
    row = FloorBooking(facility=data.facility_id, starts_at=data.starts_at, ends_at=data.ends_at,
                       seats=data.seats, purpose=data.purpose)
    await row.save()
    return BookingOut(row.id, data.facility_id, data.starts_at, data.ends_at)


WEEK_SQL = (
    "SELECT starts_at, ends_at, seats FROM booking WHERE facility = {} AND exclusive "
    "AND status IN ('pending', 'confirmed', 'checked_in') "
    "AND tstzrange(starts_at, occupied_until, '[)') && tstzrange({}, {}, '[)') ORDER BY starts_at"
)


# SQLite has no ranges: the same overlap on the (facility, starts_at) index, bounded below as Park's
# read is (a booking overlapping the window starts at most LONGEST plus the buffer before it), so the
# index range is the window's and not every earlier booking of the facility.
WEEK_SQL_SQLITE = (
    "SELECT starts_at, ends_at, seats FROM booking WHERE facility = {} AND exclusive "
    "AND status IN ('pending', 'confirmed', 'checked_in') "
    "AND starts_at >= {} AND starts_at < {} AND occupied_until > {} ORDER BY starts_at"
)
ALL_SQL = (
    "SELECT facility, starts_at, ends_at, seats FROM booking WHERE starts_at >= {} AND starts_at < {} AND ends_at > {} "
    "AND status IN ('pending', 'confirmed', 'checked_in') ORDER BY facility, starts_at"
)
# The longest a booking can last (Park's MAX_BOOKING_SPAN), so the range on starts_at finds every overlapping one.
LONGEST = timedelta(days=7)
# The longest buffer (Park's MAX_BUFFER): occupied_until is at most this after the end.
LONGEST_BUFFER = timedelta(hours=24)


@get("/floor/facilities/{facility_id:int}/week")
async def week(facility_id: int, from_: Annotated[datetime, Parameter(query="from")], to: datetime) -> list[Taken]:
    if isinstance(ENGINE, SQLiteEngine):
        rows = await FloorBooking.raw(WEEK_SQL_SQLITE, facility_id, from_ - LONGEST - LONGEST_BUFFER, to, from_)
    else:
        rows = await FloorBooking.raw(WEEK_SQL, facility_id, from_, to)
    return [Taken(r["starts_at"], r["ends_at"], r["seats"]) for r in rows]


@get("/floor/bookings")
async def every_facility(from_: Annotated[datetime, Parameter(query="from")], to: datetime) -> dict[int, list[Taken]]:
    rows = await FloorBooking.raw(ALL_SQL, from_ - LONGEST, to, from_)
    found: dict[int, list[Taken]] = {}
    for r in rows:
        found.setdefault(r["facility"], []).append(Taken(r["starts_at"], r["ends_at"], r["seats"]))
    return found


async def _start() -> None:
    if isinstance(ENGINE, PostgresEngine):
        await ENGINE.start_connection_pool(min_size=1, max_size=int(os.environ.get("PARK_DATABASE_POOL_SIZE", "10")))


async def _stop() -> None:
    if isinstance(ENGINE, PostgresEngine):
        await ENGINE.close_connection_pool()


def create_app() -> Litestar:
    return Litestar([create_booking, week, every_facility], on_startup=[_start], on_shutdown=[_stop])
