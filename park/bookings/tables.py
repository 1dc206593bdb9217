"""Bookings, recurring series and the waitlist. Tables only."""

from piccolo.columns import JSON, Boolean, ForeignKey, Integer, Text, Timestamptz, Varchar
from piccolo.columns.defaults.timestamptz import TimestamptzNow
from piccolo.table import Table

from park.accounts.tables import User
from park.facilities.tables import Facility
from park.tenants.tables import Tenant


class BookingSeries(Table, tablename="booking_series"):
    """A recurring booking: the RRULE and the first occurrence it was expanded from."""

    facility = ForeignKey(references=Facility, index=True)
    tenant = ForeignKey(references=Tenant, index=True)
    user = ForeignKey(references=User, index=True)
    rrule = Varchar(length=500)
    starts_at = Timestamptz()
    ends_at = Timestamptz()
    seats = Integer(default=1)
    purpose = Varchar(length=500, default="")
    created_at = Timestamptz()


class Booking(Table, tablename="booking"):
    """Indexed by migrations beyond the columns' own: (facility, starts_at), (tenant, starts_at),
    (status, starts_at), the seat-holding rows' covering index and, on PostgreSQL, the exclusion
    constraint's GiST index."""

    facility = ForeignKey(references=Facility)
    tenant = ForeignKey(references=Tenant)
    user = ForeignKey(references=User, index=True)
    series = ForeignKey(references=BookingSeries, null=True, default=None)
    """Indexed as booking_series_ref by migration: the default index name would clash with the table's."""
    occurrence_index = Integer(null=True, default=None)
    starts_at = Timestamptz()
    ends_at = Timestamptz()
    occupied_until = Timestamptz()
    """ends_at plus the facility's buffer at booking time: the seats are held until then."""
    exclusive = Boolean(default=False)
    """The facility had capacity 1 when booked: PostgreSQL's exclusion constraint then applies."""
    seats = Integer(default=1)
    purpose = Varchar(length=500, default="")
    status = Varchar(length=12)
    created_at = Timestamptz()
    decided_at = Timestamptz(null=True, default=None)
    decided_by = Integer(null=True, default=None)
    checked_in_at = Timestamptz(null=True, default=None)
    cancelled_at = Timestamptz(null=True, default=None)
    status_reason = Text(default="")
    """Why it was cancelled, rejected, expired or marked no-show, in words for the firm: a person's
    words, or the English of `status_reason_code` (the fallback of rows written before codes)."""
    status_reason_code = Varchar(length=60, default="")
    """A reason of park/shared/reasons.py, said in the reader's language with `status_reason_params`."""
    status_reason_params = JSON(default={})
    reminder_sent_at = Timestamptz(null=True, default=None)


class WaitlistEntry(Table, tablename="booking_waitlist"):
    """A firm waits for a taken slot of an instant-mode facility; filled by priority when it frees."""

    facility = ForeignKey(references=Facility, index=True)
    tenant = ForeignKey(references=Tenant, index=True)
    user = ForeignKey(references=User)
    starts_at = Timestamptz()
    ends_at = Timestamptz()
    seats = Integer(default=1)
    purpose = Varchar(length=500, default="")
    status = Varchar(length=12, default="waiting", index=True)
    """waiting → booked; or cancelled, expired."""
    booking_id = Integer(null=True, default=None)
    status_reason = Text(default="")
    status_reason_code = Varchar(length=60, default="")
    status_reason_params = JSON(default={})
    created_at = Timestamptz(default=TimestamptzNow())
    decided_at = Timestamptz(null=True, default=None)
