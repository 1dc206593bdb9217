from piccolo.apps.migrations.auto.migration_manager import MigrationManager
from piccolo.columns.base import OnDelete, OnUpdate
from piccolo.columns.column_types import ForeignKey, Timestamptz
from piccolo.columns.defaults.timestamptz import TimestamptzNow
from piccolo.columns.indexes import IndexMethod
from piccolo.table import Table

ID = "2026-12-03T12:10:00:000000"
VERSION = "1.38.0"
DESCRIPTION = "Training requests: a user asks the managers to be trained for a facility"


class User(Table, tablename="park_user"):
    pass


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


def _fk(references):
    return _params(
        references=references, on_delete=OnDelete.cascade, on_update=OnUpdate.cascade, target_column=None,
        null=False, default=None, index=True,
    )


def _add(manager, name, column_class, params):
    manager.add_column(
        table_class_name="TrainingRequest", tablename="training_request", column_name=name, db_column_name=name,
        column_class_name=column_class.__name__, column_class=column_class, params=params, schema=None,
    )


async def forwards():
    manager = MigrationManager(migration_id=ID, app_name="park", description=DESCRIPTION)

    manager.add_table(class_name="TrainingRequest", tablename="training_request", schema=None, columns=None)
    _add(manager, "facility", ForeignKey, _fk(Facility))
    _add(manager, "user", ForeignKey, _fk(User))
    _add(manager, "requested_at", Timestamptz, _params(default=TimestamptzNow()))
    _add(manager, "notified_at", Timestamptz, _params(default=TimestamptzNow()))
    _add(manager, "closed_at", Timestamptz, _params(null=True, default=None))

    return manager
