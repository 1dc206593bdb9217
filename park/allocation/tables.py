"""Units, leases, space applications and allocation rounds. Tables only."""

from piccolo.columns import (
    JSON,
    Boolean,
    Date,
    DoublePrecision,
    ForeignKey,
    Integer,
    Text,
    Timestamptz,
    Varchar,
)
from piccolo.columns.defaults.timestamptz import TimestamptzNow
from piccolo.table import Table

from park.accounts.tables import User
from park.facilities.tables import Building
from park.tenants.tables import Tenant


class Unit(Table, tablename="space_unit"):
    building = ForeignKey(references=Building, index=True)
    floor = Integer(default=1)
    code = Varchar(length=40)
    """Unique within its building (a raw unique index in the migration)."""
    kind = Varchar(length=20, index=True)
    area_m2 = DoublePrecision()
    monthly_rent_fen = Integer(default=0)
    created_at = Timestamptz(default=TimestamptzNow())


class Lease(Table, tablename="space_lease"):
    """A tenant holds a unit over [starts_on, ends_on); leases of one unit never overlap."""

    unit = ForeignKey(references=Unit, index=True)
    tenant = ForeignKey(references=Tenant, index=True)
    starts_on = Date()
    ends_on = Date()
    """Exclusive."""
    application = Integer(null=True, default=None)
    """The space application it came from, if any (an id; no foreign key, to avoid a cycle)."""
    reminded_90_at = Timestamptz(null=True, default=None)
    reminded_30_at = Timestamptz(null=True, default=None)
    created_at = Timestamptz(default=TimestamptzNow())


class SpaceApplication(Table, tablename="space_application"):
    tenant = ForeignKey(references=Tenant, index=True)
    submitted_by = ForeignKey(references=User, null=True, default=None)
    unit_kind = Varchar(length=20)
    min_area_m2 = DoublePrecision()
    max_area_m2 = DoublePrecision()
    preferred_building_ids = JSON(default=[])
    start_date = Date()
    term_months = Integer()
    justification = Text(default="")
    status = Varchar(length=20, default="open", index=True)
    """open → allocated | unallocated (a round was confirmed); or withdrawn, ineligible."""
    score = Integer(default=0)
    score_breakdown = JSON(default=[])
    """[{"rule": ..., "points": ...}] under `policy_version`."""
    policy_version = Varchar(length=40, default="")
    scored_at = Timestamptz(null=True, default=None)
    submitted_at = Timestamptz(default=TimestamptzNow())
    ineligible_reason = Text(default="")
    round_id = Integer(null=True, default=None)
    """The confirmed round that decided it."""
    unit = ForeignKey(references=Unit, null=True, default=None)
    rank = Integer(null=True, default=None)
    explanation = Text(default="")
    explanation_zh = Text(default="")
    explanation_code = Varchar(length=60, default="")
    """Said in the reader's language with `explanation_params` (park/shared/reasons.py); the texts are the fallback."""
    explanation_params = JSON(default={})
    decided_at = Timestamptz(null=True, default=None)


class AllocationRound(Table, tablename="allocation_round"):
    status = Varchar(length=20, default="proposed", index=True)
    """proposed → confirmed; or superseded by a newer proposal."""
    policy_version = Varchar(length=40)
    created_by = ForeignKey(references=User, null=True, default=None)
    created_at = Timestamptz(default=TimestamptzNow())
    confirmed_by = ForeignKey(references=User, null=True, default=None)
    confirmed_at = Timestamptz(null=True, default=None)
    application_count = Integer(default=0)
    unit_count = Integer(default=0)
    housed_count = Integer(default=0)


class RoundAssignment(Table, tablename="allocation_assignment"):
    allocation_round = ForeignKey(references=AllocationRound, index=True)
    application = ForeignKey(references=SpaceApplication, index=True)
    tenant = ForeignKey(references=Tenant)
    unit = ForeignKey(references=Unit, null=True, default=None)
    rank = Integer()
    score = Integer()
    reason = Varchar(length=40)
    explanation = Text()
    explanation_zh = Text()
    explanation_code = Varchar(length=60, default="")
    explanation_params = JSON(default={})
    taken_by = JSON(default=[])
    """Application ids ranked higher that hold units this one fitted or preferred."""
    proposed_unit = ForeignKey(references=Unit, null=True, default=None)
    """The unit the rules proposed, kept when a manager overrides."""
    overridden = Boolean(default=False)
    override_reason = Text(default="")
    overridden_by = ForeignKey(references=User, null=True, default=None)
