from piccolo.apps.migrations.auto.migration_manager import MigrationManager
from piccolo.columns.column_types import Varchar
from piccolo.columns.indexes import IndexMethod

ID = "2026-12-02T15:00:00:000000"
VERSION = "1.38.0"
DESCRIPTION = "A facility's code: the key an import matches it by (e.g. D-LAB-3D)"


async def forwards():
    manager = MigrationManager(migration_id=ID, app_name="park", description=DESCRIPTION)
    manager.add_column(
        table_class_name="Facility",
        tablename="facility",
        column_name="code",
        db_column_name="code",
        column_class_name="Varchar",
        column_class=Varchar,
        params={
            "length": 40,
            "default": None,
            "null": True,
            "primary_key": False,
            "unique": False,  # SQLite cannot add a UNIQUE column: the index below makes it unique
            "index": False,
            "index_method": IndexMethod.btree,
            "choices": None,
            "db_column_name": None,
            "secret": False,
        },
        schema=None,
    )

    return manager
