from piccolo.apps.migrations.auto.migration_manager import MigrationManager
from piccolo.columns.column_types import BigInt, Integer, Varchar
from piccolo.columns.indexes import IndexMethod

ID = "2026-12-02T14:00:00:000000"
VERSION = "1.38.0"
DESCRIPTION = "Sign-in throttling as one counter per bucket, counted and read in one upsert"


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


async def forwards():
    manager = MigrationManager(migration_id=ID, app_name="park", description=DESCRIPTION)

    manager.add_table(class_name="SignInCounter", tablename="sign_in_counter", schema=None, columns=None)
    manager.add_column(
        table_class_name="SignInCounter",
        tablename="sign_in_counter",
        column_name="bucket",
        db_column_name="bucket",
        column_class_name="Varchar",
        column_class=Varchar,
        params=_params(length=80, default="", unique=True, index=True),
        schema=None,
    )
    manager.add_column(
        table_class_name="SignInCounter",
        tablename="sign_in_counter",
        column_name="attempts",
        db_column_name="attempts",
        column_class_name="Integer",
        column_class=Integer,
        params=_params(default=0),
        schema=None,
    )
    manager.add_column(
        table_class_name="SignInCounter",
        tablename="sign_in_counter",
        column_name="window_end",
        db_column_name="window_end",
        column_class_name="BigInt",
        column_class=BigInt,
        params=_params(default=0, index=True),
        schema=None,
    )
    # The per-failure rows it replaces: a window's worth of failures at most, nothing worth keeping.
    manager.drop_table(class_name="SignInFailure", tablename="sign_in_failure", schema=None)

    return manager
