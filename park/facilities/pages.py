"""Catalogue pages: home, facility list with filters, facility page with week calendar, blackout editor."""

from __future__ import annotations

from collections import Counter
from datetime import date, datetime, timedelta
from typing import Any

from litestar import Controller, Request, get, post
from litestar.params import FromPath, FromQuery, URLEncodedBody
from litestar.response import Redirect, Template

from park.bookings.timeline_pages import facility_week, render_grid_page
from park.shared.guards import manager_only
from park.facilities import queries, service
from park.facilities.model import FACILITY_KINDS
from park.shared.api import caller
from park.shared.clock import utc_now
from park.shared.errors import DomainError, NotFound, ValidationFailed
from park.shared.timespan import Span
from park.shared.web import flash, gettext_for, page, page_lang, redirect, settings_of

Form = URLEncodedBody[dict[str, str]]


@get("/", include_in_schema=False)
async def home(request: Request) -> Template:
    buildings = await queries.list_buildings()
    facilities = await queries.list_facilities()
    per_building: dict[int, list[dict[str, Any]]] = {b["id"]: [] for b in buildings}
    for facility in facilities:
        per_building.setdefault(facility["building"], []).append(facility)
    kinds = Counter(f["kind"] for f in facilities)
    return page(
        request,
        "home.html",
        buildings=buildings,
        per_building=per_building,
        kind_counts=[(kind, kinds.get(kind, 0)) for kind in FACILITY_KINDS],
        facility_count=len(facilities),
    )


class CataloguePages(Controller):
    path = "/facilities"
    include_in_schema = False

    @get("")
    async def catalogue(
        self, request: Request, kind: FromQuery[str | None] = None, building_id: FromQuery[str | None] = None,
        q: FromQuery[str | None] = None,
    ) -> Template:
        building = int(building_id) if building_id and building_id.isdigit() else None
        kind = kind if kind in FACILITY_KINDS else None
        rows, total = await queries.search_facilities(kind=kind, building_id=building, q=q)
        return page(request, "facilities/catalogue.html", facilities=rows, total=total,
                    buildings=await queries.list_buildings(), kinds=FACILITY_KINDS,
                    chosen={"kind": kind or "", "building_id": building, "q": q or ""})

    @get("/{facility_id:int}")
    async def facility(self, request: Request, facility_id: FromPath[int], week: FromQuery[str | None] = None) -> Template:
        row = await queries.get_facility(facility_id)
        if row is None or not row["is_active"]:
            raise NotFound(f"There is no facility {facility_id}.")
        blackouts = await queries.list_blackouts(facility_id=facility_id)
        upcoming = [b for b in blackouts if b["ends_at"] > utc_now()]
        return render_grid_page(request, "facilities/facility.html", facility=row, blackouts=upcoming,
                                **await facility_week(request, row, week))

    @get("/{facility_id:int}/blackouts", guards=[manager_only])
    async def blackout_editor(self, request: Request, facility_id: FromPath[int]) -> Template:
        row = await queries.get_facility(facility_id)
        if row is None:
            raise NotFound(f"There is no facility {facility_id}.")
        blackouts = await queries.list_blackouts(facility_id=facility_id)
        return page(request, "facilities/blackouts.html", facility=row, blackouts=blackouts, errors={}, form={})

    @post("/{facility_id:int}/blackouts", guards=[manager_only])
    async def add_blackout(self, request: Request, facility_id: FromPath[int], data: Form) -> Template | Redirect:
        _ = gettext_for(page_lang(request))
        zone = settings_of(request).zone
        row = await queries.get_facility(facility_id)
        if row is None:
            raise NotFound(f"There is no facility {facility_id}.")
        errors: dict[str, str] = {}
        try:
            starts_at = datetime.fromisoformat(data.get("starts_at", "")).replace(tzinfo=zone)
            ends_at = datetime.fromisoformat(data.get("ends_at", "")).replace(tzinfo=zone)
            if ends_at <= starts_at:
                raise ValidationFailed.on("ends_at", "The end must be later than the start.")
            whole_building = data.get("scope") == "building"
            _blackout, cancelled = await service.add_blackout(
                caller(request), Span(starts_at, ends_at), data.get("reason", "").strip()[:300], utc_now(), zone,
                facility_id=None if whole_building else facility_id,
                building_id=row["building"] if whole_building else None,
            )
        except ValueError:
            errors["starts_at"] = _("Give the start and the end as date and time.")
        except DomainError as error:
            for item in getattr(error, "errors", []) or []:
                errors[item.field] = _(item.message)
            if not errors:
                errors["starts_at"] = _(error.detail)
        if errors:
            blackouts = await queries.list_blackouts(facility_id=facility_id)
            return page(request, "facilities/blackouts.html", status_code=422, facility=row, blackouts=blackouts,
                        errors=errors, form=data)
        flash(request, _("Blackout saved; %(count)s bookings were cancelled with notice.", count=len(cancelled)), "success")
        return redirect(f"/facilities/{facility_id}/blackouts")

    @post("/{facility_id:int}/blackouts/{blackout_id:int}/delete", guards=[manager_only])
    async def delete_blackout(self, request: Request, facility_id: FromPath[int], blackout_id: FromPath[int]) -> Redirect:
        _ = gettext_for(page_lang(request))
        await service.delete_blackout(caller(request), blackout_id, utc_now())
        flash(request, _("Blackout lifted."), "success")
        return redirect(f"/facilities/{facility_id}/blackouts")


    @get("/{facility_id:int}/authorizations", guards=[manager_only])
    async def authorizations(self, request: Request, facility_id: FromPath[int]) -> Template:
        row = await queries.get_facility(facility_id)
        if row is None:
            raise NotFound(f"There is no facility {facility_id}.")
        return page(request, "facilities/authorizations.html", facility=row,
                    records=await queries.list_authorizations(facility_id), errors={}, form={})

    @post("/{facility_id:int}/authorizations", guards=[manager_only])
    async def grant(self, request: Request, facility_id: FromPath[int], data: Form) -> Template | Redirect:
        from park.accounts.tables import User

        _ = gettext_for(page_lang(request))
        zone = settings_of(request).zone
        row = await queries.get_facility(facility_id)
        if row is None:
            raise NotFound(f"There is no facility {facility_id}.")
        errors: dict[str, str] = {}
        user = await User.select(User.id).where(User.email == data.get("email", "").strip().lower()).first()
        valid_until = None
        if user is None:
            errors["email"] = _("There is no user with this email.")
        if data.get("valid_until"):
            try:
                day = date.fromisoformat(data["valid_until"])
                # Valid through the whole local day given.
                valid_until = datetime.combine(day + timedelta(days=1), datetime.min.time(), tzinfo=zone)
            except ValueError:
                errors["valid_until"] = _("Give the expiry as a date.")
        if not errors:
            try:
                await service.grant_authorization(caller(request), facility_id, user["id"], valid_until,
                                                  data.get("note", "").strip()[:300], utc_now())
            except DomainError as error:
                for item in getattr(error, "errors", []) or []:
                    errors[item.field] = _(item.message)
                if not errors:
                    errors["email"] = _(error.detail)
        if errors:
            return page(request, "facilities/authorizations.html", status_code=422, facility=row,
                        records=await queries.list_authorizations(facility_id), errors=errors, form=data)
        flash(request, _("Training recorded."), "success")
        return redirect(f"/facilities/{facility_id}/authorizations")

    @post("/{facility_id:int}/authorizations/{authorization_id:int}/delete", guards=[manager_only])
    async def revoke(self, request: Request, facility_id: FromPath[int], authorization_id: FromPath[int]) -> Redirect:
        _ = gettext_for(page_lang(request))
        await service.revoke_authorization(caller(request), authorization_id, utc_now())
        flash(request, _("Training record withdrawn."), "success")
        return redirect(f"/facilities/{facility_id}/authorizations")


ROUTES: list[Any] = [home, CataloguePages]
