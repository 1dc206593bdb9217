"""iCalendar feeds: the user's secret feed and the facility feed without firm names."""

from icalendar import Calendar

from park.accounts.tables import User
from tests.builders import create_facility

from .test_api import book, weekday_at


async def feed_path(login) -> str:
    row = await User.select(User.calendar_token).where(User.id == login.id).first()
    return f"/calendar/{row['calendar_token']}.ics"


async def test_a_users_feed_lists_their_bookings_as_valid_icalendar(client, member):
    facility = await create_facility(name="路演厅", name_en="Pitch Hall")
    await book(client, member, facility, weekday_at(10))
    await book(client, member, facility, weekday_at(14))
    response = await client.get(await feed_path(member))
    assert response.status_code == 200
    assert response.headers["content-type"].startswith("text/calendar")
    calendar = Calendar.from_ical(response.content)
    events = calendar.walk("VEVENT")
    assert len(events) == 2
    assert events[0]["DTSTART"].dt == weekday_at(10)
    # In the language the member saved (a calendar app asks for none): the park's default, Chinese, until then.
    assert str(events[0]["SUMMARY"]) == "路演厅" and str(events[0]["DESCRIPTION"]) == "状态：已确认"
    await User.update({User.locale: "en"}).where(User.id == member.id)
    english = Calendar.from_ical((await client.get(await feed_path(member))).content).walk("VEVENT")[0]
    assert str(english["SUMMARY"]) == "Pitch Hall" and str(english["DESCRIPTION"]) == "Status: Confirmed"
    chosen = Calendar.from_ical((await client.get(await feed_path(member) + "?lang=zh_Hans")).content)
    assert str(chosen.walk("VEVENT")[0]["SUMMARY"]) == "路演厅" and str(chosen["X-WR-CALNAME"]).startswith("园区通——")


async def test_a_wrong_or_replaced_token_finds_nothing(client, member):
    old = await feed_path(member)
    assert (await client.get("/calendar/not-a-token.ics")).status_code == 404
    replaced = await client.post("/api/v1/me/calendar-token", headers=member.headers)
    assert replaced.status_code == 200
    assert (await client.get(old)).status_code == 404
    assert (await client.get(await feed_path(member))).status_code == 200


async def test_the_facility_feed_shows_busy_times_without_firm_names(client, member, tenant):
    facility = await create_facility(capacity=2)
    await book(client, member, facility, weekday_at(10), purpose="秘密项目 Secret project")
    response = await client.get(f"/calendar/facilities/{facility['id']}.ics")
    assert response.status_code == 200
    text = response.content.decode()
    assert "秘密项目" not in text and "Secret" not in text
    assert tenant["name"] not in text and tenant["name_en"] not in text
    assert len(Calendar.from_ical(response.content).walk("VEVENT")) == 1
    assert [str(e["SUMMARY"]) for e in Calendar.from_ical(response.content).walk("VEVENT")] == ["已预订"]
    english = await client.get(f"/calendar/facilities/{facility['id']}.ics", headers={"accept-language": "en"})
    assert [str(e["SUMMARY"]) for e in Calendar.from_ical(english.content).walk("VEVENT")] == ["Booked"]
