"""Remembered answers to retried writes (`Idempotency-Key`, park/shared/idempotency.py)."""

from piccolo.apps.migrations.auto.migration_manager import MigrationManager
from piccolo.columns.column_types import Boolean, Bytea, Integer, Text, Timestamptz, Varchar
from piccolo.columns.defaults.timestamptz import TimestamptzNow
from piccolo.columns.indexes import IndexMethod

ID = "2026-12-02T4:00:00:000000"
VERSION = "1.38.0"
DESCRIPTION = "Idempotency keys: one claim and one stored answer per (user, key)"

TABLE = {"table_class_name": "IdempotentRequest", "tablename": "idempotent_request", "schema": None}


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


COLUMNS = [
    ("user_id", Integer, _params(default=0)),
    ("key", Varchar, _params(length=255, default="")),
    ("fingerprint", Varchar, _params(length=64, default="")),
    ("state", Varchar, _params(length=10, default="running")),
    ("applied", Boolean, _params(default=False)),
    ("owner", Varchar, _params(length=32, default="")),
    ("claimed_at", Timestamptz, _params(default=TimestamptzNow())),
    ("created_at", Timestamptz, _params(default=TimestamptzNow(), index=True)),
    ("response_status", Integer, _params(default=None, null=True)),
    ("response_headers", Text, _params(default="")),
    ("response_body", Bytea, _params(default=None, null=True)),
]


async def forwards():
    manager = MigrationManager(migration_id=ID, app_name="park", description=DESCRIPTION)
    manager.add_table(class_name="IdempotentRequest", tablename="idempotent_request", schema=None, columns=None)
    for name, column_class, params in COLUMNS:
        manager.add_column(
            column_name=name,
            db_column_name=name,
            column_class_name=column_class.__name__,
            column_class=column_class,
            params=params,
            **TABLE,
        )
    return manager
