"""Catalogue pages whose use case is a bookings one: the facility page with its week calendar, the blackout
editor, and the manager's facility form (changing a facility restates or cancels its bookings).

Adding a blackout cancels the bookings it hits, so the editor (listing, adding
and lifting blackouts on one path) lives here beside the facility's calendar.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from litestar import Controller, Request, get, post
from litestar.params import FromPath, FromQuery, URLEncodedBody
from litestar.response import Redirect, Template

from park.bookings import closures
from park.bookings.timeline_pages import facility_week, render_grid_page
from park.facilities import photos as facility_photos
from park.facilities import queries
from park.facilities import service as facility_service
from park.facilities.hours import (
    MAX_RANGES_PER_DAY, HoursRow, hours_field, hours_from_rows, row_key, rows_from_form, slot_grid, with_row_added,
    with_row_removed,
)
from park.facilities.model import BOOKING_MODES, FACILITY_KINDS, WEEKDAY_KEYS, facility_from_form, facility_to_form
from park.shared.http_cache import cacheable
from park.shared.api import caller
from park.shared.clock import utc_now
from park.shared.errors import DomainError, NotFound, ValidationFailed
from park.shared.guards import manager_only
from park.shared.timespan import Span
from park.shared.i18n import format_span
from park.shared.web import (
    ConfirmSection, confirm_page, confirmed, flash, form_errors, gettext_for, page, page_lang, redirect, settings_of,
)

Form = URLEncodedBody[dict[str, str]]


class FacilityBookingPages(Controller):
    path = "/facilities"
    include_in_schema = False

    @get("/{facility_id:int}", middleware=[cacheable(10)])
    async def facility(self, request: Request, facility_id: FromPath[int], week: FromQuery[str | None] = None) -> Template:
        row = await queries.get_facility(facility_id)
        if row is None or not row["is_active"]:
            raise NotFound("There is no facility %(id)s.", params={"id": facility_id})
        blackouts = await queries.list_blackouts(facility_id=facility_id)
        upcoming = [b for b in blackouts if b["ends_at"] > utc_now()]
        return render_grid_page(request, "facilities/facility.html", facility=row, blackouts=upcoming,
                                photos=await facility_photos.photos_of(facility_id),
                                **await facility_week(request, row, week))

    @get("/{facility_id:int}/blackouts", guards=[manager_only])
    async def blackout_editor(self, request: Request, facility_id: FromPath[int]) -> Template:
        row = await queries.get_facility(facility_id)
        if row is None:
            raise NotFound("There is no facility %(id)s.", params={"id": facility_id})
        blackouts = await queries.list_blackouts(facility_id=facility_id)
        return page(request, "facilities/blackouts.html", facility=row, blackouts=blackouts, errors={}, form={})

    @post("/{facility_id:int}/blackouts", guards=[manager_only])
    async def add_blackout(self, request: Request, facility_id: FromPath[int], data: Form) -> Template | Redirect:
        """Without `confirmed=1` this only shows the bookings the blackout would cancel and the firms told."""
        lang = page_lang(request)
        _ = gettext_for(lang)
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
            span, reason = Span(starts_at, ends_at), data.get("reason", "").strip()[:300]
            scope = {"facility_id": None if whole_building else facility_id,
                     "building_id": row["building"] if whole_building else None}
            if not confirmed(data):
                hit = await closures.preview_blackout(caller(request), span, reason, **scope)
                return _blackout_confirmation(request, row, span, whole_building, hit, data, lang, zone)
            _blackout, cancelled = await closures.add_blackout(caller(request), span, reason, utc_now(), zone, **scope)
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


NEW_FACILITY = facility_to_form({**facility_service.FACILITY_DEFAULTS, "is_active": True,
                                 "opening_hours": {d: [["09:00", "18:00"]] if i < 5 else [] for i, d in enumerate(WEEKDAY_KEYS)}})


def _form_problems(values: dict[str, Any], problems: dict[str, str], data: dict[str, str], _: Any) -> dict[str, str]:
    """What the form itself can tell, in the reader's language: numbers that are not numbers, opening-hours
    rows that cannot be used (each under its row). The service then applies `parse_hours` as for the API."""
    errors = {field: _(message) for field, message in problems.items()}
    _hours, refused = hours_from_rows(rows_from_form(data), values.get("slot_minutes"))
    errors.update({key: _(error.template, **error.params) for key, error in refused.items()})
    return errors


def _field_errors(error: DomainError, _: Any) -> dict[str, str]:
    """The service's errors by form field: `opening_hours.mon[0]` shows under Monday's ranges."""
    errors: dict[str, str] = {}
    for field, message in form_errors(error, _, "form").items():
        key = field.split("[")[0].replace("opening_hours.", "hours_")
        errors.setdefault(key, message)
    return errors


class FacilityFormPages(Controller):
    """The manager's facility form: add a facility, change every setting of one."""

    path = "/facilities"
    include_in_schema = False
    guards = [manager_only]

    async def _form(self, request: Request, form: dict[str, str], facility: dict[str, Any] | None,
                    errors: dict[str, str] | None = None, rows: dict[str, list[HoursRow]] | None = None) -> Template:
        slot = form.get("slot_minutes", "")
        return page(request, "facilities/form.html", status_code=422 if errors else 200, form=form, facility=facility,
                    errors=errors or {}, buildings=await queries.list_buildings(), kinds=FACILITY_KINDS,
                    modes=BOOKING_MODES, weekdays=WEEKDAY_KEYS, hours_rows=rows or rows_from_form(form),
                    hours_step=60 * slot_grid(int(slot) if slot.strip().isdigit() else None),
                    max_ranges=MAX_RANGES_PER_DAY, hours_field=hours_field, row_key=row_key)

    async def _rows_changed(self, request: Request, data: dict[str, str], facility: dict[str, Any] | None) -> Template | None:
        """"Add a range" and "Remove" without JavaScript: the form again with one row more or less, nothing saved."""
        if data.get("hours_add"):
            rows = with_row_added(rows_from_form(data), data["hours_add"])
        elif data.get("hours_remove"):
            rows = with_row_removed(rows_from_form(data), data["hours_remove"])
        else:
            return None
        return await self._form(request, data, facility, rows=rows)

    @get("/new")
    async def new(self, request: Request) -> Template:
        return await self._form(request, dict(NEW_FACILITY), None)

    @post("/new")
    async def create(self, request: Request, data: Form) -> Template | Redirect:
        _ = gettext_for(page_lang(request))
        if (shown := await self._rows_changed(request, data, None)) is not None:
            return shown
        values, problems = facility_from_form(data)
        if errors := _form_problems(values, problems, data, _):
            return await self._form(request, data, None, errors)
        try:
            row = await facility_service.create_facility(caller(request), values, utc_now())
        except DomainError as error:
            return await self._form(request, data, None, _field_errors(error, _))
        if not values["is_active"]:
            await closures.update_facility(caller(request), row["id"], {"is_active": False}, utc_now(),
                                           settings_of(request).zone)
        flash(request, _("Facility %(name)s added.", name=row["name"]), "success")
        return redirect(f"/facilities/{row['id']}/edit")

    @get("/{facility_id:int}/edit")
    async def edit(self, request: Request, facility_id: FromPath[int]) -> Template:
        row = await queries.get_facility(facility_id)
        if row is None:
            raise NotFound("There is no facility %(id)s.", params={"id": facility_id})
        return await self._form(request, facility_to_form(row), row)

    @post("/{facility_id:int}/edit")
    async def update(self, request: Request, facility_id: FromPath[int], data: Form) -> Template | Redirect:
        _ = gettext_for(page_lang(request))
        row = await queries.get_facility(facility_id)
        if row is None:
            raise NotFound("There is no facility %(id)s.", params={"id": facility_id})
        if (shown := await self._rows_changed(request, data, row)) is not None:
            return shown
        values, problems = facility_from_form(data)
        if errors := _form_problems(values, problems, data, _):
            return await self._form(request, data, row, errors)
        before = facility_to_form(row)
        after = facility_to_form({**values, "building": values["building_id"]})
        changed = {key for key in after.keys() | before.keys() if after.get(key) != before.get(key)}
        changes = {name: values[name] for name in facility_service.EDITABLE
                   if (name if name != "hourly_rate_fen" else "hourly_rate_yuan") in changed}
        if any(key.startswith("hours_") for key in changed):
            changes["opening_hours"] = values["opening_hours"]
        try:
            await closures.update_facility(caller(request), facility_id, changes, utc_now(), settings_of(request).zone)
        except DomainError as error:
            return await self._form(request, data, row, _field_errors(error, _))
        flash(request, _("Facility %(name)s saved.", name=values["name"]), "success")
        return redirect(f"/facilities/{facility_id}/edit")




def _blackout_confirmation(
    request: Request, facility: dict[str, Any], span: Span, whole_building: bool, hit: list[dict[str, Any]],
    data: dict[str, str], lang: str, zone,
) -> Template:
    _ = gettext_for(lang)

    def name(row: dict[str, Any], en: str = "name_en", zh: str = "name") -> str:
        return (row.get(en) or row.get(zh) or "") if lang == "en" else (row.get(zh) or "")

    bookings = tuple(
        f"{name(b['facility'])} · {format_span(b['starts_at'], b['ends_at'], lang, zone)} · "
        f"{name(b, 'tenant_name_en', 'tenant_name')}"
        for b in hit
    )
    firms = sorted({name(b, "tenant_name_en", "tenant_name") for b in hit})
    closed = _("the whole building") if whole_building else name(facility)
    return confirm_page(
        request,
        title=_("Close %(what)s?", what=closed),
        notes=[_("Closed: %(period)s.", period=format_span(span.starts_at, span.ends_at, lang, zone)),
               _("These bookings will be cancelled and the people who made them notified.") if hit
               else _("No booking is cancelled: nothing is booked in this period.")],
        sections=[ConfirmSection(_("Bookings to cancel"), bookings, _("None.")),
                  ConfirmSection(_("Firms to notify"), tuple(firms), _("None."))],
        action=f"/facilities/{facility['id']}/blackouts", data=data,
        yes=_("Yes, close and cancel %(count)s bookings", count=len(hit)) if hit else _("Yes, close for this period"),
        back=f"/facilities/{facility['id']}/blackouts",
    )


ROUTES = [FacilityBookingPages, FacilityFormPages]
