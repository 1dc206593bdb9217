"""Unique keys that make report snapshots and scheduled runs happen once.

Raw SQL because Piccolo's composite Unique emits ALTER TABLE … ADD
CONSTRAINT, which SQLite rejects; a unique index works on both databases.
Its own migration because a migration's raw steps run before its tables.
"""

from piccolo.apps.migrations.auto.migration_manager import MigrationManager

ID = "2026-11-25T01:05:03:000000"
VERSION = "1.38.0"
DESCRIPTION = "Unique (kind, period) snapshots and (job, slot) scheduled runs"

STATEMENTS = [
    "CREATE UNIQUE INDEX IF NOT EXISTS report_snapshot_kind_period "
    "ON report_snapshot (kind, period)",
    "CREATE INDEX IF NOT EXISTS report_snapshot_starts_at ON report_snapshot (starts_at)",
    "CREATE UNIQUE INDEX IF NOT EXISTS scheduled_run_job_slot ON scheduled_run (job, slot)",
]


async def forwards():
    manager = MigrationManager(migration_id=ID, app_name="park", description=DESCRIPTION)

    async def create_indexes():
        from park.shared.db import current_engine

        engine = current_engine()
        for statement in STATEMENTS:
            await engine.run_ddl(statement)

    manager.add_raw(create_indexes)
    return manager
