"""Recording and reading the audit log. Call `record` inside the transaction of the change."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from park.accounts.model import Actor
from park.audit.tables import AuditEntry
from park.shared.clock import utc_now
from park.shared.errors import Forbidden


async def record(
    actor: Actor,
    action: str,
    record_type: str,
    record_id: Any = "",
    detail: dict[str, Any] | None = None,
    at: datetime | None = None,
) -> None:
    """Who did what to which record, when and from where. `action` is a verb like booking.cancel."""
    await AuditEntry.insert(
        AuditEntry(
            at=at or utc_now(),
            actor_id=actor.id or None,
            actor_email=actor.email,
            tenant_id=actor.tenant_id,
            action=action,
            record_type=record_type,
            record_id=str(record_id),
            ip=actor.ip,
            detail=detail or {},
        )
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
    if not actor.is_manager:
        raise Forbidden("Only park managers may read the audit log.")
    query = AuditEntry.select()
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
    for condition in conditions:
        query = query.where(condition)
        count = count.where(condition)
    rows = await query.order_by(AuditEntry.id, ascending=False).limit(limit).offset(offset)
    return rows, await count
