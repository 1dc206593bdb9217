"""The demo season: deterministic, and every booking in it obeys the booking rules."""

from collections import defaultdict

from park.bookings import queries
from park.bookings.model import HOLDING_STATUSES
from park.bookings.rules import fits_opening_hours, on_slot_granularity
from park.bookings.tables import Booking
from park.bookings.rules import BookingContext
from park.bookings.model import BookingRequest
from park.demo import load_demo
from park.bookings.availability import load_segments
from park.facilities.queries import to_spec
from park.facilities.tables import Facility
from park.shared.clock import utc_now


async def test_the_demo_season_never_overbooks_and_fits_opening_hours(db, settings):
    now = utc_now()
    await load_demo(now, settings.zone)
    rows = await Booking.select()
    assert len(rows) > 1000
    assert {r["status"] for r in rows} >= {"completed", "confirmed", "cancelled", "no_show", "pending"}
    facilities = {f["id"]: to_spec(f) for f in await Facility.select()}
    by_facility = defaultdict(list)
    for row in rows:
        by_facility[row["facility"]].append(queries.to_value(row))
    for facility_id, bookings in by_facility.items():
        spec = facilities[facility_id]
        segments = load_segments(bookings, spec.buffer)
        assert max((load for _, _, load in segments), default=0) <= spec.capacity, facility_id
        for booking in bookings:
            if booking.status not in HOLDING_STATUSES:
                continue
            request = BookingRequest(facility_id, booking.tenant_id, booking.user_id, booking.starts_at, booking.ends_at, booking.seats)
            ctx = BookingContext(request=request, facility=spec, now=now, zone=settings.zone)
            assert fits_opening_hours(ctx) is None and on_slot_granularity(ctx) is None


async def test_the_demo_season_is_the_same_every_time(db, settings):
    now = utc_now()
    await load_demo(now, settings.zone)
    first = [(r["facility"], r["starts_at"], r["status"]) for r in await Booking.select().order_by(Booking.id)]
    from tests.conftest import _empty_tables

    await _empty_tables()
    await load_demo(now, settings.zone)
    second = [(r["facility"], r["starts_at"], r["status"]) for r in await Booking.select().order_by(Booking.id)]
    assert first == second
