"""Builders for booking values with sensible defaults (build, never store)."""

from __future__ import annotations

from datetime import datetime, timedelta, timezone
from zoneinfo import ZoneInfo

from park.bookings.model import CONFIRMED, Booking, BookingRequest
from park.bookings.rules import BookingContext
from park.facilities.model import FacilitySpec
from tests.facilities.builders import SHANGHAI, at, make_facility  # noqa: F401 (shared with the booking tests)

BERLIN = ZoneInfo("Europe/Berlin")

# Monday 2026-11-30, 08:00 in Shanghai: "now" for most rule tests.
NOW = datetime(2026, 11, 30, 8, 0, tzinfo=SHANGHAI)


_next_id = iter(range(1000, 10**9))


def make_booking(starts_at: datetime | None = None, ends_at: datetime | None = None, **overrides) -> Booking:
    starts_at = starts_at or at(1, 9)
    ends_at = ends_at or starts_at + timedelta(hours=1)
    values = dict(
        id=next(_next_id), facility_id=1, tenant_id=1, user_id=1,
        starts_at=starts_at.astimezone(timezone.utc), ends_at=ends_at.astimezone(timezone.utc),
        seats=1, status=CONFIRMED,
    )
    values.update(overrides)
    return Booking(**values)


def make_request(starts_at: datetime | None = None, ends_at: datetime | None = None, **overrides) -> BookingRequest:
    starts_at = starts_at or at(1, 10)
    ends_at = ends_at or starts_at + timedelta(hours=1)
    values = dict(facility_id=1, tenant_id=1, user_id=1, starts_at=starts_at, ends_at=ends_at, seats=1)
    values.update(overrides)
    return BookingRequest(**values)


def make_context(request: BookingRequest | None = None, facility: FacilitySpec | None = None, **overrides) -> BookingContext:
    values = dict(
        request=request or make_request(),
        facility=facility or make_facility(),
        now=NOW,
        zone=SHANGHAI,
    )
    values.update(overrides)
    return BookingContext(**values)
