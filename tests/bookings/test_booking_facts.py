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


async def test_a_new_bookings_facts_in_one_statement_are_those_the_reads_one_by_one_give(member, manager):
    """PostgreSQL reads everything a booking is checked against in one statement; SQLite, one read at a
    time. Both must see the same: bookings within the buffer, the building's blackout, the training
    record, the firm's quota facts and hours."""
    from park.bookings.quotas import month_of
    from park.facilities.tables import Authorization
    from park.facilities import queries as facility_queries

    facility = await create_facility(buffer_minutes=30, requires_authorization=True)
    other = await create_facility(name="另一间", building_id=facility["building"])
    expires = utc_now() + timedelta(days=400)
    await Authorization(facility=facility["id"], user=member.id, valid_until=expires).save()
    await closures.add_blackout(
        actor_of(manager), Span(weekday_at(12), weekday_at(12, 30)), "停电", utc_now(), SHANGHAI, building_id=facility["building"])
    for target, hour in ((facility, 9), (facility, 13), (other, 11)):
        await service.book_facility(actor_of(member), booking_input(target, weekday_at(hour)), utc_now(), SHANGHAI)
    window = Span(weekday_at(11), weekday_at(12, 45))  # 13:00 is within the buffer; 9:00–10:00 is not
    now = utc_now()
    months = [month_of(window.starts_at, SHANGHAI)]
    facts = await queries.booking_facts(facility["id"], window, user_id=member.id, tenant_id=member.tenant_id,
                                        months=months, now=now, today=now.astimezone(SHANGHAI).date())
    spec = facility_queries.to_spec(facts.facility)
    assert facts.facility["name"] == facility["name"] and spec.buffer == timedelta(minutes=30)
    assert facts.existing == await queries.live_bookings_near(facility["id"], window, spec.buffer)
    assert [b.starts_at for b in facts.existing] == [weekday_at(13)]
    assert facts.blackouts == await facility_queries.blackouts_for(spec, window)
    assert [b.building_id for b in facts.blackouts] == [facility["building"]]
    assert facts.authorization is not None and facts.authorization.valid_until == expires
    assert facts.quota == await queries.quota_reads(member.tenant_id, spec.kind, months, now.astimezone(SHANGHAI).date(), now)
    assert facts.quota[1][0] > 0  # the firm's hours this month on this kind
    # Without a new booking (a week's free time) no id is drawn, and no firm's facts are read.
    read = await queries.booking_facts(facility["id"], Span(weekday_at(8), weekday_at(18)), new_booking=False)
    assert read.booking_id is None and read.quota is None and len(read.blackouts) == 1 and len(read.existing) == 2
