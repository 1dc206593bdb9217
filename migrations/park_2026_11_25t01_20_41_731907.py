"""Space units unique per building, and leases of one unit that never overlap.

Raw SQL: a unique index works on both databases (Piccolo's composite Unique
does not on SQLite). On PostgreSQL an exclusion constraint over
daterange(starts_on, ends_on, '[)') per unit lets the database have the final
word on overlapping leases, whatever the number of concurrent writers; on
SQLite the lease service checks inside an IMMEDIATE transaction, which
serialises writers. Its own migration because a migration's raw steps run
before its tables.
"""

from piccolo.apps.migrations.auto.migration_manager import MigrationManager

ID = "2026-11-25T01:20:41:731907"
VERSION = "1.38.0"
DESCRIPTION = "Unique unit codes per building; non-overlapping leases per unit"

STATEMENTS = [
    "CREATE UNIQUE INDEX IF NOT EXISTS space_unit_building_code ON space_unit (building, code)",
    "CREATE INDEX IF NOT EXISTS space_lease_unit_dates ON space_lease (unit, starts_on, ends_on)",
    "CREATE INDEX IF NOT EXISTS space_lease_ends_on ON space_lease (ends_on)",
]

POSTGRES_STATEMENTS = [
    "CREATE EXTENSION IF NOT EXISTS btree_gist",
    """
    DO $$
    BEGIN
        IF NOT EXISTS (SELECT 1 FROM pg_constraint WHERE conname = 'space_lease_no_overlap') THEN
            ALTER TABLE space_lease ADD CONSTRAINT space_lease_no_overlap
            EXCLUDE USING gist (unit WITH =, daterange(starts_on, ends_on, '[)') WITH &&);
        END IF;
        IF NOT EXISTS (SELECT 1 FROM pg_constraint WHERE conname = 'space_lease_ends_after_start') THEN
            ALTER TABLE space_lease ADD CONSTRAINT space_lease_ends_after_start CHECK (ends_on > starts_on);
        END IF;
    END
    $$
    """,
]


async def forwards():
    manager = MigrationManager(migration_id=ID, app_name="park", description=DESCRIPTION)

    async def create_space_constraints():
        from piccolo.engine.postgres import PostgresEngine

        from park.shared.db import current_engine

        engine = current_engine()
        for statement in STATEMENTS:
            await engine.run_ddl(statement)
        if isinstance(engine, PostgresEngine):
            for statement in POSTGRES_STATEMENTS:
                await engine.run_ddl(statement)

    manager.add_raw(create_space_constraints)
    return manager
