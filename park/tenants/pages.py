"""Tenant firm pages: the managers' list and form, and a firm's own page for its users."""

from __future__ import annotations

from datetime import date
from typing import Any

from litestar import Controller, Request, get, post
from litestar.di import NamedDependency
from litestar.params import FromPath, FromQuery, URLEncodedBody
from litestar.response import Redirect, Template

from park.accounts import service as account_service
from park.shared.guards import manager_only, signed_in
from park.settings import Settings
from park.shared.api import MAX_LIMIT, caller
from park.shared.clock import utc_now
from park.shared.errors import Conflict, NotFound, ValidationFailed
from park.shared.web import flash, gettext_for, page, page_lang, redirect
from park.tenants import service
from park.tenants.api import park_today
from park.tenants.model import Qualification, TenantFields
from park.tenants.rules import QUALIFICATIONS, SECTORS

Form = URLEncodedBody[dict[str, str]]
PAGE_SIZE = 25


def _count(text: str | None) -> int | None:
    text = (text or "").strip()
    if not text:
        return 0
    try:
        return int(text)
    except ValueError:
        return -1  # refused by the model's range check, with the field named


def fields_from_form(data: dict[str, str]) -> tuple[TenantFields, list[str]]:
    """The firm's fields from the form; also the names of fields the form could not read."""
    unreadable: list[str] = []
    qualifications = []
    for kind in QUALIFICATIONS:
        if data.get(f"q_{kind}"):
            until_text = (data.get(f"until_{kind}") or "").strip()
            valid_until = None
            if until_text:
                try:
                    valid_until = date.fromisoformat(until_text)
                except ValueError:
                    unreadable.append(f"until_{kind}")
            qualifications.append(Qualification(kind, (data.get(f"cert_{kind}") or "").strip(), valid_until))
    fields = TenantFields(
        name=data.get("name", ""),
        name_en=data.get("name_en", ""),
        uscc=data.get("uscc", ""),
        sector=data.get("sector", ""),
        qualifications=qualifications,
        staff_count=_count(data.get("staff_count")),
        rd_staff_count=_count(data.get("rd_staff_count")),
        ip_count=_count(data.get("ip_count")),
        contact_email=data.get("contact_email", ""),
    )
    return fields, unreadable


def _form_values(row: dict[str, Any]) -> dict[str, str]:
    values = {key: "" if row.get(key) is None else str(row.get(key)) for key in
              ("name", "name_en", "uscc", "sector", "staff_count", "rd_staff_count", "ip_count", "contact_email")}
    for record in row.get("qualification_records", []):
        values[f"q_{record['kind']}"] = "on"
        values[f"cert_{record['kind']}"] = record["certificate_no"]
        values[f"until_{record['kind']}"] = record["valid_until"].isoformat() if record["valid_until"] else ""
    return values


def _form(
    request: Request,
    *,
    tenant: dict[str, Any] | None,
    values: dict[str, str],
    errors: dict[str, str],
    status: int = 200,
    people: list[dict[str, Any]] | None = None,
    quota_balance: list[dict[str, Any]] | None = None,
) -> Template:
    return page(
        request, "tenants/form.html", status_code=status, tenant=tenant, values=values, errors=errors,
        sectors=SECTORS, qualifications=QUALIFICATIONS, people=people or [], quota_balance=quota_balance or [],
    )


async def _quota_balance(request: Request, tenant_id: int, settings: Settings) -> list[dict[str, Any]]:
    """This month's hours per facility kind; computed by bookings, handed to this package by `park.app`."""
    balance = request.app.state.get("firm_quota_balance")
    return await balance(tenant_id, settings, utc_now()) if balance else []


class TenantPages(Controller):
    path = "/tenants"
    include_in_schema = False
    guards = [manager_only]

    @get("")
    async def tenant_list(
        self,
        request: Request,
        settings: NamedDependency[Settings],
        q: FromQuery[str | None] = None,
        sector: FromQuery[str | None] = None,
        page_number: FromQuery[int] = 1,
    ) -> Template:
        page_number = max(page_number, 1)
        rows, total = await service.list_tenants(
            caller(request), limit=PAGE_SIZE, offset=(page_number - 1) * PAGE_SIZE, q=q or None,
            sector=sector if sector in SECTORS else None, today=park_today(settings),
        )
        return page(
            request, "tenants/list.html", tenants=rows, total=total, q=q or "", sector=sector or "", sectors=SECTORS,
            page_number=page_number, pages=max((total + PAGE_SIZE - 1) // PAGE_SIZE, 1),
        )

    @get("/new")
    async def new_tenant_form(self, request: Request) -> Template:
        return _form(request, tenant=None, values={}, errors={})

    @post("/new")
    async def create_tenant(self, request: Request, data: Form, settings: NamedDependency[Settings]) -> Template | Redirect:
        _ = gettext_for(page_lang(request))
        fields, unreadable = fields_from_form(data)
        try:
            if unreadable:
                raise ValidationFailed([ValidationFailed.on(name, "Use a date like 2027-12-31.").errors[0] for name in unreadable])
            row = await service.create_tenant(caller(request), fields, utc_now(), park_today(settings))
        except ValidationFailed as failed:
            return _form(request, tenant=None, values=data, errors={e.field: _(e.message, **e.params) for e in failed.errors}, status=422)
        except Conflict as conflict:
            return _form(request, tenant=None, values=data, errors={"uscc": _(conflict.template, **conflict.params)}, status=409)
        flash(request, _("The firm has been registered."), "success")
        return redirect(f"/tenants/{row['id']}")

    @get("/{tenant_id:int}")
    async def tenant_detail(self, request: Request, tenant_id: FromPath[int], settings: NamedDependency[Settings]) -> Template:
        actor = caller(request)
        row = await service.get_tenant(actor, tenant_id, park_today(settings))
        people, _total = await account_service.list_users(actor, limit=MAX_LIMIT, offset=0, tenant_id=tenant_id)
        return _form(request, tenant=row, values=_form_values(row), errors={}, people=people,
                     quota_balance=await _quota_balance(request, tenant_id, settings))

    @post("/{tenant_id:int}")
    async def update_tenant(
        self, request: Request, tenant_id: FromPath[int], data: Form, settings: NamedDependency[Settings]
    ) -> Template | Redirect:
        _ = gettext_for(page_lang(request))
        actor, today = caller(request), park_today(settings)
        current = await service.get_tenant(actor, tenant_id, today)
        fields, unreadable = fields_from_form(data)
        try:
            if unreadable:
                raise ValidationFailed([ValidationFailed.on(name, "Use a date like 2027-12-31.").errors[0] for name in unreadable])
            await service.update_tenant(actor, tenant_id, fields, utc_now(), today)
        except ValidationFailed as failed:
            return _form(request, tenant=current, values=data, errors={e.field: _(e.message, **e.params) for e in failed.errors}, status=422)
        except Conflict as conflict:
            return _form(request, tenant=current, values=data, errors={"uscc": _(conflict.template, **conflict.params)}, status=409)
        flash(request, _("The firm's details have been saved."), "success")
        return redirect(f"/tenants/{tenant_id}")


class MyFirmPage(Controller):
    path = "/my-firm"
    include_in_schema = False
    guards = [signed_in]

    @get("")
    async def my_firm(self, request: Request, settings: NamedDependency[Settings]) -> Template:
        actor = caller(request)
        if actor.tenant_id is None:
            raise NotFound("Park staff do not belong to a tenant firm.")
        row = await service.get_tenant(actor, actor.tenant_id, park_today(settings))
        return page(request, "tenants/mine.html", tenant=row, today=park_today(settings),
                    quota_balance=await _quota_balance(request, row["id"], settings))


ROUTES: list[Any] = [TenantPages, MyFirmPage]
