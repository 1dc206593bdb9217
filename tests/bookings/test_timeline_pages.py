"""The day timeline and a facility's week view as pages: states, accessible names, the no-JavaScript flow, fragments."""

import html
import re
from datetime import timedelta

from park.facilities.tables import Blackout
from tests.accounts.test_pages import sign_in
from tests.builders import create_building, create_facility

from .test_api import book, weekday_at
from .test_pages import HTML, local_input


def cell(page_text: str, label_start: str) -> str:
    """The <td> whose (own or link's) accessible name starts with `label_start`."""
    for match in re.finditer(r"<td [^>]*>.*?</td>", page_text, re.S):
        if f'aria-label="{label_start}' in match.group(0):
            return match.group(0)
    raise AssertionError(f"no cell named {label_start!r}")


async def test_the_timeline_shows_every_state_with_a_name_for_each_cell(client, member, rival):
    building = await create_building(name="创意楼", name_en="Creative Building")
    room = await create_facility(building["id"], name="会议室 A101", name_en="Meeting room A101")
    lab = await create_facility(building["id"], name="共享实验室", name_en="Shared Lab", kind="lab", capacity=12,
                                opening_hours={d: [["08:00", "20:00"]] for d in ("mon", "tue", "wed", "thu", "fri")})
    day = weekday_at(9)
    assert (await book(client, rival, room, weekday_at(10), weekday_at(11))).status_code == 201
    assert (await book(client, rival, lab, weekday_at(10), weekday_at(11), seats=5)).status_code == 201
    assert (await book(client, member, lab, weekday_at(14), weekday_at(15))).status_code == 201
    await Blackout(facility=room["id"], starts_at=weekday_at(16), ends_at=weekday_at(17), reason="检修").save()
    await sign_in(client, member.email)

    page = await client.get("/timeline", params={"date": day.date().isoformat()},
                            headers=HTML | {"accept-language": "en"})
    assert page.status_code == 200
    text = html.unescape(page.text)
    stamp = day.strftime("%a %-d %b")
    assert day.strftime("%A %-d %B %Y") in text, "weekday and date in the header"
    assert "cell-free" in cell(text, f"Meeting room A101, {stamp} 09:00–09:30, free")
    assert "cell-full" in cell(text, f"Meeting room A101, {stamp} 10:00–10:30, full")
    assert "cell-blackout" in cell(text, f"Meeting room A101, {stamp} 16:00–16:30, closed for a blackout")
    assert "cell-closed" in cell(text, f"Meeting room A101, {stamp} 18:00–20:00, closed")
    partial = cell(text, f"Shared Lab, {stamp} 10:00–10:30, 7 of 12 seats left")
    assert "cell-partial" in partial and ">7</a>" in partial
    own = cell(text, f"Shared Lab, {stamp} 14:00–14:30, your booking")
    assert "cell-own" in own and 'href="/bookings/' in own
    for kind in ("free", "partial", "full", "own", "blackout", "closed", "past"):
        assert f'class="swatch cell-{kind}"' in text, "the legend names every state"
    assert set(re.findall(r'data-day-text="([^"]*)"', text)) == {stamp}, "each row names its day for the move messages"
    assert 'id="live-grid"' in text and 'hx-select="#live-grid > *"' in text
    assert f'hx-get="/timeline?date={day.date().isoformat()}&amp;group=building"' in page.text


async def test_the_timeline_speaks_chinese_with_full_width_punctuation(client, member):
    await create_facility(name="会议室 A101")
    await sign_in(client, member.email)
    day = weekday_at(9)
    page = await client.get("/timeline", params={"date": day.date().isoformat()}, headers=HTML | {"accept-language": "zh-CN"})
    text = html.unescape(page.text)
    assert f"会议室 A101，{day.month}月{day.day}日 周" in text and "09:00–09:30，空闲" in text


async def test_a_rivals_booking_shows_as_taken_without_saying_whose(client, member, rival):
    room = await create_facility(name_en="Room")
    assert (await book(client, rival, room, weekday_at(10), weekday_at(11), purpose="秘密项目")).status_code == 201
    await sign_in(client, member.email)
    page = await client.get("/timeline", params={"date": weekday_at(9).date().isoformat()}, headers=HTML)
    assert "秘密项目" not in page.text and "/bookings/" not in re.sub(r'href="/bookings"', "", page.text.split('id="live-grid"')[1])


async def test_the_timeline_filters_by_kind_and_building_and_groups_by_kind(client, member):
    one, two = await create_building(), await create_building()
    await create_facility(one["id"], name="甲会议室")
    await create_facility(two["id"], name="乙会议室")
    await create_facility(one["id"], name="甲实验室", kind="lab")
    day = weekday_at(9).date().isoformat()
    rooms = await client.get("/timeline", params={"date": day, "kind": "meeting_room"}, headers=HTML)
    assert "甲会议室" in rooms.text and "乙会议室" in rooms.text and "甲实验室" not in rooms.text
    here = await client.get("/timeline", params={"date": day, "building": str(one["id"]), "group": "kind"}, headers=HTML)
    assert "甲会议室" in here.text and "甲实验室" in here.text and "乙会议室" not in here.text
    assert here.text.count('class="grid-group"') == 2


async def test_an_htmx_request_gets_the_grid_alone(client, member):
    await create_facility(name="会议室 A101")
    url = f"/timeline?date={weekday_at(9).date().isoformat()}"
    fragment = await client.get(url, headers=HTML | {"hx-request": "true"})
    assert fragment.status_code == 200
    assert fragment.text.lstrip().startswith("<div id=\"live-grid\"") or 'id="live-grid"' in fragment.text[:200]
    assert "<html" not in fragment.text and "site-header" not in fragment.text


async def test_without_javascript_a_free_start_leads_to_a_choice_of_lengths_then_the_filled_form(client, member, rival):
    room = await create_facility(name_en="Room", min_duration_minutes=60, max_duration_minutes=240)
    assert (await book(client, rival, room, weekday_at(12), weekday_at(13))).status_code == 201
    await sign_in(client, member.email)
    page = await client.get("/timeline", params={"date": weekday_at(9).date().isoformat()}, headers=HTML)
    start = local_input(weekday_at(10))
    link = f'/timeline/start?facility={room["id"]}&amp;start={start}'
    assert link in page.text
    choose = await client.get(html.unescape(link), headers=HTML)
    assert choose.status_code == 200
    offered = re.findall(r'href="(/facilities/\d+/book\?[^"]+)"', choose.text)
    ends = [html.unescape(h).split("end=")[1].replace("%3A", ":") for h in offered]
    assert ends == [local_input(weekday_at(11)), local_input(weekday_at(11, 30)), local_input(weekday_at(12))], \
        "whole slots from the minimum, up to the booking that follows"
    form = await client.get(html.unescape(offered[0]), headers=HTML)
    assert f'value="{start}"' in form.text and f'value="{local_input(weekday_at(11))}"' in form.text


async def test_a_taken_start_in_the_no_javascript_step_says_so(client, member, rival):
    room = await create_facility()
    assert (await book(client, rival, room, weekday_at(10), weekday_at(11))).status_code == 201
    await sign_in(client, member.email)
    refused = await client.get("/timeline/start", params={"facility": str(room["id"]), "start": local_input(weekday_at(10))}, headers=HTML)
    assert refused.status_code == 409 and 'role="alert"' in refused.text
    unknown = await client.get("/timeline/start", params={"facility": "99999", "start": "nonsense"}, headers=HTML)
    assert unknown.status_code == 404


async def test_the_week_view_starts_today_with_weekday_names_own_bookings_and_the_rules(client, member):
    room = await create_facility(name_en="Room", requires_approval=True, hourly_rate_fen=10000, description="投影仪与白板")
    assert (await book(client, member, room, weekday_at(10, days_ahead=2), weekday_at(11, days_ahead=2))).status_code == 201
    await sign_in(client, member.email)
    page = await client.get(f"/facilities/{room['id']}", headers=HTML | {"accept-language": "en"})
    assert page.status_code == 200
    text = html.unescape(page.text)
    from park.shared.clock import utc_now
    from tests.builders import SHANGHAI

    today = utc_now().astimezone(SHANGHAI).date()
    rows = re.findall(r'<tr class="grid-row[^"]*"[^>]*data-day="([\d-]+)"', page.text)
    assert rows == [(today + timedelta(days=i)).isoformat() for i in range(7)], "a rolling week from today"
    assert today.strftime("%a %-d %b") in text
    booked = weekday_at(10, days_ahead=2)
    assert "cell-own" in cell(text, f"Room, {booked.strftime('%a %-d %b')} 10:00–10:30, your booking")
    for rule in ("Approval", "Training", "Price", "Check-in", "Opening hours", "投影仪与白板", "Monday"):
        assert rule in text
    assert 'id="live-grid"' in page.text
    fragment = await client.get(f"/facilities/{room['id']}", headers=HTML | {"hx-request": "true"})
    assert "<html" not in fragment.text and 'id="live-grid"' in fragment.text


async def test_the_week_view_pages_by_seven_days(client, member):
    room = await create_facility()
    first = weekday_at(9, days_ahead=14).date()
    page = await client.get(f"/facilities/{room['id']}?week={first.isoformat()}", headers=HTML)
    rows = re.findall(r'data-day="([\d-]+)"', page.text)
    assert rows[0] == first.isoformat() and len(rows) == 7
    assert f"week={(first + timedelta(days=7)).isoformat()}" in page.text


async def test_odd_days_and_filters_fall_back_instead_of_failing(client, member):
    room = await create_facility()
    for params in ({"date": "0001-01-01"}, {"date": "9999-12-31"}, {"date": "2026-02-30"}, {"kind": "spaceship", "building": "x",
                                                                                             "group": "colour"}):
        assert (await client.get("/timeline", params=params, headers=HTML)).status_code == 200
    for week in ("0001-01-01", "9999-12-31", "tomorrow"):
        assert (await client.get(f"/facilities/{room['id']}", params={"week": week}, headers=HTML)).status_code == 200
    await sign_in(client, member.email)
    for params in ({"facility": str(room["id"]), "start": "9999-12-31T23:30"}, {"facility": str(room["id"]), "start": "x"}):
        assert (await client.get("/timeline/start", params=params, headers=HTML)).status_code == 409
