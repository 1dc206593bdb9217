"""Booking services against the database: constraint, blackouts, series, quotas, outbox in the same transaction."""

import dataclasses
from datetime import timedelta

import pytest

from park.shared.actor import Actor
from park.bookings import service
from park.bookings.tables import Booking
from park.notifications.tables import OutboxMessage
from park.shared.clock import utc_now
from park.shared.errors import Conflict, QuotaExceeded, ValidationFailed
from tests import support
from tests.builders import ROUND_THE_CLOCK, SHANGHAI, create_facility

from .test_api import weekday_at


def actor_of(login) -> Actor:
    return Actor(id=login.id, email=login.email, name="Test", role=login.role, tenant_id=login.tenant_id)


def booking_input(facility, starts_at, hours: float = 1, **extra) -> service.BookingInput:
    return service.BookingInput(
        facility_id=facility["id"], starts_at=starts_at, ends_at=starts_at + timedelta(hours=hours), **extra
    )


async def outbox_kinds() -> list[str]:
    return [row["kind"] for row in await OutboxMessage.select(OutboxMessage.kind).order_by(OutboxMessage.id)]


async def test_a_confirmed_booking_writes_its_confirmation_to_the_outbox(member):
    facility = await create_facility()
    await service.book_facility(actor_of(member), booking_input(facility, weekday_at(10)), utc_now(), SHANGHAI)
    messages = await OutboxMessage.select()
    assert [m["kind"] for m in messages] == ["booking.confirmed"]
    assert messages[0]["to_email"] == member.email


async def test_a_failed_booking_leaves_no_message_and_no_booking(member, rival):
    facility = await create_facility()
    await service.book_facility(actor_of(member), booking_input(facility, weekday_at(10)), utc_now(), SHANGHAI)
    with pytest.raises(Conflict):
        await service.book_facility(actor_of(rival), booking_input(facility, weekday_at(10)), utc_now(), SHANGHAI)
    assert await outbox_kinds() == ["booking.confirmed"]
    assert await Booking.count() == 1


async def test_an_error_after_the_insert_rolls_back_booking_and_message(member, monkeypatch):
    facility = await create_facility()

    async def broken_audit(*args, **kwargs):
        raise RuntimeError("audit store down")

    monkeypatch.setattr(service, "record", broken_audit)
    with pytest.raises(RuntimeError):
        await service.book_facility(actor_of(member), booking_input(facility, weekday_at(10)), utc_now(), SHANGHAI)
    assert await Booking.count() == 0
    assert await outbox_kinds() == []


@pytest.mark.skipif(support.BACKEND != "postgres", reason="the exclusion constraint exists on PostgreSQL only")
async def test_the_exclusion_constraint_has_the_final_word_on_postgresql(member, rival, monkeypatch):
    facility = await create_facility(buffer_minutes=15)
    await service.book_facility(actor_of(member), booking_input(facility, weekday_at(10)), utc_now(), SHANGHAI)

    seen = service.queries.booking_facts

    async def blind(*args, **kwargs):
        facts = await seen(*args, **kwargs)
        assert facts.existing, "the read found the first booking"
        return dataclasses.replace(facts, existing=[])  # as if the rules had not seen it

    monkeypatch.setattr(service.queries, "booking_facts", blind)
    # Inside the first booking's buffer: only the constraint can stop it.
    with pytest.raises(Conflict) as refused:
        await service.book_facility(actor_of(rival), booking_input(facility, weekday_at(11)), utc_now(), SHANGHAI)
    assert "just booked" in refused.value.detail  # the constraint's refusal, not a rule's
    assert await Booking.count() == 1


async def test_quota_answers_quota_exceeded_with_hours_used_and_left(member):
    facility = await create_facility(opening_hours=ROUND_THE_CLOCK, max_duration_minutes=24 * 60, kind="studio")
    from park.priority.service import current_policy, quota_for
    from park.settings import load_settings

    policy = current_policy(load_settings())
    quota = await quota_for(member.tenant_id, "studio", policy, utc_now())
    assert quota >= 20
    # Book the whole quota in one month (the 1st–3rd of the next month), then one hour more.
    first = (utc_now().astimezone(SHANGHAI).replace(day=1, hour=0, minute=0, second=0, microsecond=0) + timedelta(days=32)).replace(day=1)
    remaining = quota
    day = first
    while remaining > 0:
        hours = min(remaining, 24)
        await service.book_facility(actor_of(member), booking_input(facility, day, hours), utc_now(), SHANGHAI, policy)
        remaining -= hours
        day += timedelta(days=1)
    with pytest.raises(QuotaExceeded) as caught:
        await service.book_facility(actor_of(member), booking_input(facility, day + timedelta(days=1)), utc_now(), SHANGHAI, policy)
    assert caught.value.extra["hours_used"] == quota
    assert caught.value.extra["hours_left"] == 0
    assert "0 left" in caught.value.detail


async def test_blackout_cancels_colliding_bookings_and_notifies(member, manager):
    facility = await create_facility(capacity=2)
    hit = await service.book_facility(actor_of(member), booking_input(facility, weekday_at(10)), utc_now(), SHANGHAI)
    spared = await service.book_facility(actor_of(member), booking_input(facility, weekday_at(15)), utc_now(), SHANGHAI)
    from park.bookings import closures
    from park.shared.timespan import Span

    _blackout, cancelled = await closures.add_blackout(
        actor_of(manager), Span(weekday_at(9), weekday_at(12)), "消防检查", utc_now(), SHANGHAI, facility_id=facility["id"]
    )
    assert [b["id"] for b in cancelled] == [hit["id"]]
    statuses = {r["id"]: r["status"] for r in await Booking.select(Booking.id, Booking.status)}
    assert statuses == {hit["id"]: "cancelled", spared["id"]: "confirmed"}
    assert (await outbox_kinds()).count("booking.cancelled") == 1
    notice = await OutboxMessage.select().where(OutboxMessage.kind == "booking.cancelled").first()
    assert "消防检查" in notice["body"] and notice["to_email"] == member.email
    with pytest.raises(ValidationFailed):
        await service.book_facility(actor_of(member), booking_input(facility, weekday_at(10)), utc_now(), SHANGHAI)


async def test_a_building_blackout_closes_every_facility_in_it(member, manager):
    facility = await create_facility()
    neighbour = await create_facility(facility["building"], name="隔壁")
    booked = await service.book_facility(actor_of(member), booking_input(neighbour, weekday_at(10)), utc_now(), SHANGHAI)
    from park.bookings import closures
    from park.shared.timespan import Span

    _blackout, cancelled = await closures.add_blackout(
        actor_of(manager), Span(weekday_at(0), weekday_at(23)), "停电", utc_now(), SHANGHAI, building_id=facility["building"]
    )
    assert [b["id"] for b in cancelled] == [booked["id"]]


async def test_the_policy_tier_scales_a_firms_quota(member, other_tenant):
    from park.priority.service import current_policy, quota_for
    from park.settings import load_settings
    from park.tenants.tables import QualificationRecord

    policy = current_policy(load_settings())
    plain = await quota_for(other_tenant["id"], "meeting_room", policy, utc_now())
    for kind in ("leading_firm", "major_project", "backbone_firm"):
        await QualificationRecord.insert(QualificationRecord(tenant=member.tenant_id, kind=kind))
    scaled = await quota_for(member.tenant_id, "meeting_room", policy, utc_now())
    assert plain >= 20
    assert scaled > plain
