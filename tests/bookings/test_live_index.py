"""The reads of free time go through the covering index of the seat-holding bookings."""

import importlib
from datetime import timedelta

from park.bookings import queries
from park.shared.db import fetch, is_sqlite
from park.shared.timespan import Span

from tests.builders import at, create_booking, create_building, create_facility, create_tenant, create_user

MIGRATION = importlib.import_module("migrations.park_2026_12_03t18_30_00_000000_live_booking_index")


def test_the_index_condition_is_the_one_the_queries_write():
    # SQLite uses a partial index only for a query that repeats its condition term for term.
    assert MIGRATION.HOLDING_CONDITION == f"status IN ({queries._HOLDING_SQL})"


async def test_the_search_read_is_a_range_of_the_covering_index(db, monkeypatch):
    sql_seen = []
    original = queries.fetch_values

    async def recording(sql, *args):
        sql_seen.append((sql, args))
        return await original(sql, *args)

    monkeypatch.setattr(queries, "fetch_values", recording)
    held = await queries.seats_held_of([1, 2], Span(at(1, 0), at(8, 0)), timedelta(minutes=30))
    assert held == {1: [], 2: []}
    [(sql, args)] = sql_seen
    if is_sqlite():
        plan = " ".join(str(row) for row in await fetch("EXPLAIN QUERY PLAN " + sql, *args))
        assert "COVERING INDEX booking_live_cover" in plan
    else:
        [row] = await fetch("SELECT indexdef FROM pg_indexes WHERE indexname = 'booking_live_cover'")
        assert "INCLUDE (ends_at, seats, status" in row["indexdef"]


async def test_the_search_reads_the_same_seats_and_times_as_the_full_read(db):
    building = await create_building()
    first = await create_facility(building["id"], capacity=4)
    second = await create_facility(building["id"])
    tenant = await create_tenant()
    user = await create_user(tenant_id=tenant["id"])
    week = Span(at(7, 0), at(14, 0))
    for facility, starts_at, ends_at, seats, status in (
        (first, at(7, 9, 30), at(7, 11), 3, "confirmed"),
        (first, at(6, 23), at(7, 1), 1, "pending"),  # runs into the week
        (first, at(8, 9), at(8, 10), 2, "cancelled"),  # holds nothing
        (first, at(8, 9), at(8, 10), 1, "requested"),  # nor before the draw
        (first, at(14, 0), at(14, 1), 1, "confirmed"),  # after the week, yet within the buffer's reach
        (second, at(9, 14, 15), at(9, 15, 45), 1, "checked_in"),
        (second, at(1, 9), at(1, 10), 1, "confirmed"),  # long before
    ):
        await create_booking(facility["id"], tenant["id"], user.id, starts_at, ends_at, seats, status)
    ids = [first["id"], second["id"]]
    held = await queries.seats_held_of(ids, week, timedelta(minutes=30))
    full = await queries.live_bookings_of(ids, week, timedelta(minutes=30))
    for facility_id in ids:
        expected = sorted((b.starts_at, b.ends_at, b.seats, b.status) for b in full[facility_id])
        assert sorted(held[facility_id]) == expected
        assert all(h.starts_at.utcoffset() == timedelta(0) for h in held[facility_id])
    assert len(held[first["id"]]) == 3 and len(held[second["id"]]) == 1
