"""The waitlist (use cases): wait for a taken slot; when it frees, the best-ranked waiting request that fits is booked."""

from __future__ import annotations

import logging
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any
from zoneinfo import ZoneInfo

from park.accounts.tables import User
from park.audit.service import record
from park.bookings import queries as booking_queries
from park.bookings import waitlist_queries as queries
from park.bookings.draws import effective_priority
from park.bookings.quotas import month_of
from park.bookings.service import book_facility
from park.bookings.steps import BookingInput
from park.facilities import queries as facility_queries
from park.priority.model import Policy
from park.priority.service import tenant_score
from park.shared.actor import Actor
from park.shared.labels import term
from park.shared.reasons import message, storable, stored
from park.shared.db import transaction
from park.shared.errors import Conflict, DomainError, FieldError, Forbidden, NotFound, QuotaExceeded, ValidationFailed

log = logging.getLogger(__name__)



@dataclass(frozen=True)
class WaitInput:
    facility_id: int
    starts_at: datetime
    ends_at: datetime
    seats: int = 1
    purpose: str = ""


async def join_waitlist(actor: Actor, data: WaitInput, now: datetime) -> dict[str, Any]:
    if actor.tenant_id is None:
        raise Forbidden("Only a firm's users can wait for a slot.")
    errors = []
    if data.ends_at <= data.starts_at:
        errors.append(FieldError("ends_at", "The end must come after the start."))
    if data.starts_at <= now:
        errors.append(FieldError("starts_at", "The start has passed."))
    if data.seats < 1:
        errors.append(FieldError("seats", "Ask for at least one seat."))
    if errors:
        raise ValidationFailed(errors)
    facility = await facility_queries.get_facility(data.facility_id)
    if facility is None or not facility["is_active"]:
        raise ValidationFailed.on("facility_id", "No such facility.")
    if facility["booking_mode"] == "window":
        raise ValidationFailed.on(
            "facility_id", "This facility gathers requests for a draw: send a booking request instead of waiting."
        )
    if data.seats > facility["capacity"]:
        raise ValidationFailed.on("seats", "More seats than the facility has.")
    # The same horizon a booking of this facility has: waiting for a slot nobody may book is pointless.
    if data.starts_at > now + timedelta(days=facility["max_advance_days"] + 1):
        raise ValidationFailed.on("starts_at", "This facility cannot be booked that far ahead.")
    async with transaction():
        row = await queries.insert_wait(
            {
                "facility": data.facility_id,
                "tenant": actor.tenant_id,
                "user": actor.id,
                "starts_at": data.starts_at,
                "ends_at": data.ends_at,
                "seats": data.seats,
                "purpose": data.purpose[:500],
                "status": "waiting",
                "created_at": now,
            }
        )
        await record(actor, "waitlist.join", "waitlist", row["id"], {"facility_id": data.facility_id}, at=now)
    return row


async def list_waitlist(actor: Actor, *, limit: int, offset: int, status: str | None = None) -> tuple[list[dict[str, Any]], int]:
    if not actor.is_manager and actor.tenant_id is None:
        raise Forbidden("Only a firm's users or park managers may read the waitlist.")
    return await queries.list_waits(
        tenant_id=None if actor.is_manager else actor.tenant_id, status=status, limit=limit, offset=offset
    )


async def leave_waitlist(actor: Actor, entry_id: int, now: datetime) -> dict[str, Any]:
    async with transaction():
        row = await queries.get_wait(entry_id)
        if row is None or not actor.can_see_tenant(row["tenant"]):
            raise NotFound("No such waitlist entry.")
        if row["status"] != "waiting":
            raise Conflict("This entry is %(status)s; only a waiting one can be cancelled.", params={"status": term("waitlist_status", row["status"])})
        await queries.update_wait(entry_id, {"status": "cancelled", "decided_at": now})
        await record(actor, "waitlist.cancel", "waitlist", entry_id, {}, at=now)
    return await queries.get_wait(entry_id)


class _TakenElsewhere(Exception):
    """Another process decided this entry first: roll the booking back."""


def refusal_reason(error: DomainError) -> dict[str, Any]:
    """The status reason of an entry a rule now refuses: the rule's own message, said in the reader's language."""
    errors = getattr(error, "errors", None)
    template, params = (errors[0].message, errors[0].params) if errors else (error.template, error.params)
    return stored("status_reason", "waitlist.refused", refusal=message(template, storable(params)))


async def fill_waitlist_for(facility_id: int, now: datetime, zone: ZoneInfo, policy: Policy) -> list[int]:
    """Try the facility's waiting entries best-ranked first; book each that now fits. Returns the entries booked.

    Rank: the firm's effective priority (its policy score lowered by the hours
    it already holds on that facility kind this month, as in draws), then the
    earlier entry. Each try books through the booking engine, so every booking
    rule, the facility lock and the quota apply; a try that does not fit
    leaves the entry waiting.
    """
    facility = await facility_queries.get_facility(facility_id)
    if facility is None:
        return []
    entries = await queries.waiting_entries(facility_id, now)
    ranked = []
    scores: dict[int, int] = {}
    for entry in entries:
        tenant_id = entry["tenant"]
        try:
            if tenant_id not in scores:
                scores[tenant_id] = (await tenant_score(tenant_id, policy, now, zone)).points
            used = await booking_queries.hours_held(tenant_id, facility["kind"], month_of(entry["starts_at"], zone))
        except Exception:  # one bad entry (e.g. legacy data in year 9999) must not stop the others
            log.exception("waitlist entry %s cannot be ranked; skipped", entry["id"])
            continue
        priority = effective_priority(scores[tenant_id], used, policy.draw_points_per_hour)
        ranked.append(((-priority, entry["created_at"], entry["id"]), entry))
    booked: list[int] = []
    for _key, entry in sorted(ranked, key=lambda item: item[0]):
        user = await User.select().where(User.id == entry["user"]).first()
        if user is None or not user["is_active"]:
            await queries.update_wait(entry["id"], {"status": "expired", "decided_at": now, **stored("status_reason", "waitlist.user_inactive")})
            continue
        actor = Actor(id=user["id"], email=user["email"], name=user["name"], role=user["role"], tenant_id=user["tenant"])
        data = BookingInput(
            facility_id=facility_id,
            starts_at=entry["starts_at"],
            ends_at=entry["ends_at"],
            seats=entry["seats"],
            purpose=entry["purpose"],
        )
        try:
            async with transaction():
                booking = await book_facility(actor, data, now, zone, policy)
                claimed = await queries.claim_wait(entry["id"], booking["id"], now)
                if not claimed:
                    raise _TakenElsewhere()
                await record(actor, "waitlist.booked", "waitlist", entry["id"], {"booking_id": booking["id"]}, at=now)
        except (Conflict, QuotaExceeded, _TakenElsewhere):
            continue  # still taken (or over quota for now): keep waiting
        except DomainError as error:
            # A rule the slot can no longer meet (closed, too late...): waiting is pointless.
            await queries.update_wait(entry["id"], {"status": "expired", "decided_at": now, **refusal_reason(error)})
            continue
        except Exception:  # one bad entry must not stop the others
            log.exception("waitlist entry %s could not be served; skipped", entry["id"])
            continue
        booked.append(entry["id"])
    return booked
