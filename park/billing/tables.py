"""Issued monthly statements and their lines. Tables only."""

from piccolo.columns import JSON, ForeignKey, Integer, Timestamptz, Varchar
from piccolo.table import Table

from park.tenants.tables import Tenant


class Statement(Table, tablename="statement"):
    """A firm's issued statement for one month; never changed once written.

    A unique index on (tenant, month), made in the migration, makes a second
    issuer's insert fail, whatever the number of scheduler processes.
    """

    tenant = ForeignKey(references=Tenant, index=True)
    month = Varchar(length=7)
    """As written in the contract: 2026-11."""
    status = Varchar(length=10, default="issued")
    issued_at = Timestamptz()
    policy_version = Varchar(length=40)
    amount_fen = Integer(default=0)
    subsidy_fen = Integer(default=0)
    due_fen = Integer(default=0)


class StatementLine(Table, tablename="statement_line"):
    """One priced line: what it was, what it cost, the subsidy it got and why."""

    statement = ForeignKey(references=Statement, index=True)
    position = Integer(default=0)
    kind = Varchar(length=12)
    """booking, rent or adjustment."""
    rule = Varchar(length=20)
    """What priced it: used, no_show, late_cancel, rent, adjustment."""
    booking = Integer(null=True, default=None, index=True)
    lease = Integer(null=True, default=None)
    facility_kind = Varchar(length=20, default="")
    detail = JSON(default={})
    """The words of the description (facility, times, unit, month), rendered per reader."""
    quantity = Varchar(length=20, default="1")
    unit_price_fen = Integer(default=0)
    amount_fen = Integer(default=0)
    subsidy_fen = Integer(default=0)
    due_fen = Integer(default=0)
    subsidy_rules = JSON(default=[])
    policy_version = Varchar(length=40, default="")
