from piccolo.apps.migrations.auto.migration_manager import MigrationManager

ID = "2026-12-02T15:00:01:000000"
VERSION = "1.38.0"
DESCRIPTION = "Facility codes are unique (NULLs, facilities without one, are distinct on both databases)"


async def forwards():
    manager = MigrationManager(migration_id=ID, app_name="park", description=DESCRIPTION)

    async def unique_codes():
        from park.shared.db import current_engine

        await current_engine().run_ddl("CREATE UNIQUE INDEX IF NOT EXISTS facility_code ON facility (code)")

    manager.add_raw(unique_codes)
    return manager
