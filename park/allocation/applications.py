"""Space applications (use cases): a firm applies, scored under the policy in force; withdraw, mark ineligible."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime
from typing import Any
from zoneinfo import ZoneInfo

from park.allocation import queries
from park.allocation.access import can_see
from park.shared.guards import require_manager
from park.allocation.model import MAX_AREA_M2, MAX_TERM_MONTHS, UNIT_KINDS
from park.audit.service import record
from park.notifications.service import enqueue_many
from park.priority.model import Policy
from park.priority.service import tenant_score
from park.shared.actor import Actor
from park.shared.db import transaction
from park.shared.errors import Conflict, FieldError, Forbidden, NotFound, ValidationFailed


@dataclass(frozen=True)
class ApplicationInput:
    unit_kind: str
    min_area_m2: float
    max_area_m2: float
    start_date: date
    term_months: int
    preferred_building_ids: tuple[int, ...] = ()
    justification: str = ""
    tenant_id: int | None = None


async def _score(tenant_id: int, policy: Policy, now: datetime, zone: ZoneInfo) -> dict[str, Any]:
    score = await tenant_score(tenant_id, policy, now, zone)
    return {
        "score": score.points,
        "score_breakdown": [{"rule": rule, "points": points} for rule, points in score.breakdown],
        "policy_version": score.policy_version,
        "scored_at": now,
    }


async def submit_application(
    actor: Actor, data: ApplicationInput, now: datetime, zone: ZoneInfo, policy: Policy
) -> dict[str, Any]:
    if not (actor.is_manager or actor.is_tenant_admin):
        raise Forbidden("Only your firm's administrator or a park manager may apply for space.")
    tenant_id = data.tenant_id if data.tenant_id is not None else actor.tenant_id
    if tenant_id is None:
        raise ValidationFailed.on("tenant_id", "Say which firm applies.")
    if not actor.is_manager and tenant_id != actor.tenant_id:
        raise Forbidden("You may apply only for your own firm.")
    today = now.astimezone(zone).date()
    errors = []
    if data.unit_kind not in UNIT_KINDS:
        errors.append(FieldError("unit_kind", "Use one of: %(choices)s.", {"choices": ', '.join(UNIT_KINDS)}))
    if not 0 < data.min_area_m2 <= MAX_AREA_M2:
        errors.append(FieldError("min_area_m2", "Give a positive area in square metres."))
    if not 0 < data.max_area_m2 <= MAX_AREA_M2:
        errors.append(FieldError("max_area_m2", "Give a positive area in square metres."))
    elif data.max_area_m2 < data.min_area_m2:
        errors.append(FieldError("max_area_m2", "The largest area must not be below the smallest."))
    if not 1 <= data.term_months <= MAX_TERM_MONTHS:
        errors.append(FieldError("term_months", "Ask for 1 to %(most)s months.", {"most": MAX_TERM_MONTHS}))
    if data.start_date < today:
        errors.append(FieldError("start_date", "The start date has passed."))
    elif data.start_date.year > 2999:  # the bound blackouts and leases use
        errors.append(FieldError("start_date", "choose a date between the years 2000 and 2999"))
    if len(data.justification) > 4000:
        errors.append(FieldError("justification", "Keep the justification under 4,000 characters."))
    if errors:
        raise ValidationFailed(errors)
    preferred = list(dict.fromkeys(data.preferred_building_ids))
    async with transaction():
        if not await queries.tenant_names([tenant_id]):
            raise ValidationFailed.on("tenant_id", "No such tenant.")
        known = await queries.building_names()
        unknown = [b for b in preferred if b not in known]
        if unknown:
            raise ValidationFailed.on("preferred_building_ids", "No building with id %(value)s.", value=unknown[0])
        row = await queries.insert_application(
            {
                "tenant": tenant_id,
                "submitted_by": actor.id or None,
                "unit_kind": data.unit_kind,
                "min_area_m2": float(data.min_area_m2),
                "max_area_m2": float(data.max_area_m2),
                "preferred_building_ids": preferred,
                "start_date": data.start_date,
                "term_months": data.term_months,
                "justification": data.justification.strip(),
                "status": "open",
                "submitted_at": now,
                **await _score(tenant_id, policy, now, zone),
            }
        )
        await record(actor, "space_application.submit", "space_application", row["id"], {"tenant_id": tenant_id}, at=now)
    return row


async def get_application(actor: Actor, application_id: int) -> dict[str, Any]:
    row = await queries.get_application(application_id)
    # Another firm's application answers exactly like one that does not exist.
    if row is None or not can_see(actor, row):
        raise NotFound("No such space application.")
    return row


async def list_applications(actor: Actor, **filters: Any) -> tuple[list[dict[str, Any]], int]:
    if not actor.is_manager:
        if actor.tenant_id is None:
            raise Forbidden("Only a firm's users or park managers may read applications.")
        filters["tenant_id"] = actor.tenant_id
    return await queries.list_applications(**filters)


async def withdraw_application(actor: Actor, application_id: int, now: datetime) -> dict[str, Any]:
    async with transaction():
        row = await get_application(actor, application_id)
        if not (actor.is_manager or actor.is_tenant_admin):
            raise Forbidden("Only your firm's administrator or a park manager may withdraw an application.")
        if row["status"] != "open":
            raise Conflict("Only an open application can be withdrawn; this one is %(status)s.", params={"status": row['status']})
        await queries.update_application(application_id, {"status": "withdrawn", "decided_at": now})
        await record(actor, "space_application.withdraw", "space_application", application_id, {}, at=now)
    return await queries.get_application(application_id)


async def mark_ineligible(actor: Actor, application_id: int, reason: str, now: datetime) -> dict[str, Any]:
    require_manager(actor)
    reason = reason.strip()
    if not reason:
        raise ValidationFailed.on("reason", "Say why the application is ineligible; the firm will read it.")
    async with transaction():
        row = await get_application(actor, application_id)
        if row["status"] != "open":
            raise Conflict("Only an open application can be marked ineligible; this one is %(status)s.", params={"status": row['status']})
        await queries.update_application(
            application_id, {"status": "ineligible", "ineligible_reason": reason, "decided_at": now}
        )
        await record(actor, "space_application.ineligible", "space_application", application_id, {"reason": reason}, at=now)
        await notify_tenant(
            row["tenant"],
            "space.ineligible",
            "空间申请不符合条件 / Space application ineligible",
            f"Your space application #{application_id} was marked ineligible: {reason}\n"
            f"您的空间申请 #{application_id} 被认定为不符合条件：{reason}",
            now,
        )
    return await queries.get_application(application_id)


async def notify_tenant(tenant_id: int, kind: str, subject: str, body: str, now: datetime) -> None:
    recipients = await queries.tenant_admin_emails(tenant_id)
    tenant = (await queries.tenant_names([tenant_id])).get(tenant_id)
    if tenant and tenant.get("contact_email"):
        recipients.append(tenant["contact_email"])
    await enqueue_many(kind, recipients, subject, body, now)
