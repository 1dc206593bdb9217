"""SQLite's transport for live updates (park/shared/live.py): the recent changes, read by every process.

Raw SQL because it exists on SQLite only (PostgreSQL uses LISTEN/NOTIFY) and because
AUTOINCREMENT keeps ids rising even after the table is emptied, so a reader's
"id > the last one read" stays true.
"""

from piccolo.apps.migrations.auto.migration_manager import MigrationManager

ID = "2026-12-02T8:00:00:000000"
VERSION = "1.38.0"
DESCRIPTION = "live_change: recent changes for live updates on SQLite"

SQLITE_DDL = (
    "CREATE TABLE IF NOT EXISTS live_change ("
    "id INTEGER PRIMARY KEY AUTOINCREMENT, "
    "facility INTEGER, "  # NULL: any facility
    "days TEXT, "  # comma-separated local ISO dates; NULL: any day
    "created_at TEXT NOT NULL DEFAULT CURRENT_TIMESTAMP)"
)


async def forwards():
    manager = MigrationManager(migration_id=ID, app_name="park", description=DESCRIPTION)

    async def create_table():
        from park.shared.db import current_engine, is_sqlite

        if is_sqlite():
            await current_engine().run_ddl(SQLITE_DDL)

    manager.add_raw(create_table)
    return manager
