"""The booking path reads the live bookings and the blackouts near a request in one statement."""

from datetime import timedelta

import pytest

from park.bookings import queries, service
from park.bookings import closures
from park.shared.clock import utc_now
from park.shared.errors import ValidationFailed
from park.shared.timespan import Span
from tests.builders import SHANGHAI, create_facility

from .test_api import weekday_at
from .test_service import actor_of, booking_input


async def test_a_booking_inside_a_facility_or_building_blackout_is_refused(member, manager):
    facility = await create_facility()
    other = await create_facility(name="另一间")
    await closures.add_blackout(
        actor_of(manager), Span(weekday_at(9), weekday_at(11)), "检修", utc_now(), SHANGHAI, facility_id=facility["id"]
    )
    await closures.add_blackout(
        actor_of(manager), Span(weekday_at(14), weekday_at(16)), "停电", utc_now(), SHANGHAI, building_id=other["building"]
    )
    for target, hour in ((facility, 10), (other, 15)):
        with pytest.raises(ValidationFailed) as refused:
            await service.book_facility(actor_of(member), booking_input(target, weekday_at(hour)), utc_now(), SHANGHAI)
        assert [v.rule for v in refused.value.violations] == ["outside_blackouts"]
    # Half-open: the hour the facility's blackout ends is bookable.
    booked = await service.book_facility(actor_of(member), booking_input(facility, weekday_at(11)), utc_now(), SHANGHAI)
    assert booked["status"] == "confirmed"


async def test_the_combined_read_returns_what_the_two_reads_return(member, manager):
    facility = await create_facility()
    await closures.add_blackout(
        actor_of(manager), Span(weekday_at(12), weekday_at(13)), "检修", utc_now(), SHANGHAI, facility_id=facility["id"]
    )
    await service.book_facility(actor_of(member), booking_input(facility, weekday_at(10)), utc_now(), SHANGHAI)
    window = Span(weekday_at(8), weekday_at(18))
    bookings, blackouts = await queries.live_bookings_and_blackouts_near(
        facility["id"], facility["building"], window, timedelta(minutes=15)
    )
    from park.facilities import queries as facility_queries
    from park.facilities.queries import to_spec

    spec = to_spec(await facility_queries.get_facility(facility["id"]))
    assert bookings == await queries.live_bookings_near(facility["id"], window, timedelta(minutes=15))
    assert blackouts == await facility_queries.blackouts_for(spec, window)
    assert len(bookings) == 1 and len(blackouts) == 1
