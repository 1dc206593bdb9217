"""Acts hard to undo ask first: a POST without `confirmed=1` shows what would happen and changes nothing."""


from park.bookings.tables import Booking
from park.facilities.tables import Blackout
from park.notifications.tables import OutboxMessage as Outbox
from tests.accounts.test_pages import csrf_from, sign_in
from tests.builders import create_facility

from .test_api import book, weekday_at

EN = {"accept": "text/html", "accept-language": "en"}
ZH = {"accept": "text/html", "accept-language": "zh-CN"}


def local_input(moment) -> str:
    return moment.strftime("%Y-%m-%dT%H:%M")


async def statuses() -> dict[int, str]:
    return {row["id"]: row["status"] for row in await Booking.select(Booking.id, Booking.status)}


async def test_a_blackout_first_lists_the_bookings_it_cancels_and_the_firms_it_notifies(
    client, member, rival, manager, tenant, other_tenant
):
    facility = await create_facility(name="路演厅", name_en="Pitch hall", capacity=4)
    hit = (await book(client, member, facility, weekday_at(10))).json()
    also_hit = (await book(client, rival, facility, weekday_at(11))).json()
    spared = (await book(client, member, facility, weekday_at(15))).json()
    await sign_in(client, manager.email)
    editor = await client.get(f"/facilities/{facility['id']}/blackouts", headers=EN)
    form = {"starts_at": local_input(weekday_at(9)), "ends_at": local_input(weekday_at(12)), "reason": "检修",
            "scope": "facility", "_csrf_token": csrf_from(editor.text)}
    mails_before = await Outbox.count()

    shown = await client.post(f"/facilities/{facility['id']}/blackouts", data=form, headers=EN)

    assert shown.status_code == 200 and "data-confirm-summary" in shown.text
    assert await Blackout.count() == 0 and await Outbox.count() == mails_before
    assert set((await statuses()).values()) == {"confirmed"}
    listed = shown.text.split("Bookings to cancel")[1].split("Firms to notify")
    assert listed[0].count("Pitch hall") == 2 and "10:00" in listed[0] and "11:00" in listed[0] and "15:00" not in listed[0]
    assert tenant["name_en"] in listed[1] and other_tenant["name_en"] in listed[1]
    assert 'name="confirmed" value="1"' in shown.text and "Yes, close and cancel 2 bookings" in shown.text
    assert 'name="reason" value="检修"' in shown.text

    chinese = await client.post(f"/facilities/{facility['id']}/blackouts", data=form, headers=ZH)
    assert "将取消的预订" in chinese.text and tenant["name"] in chinese.text and "Bookings to cancel" not in chinese.text

    done = await client.post(f"/facilities/{facility['id']}/blackouts", data=form | {"confirmed": "1"}, headers=EN)

    assert done.status_code == 303 and await Blackout.count() == 1
    assert await statuses() == {hit["id"]: "cancelled", also_hit["id"]: "cancelled", spared["id"]: "confirmed"}


async def test_a_blackout_with_a_bad_period_shows_the_form_error_not_a_confirmation(client, manager):
    facility = await create_facility()
    await sign_in(client, manager.email)
    editor = await client.get(f"/facilities/{facility['id']}/blackouts", headers=EN)
    refused = await client.post(
        f"/facilities/{facility['id']}/blackouts",
        data={"starts_at": local_input(weekday_at(12)), "ends_at": local_input(weekday_at(9)), "scope": "facility",
              "_csrf_token": csrf_from(editor.text)}, headers=EN,
    )
    assert refused.status_code == 422 and "data-confirm-summary" not in refused.text


async def test_cancelling_a_booking_asks_first_and_says_it_is_free_before_the_cut_off(client, member):
    facility = await create_facility(cancel_cutoff_minutes=60)
    booking = (await book(client, member, facility, weekday_at(10))).json()
    await sign_in(client, member.email)
    mine = await client.get("/bookings", headers=EN)
    assert "data-confirm" in mine.text

    shown = await client.post(f"/bookings/{booking['id']}/cancel", data={"_csrf_token": csrf_from(mine.text)}, headers=EN)

    assert shown.status_code == 200 and "Cancel this booking?" in shown.text and "Meeting room" in shown.text
    assert "before the facility&#39;s cut-off" in shown.text or "before the facility's cut-off" in shown.text
    assert (await statuses())[booking["id"]] == "confirmed"
    done = await client.post(
        f"/bookings/{booking['id']}/cancel", data={"_csrf_token": csrf_from(shown.text), "confirmed": "1"}, headers=EN
    )
    assert done.status_code == 303 and (await statuses())[booking["id"]] == "cancelled"


async def test_a_manager_cancelling_after_the_cut_off_sees_the_late_share(client, member, manager):
    facility = await create_facility(cancel_cutoff_minutes=24 * 60 * 30, hourly_rate_fen=10000)
    booking = (await book(client, member, facility, weekday_at(10))).json()
    await sign_in(client, manager.email)
    mine = await client.get("/bookings", headers=EN)
    shown = await client.post(f"/bookings/{booking['id']}/cancel", data={"_csrf_token": csrf_from(mine.text)}, headers=EN)
    assert "after the facility" in shown.text and "of the price is charged" in shown.text and "%" in shown.text
    assert "The person who booked is notified." in shown.text
    assert (await statuses())[booking["id"]] == "confirmed"


async def test_cancelling_the_rest_of_a_series_says_how_many_from_which_date(client, member):
    facility = await create_facility()
    first = weekday_at(10)
    data = (await book(client, member, facility, first, recurrence="FREQ=WEEKLY;COUNT=3")).json()
    await sign_in(client, member.email)
    mine = await client.get("/bookings", headers=ZH)

    shown = await client.post(f"/bookings/series/{data['series_id']}/cancel",
                              data={"_csrf_token": csrf_from(mine.text)}, headers=ZH)

    assert shown.status_code == 200 and "取消该系列余下的预订？" in shown.text
    assert "将取消 会议室 自" in shown.text and "起的 3 次预订" in shown.text
    assert set((await statuses()).values()) == {"confirmed"}
    done = await client.post(f"/bookings/series/{data['series_id']}/cancel",
                             data={"_csrf_token": csrf_from(shown.text), "confirmed": "1"}, headers=ZH)
    assert done.status_code == 303 and set((await statuses()).values()) == {"cancelled"}


async def test_a_confirmation_step_never_shows_another_firms_booking(client, member, rival):
    booking = (await book(client, member, await create_facility(), weekday_at(10))).json()
    await sign_in(client, rival.email)
    mine = await client.get("/bookings", headers=EN)
    shown = await client.post(f"/bookings/{booking['id']}/cancel", data={"_csrf_token": csrf_from(mine.text)}, headers=EN)
    assert shown.status_code == 404


async def test_a_building_blackout_previews_the_bookings_of_every_facility_in_it(client, member, manager):
    facility = await create_facility()
    neighbour = await create_facility(facility["building"], name="隔壁", name_en="Next door")
    elsewhere = await create_facility(name="别处", name_en="Elsewhere")
    for room in (facility, neighbour, elsewhere):
        await book(client, member, room, weekday_at(10))
    await sign_in(client, manager.email)
    editor = await client.get(f"/facilities/{facility['id']}/blackouts", headers=EN)
    shown = await client.post(
        f"/facilities/{facility['id']}/blackouts",
        data={"starts_at": local_input(weekday_at(0)), "ends_at": local_input(weekday_at(23)), "scope": "building",
              "_csrf_token": csrf_from(editor.text)}, headers=EN,
    )
    listed = shown.text.split("Bookings to cancel")[1].split("Firms to notify")[0]
    assert "Close the whole building?" in shown.text
    assert "Meeting room" in listed and "Next door" in listed and "Elsewhere" not in listed
    assert set((await statuses()).values()) == {"confirmed"}
