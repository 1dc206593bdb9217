from piccolo.apps.migrations.auto.migration_manager import MigrationManager
from piccolo.columns.base import OnDelete, OnUpdate
from piccolo.columns.column_types import ForeignKey, Integer, Timestamptz, Varchar
from piccolo.columns.defaults.timestamptz import TimestamptzNow
from piccolo.columns.indexes import IndexMethod
from piccolo.table import Table

ID = "2026-12-03T12:30:00:000000"
VERSION = "1.38.0"
DESCRIPTION = "Facility photos (the files lie under the data directory)"


class Facility(Table, tablename="facility"):
    pass


def _params(**overrides):
    params = {
        "null": False,
        "primary_key": False,
        "unique": False,
        "index": False,
        "index_method": IndexMethod.btree,
        "choices": None,
        "db_column_name": None,
        "secret": False,
    }
    params.update(overrides)
    return params


def _add(manager, name, column_class, params):
    manager.add_column(
        table_class_name="FacilityPhoto", tablename="facility_photo", column_name=name, db_column_name=name,
        column_class_name=column_class.__name__, column_class=column_class, params=params, schema=None,
    )


async def forwards():
    manager = MigrationManager(migration_id=ID, app_name="park", description=DESCRIPTION)
    manager.add_table(class_name="FacilityPhoto", tablename="facility_photo", schema=None, columns=None)
    _add(manager, "facility", ForeignKey, _params(
        references=Facility, on_delete=OnDelete.cascade, on_update=OnUpdate.cascade, target_column=None,
        default=None, index=True,
    ))
    _add(manager, "name", Varchar, _params(length=40, default="", unique=True))
    _add(manager, "width", Integer, _params(default=0))
    _add(manager, "height", Integer, _params(default=0))
    _add(manager, "byte_size", Integer, _params(default=0))
    _add(manager, "uploaded_by", Integer, _params(null=True, default=None))
    _add(manager, "created_at", Timestamptz, _params(default=TimestamptzNow()))
    return manager
