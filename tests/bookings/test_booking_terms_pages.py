"""The booking form says what applies before one books, and the message after booking says what comes next."""

from datetime import timedelta

from park.bookings.tables import Booking
from park.facilities.tables import Authorization
from tests.accounts.test_pages import csrf_from, sign_in
from tests.builders import create_building, create_facility

from .test_api import weekday_at

EN = {"accept": "text/html", "accept-language": "en"}
ZH = {"accept": "text/html", "accept-language": "zh-CN"}
HTMX = EN | {"hx-request": "true"}


def local_input(moment) -> str:
    return moment.strftime("%Y-%m-%dT%H:%M")


def times(hour: int, minutes: int = 60, **extra) -> dict[str, str]:
    starts_at = weekday_at(hour)
    return {"starts_at": local_input(starts_at), "ends_at": local_input(starts_at + timedelta(minutes=minutes)), **extra}


async def panel(client, facility, headers=HTMX, **query) -> str:
    response = await client.get(f"/facilities/{facility['id']}/book/terms", params=query, headers=headers)
    assert response.status_code == 200
    return response.text


def term(text: str, key: str) -> str:
    """The panel's lines on `key` (price, approval, draw, check_in, no_show, training, time, cancel), joined."""
    lines = [part.split(">", 1)[1].split("</li>")[0] for part in text.split(f'data-term="{key}"')[1:]]
    return " | ".join(lines).replace("\u202f", " ")


async def test_the_price_is_the_hourly_rate_times_the_asked_time_and_the_seats(client, member):
    room = await create_facility(hourly_rate_fen=15000)
    shared = await create_facility(name="共享实验室", name_en="Shared lab", capacity=4, hourly_rate_fen=8000, kind="lab")
    free = await create_facility(name="免费工位", name_en="Free desk")
    await sign_in(client, member.email)

    text = await panel(client, room, **times(10, 90))
    assert "CN¥150.00 an hour × 1.5 h = CN¥225.00." in term(text, "price")
    assert "<html" not in text  # the panel alone, for htmx to swap in

    assert "CN¥80.00 an hour × 2 h × 3 seats = CN¥480.00." in term(await panel(client, shared, **times(10, 120, seats="3")), "price")
    assert term(await panel(client, free, **times(10)), "price") == "Free of charge."
    # Before the times are chosen the rate alone; in Chinese, in Chinese.
    assert "choose the times to see the price" in term(await panel(client, room), "price")
    chinese = await panel(client, room, headers=ZH | {"hx-request": "true"}, **times(10, 90))
    assert "每小时 ¥150.00 × 1.5 小时 = ¥225.00。" in term(chinese, "price") and "an hour" not in chinese


async def test_the_panel_names_the_chosen_times_in_the_parks_words_whatever_the_browsers_picker_shows(client, member):
    room = await create_facility()
    await sign_in(client, member.email)
    day = weekday_at(10)
    english = term(await panel(client, room, **times(10, 90)), "when")
    assert english == f"Chosen: {day.strftime('%A')} {day.day} {day.strftime('%B %Y')}, 10:00–11:30."
    chinese = term(await panel(client, room, headers=ZH | {"hx-request": "true"}, **times(10, 90)), "when")
    weekday = "一二三四五六日"[day.weekday()]
    assert chinese == f"已选：{day.year}年{day.month}月{day.day}日 星期{weekday} 10:00–11:30。"
    assert term(await panel(client, room), "when") == "", "no times chosen, nothing named"


async def test_the_panel_says_whether_a_manager_approves_or_a_draw_decides_and_when(client, member):
    instant = await create_facility()
    approval = await create_facility(requires_approval=True)
    window = await create_facility(booking_mode="window", kind="studio")
    await sign_in(client, member.email)

    assert "confirmed at once" in term(await panel(client, instant, **times(10)), "approval")
    approving = term(await panel(client, approval, **times(10)), "approval")
    assert "A park manager approves or rejects each booking" in approving and "pending" in approving
    # The draw for a day runs at noon of the day before (the policy's cut-off).
    day_before = weekday_at(10) - timedelta(days=1)
    drawn = term(await panel(client, window, **times(10)), "draw")
    assert f"{day_before.day:02d}/{day_before.month:02d}/{day_before.year}" in drawn and "12:00" in drawn and "granted by priority" in drawn
    assert term(await panel(client, window, **times(10)), "approval") == ""


async def test_the_panel_gives_the_check_in_times_and_what_a_no_show_costs(client, member):
    paid = await create_facility(hourly_rate_fen=10000)
    free = await create_facility()
    await sign_in(client, member.email)

    text = await panel(client, paid, **times(10, 120))
    assert term(text, "check_in") == "Check in between 09:45 and 10:15."
    assert "100% of the price (CN¥200.00) is charged" in term(text, "no_show")
    assert "It costs nothing" in term(await panel(client, free, **times(10)), "no_show")
    chinese = await panel(client, paid, headers=ZH | {"hx-request": "true"}, **times(10, 120))
    assert "请在 09:45 至 10:15 之间签到。" in term(chinese, "check_in") and "¥200.00" in term(chinese, "no_show")


async def test_the_panel_shows_the_readers_own_training_and_offers_to_ask_for_it(client, member, manager):
    lab = await create_facility(name="激光切割", name_en="Laser cutter", kind="equipment", requires_authorization=True)
    open_lab = await create_facility(name="开放实验室", name_en="Open lab", kind="lab")
    await sign_in(client, member.email)

    untrained = await panel(client, lab, **times(10))
    assert "you have no training record" in term(untrained, "training")
    assert 'action="/facilities/%s/training-request"' % lab["id"] in untrained and "Ask for training" in untrained
    assert term(await panel(client, open_lab, **times(10)), "training") == "No training needed."

    # Trained, but the record ends before the booking does: a warning and the button again.
    expires = weekday_at(10) + timedelta(minutes=30)
    await Authorization(facility=lab["id"], user=member.id, valid_until=expires).save()
    ending = await panel(client, lab, **times(10))
    assert "before this booking ends" in term(ending, "training") and "Ask for training" in ending
    # A booking that ends in time: trained, no button.
    fine = await panel(client, lab, **times(9, 30))
    assert "You are trained for this facility (valid until" in term(fine, "training") and "Ask for training" not in fine


async def test_the_panel_lists_the_opening_hours_and_says_when_the_asked_time_is_outside_them(client, member):
    hours = {"mon": [["10:00", "14:00"]], "tue": [["10:00", "14:00"]], "wed": [["10:00", "14:00"]],
             "thu": [["10:00", "14:00"]], "fri": [["10:00", "14:00"]], "sat": [["10:00", "12:00"]]}
    facility = await create_facility(opening_hours=hours)
    await sign_in(client, member.email)

    text = await panel(client, facility, **times(15))
    assert "<dt>Saturday</dt><dd>10:00–12:00</dd>" in text and "<dt>Sunday</dt><dd>closed</dd>" in text
    assert "the facility is not open for the whole period" in term(text, "time")
    assert term(await panel(client, facility, **times(11)), "time") == ""
    reversed_times = {"starts_at": times(12)["starts_at"], "ends_at": times(11)["starts_at"]}
    assert "The end must be after the start." in term(await panel(client, facility, **reversed_times), "time")
    chinese = await panel(client, facility, headers=ZH | {"hx-request": "true"})
    assert "<dt>星期六</dt><dd>10:00–12:00</dd>" in chinese and "Saturday" not in chinese


async def test_without_javascript_check_fills_the_panel_and_books_nothing(client, member):
    facility = await create_facility(hourly_rate_fen=6000)
    await sign_in(client, member.email)
    form = await client.get(f"/facilities/{facility['id']}/book", headers=EN)
    assert 'hx-get="/facilities/%s/book/terms"' % facility["id"] in form.text and 'value="check"' in form.text
    assert "choose the times to see the price" in form.text

    checked = await client.post(f"/facilities/{facility['id']}/book", headers=EN,
                                data=times(10, 90, seats="1", action="check", _csrf_token=csrf_from(form.text)))

    assert checked.status_code == 200 and await Booking.count() == 0
    assert "CN¥60.00 an hour × 1.5 h = CN¥90.00." in checked.text
    assert f'value="{times(10)["starts_at"]}"' in checked.text  # the form keeps what was typed
    # The form opened with times (from the timeline or a search) shows the price at once.
    opened = await client.get(f"/facilities/{facility['id']}/book", params={"start": times(10)["starts_at"],
                                                                           "end": times(10, 90)["ends_at"]}, headers=EN)
    assert "= CN¥90.00." in opened.text


async def _book(client, facility, headers=EN, **form):
    page = await client.get(f"/facilities/{facility['id']}/book", headers=headers)
    response = await client.post(f"/facilities/{facility['id']}/book", headers=headers,
                                 data={"seats": "1", "action": "book", "_csrf_token": csrf_from(page.text)} | form)
    assert response.status_code == 303, response.text
    return (await client.get(response.headers["location"], headers=headers)).text


def message(text: str) -> str:
    return text.split('class="flash flash-success"')[1].split("</div>")[0].replace("\u202f", " ")


async def test_after_booking_the_message_says_what_where_when_its_status_and_what_comes_next(client, member):
    building = await create_building(name="创新楼", name_en="Innovation Hall")
    room = await create_facility(building_id=building["id"], name="路演厅", name_en="Pitch room")
    approval = await create_facility(building_id=building["id"], name="大会议室", name_en="Board room", requires_approval=True)
    window = await create_facility(building_id=building["id"], name="录音棚", name_en="Studio", booking_mode="window", kind="studio")
    await sign_in(client, member.email)
    day = weekday_at(10)
    weekday = day.strftime("%A")

    confirmed = message(await _book(client, room, **times(10)))
    assert f"Booked Pitch room, Innovation Hall, {weekday} {day.day} {day.strftime('%B %Y')}, 10:00–11:00." in confirmed
    assert "Status: Confirmed." in confirmed and "Check in between 09:45 and 10:15." in confirmed

    pending = message(await _book(client, approval, **times(10)))
    assert "Board room" in pending and "Status: Pending approval." in pending
    assert "A park manager approves or rejects it" in pending and "Once confirmed, check in" in pending

    drawn = message(await _book(client, window, **times(10)))
    day_before = day - timedelta(days=1)
    assert "Status: Requested." in drawn and "Your request joins the draw at" in drawn
    assert f"{day_before.day:02d}/{day_before.month:02d}/{day_before.year}" in drawn and "12:00" in drawn

    chinese = message(await _book(client, room, headers=ZH, **times(14)))
    assert "已预订路演厅（创新楼）" in chinese and "状态：已确认。" in chinese and "Booked" not in chinese
    assert f"日 星期{'一二三四五六日'[day.weekday()]} 14:00–15:00" in chinese, "no half-width comma in the Chinese date"


async def test_after_booking_a_series_the_message_lists_the_dates_skipped_and_why(client, member, rival):
    facility = await create_facility(name="路演厅", name_en="Pitch room")
    await sign_in(client, member.email)
    taken = weekday_at(10, days_ahead=14)
    from .test_api import book
    assert (await book(client, rival, facility, taken)).status_code == 201

    text = message(await _book(client, facility, **times(10), repeat="weekly", repeat_count="3", skip_clashes="on"))

    assert "Booked 2 dates at Pitch room" in text and "Status: Confirmed." in text
    skipped = text.split("Not booked:")[1]
    assert f"{taken.strftime('%A')} {taken.day} {taken.strftime('%B')}" in skipped
    assert "fully booked" in skipped
    assert await Booking.count() == 3  # the rival's and two of the series


async def test_the_facility_page_states_the_same_terms_and_offers_the_training_request(client, member):
    lab = await create_facility(name="激光切割", name_en="Laser cutter", requires_authorization=True, hourly_rate_fen=15000,
                                booking_mode="window", cancel_cutoff_minutes=120)

    visitor = (await client.get(f"/facilities/{lab['id']}", headers=EN)).text
    assert "Only users with a valid training record may book." in visitor and "training-request" not in visitor
    assert "CN¥150.00 an hour; choose the times to see the price." in visitor
    assert "Requests are gathered until 1 day(s) before the day, 12:00" in visitor
    assert "Cancelling is free until 120 minutes before the start; later, 50% of the price is charged." in visitor

    await sign_in(client, member.email)
    signed_in = (await client.get(f"/facilities/{lab['id']}", headers=EN)).text
    assert "you have no training record for it" in signed_in
    assert f'action="/facilities/{lab["id"]}/training-request"' in signed_in
    assert f'name="next" value="/facilities/{lab["id"]}"' in signed_in
    assert "Check in from 15 minutes before the start until 15 minutes after it." in signed_in
    chinese = (await client.get(f"/facilities/{lab['id']}", headers=ZH)).text
    assert "申请培训" in chinese and "每小时 ¥150.00" in chinese and "an hour" not in chinese
