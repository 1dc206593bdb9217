"""Audit log JSON API: read-only, for managers. There is deliberately no route that changes an entry."""

from __future__ import annotations

from datetime import datetime
from typing import Any

import msgspec
from litestar import Controller, Request, get
from litestar.params import FromQuery

from park.shared.guards import manager_only
from park.audit import service
from park.shared.api import Page, caller, paging


class AuditEntryOut(msgspec.Struct):
    id: int
    at: datetime
    actor_id: int | None
    actor_email: str
    tenant_id: int | None
    action: str
    record_type: str
    record_id: str
    ip: str
    detail: dict[str, Any]


def entry_out(row: dict[str, Any]) -> AuditEntryOut:
    detail = row["detail"]
    if isinstance(detail, str):  # SQLite hands JSON back as text
        detail = msgspec.json.decode(detail) if detail else {}
    return AuditEntryOut(
        id=row["id"], at=row["at"], actor_id=row["actor_id"], actor_email=row["actor_email"], tenant_id=row["tenant_id"],
        action=row["action"], record_type=row["record_type"], record_id=row["record_id"], ip=row["ip"], detail=detail or {},
    )


class AuditController(Controller):
    path = "/api/v1/audit"
    tags = ["audit"]
    guards = [manager_only]

    @get("", summary="The audit log, newest first (who, what, which record, when, from where)")
    async def list_entries(
        self,
        request: Request,
        limit: FromQuery[int | None] = None,
        offset: FromQuery[int | None] = None,
        record_type: FromQuery[str | None] = None,
        record_id: FromQuery[str | None] = None,
        action: FromQuery[str | None] = None,
        actor_email: FromQuery[str | None] = None,
    ) -> Page[AuditEntryOut]:
        limit, offset = paging(limit, offset)
        rows, total = await service.list_entries(
            caller(request), limit=limit, offset=offset, record_type=record_type, record_id=record_id,
            action=action, actor_email=actor_email,
        )
        return Page(items=[entry_out(row) for row in rows], total=total)


ROUTES = [AuditController]
