"""The audit log: append-only. Tables only."""

from piccolo.columns import JSON, Integer, Timestamptz, Varchar
from piccolo.columns.defaults.timestamptz import TimestamptzNow
from piccolo.table import Table


class AuditEntry(Table, tablename="audit_entry"):
    at = Timestamptz(default=TimestamptzNow(), index=True)
    actor_id = Integer(null=True, default=None, index=True)
    """No foreign key: the record outlives the user."""
    actor_email = Varchar(length=254, default="")
    tenant_id = Integer(null=True, default=None, index=True)
    action = Varchar(length=60)
    record_type = Varchar(length=60)
    record_id = Varchar(length=60, default="")
    ip = Varchar(length=64, default="")
    detail = JSON(default={})
