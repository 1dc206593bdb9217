"""The manager's allocation pages: open applications, rounds, overrides, what-if rounds."""

from __future__ import annotations

import copy
from datetime import date, timedelta
from typing import Any

from litestar import Controller, Request, get, post
from litestar.params import FromPath, URLEncodedBody
from litestar.response import Redirect, Template

from park.allocation import applications, queries, rounds, simulation
from park.allocation.model import Application
from park.allocation.rules import rank_applications
from park.allocation.web import explanation, space_page
from park.priority.service import current_policy, document_in_force, policy_path
from park.shared.api import caller
from park.shared.clock import utc_now
from park.shared.errors import DomainError, ValidationFailed
from park.shared.guards import manager_only
from park.shared.i18n import format_date, local
from park.shared.labels import label
from park.shared.web import ConfirmSection, confirm_page, confirmed, flash, gettext_for, page_lang, redirect, settings_of

Form = URLEncodedBody[dict[str, str]]


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
        round_rows, _ = await rounds.list_rounds(actor, limit=20, offset=0)
        return space_page(
            request,
            "allocation/index.html",
            ranking=[by_id[a.id] for a in ranked],
            tenants=tenants,
            rounds=round_rows,
            policy=policy,
            buildings=await queries.building_names(),
        )

    @post("/rounds")
    async def run_round(self, request: Request) -> Redirect:
        settings = settings_of(request)
        row = await rounds.run_allocation_round(caller(request), utc_now(), settings.zone, current_policy(settings))
        return redirect(f"/allocation/rounds/{row['id']}")

    @get("/rounds/{round_id:int}")
    async def round(self, request: Request, round_id: FromPath[int]) -> Template:
        row = await rounds.get_round(caller(request), round_id)
        lang = page_lang(request)
        units = {u["id"]: u for u in await queries.all_units()}
        tenants = await queries.tenant_names([a["tenant"] for a in row["assignments"]])
        choices = await rounds.override_choices(row) if row["status"] == "proposed" else {}
        return space_page(
            request,
            "allocation/round.html",
            round=row,
            units=units,
            tenants=tenants,
            buildings=await queries.building_names(),
            explanation=lambda a: explanation(a, lang),
            unit_choices={application_id: sorted(units_, key=lambda u: (u["building"], u["area_m2"], u["code"]))
                          for application_id, units_ in choices.items()},
        )

    @post("/rounds/{round_id:int}/confirm")
    async def confirm(self, request: Request, round_id: FromPath[int], data: Form) -> Template | Redirect:
        """Without `confirmed=1` this only shows the leases the round would sign and the firms told."""
        lang = page_lang(request)
        _ = gettext_for(lang)
        settings = settings_of(request)
        try:
            if not confirmed(data):
                preview = await rounds.preview_confirmation(caller(request), round_id)
                return await _round_confirmation(request, preview, data, lang)
            await rounds.confirm_round(caller(request), round_id, utc_now(), settings.zone)
        except DomainError as error:
            flash(request, _(error.template, **error.params), "error")
        else:
            flash(request, _("The round is confirmed: leases created and firms notified."), "success")
        return redirect(f"/allocation/rounds/{round_id}")

    @post("/rounds/{round_id:int}/override")
    async def override(self, request: Request, round_id: FromPath[int]) -> Redirect:
        _ = gettext_for(page_lang(request))
        form = await request.form()
        unit = (form.get("unit_id") or "").strip()
        try:
            await rounds.override_assignment(
                caller(request),
                round_id,
                int(form.get("application_id") or 0),
                int(unit) if unit.isdigit() else None,
                form.get("reason") or "",
                utc_now(),
            )
        except (ValueError, DomainError) as error:
            flash(request, _override_refusal(error, _), "error")
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

    @post("/applications/{application_id:int}/ineligible")
    async def ineligible(self, request: Request, application_id: FromPath[int]) -> Redirect:
        _ = gettext_for(page_lang(request))
        form = await request.form()
        try:
            await applications.mark_ineligible(caller(request), application_id, form.get("reason") or "", utc_now())
        except DomainError as error:
            flash(request, _(error.template, **error.params), "error")
        else:
            flash(request, _("The application is marked ineligible."), "success")
        return redirect("/allocation")


def _override_refusal(error: Exception, _: Any) -> str:
    """Why an override was refused, in the reader's language (unit kinds by their names)."""
    if not isinstance(error, DomainError):
        return _("Choose the application and the unit from the lists.")
    if isinstance(error, ValidationFailed) and error.errors:
        item = error.errors[0]
        template, params = item.message, dict(item.params)
    else:
        template, params = error.template, dict(error.params)
    for key in ("unit_kind", "kind"):
        if key in params:
            params[key] = _(label("unit_kind", str(params[key])))
    return _(template, **params)


async def _round_confirmation(request: Request, preview: dict[str, Any], data: dict[str, str], lang: str) -> Template:
    _ = gettext_for(lang)
    round_id = preview["round"]["id"]
    units = {u["id"]: u for u in await queries.all_units()}
    buildings = await queries.building_names()
    tenants = await queries.tenant_names([n["tenant"] for n in preview["notified"]])

    def firm(tenant_id: int) -> str:
        row = tenants.get(tenant_id, {})
        return local(row, lang)

    def unit_label(unit_id: int) -> str:
        unit = units.get(unit_id, {})
        code = buildings.get(unit.get("building"), {}).get("code", "")
        return unit.get("code", "") if not code or unit.get("code", "").startswith(code) else f"{code} {unit['code']}"

    leases = tuple(
        _("%(unit)s to %(firm)s, %(first)s to %(last)s", unit=unit_label(lease["unit"]), firm=firm(lease["tenant"]),
          first=format_date(lease["starts_on"], lang), last=format_date(lease["ends_on"] - timedelta(days=1), lang))
        for lease in preview["leases"]
    )
    granted, refused = _("granted a unit"), _("told why it got nothing this round")
    notified = tuple(f"{firm(n['tenant'])} · {granted if n['housed'] else refused}" for n in preview["notified"])
    return confirm_page(
        request, title=_("Confirm allocation round #%(id)s?", id=round_id),
        notes=[_("Confirming signs these leases, closes every application of the round and mails each firm its result. "
                 "It cannot be undone.")],
        sections=[ConfirmSection(_("Leases to sign"), leases, _("None: no applicant is housed.")),
                  ConfirmSection(_("Firms to notify"), notified, _("None."))],
        action=f"/allocation/rounds/{round_id}/confirm", data=data,
        yes=_("Yes, sign %(count)s leases and notify %(firms)s firms", count=len(leases), firms=len(notified)),
        back=f"/allocation/rounds/{round_id}",
    )


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


ROUTES: list[Any] = [AllocationPages]
