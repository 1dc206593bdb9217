"""The day timeline of all facilities, a facility's rolling week, and the no-JavaScript "how long?" step.

Both grids come from `park.bookings.timeline.build_grid` over the same few
queries as the time-first search (facilities, their seat-holding bookings, their
blackouts, the caller's training records), whatever the number of facilities.
A request with the `HX-Request` header gets the grid alone (`#live-grid`), so a
live update can re-fetch the page's own URL and swap it in.
"""

from __future__ import annotations

from datetime import date, datetime, timedelta
from typing import Any
from urllib.parse import urlencode
from zoneinfo import ZoneInfo

from litestar import Controller, Request, get
from litestar.params import FromQuery
from litestar.response import Template

from park.bookings import queries
from park.bookings.search import unauthorised_reason
from park.bookings.terms_view import terms_context
from park.bookings.timeline import (
    BLACKOUT, CLOSED, FREE, FULL, OWN, PARTIAL, PAST, STATES, Grid, build_grid, day_window, durations_from, run_from,
)
from park.facilities import queries as facility_queries
from park.facilities.model import FACILITY_KINDS, MAX_ADVANCE_DAYS, FacilitySpec
from park.shared.actor import Actor
from park.shared.clock import utc_now
from park.shared.guards import signed_in
from park.shared.errors import NotFound
from park.shared.i18n import babel_locale, format_day, local
from park.shared.labels import N_, label
from park.shared.timespan import Span
from park.shared.web import gettext_for, page, page_lang, settings_of

WEEK_DAYS = 7
MAX_DURATION_CHOICES = 16
GROUPINGS = ("building", "kind")

STATE_TEXT = {
    FREE: N_("free"),
    PARTIAL: N_("%(seats)s of %(capacity)s seats left"),
    FULL: N_("full"),
    OWN: N_("your booking"),
    BLACKOUT: N_("closed for a blackout"),
    CLOSED: N_("closed"),
    PAST: N_("past"),
}
LEGEND_TEXT = {
    FREE: N_("Free"),
    PARTIAL: N_("Some seats left (number shown)"),
    FULL: N_("Full"),
    OWN: N_("Your booking"),
    BLACKOUT: N_("Blackout"),
    CLOSED: N_("Closed or not yet bookable"),
    PAST: N_("Past"),
}
# What a cell shows besides its colour, so the state never depends on colour alone.
STATE_MARK = {FULL: "×", OWN: "✓", BLACKOUT: "!", CLOSED: "", PAST: "", FREE: ""}


def _clock(instant: datetime, day: date, zone: ZoneInfo) -> str:
    wall = instant.astimezone(zone)
    return "24:00" if wall.date() > day and wall.hour == 0 and wall.minute == 0 else wall.strftime("%H:%M")


def _form_time(instant: datetime, zone: ZoneInfo) -> str:
    return instant.astimezone(zone).strftime("%Y-%m-%dT%H:%M")


# How far from today a grid may be asked for: a year back, the longest booking horizon ahead.
DAYS_BACK = 366
DAYS_AHEAD = MAX_ADVANCE_DAYS + 1


def _chosen_day(value: str | None, today: date) -> date:
    """The asked day (YYYY-MM-DD), else today; kept within reach so the day's neighbours always exist."""
    try:
        chosen = date.fromisoformat(value) if value else today
    except ValueError:
        return today
    return min(max(chosen, today - timedelta(days=DAYS_BACK)), today + timedelta(days=DAYS_AHEAD))


async def _held(specs: list[FacilitySpec], window: Span, actor: Actor | None) -> tuple[dict, list, dict]:
    """Bookings, blackouts and the caller's training records for `specs` over `window` (three queries at most)."""
    widest_buffer = timedelta(minutes=max((spec.buffer_minutes for spec in specs), default=0))
    bookings = await queries.live_bookings_of([spec.id for spec in specs], window, widest_buffer)
    blackouts = await facility_queries.blackouts_of(specs, window)
    needs_training = actor is not None and any(spec.requires_authorization for spec in specs)
    authorizations = await facility_queries.authorizations_of(actor.id) if needs_training else {}
    return bookings, blackouts, authorizations


def _grid_view(
    grid: Grid, facility_rows: dict[int, dict[str, Any]], heads: list[dict[str, Any]], lang: str, zone: ZoneInfo,
    signed_in_user: bool,
) -> dict[str, Any]:
    """The grid as the template macro draws it: every cell's classes, accessible name, link and drag data."""
    _ = gettext_for(lang)
    rows = []
    for row, head in zip(grid.rows, heads):
        facility = facility_rows[row.facility.id]
        name = local(facility, lang)
        row_day = format_day(row.day, lang)
        cells = []
        for index, cell in enumerate(row.cells):
            if cell.state == PARTIAL:
                state_text = _(STATE_TEXT[PARTIAL], seats=cell.seats_left, capacity=row.facility.capacity)
            else:
                state_text = _(STATE_TEXT[cell.state])
            label = _("%(facility)s, %(day)s %(start)s–%(end)s, %(state)s", facility=name, day=row_day,
                      start=_clock(cell.span.starts_at, row.day, zone), end=_clock(cell.span.ends_at, row.day, zone),
                      state=state_text)
            href = None
            bookable = cell.bookable and head["bookable"]
            if bookable:
                # The colon stays as it is (it may stand in a query): the link reads like the form's own value.
                href = f"/timeline/start?facility={row.facility.id}&start={_form_time(cell.span.starts_at, zone)}"
            elif cell.state == OWN and cell.booking_id is not None:
                href = f"/bookings/{cell.booking_id}"
            cells.append({
                "state": cell.state, "label": label, "href": href, "bookable": bookable, "width": cell.width,
                "column": cell.column, "now": cell.now_percent, "booking_id": cell.booking_id, "movable": cell.movable,
                "start": _form_time(cell.span.starts_at, zone), "end": _form_time(cell.span.ends_at, zone),
                "mark": str(cell.seats_left) if cell.state == PARTIAL else STATE_MARK.get(cell.state, ""),
                "index": index,
            })
        rows.append({**head, "facility_id": row.facility.id, "cells": cells, "name": name,
                     "slot": row.facility.slot_minutes, "min": row.facility.min_duration_minutes,
                     "max": row.facility.max_duration_minutes, "day": row.day.isoformat(),
                     "day_text": row_day})
    groups: list[tuple[Any, list[dict[str, Any]]]] = []
    for row in rows:
        if groups and groups[-1][0] == row["group"]:
            groups[-1][1].append(row)
        else:
            groups.append((row["group"], [row]))
    return {
        "columns": grid.columns, "hours": grid.hours, "rows": rows, "groups": groups, "empty": grid.is_empty, "step": grid.step_minutes,
        "legend": [(state, _(LEGEND_TEXT[state])) for state in STATES], "signed_in": signed_in_user,
        # Why a cell cannot take a booking being moved there by keyboard (the script says it).
        "state_words": [(state, _(STATE_TEXT[state])) for state in STATES if state not in (FREE, PARTIAL)],
    }


def _row_head(facility: dict[str, Any], spec: FacilitySpec, authorization, now: datetime, zone: ZoneInfo, lang: str,
              window: Span, actor: Actor | None) -> dict[str, Any]:
    _ = gettext_for(lang)
    notes = []
    if spec.capacity > 1:
        notes.append(_("%(count)s seats", count=spec.capacity))
    if spec.requires_approval:
        notes.append(_("needs approval"))
    if spec.booking_mode == "window":
        notes.append(_("allocated by draw"))
    bookable, reason = True, ""
    if actor is not None:
        violation = unauthorised_reason(spec, authorization, Span(max(window.starts_at, now), window.ends_at), now, zone)
        if violation is not None:
            bookable, reason = False, _(violation.template, **dict(violation.params))
    return {"href": f"/facilities/{spec.id}", "notes": notes, "bookable": bookable, "reason": reason,
            "reason_short": _("training needed") if reason else ""}


def _url(request: Request, **params: Any) -> str:
    query = {key: value for key, value in params.items() if value not in (None, "")}
    return request.url.path + ("?" + urlencode(query) if query else "")


def _render(request: Request, template_name: str, **context: Any) -> Template:
    """The whole page, or for htmx (a live update) just the grid."""
    if request.headers.get("hx-request") == "true":
        return page(request, "bookings/_grid_fragment.html", **context)
    return page(request, template_name, **context)


class TimelinePages(Controller):
    path = "/timeline"
    include_in_schema = False

    @get("")
    async def timeline(
        self, request: Request, kind: FromQuery[str | None] = None,
        building: FromQuery[str | None] = None, group: FromQuery[str | None] = None,
    ) -> Template:
        """Every facility on one day: rows grouped by building or kind, columns the hours, cells coloured by state."""
        lang = page_lang(request)
        _ = gettext_for(lang)
        zone = settings_of(request).zone
        now = utc_now()
        actor = request.scope.get("user") if isinstance(request.scope.get("user"), Actor) else None
        today = now.astimezone(zone).date()
        day = _chosen_day(request.query_params.get("date"), today)
        kind = kind if kind in FACILITY_KINDS else None
        building_id = int(building) if building and building.isdigit() else None
        group = group if group in GROUPINGS else "building"
        rows, _total = await facility_queries.search_facilities(kind=kind, building_id=building_id)
        window = day_window(day, zone)
        specs = [facility_queries.to_spec(row) for row in rows]
        bookings, blackouts, authorizations = await _held(specs, window, actor)
        ordered = sorted(zip(rows, specs), key=lambda pair: (
            (local(pair[0], lang, "building_name") if group == "building" else FACILITY_KINDS.index(pair[1].kind)),
            pair[0]["building"], local(pair[0], lang)))
        grid = build_grid([(spec, day) for _row, spec in ordered], zone, now, bookings, blackouts,
                          viewer_id=actor.id if actor else None)
        heads = []
        for row, spec in ordered:
            head = _row_head(row, spec, authorizations.get(spec.id), now, zone, lang, window, actor)
            head["group"] = local(row, lang, "building_name") if group == "building" else _(label("facility_kind", spec.kind))
            head["sub"] = None
            heads.append(head)
        view = _grid_view(grid, {row["id"]: row for row in rows}, heads, lang, zone, actor is not None)
        view["grouped"] = True
        view["group_by"] = group
        view["caption"] = format_day(day, lang, long=True)
        here = _url(request, date=day.isoformat(), kind=kind, building=building_id, group=group)
        return _render(
            request, "bookings/timeline.html", grid=view, day=day, today=today, is_today=day == today,
            day_title=format_day(day, lang, long=True), live_url=here,
            previous_url=_url(request, date=(day - timedelta(days=1)).isoformat(), kind=kind, building=building_id, group=group),
            next_url=_url(request, date=(day + timedelta(days=1)).isoformat(), kind=kind, building=building_id, group=group),
            today_url=_url(request, kind=kind, building=building_id, group=group),
            chosen={"kind": kind or "", "building": building_id, "group": group},
            buildings=await facility_queries.list_buildings(), kinds=FACILITY_KINDS,
        )

    @get("/start", guards=[signed_in])
    async def choose_duration(self, request: Request, facility: FromQuery[str | None] = None,
                              start: FromQuery[str | None] = None) -> Template:
        """Without JavaScript a click on a free cell lands here: the lengths that fit, each a link to the booking form."""
        lang = page_lang(request)
        zone = settings_of(request).zone
        now = utc_now()
        row = await facility_queries.get_facility(int(facility)) if facility and facility.isdigit() else None
        if row is None or not row["is_active"]:
            raise NotFound("There is no such facility.")
        spec = facility_queries.to_spec(row)
        try:
            starts_at = datetime.fromisoformat(start or "").replace(tzinfo=zone)
        except ValueError:
            starts_at = None
        if starts_at is not None and _chosen_day(starts_at.date().isoformat(), now.astimezone(zone).date()) != starts_at.date():
            starts_at = None  # out of reach: nothing to offer
        choices: list[dict[str, Any]] = []
        if starts_at is not None:
            day = starts_at.date()
            bookings, blackouts, _authorizations = await _held([spec], day_window(day, zone), None)
            actor = request.scope.get("user")
            grid = build_grid([(spec, day)], zone, now, bookings, blackouts, viewer_id=actor.id)
            cells = [cell for cell in grid.rows[0].cells]
            index = next((i for i, cell in enumerate(cells) if cell.span.starts_at == starts_at), None)
            run = run_from(cells, index) if index is not None else None
            for length in (durations_from(spec, run) if run else [])[:MAX_DURATION_CHOICES]:
                ends_at = starts_at + length
                choices.append({
                    "minutes": int(length / timedelta(minutes=1)), "ends_at": ends_at,
                    "href": f"/facilities/{spec.id}/book?" + urlencode({"start": _form_time(starts_at, zone),
                                                                        "end": _form_time(ends_at, zone)}),
                })
        back = "/timeline?" + urlencode({"date": starts_at.date().isoformat()}) if starts_at else "/timeline"
        return page(request, "bookings/choose_duration.html", status_code=200 if choices else 409, facility=row,
                    starts_at=starts_at, choices=choices, back=back,
                    day_text=format_day(starts_at.date(), lang) if starts_at else "")


async def facility_week(request: Request, row: dict[str, Any], first_value: str | None) -> dict[str, Any]:
    """The context of a facility's week view: seven days from today (or from `first_value`), rules beside it."""
    lang = page_lang(request)
    _ = gettext_for(lang)
    settings = settings_of(request)
    zone = settings.zone
    now = utc_now()
    actor = request.scope.get("user") if isinstance(request.scope.get("user"), Actor) else None
    today = now.astimezone(zone).date()
    first = _chosen_day(first_value, today)
    spec = facility_queries.to_spec(row)
    days = [first + timedelta(days=i) for i in range(WEEK_DAYS)]
    window = Span(day_window(days[0], zone).starts_at, day_window(days[-1], zone).ends_at)
    bookings, blackouts, authorizations = await _held([spec], window, actor)
    grid = build_grid([(spec, day) for day in days], zone, now, bookings, blackouts, viewer_id=actor.id if actor else None)
    heads = []
    for day in days:
        head = _row_head(row, spec, authorizations.get(spec.id), now, zone, lang, day_window(day, zone), actor)
        head["notes"] = [_("today")] if day == today else []
        head["href"] = None
        head["sub"] = format_day(day, lang)
        head["group"] = None
        heads.append(head)
    view = _grid_view(grid, {spec.id: row}, heads, lang, zone, actor is not None)
    view["grouped"] = False
    view["caption"] = _("%(facility)s from %(first)s to %(last)s", facility=local(row, lang),
                        first=format_day(days[0], lang), last=format_day(days[-1], lang))
    here = f"/facilities/{spec.id}" + ("?" + urlencode({"week": first.isoformat()}) if first != today else "")
    return {
        "grid": view, "first_day": first, "last_day": days[-1], "is_today": first == today, "live_url": here,
        "previous_url": f"/facilities/{spec.id}?" + urlencode({"week": (first - timedelta(days=WEEK_DAYS)).isoformat()}),
        "next_url": f"/facilities/{spec.id}?" + urlencode({"week": (first + timedelta(days=WEEK_DAYS)).isoformat()}),
        "today_url": f"/facilities/{spec.id}", **await terms_context(request, row),
    }


def render_grid_page(request: Request, template_name: str, **context: Any) -> Template:
    """For the facility page: the whole page, or the grid alone for htmx."""
    return _render(request, template_name, **context)


ROUTES: list[Any] = [TimelinePages]
