"""Recording and reading the audit log. Call `record` inside the transaction of the change."""

from __future__ import annotations

import json
from datetime import datetime
from typing import Any

from park.shared.actor import Actor
from park.audit.tables import AuditEntry
from park.shared.clock import utc_now
from park.shared.db import fetch
from park.shared.guards import require_manager
from park.shared.labels import N_
from park.shared.listing import filtered_page


async def record(
    actor: Actor,
    action: str,
    record_type: str,
    record_id: Any = "",
    detail: dict[str, Any] | None = None,
    at: datetime | None = None,
) -> None:
    """Who did what to which record, when and from where. `action` is a verb like booking.cancel."""
    # Hand-written insert: every write of every request passes here.
    await fetch(
        "INSERT INTO audit_entry (at, actor_id, actor_email, tenant_id, action, record_type, record_id, ip, detail) "
        "VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9)",
        at or utc_now(), actor.id or None, actor.email, actor.tenant_id, action, record_type, str(record_id),
        actor.ip, json.dumps(detail or {}, ensure_ascii=False, default=str),
    )


async def list_entries(
    actor: Actor,
    *,
    limit: int,
    offset: int,
    record_type: str | None = None,
    record_id: str | None = None,
    action: str | None = None,
    actor_email: str | None = None,
) -> tuple[list[dict[str, Any]], int]:
    """The log, newest first. Managers only: it names every firm's people and records."""
    require_manager(actor, N_("Only park managers may read the audit log."))
    query = AuditEntry.select().order_by(AuditEntry.id, ascending=False)
    count = AuditEntry.count()
    conditions = []
    if record_type:
        conditions.append(AuditEntry.record_type == record_type)
    if record_id:
        conditions.append(AuditEntry.record_id == record_id)
    if action:
        conditions.append(AuditEntry.action == action)
    if actor_email:
        conditions.append(AuditEntry.actor_email == actor_email.strip().lower())
    return await filtered_page(query, count, conditions, limit, offset)
