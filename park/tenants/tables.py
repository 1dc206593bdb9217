"""Tenant firms and their qualification records. Tables only."""

from piccolo.columns import JSON, Date, ForeignKey, Integer, Timestamptz, Varchar
from piccolo.columns.defaults.timestamptz import TimestamptzNow
from piccolo.table import Table


class Tenant(Table, tablename="tenant"):
    name = Varchar(length=200)
    name_en = Varchar(length=200, default="")
    uscc = Varchar(length=18, unique=True, index=True)
    sector = Varchar(length=40)
    staff_count = Integer(default=0)
    rd_staff_count = Integer(default=0)
    ip_count = Integer(default=0)
    contact_email = Varchar(length=254, default="")
    created_at = Timestamptz(default=TimestamptzNow())
    updated_at = Timestamptz(default=TimestamptzNow())


class QualificationRecord(Table, tablename="qualification_record"):
    tenant = ForeignKey(references=Tenant, index=True)
    kind = Varchar(length=40)
    certificate_no = Varchar(length=100, default="")
    valid_until = Date(null=True, default=None)
    """None: no expiry recorded."""
    evidence = JSON(default={})
