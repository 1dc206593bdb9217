"""Recording and reading the audit log. Call `record` inside the transaction of the change."""

from __future__ import annotations

import json
from datetime import datetime
from typing import Any

from park.shared.actor import Actor
from park.audit import display
from park.audit.tables import AuditEntry
from park.shared.clock import utc_now
from park.shared.db import fetch, write_at_commit
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
    # Hand-written insert: every write of every request passes here; sent with the commit.
    await write_at_commit(
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
    at_from: datetime | None = None,
    at_before: datetime | None = None,
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
    if at_from:
        conditions.append(AuditEntry.at >= at_from)
    if at_before:
        conditions.append(AuditEntry.at < at_before)
    return await filtered_page(query, count, conditions, limit, offset)


async def recorded_choices(actor: Actor) -> tuple[list[str], list[str]]:
    """The actions and record types the log holds, for the page's filter lists."""
    require_manager(actor, N_("Only park managers may read the audit log."))
    actions = await AuditEntry.select(AuditEntry.action).distinct()
    kinds = await AuditEntry.select(AuditEntry.record_type).distinct()
    return [row["action"] for row in actions], [row["record_type"] for row in kinds]


_NAMES_SQL = {
    # The log reads across the park: these four tables by name (no import of the packages above it).
    "tenant": "SELECT id, name, name_en FROM tenant WHERE id IN ({ids})",
    "user": "SELECT id, name, '' AS name_en FROM park_user WHERE id IN ({ids})",
    "facility": "SELECT id, name, name_en FROM facility WHERE id IN ({ids})",
    "unit": "SELECT u.id AS id, u.code AS name, '' AS name_en FROM space_unit u WHERE u.id IN ({ids})",
}


async def referenced_names(details: list[dict[str, Any]]) -> dict[tuple[str, int], dict[str, str]]:
    """The names of the firms, people, facilities and units the details refer to by id:
    (kind, id) → {"name", "name_en"}; one query per kind, none for a kind not referred to."""
    wanted: dict[str, set[int]] = {}
    for detail in details:
        for key, kind in display.REFERENCES.items():
            value = detail.get(key)
            if isinstance(value, int) and not isinstance(value, bool) and 0 < value < 2**31:
                wanted.setdefault(kind, set()).add(value)
    names: dict[tuple[str, int], dict[str, str]] = {}
    for kind, ids in wanted.items():
        rows = await fetch(_NAMES_SQL[kind].format(ids=", ".join(str(i) for i in sorted(ids))))
        names.update({(kind, int(row["id"])): {"name": row["name"] or "", "name_en": row["name_en"] or ""} for row in rows})
    return names
