from piccolo.apps.migrations.auto.migration_manager import MigrationManager
from piccolo.columns.column_types import JSON, Varchar
from piccolo.columns.indexes import IndexMethod

ID = "2026-12-03T12:40:00:000000"
VERSION = "1.38.0"
DESCRIPTION = "Reasons kept as a code and parameters (park/shared/reasons.py), said in the reader's language"

COLUMNS = [
    ("Booking", "booking", "status_reason"),
    ("WaitlistEntry", "booking_waitlist", "status_reason"),
    ("SpaceApplication", "space_application", "explanation"),
    ("RoundAssignment", "allocation_assignment", "explanation"),
]
COMMON = {
    "null": False, "primary_key": False, "unique": False, "index": False, "index_method": IndexMethod.btree,
    "choices": None, "db_column_name": None, "secret": False,
}


async def forwards():
    manager = MigrationManager(migration_id=ID, app_name="park", description=DESCRIPTION)
    for class_name, tablename, field in COLUMNS:
        manager.add_column(
            table_class_name=class_name, tablename=tablename,
            column_name=f"{field}_code", db_column_name=f"{field}_code",
            column_class_name="Varchar", column_class=Varchar,
            params={"length": 60, "default": "", **COMMON}, schema=None,
        )
        manager.add_column(
            table_class_name=class_name, tablename=tablename,
            column_name=f"{field}_params", db_column_name=f"{field}_params",
            column_class_name="JSON", column_class=JSON,
            params={"default": "{}", **COMMON}, schema=None,
        )
    return manager
