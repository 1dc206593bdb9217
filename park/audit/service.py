"""Recording and reading the audit log. Call `record` inside the transaction of the change."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from park.accounts.model import Actor
from park.audit.tables import AuditEntry
from park.shared.clock import utc_now


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
    *, limit: int, offset: int, record_type: str | None = None, record_id: str | None = None
) -> tuple[list[dict[str, Any]], int]:
    query = AuditEntry.select()
    count = AuditEntry.count()
    if record_type:
        query = query.where(AuditEntry.record_type == record_type)
        count = count.where(AuditEntry.record_type == record_type)
    if record_id:
        query = query.where(AuditEntry.record_id == record_id)
        count = count.where(AuditEntry.record_id == record_id)
    rows = await query.order_by(AuditEntry.id, ascending=False).limit(limit).offset(offset)
    return rows, await count
