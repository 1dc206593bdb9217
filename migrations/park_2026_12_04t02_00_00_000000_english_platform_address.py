"""English forms of a facility's platform and a building's address, shown on English pages."""

from piccolo.apps.migrations.auto.migration_manager import MigrationManager
from piccolo.columns.column_types import Varchar
from piccolo.columns.indexes import IndexMethod

ID = "2026-12-04T02:00:00:000000"
VERSION = "1.38.0"
DESCRIPTION = "English platform names and building addresses"

COLUMNS = [
    ("Facility", "facility", "platform_en", 200),
    ("Building", "building", "address_en", 300),
]
COMMON = {
    "null": False, "primary_key": False, "unique": False, "index": False, "index_method": IndexMethod.btree,
    "choices": None, "db_column_name": None, "secret": False,
}


async def forwards():
    manager = MigrationManager(migration_id=ID, app_name="park", description=DESCRIPTION)
    for class_name, tablename, column, length in COLUMNS:
        manager.add_column(
            table_class_name=class_name, tablename=tablename, column_name=column, db_column_name=column,
            column_class_name="Varchar", column_class=Varchar,
            params={"length": length, "default": "", **COMMON}, schema=None,
        )
    return manager
