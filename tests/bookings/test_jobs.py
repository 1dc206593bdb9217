"""Housekeeping jobs: no-shows release the slot, undecided approvals expire, one reminder per booking."""

from datetime import timedelta

from park.bookings import jobs, service, status_changes
from park.bookings.tables import Booking
from park.notifications.tables import OutboxMessage
from park.shared.clock import utc_now
from tests.builders import SHANGHAI, create_facility

from .test_service import actor_of, booking_input
from .test_api import weekday_at


async def status_of(booking_id: int) -> str:
    return (await Booking.select(Booking.status).where(Booking.id == booking_id).first())["status"]


async def test_nobody_checking_in_makes_a_no_show_and_frees_the_rest_of_the_slot(member, rival, settings):
    facility = await create_facility()
    starts_at = weekday_at(10)
    booking = await service.book_facility(actor_of(member), booking_input(facility, starts_at, 2), utc_now(), SHANGHAI)
    assert await jobs.release_no_shows(starts_at + timedelta(minutes=14), settings) == 0
    assert await jobs.release_no_shows(starts_at + timedelta(minutes=15), settings) == 1
    assert await status_of(booking["id"]) == "no_show"
    assert await jobs.release_no_shows(starts_at + timedelta(minutes=20), settings) == 0
    # The rest of the slot is free again for someone else.
    later = booking_input(facility, starts_at + timedelta(hours=1))
    freed = await service.book_facility(actor_of(rival), later, starts_at + timedelta(minutes=20), SHANGHAI)
    assert freed["status"] == "confirmed"


async def test_a_checked_in_booking_completes_when_its_time_is_over(member, settings):
    facility = await create_facility()
    starts_at = weekday_at(10)
    booking = await service.book_facility(actor_of(member), booking_input(facility, starts_at), utc_now(), SHANGHAI)
    await status_changes.check_in(actor_of(member), booking["id"], starts_at - timedelta(minutes=5))
    assert await jobs.release_no_shows(starts_at + timedelta(minutes=30), settings) == 0
    assert await status_of(booking["id"]) == "checked_in"
    assert await jobs.release_no_shows(starts_at + timedelta(hours=1), settings) == 1
    assert await status_of(booking["id"]) == "completed"


async def test_an_undecided_pending_booking_expires_at_its_start_with_notice(member, settings):
    facility = await create_facility(requires_approval=True)
    starts_at = weekday_at(10)
    booking = await service.book_facility(actor_of(member), booking_input(facility, starts_at), utc_now(), SHANGHAI)
    assert await jobs.expire_pending(starts_at - timedelta(minutes=1), settings) == 0
    assert await jobs.expire_pending(starts_at, settings) == 1
    assert await status_of(booking["id"]) == "expired"
    kinds = [r["kind"] for r in await OutboxMessage.select(OutboxMessage.kind)]
    assert kinds == ["booking.pending", "booking.expired"]


async def test_each_booking_gets_one_reminder_the_day_before(member, settings):
    facility = await create_facility()
    starts_at = weekday_at(10)
    await service.book_facility(actor_of(member), booking_input(facility, starts_at), utc_now(), SHANGHAI)
    assert await jobs.send_reminders(starts_at - timedelta(hours=25), settings) == 0
    assert await jobs.send_reminders(starts_at - timedelta(hours=23), settings) == 1
    assert await jobs.send_reminders(starts_at - timedelta(hours=2), settings) == 0
    reminders = await OutboxMessage.select().where(OutboxMessage.kind == "booking.reminder")
    assert len(reminders) == 1 and reminders[0]["to_email"] == member.email
