"""Statement pages: a firm's month (issued, or so far) with why it pays what it pays, and the
managers' park summary."""

from __future__ import annotations

from typing import Any

from litestar import Controller, Request, get
from litestar.params import FromQuery
from litestar.response import Template

from park.priority.service import current_policy
from park.billing import api, queries, service
from park.shared.api import caller
from park.shared.clock import utc_now
from park.shared.errors import ValidationFailed
from park.shared.guards import manager_only, signed_in
from park.shared.web import page, page_lang, settings_of


def _rules_explained(out: api.StatementOut, policy, lang: str) -> list[dict[str, Any]]:
    """The policy's words for every subsidy rule that gave this statement something."""
    used = {key for line in out.lines for key in line.subsidy_rules}
    billing = policy.billing
    if billing is None:
        return []
    return [
        {"key": rule.key, "percent": rule.percent, "text": rule.en if lang == "en" else rule.zh}
        for rule in billing.subsidies if rule.key in used
    ]


class StatementPages(Controller):
    path = "/statements"
    include_in_schema = False

    @get("", guards=[signed_in])
    async def statement(self, request: Request, month: FromQuery[str | None] = None,
                        tenant_id: FromQuery[int | None] = None) -> Template:
        actor = caller(request)
        settings = settings_of(request)
        lang = page_lang(request)
        now = utc_now()
        tenants = await queries.tenant_choices() if actor.is_manager else []
        firm = tenant_id if tenant_id is not None else actor.tenant_id
        context: dict[str, Any] = {"tenants": tenants, "tenant_id": firm, "month": month or "",
                                   "errors": [], "out": None, "months": [], "rules": []}
        if firm is not None:
            policy = current_policy(settings)
            try:
                view = await service.read_statement(actor, firm, month, now, settings.zone, policy)
            except ValidationFailed as error:
                context["errors"] = error.errors
                view = await service.read_statement(actor, firm, None, now, settings.zone, policy)
            out = api.statement_out(view, settings.zone, lang)
            names = await queries.tenant_names([firm])
            context.update(
                out=out, firm=names.get(firm), months=await service.statement_months(actor, firm, now, settings.zone),
                rules=_rules_explained(out, policy, lang), month=out.month,
                query=f"tenant_id={firm}&month={out.month}",
            )
        return page(request, "billing/statement.html", **context)

    @get("/summary", guards=[manager_only])
    async def summary(self, request: Request, month: FromQuery[str | None] = None) -> Template:
        settings = settings_of(request)
        errors = []
        try:
            result = await service.park_summary(caller(request), month, utc_now(), settings.zone)
        except ValidationFailed as error:
            errors = error.errors
            result = await service.park_summary(caller(request), None, utc_now(), settings.zone)
        return page(request, "billing/summary.html", result=result, summary=result.summary, errors=errors,
                    month=result.month)


ROUTES = [StatementPages]
