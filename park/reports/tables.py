"""Report snapshots and scheduler run claims. Tables only."""

from piccolo.columns import JSON, Text, Timestamptz, Varchar
from piccolo.table import Table


class ReportSnapshot(Table, tablename="report_snapshot"):
    """An occupancy report for one kind and period, produced once.

    A unique index on (kind, period), made in the migration, is what makes a
    second producer's insert a no-op whatever the number of processes.
    """

    kind = Varchar(length=10)
    """daily, weekly or monthly."""
    period = Varchar(length=10)
    """As written in the contract: 2026-11-24, 2026-W48, 2026-11."""
    starts_at = Timestamptz()
    ends_at = Timestamptz()
    generated_at = Timestamptz()
    data = JSON(default={})
    """The figures: totals, rows by kind/building/facility/tenant, heat map, rates, space."""


class ScheduledRun(Table, tablename="scheduled_run"):
    """One claimed run of a scheduled job: (job, slot) is unique, so it runs once.

    `slot` is the cron fire time the run belongs to, the same in every
    scheduler process, whichever of them wakes first.
    """

    job = Varchar(length=60)
    slot = Timestamptz()
    started_at = Timestamptz()
    finished_at = Timestamptz(null=True, default=None)
    status = Varchar(length=10, default="running")
    """running, done or failed."""
    detail = Text(default="")
    process = Varchar(length=100, default="")
    """host:pid of the process that claimed it, for the operator."""
