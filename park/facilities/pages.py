"""Catalogue pages: home, facility list with filters, training authorisations, buildings, the manager's list.

The facility page with its week calendar and the blackout editor (a blackout
cancels bookings) are in `park.bookings.catalogue_pages`.
"""

from __future__ import annotations

from collections import Counter
from datetime import date, datetime, timedelta
from typing import Any

from litestar import Controller, Request, get, post
from litestar.params import FromPath, FromQuery, URLEncodedBody
from litestar.response import Redirect, Template

from park.shared.http_cache import cacheable
from park.shared.guards import manager_only, signed_in
from park.facilities import photos, queries, service
from park.facilities.model import FACILITY_KINDS
from park.shared.api import caller
from park.shared.clock import utc_now
from park.shared.errors import DomainError, NotFound
from park.shared.web import error_message, flash, form_errors, gettext_for, page, page_lang, redirect, safe_next, settings_of

Form = URLEncodedBody[dict[str, str]]


@get("/", include_in_schema=False, middleware=[cacheable(60)])
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

    @get("", middleware=[cacheable(60)])
    async def catalogue(
        self, request: Request, kind: FromQuery[str | None] = None, building_id: FromQuery[str | None] = None,
        q: FromQuery[str | None] = None,
    ) -> Template:
        building = int(building_id) if building_id and building_id.isdigit() else None
        kind = kind if kind in FACILITY_KINDS else None
        rows, total = await queries.search_facilities(kind=kind, building_id=building, q=q)
        return page(request, "facilities/catalogue.html", facilities=rows, total=total,
                    first_photos=await photos.first_photos(row["id"] for row in rows),
                    buildings=await queries.list_buildings(), kinds=FACILITY_KINDS,
                    chosen={"kind": kind or "", "building_id": building, "q": q or ""})

    @get("/{facility_id:int}/authorizations", guards=[manager_only])
    async def authorizations(self, request: Request, facility_id: FromPath[int]) -> Template:
        row = await queries.get_facility(facility_id)
        if row is None:
            raise NotFound("There is no facility %(id)s.", params={"id": facility_id})
        return page(request, "facilities/authorizations.html", facility=row,
                    records=await queries.list_authorizations(facility_id), errors={}, form={},
                    requests=await queries.list_training_requests(facility_id))

    @post("/{facility_id:int}/training-request", guards=[signed_in])
    async def ask_for_training(self, request: Request, facility_id: FromPath[int], data: Form) -> Redirect:
        """A member asks the park managers for training on the facility (they are told at most once a day)."""
        _ = gettext_for(page_lang(request))
        settings = settings_of(request)
        back = safe_next(data.get("next"), f"/facilities/{facility_id}/book")
        try:
            row = await service.ask_for_training(caller(request), facility_id, utc_now(), settings.zone, settings.base_url)
        except NotFound:
            raise
        except DomainError as error:
            flash(request, error_message(error, _), "error")
            return redirect(back)
        if row["notified"]:
            flash(request, _("The park managers have been asked to train you; they will record your training after it."), "success")
        else:
            flash(request, _("You asked today already; the park managers have been told."), "info")
        return redirect(back)

    @post("/{facility_id:int}/authorizations", guards=[manager_only])
    async def grant(self, request: Request, facility_id: FromPath[int], data: Form) -> Template | Redirect:
        from park.accounts.tables import User

        _ = gettext_for(page_lang(request))
        zone = settings_of(request).zone
        row = await queries.get_facility(facility_id)
        if row is None:
            raise NotFound("There is no facility %(id)s.", params={"id": facility_id})
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
                errors = form_errors(error, _, "email")
        if errors:
            return page(request, "facilities/authorizations.html", status_code=422, facility=row,
                        records=await queries.list_authorizations(facility_id), errors=errors, form=data,
                        requests=await queries.list_training_requests(facility_id))
        flash(request, _("Training recorded."), "success")
        return redirect(f"/facilities/{facility_id}/authorizations")

    @post("/{facility_id:int}/training-requests/{request_id:int}/close", guards=[manager_only])
    async def close_training_request(self, request: Request, facility_id: FromPath[int], request_id: FromPath[int]) -> Redirect:
        _ = gettext_for(page_lang(request))
        await service.close_training_request(caller(request), facility_id, request_id, utc_now())
        flash(request, _("The request was set aside."), "success")
        return redirect(f"/facilities/{facility_id}/authorizations")

    @post("/{facility_id:int}/authorizations/{authorization_id:int}/delete", guards=[manager_only])
    async def revoke(self, request: Request, facility_id: FromPath[int], authorization_id: FromPath[int]) -> Redirect:
        _ = gettext_for(page_lang(request))
        await service.revoke_authorization(caller(request), authorization_id, utc_now())
        flash(request, _("Training record withdrawn."), "success")
        return redirect(f"/facilities/{facility_id}/authorizations")


def _building_values(data: dict[str, str]) -> dict[str, str]:
    """The building fields the form sent (one that sent none leaves that field as it is)."""
    return {field: data[field] for field in service.BUILDING_TEXTS if field in data}


class BuildingPages(Controller):
    """The manager's buildings: list, add, rename."""

    path = "/buildings"
    include_in_schema = False
    guards = [manager_only]

    async def _page(self, request: Request, status_code: int = 200, errors: dict[str, str] | None = None,
                    form: dict[str, str] | None = None, editing: int | None = None) -> Template:
        return page(request, "facilities/buildings.html", status_code=status_code,
                    buildings=await queries.list_buildings(), errors=errors or {}, form=form or {}, editing=editing)

    @get("")
    async def buildings(self, request: Request) -> Template:
        return await self._page(request)

    @post("")
    async def add(self, request: Request, data: Form) -> Template | Redirect:
        _ = gettext_for(page_lang(request))
        try:
            row = await service.create_building(caller(request), data.get("code", ""), _building_values(data), utc_now())
        except DomainError as error:
            return await self._page(request, 422, form_errors(error, _, "code"), data)
        flash(request, _("Building %(code)s added.", code=row["code"]), "success")
        return redirect("/buildings")

    @post("/{building_id:int}")
    async def rename(self, request: Request, building_id: FromPath[int], data: Form) -> Template | Redirect:
        _ = gettext_for(page_lang(request))
        try:
            row = await service.update_building(caller(request), building_id, _building_values(data), utc_now())
        except DomainError as error:
            return await self._page(request, 422, form_errors(error, _, "name"), data, editing=building_id)
        flash(request, _("Building %(code)s saved.", code=row["code"]), "success")
        return redirect("/buildings")


@get("/facilities/manage", guards=[manager_only], include_in_schema=False)
async def manage_facilities(request: Request) -> Template:
    """Every facility, the inactive too, with its edit link."""
    rows = await queries.list_facilities(include_inactive=True)
    return page(request, "facilities/manage.html", facilities=rows,
                buildings={b["id"]: b for b in await queries.list_buildings()})


ROUTES: list[Any] = [home, CataloguePages, BuildingPages, manage_facilities]
