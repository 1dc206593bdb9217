"""Booking indexes, and on PostgreSQL the constraint that makes double-booking impossible.

Raw SQL in its own migration because a migration's raw steps run before its
tables. The exclusion constraint covers capacity-1 facilities (`exclusive`):
no two seat-holding bookings of one facility may overlap, counting the buffer
(`occupied_until`). Facilities with N seats rely on the facility row lock
taken by the booking service. SQLite has no such constraint; there the
IMMEDIATE transaction serialises every writer.
"""

from piccolo.apps.migrations.auto.migration_manager import MigrationManager

ID = "2026-11-25T01:07:11:000000"
VERSION = "1.38.0"
DESCRIPTION = "Booking indexes; PostgreSQL exclusion constraint against double-booking"

STATEMENTS = [
    "CREATE INDEX IF NOT EXISTS booking_facility_starts_at ON booking (facility, starts_at)",
    "CREATE INDEX IF NOT EXISTS booking_tenant_starts_at ON booking (tenant, starts_at)",
    "CREATE INDEX IF NOT EXISTS booking_status_starts_at ON booking (status, starts_at)",
    "CREATE INDEX IF NOT EXISTS booking_series_ref ON booking (series)",
    "CREATE INDEX IF NOT EXISTS blackout_starts_at ON blackout (starts_at)",
    "CREATE UNIQUE INDEX IF NOT EXISTS facility_authorization_user_facility "
    "ON facility_authorization (\"user\", facility)",
]

POSTGRES_STATEMENTS = [
    "CREATE EXTENSION IF NOT EXISTS btree_gist",
    """
    DO $$
    BEGIN
        IF NOT EXISTS (SELECT 1 FROM pg_constraint WHERE conname = 'booking_exclusive_no_overlap') THEN
            ALTER TABLE booking ADD CONSTRAINT booking_exclusive_no_overlap
            EXCLUDE USING gist (facility WITH =, tstzrange(starts_at, occupied_until, '[)') WITH &&)
            WHERE (exclusive AND status IN ('pending', 'confirmed', 'checked_in'));
        END IF;
    END
    $$
    """,
]


async def forwards():
    manager = MigrationManager(migration_id=ID, app_name="park", description=DESCRIPTION)

    async def create_indexes_and_constraint():
        from piccolo.engine.postgres import PostgresEngine

        from park.shared.db import current_engine

        engine = current_engine()
        for statement in STATEMENTS:
            await engine.run_ddl(statement)
        if isinstance(engine, PostgresEngine):
            for statement in POSTGRES_STATEMENTS:
                await engine.run_ddl(statement)

    manager.add_raw(create_indexes_and_constraint)
    return manager
