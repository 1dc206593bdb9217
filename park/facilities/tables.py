"""Buildings and bookable facilities. Tables only."""

from piccolo.columns import JSON, Boolean, ForeignKey, Integer, Text, Timestamptz, Varchar
from piccolo.columns.defaults.timestamptz import TimestamptzNow
from piccolo.table import Table

DEFAULT_OPENING_HOURS = {
    day: [["09:00", "18:00"]] for day in ("mon", "tue", "wed", "thu", "fri")
} | {"sat": [], "sun": []}


class Building(Table, tablename="building"):
    name = Varchar(length=200)
    name_en = Varchar(length=200, default="")
    code = Varchar(length=20, unique=True, index=True)
    address = Varchar(length=300, default="")


class Facility(Table, tablename="facility"):
    name = Varchar(length=200)
    name_en = Varchar(length=200, default="")
    kind = Varchar(length=20, index=True)
    building = ForeignKey(references=Building, index=True)
    platform = Varchar(length=200, default="")
    """The innovation platform that runs it (measure 4)."""
    description = Text(default="")
    capacity = Integer(default=1)
    """How many seats may be booked at once: 1 for a room, N for a shared lab."""
    booking_mode = Varchar(length=10, default="instant")
    requires_approval = Boolean(default=False)
    requires_authorization = Boolean(default=False)
    opening_hours = JSON(default=DEFAULT_OPENING_HOURS)
    slot_minutes = Integer(default=30)
    min_duration_minutes = Integer(default=30)
    max_duration_minutes = Integer(default=480)
    max_advance_days = Integer(default=90)
    buffer_minutes = Integer(default=0)
    cancel_cutoff_minutes = Integer(default=0)
    hourly_rate_fen = Integer(default=0)
    is_active = Boolean(default=True)
    created_at = Timestamptz(default=TimestamptzNow())
