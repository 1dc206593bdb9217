"""The manager's unit pages: units with their holders, vacancies, adding and changing a unit, its leases
(lease it, end a lease early, renew one for a term)."""

from __future__ import annotations

from datetime import date
from typing import Any

from litestar import Controller, Request, get, post
from litestar.params import FromPath, URLEncodedBody
from litestar.response import Redirect, Template

from park.allocation import queries, units
from park.allocation.model import UNIT_KINDS
from park.allocation.web import UNIT_FORM_KEY, space_page
from park.shared.api import caller
from park.shared.clock import utc_now
from park.shared.errors import DomainError
from park.shared.guards import manager_only
from park.shared.errors import NotFound
from park.shared.web import flash, form_errors, gettext_for, page_lang, redirect, settings_of

Form = URLEncodedBody[dict[str, str]]


def _unit_input(unit: dict[str, Any], form: dict[str, str]) -> units.UnitInput:
    """The edit form's values (building and code stay the unit's); ValueError on a non-number."""
    return units.UnitInput(
        building_id=unit["building"], code=unit["code"], floor=int(form.get("floor") or 0),
        kind=form.get("kind") or "", area_m2=float(form.get("area_m2") or 0),
        monthly_rent_fen=round(float(form.get("monthly_rent_yuan") or 0) * 100),
    )


def _unit_form(unit: dict[str, Any]) -> dict[str, str]:
    fen = unit["monthly_rent_fen"]
    return {"floor": str(unit["floor"]), "kind": unit["kind"], "area_m2": f"{unit['area_m2']:g}",
            "monthly_rent_yuan": f"{fen // 100}" if fen % 100 == 0 else f"{fen / 100:.2f}"}


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


    async def _unit_page(self, request: Request, unit_id: int, status_code: int = 200,
                         errors: dict[str, str] | None = None, form: dict[str, str] | None = None,
                         target: str = "") -> Template:
        """One unit: its settings, its leases with end and renew, a new lease. `target` names the refused form."""
        unit = await units.get_unit(caller(request), unit_id)
        leases, _count = await queries.list_leases(unit_id=unit_id)
        today = utc_now().astimezone(settings_of(request).zone).date()
        return space_page(
            request, "allocation/unit.html", status_code=status_code, unit=unit,
            unit_form=form if target == "unit" and form is not None else _unit_form(unit),
            leases=leases, tenants=await queries.tenant_names([lease["tenant"] for lease in leases]),
            firms=await queries.all_tenant_names(), buildings=await queries.building_names(),
            unit_kinds=UNIT_KINDS, errors=errors or {}, form=form or {}, target=target, today=today,
        )

    @get("/units/{unit_id:int}")
    async def unit(self, request: Request, unit_id: FromPath[int]) -> Template:
        return await self._unit_page(request, unit_id)

    @post("/units/{unit_id:int}")
    async def change_unit(self, request: Request, unit_id: FromPath[int], data: Form) -> Template | Redirect:
        _ = gettext_for(page_lang(request))
        unit = await units.get_unit(caller(request), unit_id)
        try:
            values = _unit_input(unit, data)
        except ValueError:
            return await self._unit_page(request, unit_id, 422, {"form": _("Enter numbers for the floor, the area and the rent.")},
                                         data, "unit")
        try:
            await units.update_unit(caller(request), unit_id, values, utc_now())
        except DomainError as error:
            errors = form_errors(error, _, "form")
            if "monthly_rent_fen" in errors:
                errors["monthly_rent_yuan"] = errors.pop("monthly_rent_fen")
            return await self._unit_page(request, unit_id, 422, errors, data, "unit")
        flash(request, _("Unit %(code)s saved.", code=unit["code"]), "success")
        return redirect(f"/allocation/units/{unit_id}")

    @post("/units/{unit_id:int}/leases")
    async def lease_unit(self, request: Request, unit_id: FromPath[int], data: Form) -> Template | Redirect:
        _ = gettext_for(page_lang(request))
        await units.get_unit(caller(request), unit_id)
        try:
            lease = units.LeaseInput(unit_id=unit_id, tenant_id=int(data.get("tenant_id") or 0),
                                     starts_on=date.fromisoformat(data.get("starts_on") or ""),
                                     ends_on=date.fromisoformat(data.get("ends_on") or ""))
        except ValueError:
            return await self._unit_page(request, unit_id, 422, {"starts_on": _("Give the start and the end as dates.")},
                                         data, "lease")
        try:
            await units.create_lease(caller(request), lease, utc_now())
        except DomainError as error:
            return await self._unit_page(request, unit_id, 422, form_errors(error, _, "starts_on"), data, "lease")
        flash(request, _("Lease recorded."), "success")
        return redirect(f"/allocation/units/{unit_id}")

    @post("/leases/{lease_id:int}/end")
    async def end_lease(self, request: Request, lease_id: FromPath[int], data: Form) -> Template | Redirect:
        _ = gettext_for(page_lang(request))
        lease = await self._lease(lease_id)
        today = utc_now().astimezone(settings_of(request).zone).date()
        try:
            ends_on = date.fromisoformat(data.get("ends_on") or "")
        except ValueError:
            return await self._unit_page(request, lease["unit"], 422, {"ends_on": _("Give the end as a date.")},
                                         data, f"end-{lease_id}")
        try:
            await units.end_lease_early(caller(request), lease_id, ends_on, today, utc_now())
        except DomainError as error:
            return await self._unit_page(request, lease["unit"], 422, form_errors(error, _, "ends_on"), data,
                                         f"end-{lease_id}")
        flash(request, _("The lease now ends on %(date)s.", date=ends_on.isoformat()), "success")
        return redirect(f"/allocation/units/{lease['unit']}")

    @post("/leases/{lease_id:int}/renew")
    async def renew_lease(self, request: Request, lease_id: FromPath[int], data: Form) -> Template | Redirect:
        _ = gettext_for(page_lang(request))
        lease = await self._lease(lease_id)
        raw = (data.get("months") or "").strip()
        try:
            if not raw.isdigit():
                raise ValueError
            renewed = await units.renew_lease(caller(request), lease_id, int(raw), utc_now())
        except ValueError:
            return await self._unit_page(request, lease["unit"], 422, {"months": _("Enter a whole number.")}, data,
                                         f"renew-{lease_id}")
        except DomainError as error:
            return await self._unit_page(request, lease["unit"], 422, form_errors(error, _, "months"), data,
                                         f"renew-{lease_id}")
        flash(request, _("The lease now ends on %(date)s.", date=renewed["ends_on"].isoformat()), "success")
        return redirect(f"/allocation/units/{lease['unit']}")

    async def _lease(self, lease_id: int) -> dict[str, Any]:
        lease = await queries.get_lease(lease_id)
        if lease is None:
            raise NotFound("No such lease.")
        return lease


ROUTES: list[Any] = [UnitPages]
