"""Buildings, bookable facilities, blackouts and training authorisations. Tables only."""

from piccolo.columns import JSON, Boolean, ForeignKey, Integer, Text, Timestamptz, Varchar
from piccolo.columns.defaults.timestamptz import TimestamptzNow
from piccolo.table import Table

from park.accounts.tables import User

DEFAULT_OPENING_HOURS = {
    day: [["09:00", "18:00"]] for day in ("mon", "tue", "wed", "thu", "fri")
} | {"sat": [], "sun": []}


class Building(Table, tablename="building"):
    name = Varchar(length=200)
    name_en = Varchar(length=200, default="")
    code = Varchar(length=20, unique=True, index=True)
    address = Varchar(length=300, default="")
    address_en = Varchar(length=300, default="")


class Facility(Table, tablename="facility"):
    name = Varchar(length=200)
    name_en = Varchar(length=200, default="")
    code = Varchar(length=40, null=True, default=None)
    """The park's own key for the facility (e.g. D-LAB-3D), unique when set (a raw unique index in
    the migration); imports match by it."""
    kind = Varchar(length=20, index=True)
    building = ForeignKey(references=Building, index=True)
    platform = Varchar(length=200, default="")
    """The innovation platform that runs it (measure 4)."""
    platform_en = Varchar(length=200, default="")
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


class Blackout(Table, tablename="blackout"):
    """A closed period of one facility, or (facility empty) of every facility of a building."""

    facility = ForeignKey(references=Facility, null=True, default=None, index=True)
    building = ForeignKey(references=Building, null=True, default=None, index=True)
    starts_at = Timestamptz()
    ends_at = Timestamptz()
    reason = Varchar(length=300, default="")
    created_by = Integer(null=True, default=None)
    created_at = Timestamptz(default=TimestamptzNow())


class Authorization(Table, tablename="facility_authorization"):
    """A user's training record for a facility, kept by managers; valid before valid_until (None: no expiry)."""

    facility = ForeignKey(references=Facility, index=True)
    user = ForeignKey(references=User, index=True)
    valid_until = Timestamptz(null=True, default=None)
    note = Varchar(length=300, default="")
    granted_by = Integer(null=True, default=None)
    granted_at = Timestamptz(default=TimestamptzNow())


class TrainingRequest(Table, tablename="training_request"):
    """A user's request to be trained for a facility; open until a manager records the training.

    `notified_at`: when the facility's managers were last told (at most once a park-local day).
    """

    facility = ForeignKey(references=Facility, index=True)
    user = ForeignKey(references=User, index=True)
    requested_at = Timestamptz(default=TimestamptzNow())
    notified_at = Timestamptz(default=TimestamptzNow())
    closed_at = Timestamptz(null=True, default=None)


class FacilityPhoto(Table, tablename="facility_photo"):
    """A photo of a facility, re-encoded on upload; its files (`name`.webp and `name`-small.webp) lie under
    the data directory's photos/ folder (park.facilities.photos)."""

    facility = ForeignKey(references=Facility, index=True)
    name = Varchar(length=40, unique=True)
    """A random name, new for each upload: the files' names and the address they are served at."""
    width = Integer(default=0)
    height = Integer(default=0)
    byte_size = Integer(default=0)
    uploaded_by = Integer(null=True, default=None)
    created_at = Timestamptz(default=TimestamptzNow())
