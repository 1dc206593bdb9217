"""iCalendar feeds: a user's bookings (secret token URL) and a facility's bookings (no firm names)."""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import Any

from icalendar import Calendar, Event
from litestar import Request, Response, get
from litestar.di import NamedDependency
from litestar.params import FromPath

from park.accounts.tables import User
from park.bookings.model import CANCELLED, CHECKED_IN, COMPLETED, CONFIRMED, DECLINED, EXPIRED, PENDING, REJECTED, REQUESTED
from park.bookings.tables import Booking
from park.facilities.tables import Facility
from park.settings import Settings
from park.shared.api import is_row_id
from park.shared.clock import utc_now
from park.shared import i18n
from park.shared.errors import NotFound
from park.shared.i18n import local, translate
from park.shared.labels import N_, Term, label
from park.shared.web import settings_of

# A feed covers this much past and (at most) this much future.
FEED_PAST = timedelta(days=60)
FEED_FUTURE = timedelta(days=400)
FEED_STATUSES = [REQUESTED, PENDING, CONFIRMED, CHECKED_IN, COMPLETED]
# Bookings that will not take place stay in the user's feed as STATUS:CANCELLED,
# so a subscribed calendar removes the event instead of keeping a stale copy.
WITHDRAWN_STATUSES = [CANCELLED, REJECTED, EXPIRED, DECLINED]
USER_FEED_STATUSES = FEED_STATUSES + WITHDRAWN_STATUSES
ICS = "text/calendar"
"""Litestar adds "; charset=utf-8" to every text/ type: naming it here sent it twice."""


def _calendar(name: str) -> Calendar:
    calendar = Calendar()
    calendar.add("prodid", "-//Park//Shenzhen Bay culture-tech base//EN")
    calendar.add("version", "2.0")
    calendar.add("calscale", "GREGORIAN")
    calendar.add("x-wr-calname", name)
    return calendar


def _event(row: dict[str, Any], summary: str, host: str, stamp: datetime, description: str = "") -> Event:
    event = Event()
    event.add("uid", f"booking-{row['id']}@{host}")
    event.add("dtstamp", stamp)
    event.add("dtstart", row["starts_at"])
    event.add("dtend", row["ends_at"])
    event.add("summary", summary)
    event.add("status", ical_status(row["status"]))
    if description:
        event.add("description", description)
    return event


def ical_status(status: str) -> str:
    if status in WITHDRAWN_STATUSES:
        return "CANCELLED"
    return "CONFIRMED" if status in (CONFIRMED, CHECKED_IN, COMPLETED) else "TENTATIVE"


def user_feed(rows: list[dict[str, Any]], user_name: str, host: str, stamp: datetime, lang: str) -> bytes:
    """The user's bookings, in `lang` (the language the user saved: a calendar app asks for none)."""
    calendar = _calendar(translate(lang, N_("Park — %(name)s"), name=user_name))
    for row in rows:
        title = local(row, lang, "facility_name")
        description = translate(lang, N_("Status: %(status)s"), status=Term(label("booking_status", row["status"])))
        if row.get("purpose"):
            description += f"\n{row['purpose']}"
        event = _event(row, title, host, stamp, description)
        event.add("location", title)
        calendar.add_component(event)
    return calendar.to_ical()


def booking_event_file(row: dict[str, Any], host: str, stamp: datetime, lang: str) -> bytes:
    """One booking as an .ics file to add to a calendar (same UID as in the user's feed)."""
    return user_feed([row], local(row, lang, "facility_name"), host, stamp, lang)


def facility_feed(rows: list[dict[str, Any]], facility: dict[str, Any], host: str, stamp: datetime, lang: str) -> bytes:
    """Busy times only: neither firm nor person nor purpose appears."""
    calendar = _calendar(translate(lang, N_("Park — %(name)s"), name=local(facility, lang)))
    for row in rows:
        calendar.add_component(_event(row, translate(lang, N_("Booked")), host, stamp))
    return calendar.to_ical()


def feed_lang(request: Request[Any, Any, Any], saved: str | None = None) -> str:
    """A feed's language: `?lang=` (en or zh_Hans), else the owner's saved language, else the
    languages the client asks for, else the park's default."""
    return (i18n.valid_locale(request.query_params.get("lang")) or i18n.valid_locale(saved)
            or i18n.negotiate(request.headers.get("accept-language"), settings_of(request).default_locale))


def host_of(settings: Settings) -> str:
    return settings.base_url.split("://", 1)[-1].split("/", 1)[0].split(":", 1)[0] or "park"


def _window() -> tuple[datetime, datetime]:
    now = utc_now()
    return now - FEED_PAST, now + FEED_FUTURE


@get("/calendar/{name:str}", include_in_schema=True, tags=["calendar"], summary="A user's bookings as iCalendar ({token}.ics)")
async def user_calendar(request: Request, name: FromPath[str], settings: NamedDependency[Settings]) -> Response[bytes]:
    token = name[:-4] if name.endswith(".ics") else ""
    user = await User.select(User.id, User.name, User.locale).where((User.calendar_token == token) & (User.is_active == True)).first() if token else None  # noqa: E712
    if user is None:
        raise NotFound("There is no such calendar. Copy the current address from your account page.")
    start, end = _window()
    rows = await Booking.select(
        *Booking.all_columns(), Booking.facility.name.as_alias("facility_name"), Booking.facility.name_en.as_alias("facility_name_en")
    ).where(
        (Booking.user == user["id"]) & (Booking.ends_at > start) & (Booking.starts_at < end) & Booking.status.is_in(USER_FEED_STATUSES)
    ).order_by(Booking.starts_at)
    body = user_feed(rows, user["name"], host_of(settings), utc_now(), feed_lang(request, user["locale"]))
    return Response(body, media_type=ICS, headers={"Cache-Control": "private, max-age=300"})


@get("/calendar/facilities/{name:str}", include_in_schema=True, tags=["calendar"], summary="A facility's bookings as iCalendar ({id}.ics), without firm names")
async def facility_calendar(request: Request, name: FromPath[str], settings: NamedDependency[Settings]) -> Response[bytes]:
    stem = name[:-4] if name.endswith(".ics") else ""
    facility = await Facility.select(Facility.id, Facility.name, Facility.name_en).where(Facility.id == int(stem)).first() if is_row_id(stem) else None
    if facility is None:
        raise NotFound("There is no such facility calendar.")
    start, end = _window()
    rows = await Booking.select(Booking.id, Booking.starts_at, Booking.ends_at, Booking.status).where(
        (Booking.facility == facility["id"]) & (Booking.ends_at > start) & (Booking.starts_at < end)
        & (Booking.starts_at >= start - timedelta(days=7)) & Booking.status.is_in(FEED_STATUSES[1:])
    ).order_by(Booking.starts_at)
    body = facility_feed(rows, facility, host_of(settings), utc_now(), feed_lang(request))
    return Response(body, media_type=ICS, headers={"Cache-Control": "public, max-age=300"})


ROUTES = [user_calendar, facility_calendar]
