"""Booking pages: catalogue, facility week, booking form with recurrence, my bookings, approvals, blackouts."""

from datetime import timedelta

from park.bookings.tables import Booking
from tests.accounts.test_pages import csrf_from, sign_in
from tests.builders import create_facility

from .test_api import book, weekday_at

HTML = {"accept": "text/html"}


def local_input(moment) -> str:
    return moment.strftime("%Y-%m-%dT%H:%M")


async def test_catalogue_filters_and_searches(client, member):
    await create_facility(name="动作捕捉", name_en="Motion Capture", kind="equipment")
    await create_facility(name="小会议室", name_en="Small Room")
    page = await client.get("/facilities?kind=equipment", headers=HTML)
    assert page.status_code == 200
    assert "动作捕捉" in page.text and "小会议室" not in page.text
    searched = await client.get("/facilities?q=room", headers=HTML)
    assert "小会议室" in searched.text and "动作捕捉" not in searched.text


async def test_facility_page_shows_a_week_of_free_and_full_slots(client, member):
    facility = await create_facility()
    await book(client, member, facility, weekday_at(10))
    first = weekday_at(10).date()
    page = await client.get(f"/facilities/{facility['id']}?week={first.isoformat()}", headers=HTML)
    assert page.status_code == 200
    assert 'class="slot-grid' in page.text
    assert page.text.count('class="cell cell-full') == 2  # 10:00 and 10:30
    assert 'class="cell cell-free' in page.text


async def test_booking_through_the_form_then_cancelling_it(client, member):
    facility = await create_facility()
    await sign_in(client, member.email)
    form = await client.get(f"/facilities/{facility['id']}/book", headers=HTML)
    starts_at = weekday_at(10)
    response = await client.post(
        f"/facilities/{facility['id']}/book",
        data={"starts_at": local_input(starts_at), "ends_at": local_input(starts_at + timedelta(hours=1)),
              "seats": "1", "purpose": "评审", "action": "book", "_csrf_token": csrf_from(form.text)},
        headers=HTML,
    )
    assert response.status_code == 303
    mine = await client.get("/bookings", headers=HTML)
    assert "评审" in mine.text and "/calendar/" in mine.text
    booking = await Booking.select().first()
    cancel = await client.post(f"/bookings/{booking['id']}/cancel", data={"_csrf_token": csrf_from(mine.text), "confirmed": "1"},
                               headers=HTML)
    assert cancel.status_code == 303
    assert (await Booking.select(Booking.status).first())["status"] == "cancelled"


async def test_the_form_shows_what_to_change_and_previews_a_series(client, member, rival):
    facility = await create_facility()
    await book(client, rival, facility, weekday_at(10) + timedelta(weeks=1))
    await sign_in(client, member.email)
    form = await client.get(f"/facilities/{facility['id']}/book", headers=HTML)
    starts_at = weekday_at(10)
    fields = {"starts_at": local_input(starts_at), "ends_at": local_input(starts_at + timedelta(hours=1)),
              "seats": "1", "recurrence": "FREQ=WEEKLY;COUNT=3", "_csrf_token": csrf_from(form.text)}
    preview = await client.post(f"/facilities/{facility['id']}/book", data=fields | {"action": "preview"}, headers=HTML)
    assert preview.status_code == 200
    assert preview.text.count("badge-cancelled") == 1 and preview.text.count("badge-confirmed") == 2
    closed = await client.post(
        f"/facilities/{facility['id']}/book",
        data=fields | {"recurrence": "", "starts_at": local_input(weekday_at(19)), "ends_at": local_input(weekday_at(20)), "action": "book"},
        headers=HTML,
    )
    assert closed.status_code == 422 and "field-error" in closed.text
    assert "该设施在此期间并非全程开放" in closed.text  # the rule's message, in the page's language
    assert await Booking.count().where(Booking.tenant == member.tenant_id) == 0


async def test_manager_approves_from_the_queue(client, member, manager):
    facility = await create_facility(requires_approval=True)
    pending = (await book(client, member, facility, weekday_at(10))).json()
    await sign_in(client, manager.email)
    queue = await client.get("/approvals", headers=HTML)
    assert queue.status_code == 200 and f'value="approve:{pending["id"]}"' in queue.text
    response = await client.post(f"/approvals/{pending['id']}/approve", data={"_csrf_token": csrf_from(queue.text)}, headers=HTML)
    assert response.status_code == 303
    assert (await Booking.select(Booking.status).first())["status"] == "confirmed"


async def test_members_cannot_open_the_approval_queue_or_blackout_editor(client, member):
    facility = await create_facility()
    await sign_in(client, member.email)
    assert (await client.get("/approvals", headers=HTML)).status_code == 403
    assert (await client.get(f"/facilities/{facility['id']}/blackouts", headers=HTML)).status_code == 403


async def test_manager_adds_a_blackout_in_the_editor(client, member, manager):
    facility = await create_facility()
    await book(client, member, facility, weekday_at(10))
    await sign_in(client, manager.email)
    editor = await client.get(f"/facilities/{facility['id']}/blackouts", headers=HTML)
    assert editor.status_code == 200
    response = await client.post(
        f"/facilities/{facility['id']}/blackouts",
        data={"starts_at": local_input(weekday_at(9)), "ends_at": local_input(weekday_at(12)), "reason": "检修",
              "scope": "facility", "_csrf_token": csrf_from(editor.text), "confirmed": "1"},
        headers=HTML,
    )
    assert response.status_code == 303
    assert (await Booking.select(Booking.status).first())["status"] == "cancelled"
    again = await client.get(f"/facilities/{facility['id']}/blackouts", headers=HTML)
    assert "检修" in again.text


async def test_manager_records_training_so_the_member_may_book(client, member, manager):
    from park.facilities.tables import Authorization

    facility = await create_facility(requires_authorization=True)
    await sign_in(client, manager.email)
    editor = await client.get(f"/facilities/{facility['id']}/authorizations", headers=HTML)
    assert editor.status_code == 200
    unknown = await client.post(
        f"/facilities/{facility['id']}/authorizations",
        data={"email": "nobody@firm.test", "_csrf_token": csrf_from(editor.text)}, headers=HTML,
    )
    assert unknown.status_code == 422
    response = await client.post(
        f"/facilities/{facility['id']}/authorizations",
        data={"email": member.email, "valid_until": (weekday_at(10) + timedelta(days=30)).date().isoformat(),
              "_csrf_token": csrf_from(editor.text)},
        headers=HTML,
    )
    assert response.status_code == 303
    assert await Authorization.count() == 1
    assert (await book(client, member, facility, weekday_at(10))).status_code == 201


async def test_a_member_repeats_a_booking_weekly_by_choosing_from_the_form(client, member, rival):
    facility = await create_facility()
    await book(client, rival, facility, weekday_at(10) + timedelta(weeks=1))
    await sign_in(client, member.email)
    form = await client.get(f"/facilities/{facility['id']}/book", headers=HTML)
    starts_at = weekday_at(10)
    fields = {"starts_at": local_input(starts_at), "ends_at": local_input(starts_at + timedelta(hours=1)), "seats": "1",
              "repeat": "weekly", "repeat_count": "3", "_csrf_token": csrf_from(form.text)}
    clash = await client.post(f"/facilities/{facility['id']}/book", data=fields | {"action": "book"}, headers=HTML)
    assert clash.status_code == 422
    assert "系列中有些日期无法预订" in clash.text and "skip_clashes=true" not in clash.text
    booked = await client.post(f"/facilities/{facility['id']}/book", data=fields | {"action": "book", "skip_clashes": "on"}, headers=HTML)
    assert booked.status_code == 303
    assert await Booking.count().where(Booking.tenant == member.tenant_id) == 2


async def test_a_repeat_count_out_of_range_is_refused_on_its_field(client, member):
    facility = await create_facility()
    await sign_in(client, member.email)
    form = await client.get(f"/facilities/{facility['id']}/book", headers=HTML)
    starts_at = weekday_at(10)
    response = await client.post(
        f"/facilities/{facility['id']}/book",
        data={"starts_at": local_input(starts_at), "ends_at": local_input(starts_at + timedelta(hours=1)), "seats": "1",
              "repeat": "weekly", "repeat_count": "500", "action": "book", "_csrf_token": csrf_from(form.text)},
        headers=HTML,
    )
    assert response.status_code == 422
    assert 'id="repeat_count-error"' in response.text
    assert await Booking.count().where(Booking.tenant == member.tenant_id) == 0
