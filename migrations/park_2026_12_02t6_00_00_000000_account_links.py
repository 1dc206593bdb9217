from piccolo.apps.migrations.auto.migration_manager import MigrationManager
from piccolo.columns.base import OnDelete, OnUpdate
from piccolo.columns.column_types import ForeignKey, Timestamptz, Varchar
from piccolo.columns.defaults.timestamptz import TimestamptzNow
from piccolo.columns.indexes import IndexMethod
from piccolo.table import Table

ID = "2026-12-02T6:00:00:000000"
VERSION = "1.38.0"
DESCRIPTION = "Password-reset links and invitations (only a hash of each token is stored)"


class User(Table, tablename="park_user"):
    pass


class Tenant(Table, tablename="tenant"):
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


def _fk(references, null: bool):
    return _params(
        references=references, on_delete=OnDelete.cascade, on_update=OnUpdate.cascade, target_column=None,
        null=null, default=None, index=True,
    )


def _add(manager, class_name, tablename, name, column_class, params):
    manager.add_column(
        table_class_name=class_name, tablename=tablename, column_name=name, db_column_name=name,
        column_class_name=column_class.__name__, column_class=column_class, params=params, schema=None,
    )


async def forwards():
    manager = MigrationManager(migration_id=ID, app_name="park", description=DESCRIPTION)

    manager.add_table(class_name="PasswordReset", tablename="password_reset", schema=None, columns=None)
    _add(manager, "PasswordReset", "password_reset", "user", ForeignKey, _fk(User, null=False))
    _add(manager, "PasswordReset", "password_reset", "token_hash", Varchar, _params(length=64, default="", unique=True, index=True))
    _add(manager, "PasswordReset", "password_reset", "created_at", Timestamptz, _params(default=TimestamptzNow()))
    _add(manager, "PasswordReset", "password_reset", "expires_at", Timestamptz, _params(default=TimestamptzNow()))
    _add(manager, "PasswordReset", "password_reset", "used_at", Timestamptz, _params(null=True, default=None))

    manager.add_table(class_name="Invitation", tablename="invitation", schema=None, columns=None)
    _add(manager, "Invitation", "invitation", "email", Varchar, _params(length=254, default="", index=True))
    _add(manager, "Invitation", "invitation", "name", Varchar, _params(length=200, default=""))
    _add(manager, "Invitation", "invitation", "role", Varchar, _params(length=20, default=""))
    _add(manager, "Invitation", "invitation", "tenant", ForeignKey, _fk(Tenant, null=True))
    _add(manager, "Invitation", "invitation", "invited_by", ForeignKey, {**_fk(User, null=True), "index": False})
    _add(manager, "Invitation", "invitation", "locale", Varchar, _params(length=10, default=""))
    _add(manager, "Invitation", "invitation", "token_hash", Varchar, _params(length=64, default="", unique=True, index=True))
    _add(manager, "Invitation", "invitation", "created_at", Timestamptz, _params(default=TimestamptzNow()))
    _add(manager, "Invitation", "invitation", "expires_at", Timestamptz, _params(default=TimestamptzNow()))
    _add(manager, "Invitation", "invitation", "accepted_at", Timestamptz, _params(null=True, default=None))

    return manager
