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
    assert "Pitch Hall" in str(events[0]["SUMMARY"])
    assert events[0]["DTSTART"].dt == weekday_at(10)


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
