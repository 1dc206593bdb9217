"""A covering index of the seat-holding bookings, for the free-time reads.

A facility's week, the time-first search, the day timeline and the booking path all read the
seat-holding bookings of some facilities in a window (`park/bookings/queries.py`). Through the
(facility, starts_at) or (status, starts_at) index each row found costs a random visit to the
table: over a million bookings a week of every facility was ~5,000 such visits (35 ms on
PostgreSQL, 20 ms on SQLite). This index holds only the seat-holding rows (a small part of the
table once bookings are over) and every column those reads return, so a window is one range
read of the index (PostgreSQL: an index-only scan once the table is vacuumed). Its WHERE is
written exactly as the queries write theirs: SQLite uses a partial index only for a query
that repeats the index's condition term for term.
"""

from piccolo.apps.migrations.auto.migration_manager import MigrationManager

ID = "2026-12-03T18:30:00:000000"
VERSION = "1.38.0"
DESCRIPTION = "Covering index of the seat-holding bookings (free-time reads)"

# The same text as park.bookings.queries._HOLDING_SQL (a test checks it).
HOLDING_CONDITION = "status IN ('checked_in', 'confirmed', 'pending')"

POSTGRES_STATEMENT = (
    "CREATE INDEX IF NOT EXISTS booking_live_cover ON booking (facility, starts_at) "
    f'INCLUDE (ends_at, seats, status, id, "user", tenant) WHERE {HOLDING_CONDITION}'
)
# SQLite has no INCLUDE: the returned columns are trailing key columns.
SQLITE_STATEMENT = (
    "CREATE INDEX IF NOT EXISTS booking_live_cover ON booking "
    f'(facility, starts_at, ends_at, seats, status, id, "user", tenant) WHERE {HOLDING_CONDITION}'
)


async def forwards():
    manager = MigrationManager(migration_id=ID, app_name="park", description=DESCRIPTION)

    async def create_index():
        from piccolo.engine.sqlite import SQLiteEngine

        from park.shared.db import current_engine

        engine = current_engine()
        await engine.run_ddl(SQLITE_STATEMENT if isinstance(engine, SQLiteEngine) else POSTGRES_STATEMENT)

    manager.add_raw(create_index)
    return manager
