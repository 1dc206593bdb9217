"""The audit log page for managers, with filters."""

from __future__ import annotations

from typing import Any

from litestar import Controller, Request, get
from litestar.params import FromQuery
from litestar.response import Template

from park.shared.guards import manager_only
from park.audit import service
from park.audit.api import entry_out
from park.shared.api import caller
from park.shared.web import page

PAGE_SIZE = 50


class AuditPages(Controller):
    path = "/audit"
    include_in_schema = False
    guards = [manager_only]

    @get("")
    async def audit_log(
        self,
        request: Request,
        record_type: FromQuery[str | None] = None,
        record_id: FromQuery[str | None] = None,
        action: FromQuery[str | None] = None,
        actor_email: FromQuery[str | None] = None,
        page_number: FromQuery[int] = 1,
    ) -> Template:
        page_number = max(page_number, 1)
        filters = {
            "record_type": (record_type or "").strip(),
            "record_id": (record_id or "").strip(),
            "action": (action or "").strip(),
            "actor_email": (actor_email or "").strip(),
        }
        rows, total = await service.list_entries(
            caller(request), limit=PAGE_SIZE, offset=(page_number - 1) * PAGE_SIZE,
            **{key: value or None for key, value in filters.items()},
        )
        return page(
            request, "audit/list.html", entries=[entry_out(row) for row in rows], total=total, filters=filters,
            page_number=page_number, pages=max((total + PAGE_SIZE - 1) // PAGE_SIZE, 1),
        )


ROUTES: list[Any] = [AuditPages]
