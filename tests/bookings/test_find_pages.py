"""Pages of the time-first search, the booking page (edit times, add to calendar), alternatives, the waitlist."""

import html
from datetime import timedelta

from icalendar import Calendar

from park.accounts.tables import User
from park.bookings.tables import WaitlistEntry
from park.bookings.tables import Booking
from tests.accounts.test_pages import csrf_from, sign_in
from tests.builders import create_building, create_facility

from .test_api import book, weekday_at
from .test_pages import HTML, local_input


async def test_the_home_page_leads_to_the_search(client, member):
    await sign_in(client, member.email)
    home = await client.get("/", headers=HTML)
    assert 'href="/find"' in home.text


async def test_search_page_lists_free_times_with_a_book_this_link_to_the_prefilled_form(client, member, rival):
    building = await create_building()
    room = await create_facility(building["id"], name="路演厅", capacity=10)
    await create_facility(building["id"], name="小房间", capacity=2)
    assert (await book(client, rival, room, weekday_at(9), weekday_at(14), seats=10)).status_code == 201
    await sign_in(client, member.email)
    day = weekday_at(9)
    page = await client.get("/find", params={
        "starts": local_input(day), "ends": local_input(weekday_at(18)), "duration": "120", "seats": "8",
        "kind": "", "building": str(building["id"]), "q": ""}, headers=HTML)
    assert page.status_code == 200
    assert "路演厅" in page.text and "小房间" not in page.text  # two seats cannot hold eight
    link = f'/facilities/{room["id"]}/book?start={local_input(weekday_at(14))}&amp;end={local_input(weekday_at(16))}&amp;seats=8'
    assert link in page.text
    form = await client.get(html.unescape(link), headers=HTML)
    assert f'value="{local_input(weekday_at(14))}"' in form.text and f'value="{local_input(weekday_at(16))}"' in form.text
    assert 'name="seats" type="number" min="1" max="10" value="8"' in form.text


async def test_search_page_refuses_a_reversed_window(client, member):
    await sign_in(client, member.email)
    page = await client.get("/find", params={"starts": local_input(weekday_at(18)), "ends": local_input(weekday_at(9))}, headers=HTML)
    assert page.status_code == 422 and 'role="alert"' in page.text


async def test_a_clash_on_the_form_offers_one_click_alternatives_and_the_waitlist(client, member, rival):
    facility = await create_facility()
    assert (await book(client, rival, facility, weekday_at(10))).status_code == 201
    await sign_in(client, member.email)
    form = await client.get(f"/facilities/{facility['id']}/book", headers=HTML)
    token = csrf_from(form.text)
    refused = await client.post(
        f"/facilities/{facility['id']}/book",
        data={"starts_at": local_input(weekday_at(10)), "ends_at": local_input(weekday_at(11)), "seats": "1", "action": "book", "_csrf_token": token},
        headers=HTML,
    )
    assert refused.status_code == 409
    assert f'value="{local_input(weekday_at(11))}"' in refused.text  # the nearest free hour, one click away
    taken = await client.post(
        f"/facilities/{facility['id']}/book",
        data={"starts_at": local_input(weekday_at(11)), "ends_at": local_input(weekday_at(12)), "facility_id": str(facility["id"]),
              "seats": "1", "purpose": "", "action": "book", "_csrf_token": token},
        headers=HTML,
    )
    assert taken.status_code == 303
    joined = await client.post(
        "/waitlist",
        data={"facility_id": str(facility["id"]), "starts_at": local_input(weekday_at(10)), "ends_at": local_input(weekday_at(11)),
              "seats": "1", "purpose": "", "_csrf_token": token},
        headers=HTML,
    )
    assert joined.status_code == 303
    entry = await WaitlistEntry.select().where(WaitlistEntry.user == member.id).first()
    assert entry["status"] == "waiting"
    mine = await client.get("/waitlist", headers=HTML)
    assert f'action="/waitlist/{entry["id"]}/leave"' in mine.text
    left = await client.post(f"/waitlist/{entry['id']}/leave", data={"_csrf_token": token}, headers=HTML)
    assert left.status_code == 303
    assert (await WaitlistEntry.select().where(WaitlistEntry.id == entry["id"]).first())["status"] == "cancelled"


async def test_the_booking_page_moves_the_booking_and_says_when_it_waits_for_approval(client, member, manager):
    facility = await create_facility(requires_approval=True)
    booking = (await book(client, member, facility, weekday_at(10))).json()
    await client.post(f"/api/v1/bookings/{booking['id']}/approve", headers=manager.headers)
    await sign_in(client, member.email)
    page = await client.get(f"/bookings/{booking['id']}", headers=HTML)
    assert page.status_code == 200 and f'action="/bookings/{booking["id"]}/move"' in page.text
    moved = await client.post(
        f"/bookings/{booking['id']}/move",
        data={"starts_at": local_input(weekday_at(15)), "ends_at": local_input(weekday_at(16)), "_csrf_token": csrf_from(page.text)},
        headers=HTML,
    )
    assert moved.status_code == 303
    after = await client.get(moved.headers["location"], headers=HTML)
    assert "waits for a park manager" in after.text or "等待园区管理员" in after.text
    row = await Booking.select().where(Booking.id == booking["id"]).first()
    assert row["status"] == "pending" and row["starts_at"] == weekday_at(15)


async def test_a_live_re_read_of_the_grid_leaves_the_message_for_the_page_it_was_meant_for(client, member):
    # A move announces itself; the open timeline re-reads its grid while the browser follows the redirect.
    facility = await create_facility(name_en="Room")
    booking = (await book(client, member, facility, weekday_at(10))).json()
    await sign_in(client, member.email)
    page = await client.get(f"/bookings/{booking['id']}", headers=HTML)
    moved = await client.post(
        f"/bookings/{booking['id']}/move",
        data={"starts_at": local_input(weekday_at(15)), "ends_at": local_input(weekday_at(16)), "_csrf_token": csrf_from(page.text)},
        headers=HTML | {"accept-language": "en"},
    )
    assert moved.status_code == 303
    live = await client.get("/timeline", headers=HTML | {"hx-request": "true", "hx-target": "live-grid", "accept-language": "en"})
    assert live.status_code == 200
    after = await client.get(moved.headers["location"], headers=HTML | {"accept-language": "en"})
    assert "The booking was moved." in after.text


async def test_a_refused_move_on_the_page_keeps_the_booking_and_offers_alternatives(client, member, rival):
    facility = await create_facility()
    mine = (await book(client, member, facility, weekday_at(9))).json()
    assert (await book(client, rival, facility, weekday_at(14))).status_code == 201
    await sign_in(client, member.email)
    page = await client.get(f"/bookings/{mine['id']}", headers=HTML)
    refused = await client.post(
        f"/bookings/{mine['id']}/move",
        data={"starts_at": local_input(weekday_at(14)), "ends_at": local_input(weekday_at(15)), "_csrf_token": csrf_from(page.text)},
        headers=HTML,
    )
    assert refused.status_code == 409
    assert f'value="{local_input(weekday_at(15))}"' in refused.text
    assert 'action="/waitlist"' in refused.text
    assert (await Booking.select().where(Booking.id == mine["id"]).first())["starts_at"] == weekday_at(9)


async def test_another_firms_booking_page_and_calendar_file_are_not_found(client, member, rival):
    facility = await create_facility()
    mine = (await book(client, member, facility, weekday_at(10))).json()
    await sign_in(client, rival.email)
    assert (await client.get(f"/bookings/{mine['id']}", headers=HTML)).status_code == 404
    assert (await client.get(f"/bookings/{mine['id']}/calendar.ics")).status_code == 404


async def test_a_booking_is_added_to_a_calendar_with_one_file(client, member):
    facility = await create_facility(name="路演厅", name_en="Pitch Hall")
    mine = (await book(client, member, facility, weekday_at(10))).json()
    await sign_in(client, member.email)
    response = await client.get(f"/bookings/{mine['id']}/calendar.ics", headers={"accept-language": "en"})
    assert response.status_code == 200 and response.headers["content-type"].startswith("text/calendar")
    [event] = Calendar.from_ical(response.content).walk("VEVENT")
    assert event["DTSTART"].dt == weekday_at(10) and str(event["SUMMARY"]) == "Pitch Hall"
    chinese = await client.get(f"/bookings/{mine['id']}/calendar.ics", headers={"accept-language": "zh-CN"})
    assert [str(e["SUMMARY"]) for e in Calendar.from_ical(chinese.content).walk("VEVENT")] == ["路演厅"], "in the page's language"


async def test_my_bookings_offers_the_feed_to_copy_and_a_webcal_link(client, member):
    await sign_in(client, member.email)
    page = await client.get("/bookings", headers=HTML)
    token = (await User.select(User.calendar_token).where(User.id == member.id).first())["calendar_token"]
    assert "webcal://" in page.text and f"/calendar/{token}.ics" in page.text
    assert 'data-copy="calendar-url"' in page.text


async def test_a_cancelled_booking_stays_in_the_feed_as_cancelled(client, member):
    facility = await create_facility()
    kept = (await book(client, member, facility, weekday_at(10))).json()
    gone = (await book(client, member, facility, weekday_at(14))).json()
    await client.post(f"/api/v1/bookings/{gone['id']}/cancel", headers=member.headers)
    token = (await User.select(User.calendar_token).where(User.id == member.id).first())["calendar_token"]
    feed = Calendar.from_ical((await client.get(f"/calendar/{token}.ics")).content)
    status = {str(e["UID"]): str(e["STATUS"]) for e in feed.walk("VEVENT")}
    assert status[f"booking-{kept['id']}@127.0.0.1"] == "CONFIRMED"
    assert status[f"booking-{gone['id']}@127.0.0.1"] == "CANCELLED"
