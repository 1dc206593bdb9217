"""Space pages for firms: apply for space, see an application and its status."""

from __future__ import annotations

from datetime import date
from typing import Any

from litestar import Controller, Request, get, post
from litestar.params import FromPath
from litestar.response import Redirect, Template

from park.allocation import applications, queries, units
from park.allocation.model import UNIT_KINDS
from park.allocation.web import explanation, space_page
from park.priority.pages import rule_words
from park.priority.service import current_policy
from park.shared.api import caller
from park.shared.clock import utc_now
from park.shared.errors import Forbidden, ValidationFailed
from park.shared.guards import signed_in
from park.shared.web import flash, gettext_for, page_lang, redirect, settings_of


class SpacePages(Controller):
    path = "/space"
    include_in_schema = False
    guards = [signed_in]

    @get("")
    async def index(self, request: Request) -> Template:
        actor = caller(request)
        if actor.tenant_id is None and not actor.is_manager:
            raise Forbidden("Only a firm's users or park managers may see space applications.")
        application_rows, _ = await applications.list_applications(actor, limit=200, offset=0)
        leases, _ = await units.list_leases(actor, limit=200, offset=0)
        unit_rows = {u["id"]: u for u in await queries.all_units()}
        buildings = await queries.building_names()
        tenants = await queries.tenant_names([a["tenant"] for a in application_rows] + [x["tenant"] for x in leases])
        return space_page(
            request,
            "allocation/space.html",
            applications=application_rows,
            leases=leases,
            units=unit_rows,
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
                row = await applications.submit_application(
                    actor,
                    applications.ApplicationInput(
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
                errors = {error.field: _(error.message, **error.params) for error in failed.errors}
            else:
                flash(request, _("Your application is in. Its score is shown below."), "success")
                return redirect(f"/space/applications/{row['id']}")
        return await self._form(request, values, errors, status=422)

    @get("/applications/{application_id:int}")
    async def application(self, request: Request, application_id: FromPath[int]) -> Template:
        actor = caller(request)
        row = await applications.get_application(actor, application_id)
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
            can_apply=actor.is_tenant_admin,
        )

    @post("/applications/{application_id:int}/withdraw")
    async def withdraw(self, request: Request, application_id: FromPath[int]) -> Redirect:
        _ = gettext_for(page_lang(request))
        await applications.withdraw_application(caller(request), application_id, utc_now())
        flash(request, _("The application has been withdrawn."), "success")
        return redirect(f"/space/applications/{application_id}")


ROUTES: list[Any] = [SpacePages]
