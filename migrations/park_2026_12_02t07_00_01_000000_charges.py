"""One issued statement per firm and month, whatever the number of issuers.

Raw SQL because Piccolo's composite Unique emits ALTER TABLE … ADD
CONSTRAINT, which SQLite rejects; a unique index works on both databases.
Its own migration because a migration's raw steps run before its tables.
"""

from piccolo.apps.migrations.auto.migration_manager import MigrationManager

ID = "2026-12-02T07:00:01:000000"
VERSION = "1.38.0"
DESCRIPTION = "Unique (tenant, month) statements"

STATEMENTS = [
    "CREATE UNIQUE INDEX IF NOT EXISTS statement_tenant_month ON statement (tenant, month)",
    "CREATE INDEX IF NOT EXISTS statement_month ON statement (month)",
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
