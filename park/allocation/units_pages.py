"""The manager's unit pages: units with their holders, vacancies, adding a unit."""

from __future__ import annotations

from datetime import date
from typing import Any

from litestar import Controller, Request, get, post
from litestar.response import Redirect, Template

from park.allocation import queries, units
from park.allocation.model import UNIT_KINDS
from park.allocation.web import UNIT_FORM_KEY, space_page
from park.shared.api import caller
from park.shared.clock import utc_now
from park.shared.errors import DomainError
from park.shared.guards import manager_only
from park.shared.web import flash, gettext_for, page_lang, redirect, settings_of


class UnitPages(Controller):
    """The manager's units: who holds each today, what is vacant, add one."""

    path = "/allocation"
    include_in_schema = False
    guards = [manager_only]

    @get("/units")
    async def units(self, request: Request) -> Template:
        """Units with who holds each today; with both dates, only those vacant over [from, to)."""
        actor = caller(request)
        query = request.query_params
        today = utc_now().astimezone(settings_of(request).zone).date()
        errors: list[str] = []
        _ = gettext_for(page_lang(request))
        filters: dict[str, Any] = {}
        kind = query.get("kind") or None
        if kind in UNIT_KINDS:
            filters["kind"] = kind
        building = query.get("building_id") or ""
        if building.isdigit():
            filters["building_id"] = int(building)
        vacant_from = vacant_to = None
        if query.get("vacant_from") or query.get("vacant_to"):
            try:
                vacant_from = date.fromisoformat(query.get("vacant_from") or "")
                vacant_to = date.fromisoformat(query.get("vacant_to") or "")
                if vacant_to <= vacant_from:
                    raise ValueError
                filters.update(vacant_from=vacant_from, vacant_to=vacant_to)
            except ValueError:
                errors.append(_("Give a start and a later end to see what is vacant."))
        rows, total = await units.list_units(actor, **filters)
        current, _count = await queries.list_leases(active_on=today)
        holder = {lease["unit"]: lease for lease in current}
        tenants = await queries.tenant_names([lease["tenant"] for lease in current])
        buildings = await queries.building_names()
        return space_page(
            request,
            "allocation/units.html",
            unit_form=request.session.pop(UNIT_FORM_KEY, None) or {},
            units=rows,
            total=total,
            holder=holder,
            tenants=tenants,
            buildings=buildings,
            building_list=sorted(buildings.values(), key=lambda b: b["code"]),
            unit_kinds=UNIT_KINDS,
            kind=kind or "",
            building_id=building,
            vacant_from=vacant_from,
            vacant_to=vacant_to,
            errors=errors,
            vacant_m2=sum(u["area_m2"] for u in rows if u["id"] not in holder),
        )

    @post("/units")
    async def add_unit(self, request: Request) -> Redirect:
        _ = gettext_for(page_lang(request))
        form = await request.form()
        try:
            data = units.UnitInput(
                building_id=int(form.get("building_id") or 0),
                floor=int(form.get("floor") or 0),
                code=form.get("code") or "",
                kind=form.get("kind") or "",
                area_m2=float(form.get("area_m2") or 0),
                monthly_rent_fen=round(float(form.get("monthly_rent_yuan") or 0) * 100),
            )
        except ValueError:
            flash(request, _("Enter numbers for the floor, the area and the rent."), "error")
            request.session[UNIT_FORM_KEY] = {key: str(value)[:100] for key, value in form.items()}
            return redirect("/allocation/units")
        try:
            row = await units.create_unit(caller(request), data, utc_now())
        except DomainError as error:
            flash(request, _(error.template, **error.params), "error")
            # Shown again on the next page, so the manager corrects rather than retypes.
            request.session[UNIT_FORM_KEY] = {key: str(value)[:100] for key, value in form.items()}
        else:
            flash(request, _("Unit %(code)s added.", code=row["code"]), "success")
        return redirect("/allocation/units")


ROUTES: list[Any] = [UnitPages]
