"""One claim per (user, key): the unique index that decides which of two racing requests runs.

Raw SQL because Piccolo's composite Unique emits ALTER TABLE … ADD CONSTRAINT, which SQLite
rejects; its own migration because a migration's raw steps run before its tables.
"""

from piccolo.apps.migrations.auto.migration_manager import MigrationManager

ID = "2026-12-02T4:00:01:000000"
VERSION = "1.38.0"
DESCRIPTION = "Unique (user_id, key) idempotency claims"

STATEMENT = "CREATE UNIQUE INDEX IF NOT EXISTS idempotent_request_user_key ON idempotent_request (user_id, key)"


async def forwards():
    manager = MigrationManager(migration_id=ID, app_name="park", description=DESCRIPTION)

    async def create_index():
        from park.shared.db import current_engine

        await current_engine().run_ddl(STATEMENT)

    manager.add_raw(create_index)
    return manager
