"""Catalogue pages whose use case is a bookings one: the facility page with its week calendar, the blackout editor.

Adding a blackout cancels the bookings it hits, so the editor (listing, adding
and lifting blackouts on one path) lives here beside the facility's calendar.
"""

from __future__ import annotations

from datetime import date, datetime, timedelta
from typing import Any

from litestar import Controller, Request, get, post
from litestar.params import FromPath, FromQuery, URLEncodedBody
from litestar.response import Redirect, Template

from park.bookings import closures, search
from park.facilities import queries
from park.facilities import service as facility_service
from park.shared.api import caller
from park.shared.clock import utc_now
from park.shared.errors import DomainError, NotFound, ValidationFailed
from park.shared.guards import manager_only
from park.shared.timespan import Span
from park.shared.web import flash, form_errors, gettext_for, page, page_lang, redirect, settings_of

Form = URLEncodedBody[dict[str, str]]


def week_start(value: str | None, today: date) -> date:
    """The Monday of the week holding `value` (YYYY-MM-DD), else of today."""
    try:
        chosen = date.fromisoformat(value) if value else today
    except ValueError:
        chosen = today
    return chosen - timedelta(days=chosen.weekday())


def week_grid(slots: list[Any], monday: date, zone) -> dict[str, Any]:
    """Rows of local times × seven day columns, each cell a slot or None."""
    days = [monday + timedelta(days=i) for i in range(7)]
    times: set[str] = set()
    cells: dict[tuple[date, str], Any] = {}
    for slot in slots:
        local = slot.starts_at.astimezone(zone)
        key = local.strftime("%H:%M")
        times.add(key)
        cells[(local.date(), key)] = slot
    rows = [(t, [cells.get((d, t)) for d in days]) for t in sorted(times)]
    return {"days": days, "rows": rows}


class FacilityBookingPages(Controller):
    path = "/facilities"
    include_in_schema = False

    @get("/{facility_id:int}")
    async def facility(self, request: Request, facility_id: FromPath[int], week: FromQuery[str | None] = None) -> Template:
        row = await queries.get_facility(facility_id)
        if row is None or not row["is_active"]:
            raise NotFound("There is no facility %(id)s.", params={"id": facility_id})
        zone = settings_of(request).zone
        monday = week_start(week, utc_now().astimezone(zone).date())
        window = Span(datetime(monday.year, monday.month, monday.day, tzinfo=zone),
                      datetime.combine(monday + timedelta(days=7), datetime.min.time(), tzinfo=zone))
        slots = await search.facility_availability(facility_id, window, zone)
        blackouts = await queries.list_blackouts(facility_id=facility_id)
        upcoming = [b for b in blackouts if b["ends_at"] > utc_now()]
        return page(
            request, "facilities/facility.html", facility=row, grid=week_grid(slots, monday, zone),
            monday=monday, previous_week=(monday - timedelta(days=7)).isoformat(),
            next_week=(monday + timedelta(days=7)).isoformat(), blackouts=upcoming,
            opening=queries.to_spec(row).opening_hours.to_contract(), now=utc_now(),
        )

    @get("/{facility_id:int}/blackouts", guards=[manager_only])
    async def blackout_editor(self, request: Request, facility_id: FromPath[int]) -> Template:
        row = await queries.get_facility(facility_id)
        if row is None:
            raise NotFound("There is no facility %(id)s.", params={"id": facility_id})
        blackouts = await queries.list_blackouts(facility_id=facility_id)
        return page(request, "facilities/blackouts.html", facility=row, blackouts=blackouts, errors={}, form={})

    @post("/{facility_id:int}/blackouts", guards=[manager_only])
    async def add_blackout(self, request: Request, facility_id: FromPath[int], data: Form) -> Template | Redirect:
        _ = gettext_for(page_lang(request))
        zone = settings_of(request).zone
        row = await queries.get_facility(facility_id)
        if row is None:
            raise NotFound("There is no facility %(id)s.", params={"id": facility_id})
        errors: dict[str, str] = {}
        try:
            starts_at = datetime.fromisoformat(data.get("starts_at", "")).replace(tzinfo=zone)
            ends_at = datetime.fromisoformat(data.get("ends_at", "")).replace(tzinfo=zone)
            if ends_at <= starts_at:
                raise ValidationFailed.on("ends_at", "The end must be later than the start.")
            whole_building = data.get("scope") == "building"
            _blackout, cancelled = await closures.add_blackout(
                caller(request), Span(starts_at, ends_at), data.get("reason", "").strip()[:300], utc_now(), zone,
                facility_id=None if whole_building else facility_id,
                building_id=row["building"] if whole_building else None,
            )
        except ValueError:
            errors["starts_at"] = _("Give the start and the end as date and time.")
        except DomainError as error:
            errors = form_errors(error, _, "starts_at")
        if errors:
            blackouts = await queries.list_blackouts(facility_id=facility_id)
            return page(request, "facilities/blackouts.html", status_code=422, facility=row, blackouts=blackouts,
                        errors=errors, form=data)
        flash(request, _("Blackout saved; %(count)s bookings were cancelled with notice.", count=len(cancelled)), "success")
        return redirect(f"/facilities/{facility_id}/blackouts")

    @post("/{facility_id:int}/blackouts/{blackout_id:int}/delete", guards=[manager_only])
    async def delete_blackout(self, request: Request, facility_id: FromPath[int], blackout_id: FromPath[int]) -> Redirect:
        _ = gettext_for(page_lang(request))
        await facility_service.delete_blackout(caller(request), blackout_id, utc_now())
        flash(request, _("Blackout lifted."), "success")
        return redirect(f"/facilities/{facility_id}/blackouts")


ROUTES = [FacilityBookingPages]
