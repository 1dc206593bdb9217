"""Window-mode draws on the bookings tables: priority, capacity, declines with alternatives, once only."""

from __future__ import annotations

import asyncio
from datetime import datetime, timedelta, timezone
from zoneinfo import ZoneInfo

from park.bookings.fair_access_jobs import run_window_draws
from tests import builders
from tests.builders import create_facility, qualify

SHANGHAI = ZoneInfo("Asia/Shanghai")
# Wednesday 2 December 2026, 10:00–12:00 in Shenzhen; its requests are drawn at noon on the 1st.
STARTS = datetime(2026, 12, 2, 10, 0, tzinfo=SHANGHAI)
BEFORE_CUTOFF = datetime(2026, 12, 1, 11, 0, tzinfo=SHANGHAI)
AFTER_CUTOFF = datetime(2026, 12, 1, 12, 5, tzinfo=SHANGHAI)


async def create_request(facility, login, starts_at=STARTS, hours=2, submitted=None, **overrides):
    from park.bookings.tables import Booking

    booking = Booking(
        facility=facility["id"],
        tenant=login.tenant_id,
        user=login.id,
        starts_at=starts_at.astimezone(timezone.utc),
        ends_at=(starts_at + timedelta(hours=hours)).astimezone(timezone.utc),
        occupied_until=(starts_at + timedelta(hours=hours)).astimezone(timezone.utc),
        seats=overrides.pop("seats", 1),
        status="requested",
        created_at=submitted or datetime(2026, 11, 25, 9, 0, tzinfo=timezone.utc),
        **overrides,
    )
    await booking.save()
    return booking.id


async def statuses(*ids):
    from park.bookings.tables import Booking

    rows = await Booking.select(Booking.id, Booking.status, Booking.status_reason).where(Booking.id.is_in(list(ids)))
    return {row["id"]: (row["status"], row["status_reason"]) for row in rows}


async def two_firms():
    leader = await builders.create_tenant(name="龙头", sector="animation_games")
    await qualify(leader["id"], "leading_firm")
    ordinary = await builders.create_tenant(name="普通", sector="animation_games")
    return (
        await builders.create_user("member", leader["id"]),
        await builders.create_user("member", ordinary["id"]),
    )


async def test_requests_wait_until_the_cutoff(db, settings):
    facility = await create_facility(booking_mode="window", kind="studio")
    leader, _ = await two_firms()
    request = await create_request(facility, leader)
    assert await run_window_draws(BEFORE_CUTOFF, settings) == 0
    assert (await statuses(request))[request][0] == "requested"


async def test_leading_firm_wins_the_draw_and_the_other_is_declined_with_alternatives(db, settings):
    from park.notifications.tables import OutboxMessage

    facility = await create_facility(booking_mode="window", kind="studio")
    leader, ordinary = await two_firms()
    # The ordinary firm asked first; priority, not speed, decides.
    first = await create_request(facility, ordinary, submitted=datetime(2026, 11, 20, tzinfo=timezone.utc))
    second = await create_request(facility, leader)
    assert await run_window_draws(AFTER_CUTOFF, settings) == 2
    result = await statuses(first, second)
    assert result[second][0] == "confirmed"
    assert result[first][0] == "declined"
    assert "Free instead: 2026-12-02 12:00–14:00" in result[first][1]
    declined_mail = await OutboxMessage.select().where(OutboxMessage.kind == "booking.declined")
    assert [m["to_email"] for m in declined_mail] == [ordinary.email]


async def test_draw_respects_capacity_and_a_second_run_decides_nothing(db, settings):
    facility = await create_facility(booking_mode="window", kind="lab", capacity=2)
    logins = [await builders.create_user("member", (await builders.create_tenant())["id"]) for _ in range(4)]
    ids = [await create_request(facility, login) for login in logins]
    counts = await asyncio.gather(run_window_draws(AFTER_CUTOFF, settings), run_window_draws(AFTER_CUTOFF, settings))
    assert sum(counts) == 4
    result = await statuses(*ids)
    assert sorted(status for status, _ in result.values()) == ["confirmed", "confirmed", "declined", "declined"]


async def test_hours_already_held_this_month_lower_a_firm_in_the_draw(db, settings):
    facility = await create_facility(booking_mode="window", kind="studio")
    leader, ordinary = await two_firms()
    # The leading firm (40 points ahead) already holds 24 hours of studio time this month: 48 points down.
    for day in (3, 4, 7):
        booked = await create_request(facility, leader, starts_at=datetime(2026, 12, day, 9, 0, tzinfo=SHANGHAI), hours=8)
        from park.bookings.tables import Booking

        await Booking.update({Booking.status: "confirmed"}).where(Booking.id == booked)
    theirs = await create_request(facility, leader)
    mine = await create_request(facility, ordinary)
    await run_window_draws(AFTER_CUTOFF, settings)
    result = await statuses(theirs, mine)
    assert result[mine][0] == "confirmed"
    assert result[theirs][0] == "declined"


async def test_approval_facility_winners_wait_for_a_manager(db, settings):
    facility = await create_facility(booking_mode="window", kind="studio", requires_approval=True)
    leader, _ = await two_firms()
    request = await create_request(facility, leader)
    await run_window_draws(AFTER_CUTOFF, settings)
    assert (await statuses(request))[request][0] == "pending"


async def test_after_the_cutoff_the_remaining_time_is_first_come_first_served(db, settings):
    facility = await create_facility(booking_mode="window", kind="studio")
    leader, ordinary = await two_firms()
    # Both asked after the cut-off: the ordinary firm was first, so it gets the slot despite its lower score.
    first = await create_request(facility, ordinary, submitted=datetime(2026, 12, 1, 12, 1, tzinfo=SHANGHAI))
    second = await create_request(facility, leader, submitted=datetime(2026, 12, 1, 12, 2, tzinfo=SHANGHAI))
    await run_window_draws(AFTER_CUTOFF, settings)
    result = await statuses(first, second)
    assert (result[first][0], result[second][0]) == ("confirmed", "declined")


async def test_requests_in_time_are_drawn_before_late_ones_are_served(db, settings):
    facility = await create_facility(booking_mode="window", kind="studio")
    leader, ordinary = await two_firms()
    late = await create_request(facility, leader, submitted=datetime(2026, 12, 1, 12, 1, tzinfo=SHANGHAI))
    in_time = await create_request(facility, ordinary)
    await run_window_draws(AFTER_CUTOFF, settings)
    result = await statuses(late, in_time)
    assert (result[in_time][0], result[late][0]) == ("confirmed", "declined")


async def test_a_draw_grants_no_firm_more_than_its_monthly_quota(db, settings):
    from park.notifications.tables import OutboxMessage

    # A leading firm's studio quota: 30 h × 1.5 (priority tier) = 45 h a month.
    facility = await create_facility(booking_mode="window", kind="studio", capacity=10)
    leader, _ = await two_firms()
    ids = [await create_request(facility, leader, hours=8) for _ in range(10)]  # 80 h asked for
    assert await run_window_draws(AFTER_CUTOFF, settings) == 10
    result = await statuses(*ids)
    granted = [i for i in ids if result[i][0] == "confirmed"]
    declined = [i for i in ids if result[i][0] == "declined"]
    assert len(granted) * 8 <= 45
    assert len(granted) == 5 and len(declined) == 5
    for booking_id in declined:
        assert "your firm has used 40 of 45 hours for Studio this month" in result[booking_id][1]
    # Read in Chinese, the kind is the Chinese word, not the code or the English one.
    from park.bookings.tables import Booking
    from park.shared import i18n
    from park.shared.reasons import said

    row = await Booking.select().where(Booking.id == declined[0]).first()
    chinese = said(row, "status_reason", "zh_Hans", i18n.translate)
    assert "工作室" in chinese and "studio" not in chinese.lower(), chinese
    declined_mail = await OutboxMessage.select().where(OutboxMessage.kind == "booking.declined")
    assert [m["to_email"] for m in declined_mail] == [leader.email] * 5


async def test_hours_granted_in_time_count_against_the_quota_of_late_requests(db, settings):
    facility = await create_facility(booking_mode="window", kind="studio", capacity=10)
    leader, _ = await two_firms()
    in_time = [await create_request(facility, leader, hours=8) for _ in range(5)]
    late = await create_request(facility, leader, hours=8, submitted=datetime(2026, 12, 1, 12, 1, tzinfo=SHANGHAI))
    await run_window_draws(AFTER_CUTOFF, settings)
    result = await statuses(late, *in_time)
    assert [result[i][0] for i in in_time] == ["confirmed"] * 5
    assert result[late][0] == "declined"
