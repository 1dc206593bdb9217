"""Space pages: applying for space and its status, the manager's allocation rounds."""

from __future__ import annotations

import copy
from datetime import date, datetime
from typing import Any

from litestar import Controller, Request, get, post
from litestar.params import FromPath, URLEncodedBody
from litestar.response import Redirect, Template

from park.shared.guards import manager_only, signed_in
from park.allocation import queries, service, simulation
from park.allocation.model import UNIT_KINDS, Application
from park.priority.pages import rule_words
from park.priority.service import current_policy, document_in_force, policy_path
from park.allocation.rules import rank_applications
from park.shared.api import caller
from park.shared.clock import utc_now
from park.shared.errors import DomainError, Forbidden, NotFound, ValidationFailed
from park.shared.labels import N_
from park.shared.web import flash, gettext_for, page, page_lang, redirect, settings_of

STATUS_NAMES = {
    "open": N_("Open"),
    "allocated": N_("Allocated"),
    "unallocated": N_("Not allocated"),
    "withdrawn": N_("Withdrawn"),
    "ineligible": N_("Ineligible"),
    "proposed": N_("Proposed"),
    "confirmed": N_("Confirmed"),
    "superseded": N_("Superseded"),
}


def space_page(request: Request, template_name: str, status_code: int = 200, **context: Any) -> Template:
    """`page` plus the status names of applications and rounds."""
    _ = gettext_for(page_lang(request))
    buildings = context.get("buildings") or {}

    def unit_label(unit: dict[str, Any]) -> str:
        # Codes usually carry their building's (A-1203); add it only when they do not.
        code = buildings.get(unit.get("building"), {}).get("code", "")
        return unit["code"] if not code or unit["code"].startswith(code) else f"{code} {unit['code']}"

    return page(
        request, template_name, status_code=status_code,
        status_name=lambda status: _(STATUS_NAMES.get(status, status)), unit_label=unit_label, **context,
    )


def explanation(row: dict[str, Any], lang: str) -> str:
    return (row.get("explanation_zh") if lang == "zh_Hans" else row.get("explanation")) or ""


class SpacePages(Controller):
    path = "/space"
    include_in_schema = False
    guards = [signed_in]

    @get("")
    async def index(self, request: Request) -> Template:
        actor = caller(request)
        if actor.tenant_id is None and not actor.is_manager:
            raise Forbidden("Only a firm's users or park managers may see space applications.")
        applications, _ = await service.list_applications(actor, limit=200, offset=0)
        leases, _ = await service.list_leases(actor, limit=200, offset=0)
        units = {u["id"]: u for u in await queries.all_units()}
        buildings = await queries.building_names()
        tenants = await queries.tenant_names([a["tenant"] for a in applications] + [x["tenant"] for x in leases])
        return space_page(
            request,
            "allocation/space.html",
            applications=applications,
            leases=leases,
            units=units,
            buildings=buildings,
            tenants=tenants,
            can_apply=actor.is_tenant_admin,
        )

    @get("/apply")
    async def apply_form(self, request: Request) -> Template:
        actor = caller(request)
        if not actor.is_tenant_admin:
            raise Forbidden("Only your firm's administrator may apply for space.")
        return await self._form(request, {}, {})

    async def _form(self, request: Request, values: dict[str, Any], errors: dict[str, str], status: int = 200) -> Template:
        buildings = sorted((await queries.building_names()).values(), key=lambda b: b["code"])
        defaults = {
            "unit_kind": "office",
            "min_area_m2": "",
            "max_area_m2": "",
            "start_date": "",
            "term_months": "24",
            "justification": "",
            "preferred_building_ids": [],
        }
        return space_page(
            request,
            "allocation/apply.html",
            status_code=status,
            values=defaults | values,
            errors=errors,
            buildings=buildings,
            unit_kinds=UNIT_KINDS,
        )

    @post("/apply")
    async def apply(self, request: Request) -> Template | Redirect:
        actor = caller(request)
        if not actor.is_tenant_admin:
            raise Forbidden("Only your firm's administrator may apply for space.")
        _ = gettext_for(page_lang(request))
        form = await request.form()
        values = {key: (form.get(key) or "").strip() for key in
                  ("unit_kind", "min_area_m2", "max_area_m2", "start_date", "term_months", "justification")}
        values["preferred_building_ids"] = [int(v) for v in form.getall("preferred_building_ids", []) if str(v).isdigit()]
        errors: dict[str, str] = {}
        numbers: dict[str, Any] = {}
        for key, convert in (("min_area_m2", float), ("max_area_m2", float), ("term_months", int)):
            try:
                numbers[key] = convert(values[key])
            except ValueError:
                errors[key] = _("Enter a number.")
        try:
            start_date = date.fromisoformat(values["start_date"])
        except ValueError:
            errors["start_date"] = _("Enter a date.")
        if not errors:
            settings = settings_of(request)
            try:
                row = await service.submit_application(
                    actor,
                    service.ApplicationInput(
                        unit_kind=values["unit_kind"],
                        min_area_m2=numbers["min_area_m2"],
                        max_area_m2=numbers["max_area_m2"],
                        start_date=start_date,
                        term_months=numbers["term_months"],
                        preferred_building_ids=tuple(values["preferred_building_ids"]),
                        justification=values["justification"],
                    ),
                    utc_now(),
                    settings.zone,
                    current_policy(settings),
                )
            except ValidationFailed as failed:
                errors = {error.field: _(error.message) for error in failed.errors}
            else:
                flash(request, _("Your application is in. Its score is shown below."), "success")
                return redirect(f"/space/applications/{row['id']}")
        return await self._form(request, values, errors, status=422)

    @get("/applications/{application_id:int}")
    async def application(self, request: Request, application_id: FromPath[int]) -> Template:
        actor = caller(request)
        row = await service.get_application(actor, application_id)
        policy = current_policy(settings_of(request))
        lang = page_lang(request)
        buildings = await queries.building_names()
        unit = await queries.get_unit(row["unit"]) if row["unit"] else None
        tenant = (await queries.tenant_names([row["tenant"]])).get(row["tenant"], {})
        return space_page(
            request,
            "allocation/application.html",
            application=row,
            tenant=tenant,
            breakdown=[(line["rule"], line["points"], rule_words(policy, line["rule"], lang)) for line in row["score_breakdown"]],
            stale_policy=row["policy_version"] != policy.version,
            policy=policy,
            unit=unit,
            buildings=buildings,
            explanation=explanation(row, lang),
            can_withdraw=row["status"] == "open" and (actor.is_tenant_admin or actor.is_manager),
        )

    @post("/applications/{application_id:int}/withdraw")
    async def withdraw(self, request: Request, application_id: FromPath[int]) -> Redirect:
        _ = gettext_for(page_lang(request))
        await service.withdraw_application(caller(request), application_id, utc_now())
        flash(request, _("The application has been withdrawn."), "success")
        return redirect(f"/space/applications/{application_id}")


class AllocationPages(Controller):
    path = "/allocation"
    include_in_schema = False
    guards = [manager_only]

    @get("")
    async def index(self, request: Request) -> Template:
        actor = caller(request)
        policy = current_policy(settings_of(request))
        rows = await queries.open_applications()
        tenants = await queries.tenant_names([row["tenant"] for row in rows])
        by_id = {row["id"]: row for row in rows}
        ranked = rank_applications(
            [
                Application(
                    id=row["id"], tenant_id=row["tenant"], unit_kind=row["unit_kind"],
                    min_area_m2=row["min_area_m2"], max_area_m2=row["max_area_m2"],
                    start_date=row["start_date"], term_months=row["term_months"], score=row["score"],
                    submitted_at=row["submitted_at"],
                )
                for row in rows
            ],
            policy.tie_break,
        )
        rounds, _ = await service.list_rounds(actor, limit=20, offset=0)
        return space_page(
            request,
            "allocation/index.html",
            ranking=[by_id[a.id] for a in ranked],
            tenants=tenants,
            rounds=rounds,
            policy=policy,
            buildings=await queries.building_names(),
        )

    @post("/rounds")
    async def run_round(self, request: Request) -> Redirect:
        settings = settings_of(request)
        row = await service.run_allocation_round(caller(request), utc_now(), settings.zone, current_policy(settings))
        return redirect(f"/allocation/rounds/{row['id']}")

    @get("/rounds/{round_id:int}")
    async def round(self, request: Request, round_id: FromPath[int]) -> Template:
        row = await service.get_round(caller(request), round_id)
        lang = page_lang(request)
        units = {u["id"]: u for u in await queries.all_units()}
        tenants = await queries.tenant_names([a["tenant"] for a in row["assignments"]])
        vacant, _ = await queries.list_units()
        return space_page(
            request,
            "allocation/round.html",
            round=row,
            units=units,
            tenants=tenants,
            buildings=await queries.building_names(),
            explanation=lambda a: explanation(a, lang),
            unit_choices=sorted(vacant, key=lambda u: (u["kind"], u["building"], u["code"])),
        )

    @post("/rounds/{round_id:int}/confirm")
    async def confirm(self, request: Request, round_id: FromPath[int]) -> Redirect:
        _ = gettext_for(page_lang(request))
        settings = settings_of(request)
        try:
            await service.confirm_round(caller(request), round_id, utc_now(), settings.zone)
        except DomainError as error:
            flash(request, _(error.detail), "error")
        else:
            flash(request, _("The round is confirmed: leases created and firms notified."), "success")
        return redirect(f"/allocation/rounds/{round_id}")

    @post("/rounds/{round_id:int}/override")
    async def override(self, request: Request, round_id: FromPath[int]) -> Redirect:
        _ = gettext_for(page_lang(request))
        form = await request.form()
        unit = (form.get("unit_id") or "").strip()
        try:
            await service.override_assignment(
                caller(request),
                round_id,
                int(form.get("application_id") or 0),
                int(unit) if unit.isdigit() else None,
                form.get("reason") or "",
                utc_now(),
            )
        except DomainError as error:
            flash(request, _(error.detail), "error")
        else:
            flash(request, _("The assignment has been changed and the reason recorded."), "success")
        return redirect(f"/allocation/rounds/{round_id}")

    @get("/what-if")
    async def what_if(self, request: Request) -> Template:
        settings = settings_of(request)
        text = policy_path(settings).read_text(encoding="utf-8")
        return _what_if_page(request, document_in_force(settings), text)

    @post("/what-if")
    async def simulate(self, request: Request) -> Template:
        settings = settings_of(request)
        form = await request.form()
        text = form.get("toml") or ""
        in_force = policy_path(settings).read_text(encoding="utf-8")
        if text.strip() and text.strip() != in_force.strip():
            edited: Any = text
            document: dict[str, Any] = {}
        else:
            document = edited_numbers(document_in_force(settings), form)
            edited, text = document, in_force
        try:
            policy = simulation.edited_policy(edited)
            result = await simulation.simulate_round(
                caller(request), utc_now(), settings.zone, current_policy(settings), policy
            )
        except ValidationFailed as error:
            return _what_if_page(request, document or document_in_force(settings), text, errors=error.errors, status_code=422)
        return _what_if_page(request, document or document_in_force(settings), text, result=result)

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
        rows, total = await service.list_units(actor, **filters)
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
            data = service.UnitInput(
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
            row = await service.create_unit(caller(request), data, utc_now())
        except DomainError as error:
            flash(request, _(error.detail), "error")
            # Shown again on the next page, so the manager corrects rather than retypes.
            request.session[UNIT_FORM_KEY] = {key: str(value)[:100] for key, value in form.items()}
        else:
            flash(request, _("Unit %(code)s added.", code=row["code"]), "success")
        return redirect("/allocation/units")

    @post("/applications/{application_id:int}/ineligible")
    async def ineligible(self, request: Request, application_id: FromPath[int]) -> Redirect:
        _ = gettext_for(page_lang(request))
        form = await request.form()
        try:
            await service.mark_ineligible(caller(request), application_id, form.get("reason") or "", utc_now())
        except DomainError as error:
            flash(request, _(error.detail), "error")
        else:
            flash(request, _("The application is marked ineligible."), "success")
        return redirect("/allocation")


UNIT_FORM_KEY = "unit_form"
"""Session key of a refused new-unit form, shown again once."""

def edited_numbers(document: dict[str, Any], form: Any) -> dict[str, Any]:
    """The policy document with the points typed on the what-if form (`qualifications.KEY`, `sectors.KEY`)."""
    document = copy.deepcopy(document)
    for group in ("qualifications", "sectors"):
        for key, entry in document.get(group, {}).items():
            typed = (form.get(f"{group}.{key}") or "").strip()
            if typed:
                entry["points"] = int(typed) if typed.lstrip("-").isdigit() else typed
    version = (form.get("version") or "").strip()
    if version:
        document["version"] = version
    return document


def _what_if_page(
    request: Request, document: dict[str, Any], text: str, *, result: dict[str, Any] | None = None,
    errors: list[Any] = (), status_code: int = 200,
) -> Template:
    return space_page(
        request, "allocation/what_if.html", status_code=status_code,
        document=document, toml_text=text, result=result, errors=list(errors),
    )


ROUTES: list[Any] = [SpacePages, AllocationPages]
