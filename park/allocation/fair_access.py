"""Fair access to scarce facilities: window-mode draws and the waitlist (use cases).

Both work on the bookings tables under the booking engine's facility lock; the
pure decisions are in park/allocation/draw.py.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any
from zoneinfo import ZoneInfo

from park.shared.actor import SYSTEM as SYSTEM_ACTOR
from park.shared.actor import Actor
from park.shared.locking import lock
from park.allocation import queries
from park.allocation.policy import Policy, score_tenant
from park.audit.service import record
from park.shared.db import transaction
from park.shared.errors import Conflict, FieldError, Forbidden, NotFound, ValidationFailed

log = logging.getLogger(__name__)


# Window-mode draws (on the bookings tables; the booking engine owns their lifecycle).


async def draw_facility(facility_id: int, now: datetime, zone: ZoneInfo, policy: Policy) -> dict[str, list[int]]:
    """Draw every gathered request of one window-mode facility whose cut-off has passed.

    Inside one transaction under the booking engine's facility lock: winners
    become confirmed (or pending where the facility needs approval), losers
    declined with the nearest free alternatives in their reason. Returns the
    booking ids granted and declined.
    """
    from park.bookings import queries as booking_queries
    from park.bookings.model import CONFIRMED, DECLINED, PENDING, REQUESTED
    from park.bookings.lifecycle import try_change_status
    from park.bookings.service import notify
    from park.bookings.tables import Booking
    from park.facilities import queries as facility_queries
    from park.bookings.search import facility_availability as availability
    from park.shared.timespan import Span

    from park.allocation.draw import draw_cutoff, run_draw, suggest_alternatives
    from park.allocation.model import DrawRequest, DrawResult, FreeSlot, Occupancy

    outcome: dict[str, list[int]] = {"granted": [], "declined": []}
    async with transaction():
        await lock("facility", facility_id)
        facility = await facility_queries.get_facility(facility_id)
        if facility is None or facility["booking_mode"] != "window":
            return outcome
        spec = facility_queries.to_spec(facility)
        rows = await Booking.select().where(
            (Booking.facility == facility_id) & (Booking.status == REQUESTED) & (Booking.starts_at > now)
        )
        due = [row for row in rows if draw_cutoff(row["starts_at"], zone, policy.draw_cutoff_days_before, policy.draw_cutoff_time) <= now]
        if not due:
            return outcome
        window = Span(min(r["starts_at"] for r in due), max(r["ends_at"] for r in due))
        held = await booking_queries.live_bookings_near(facility_id, window, spec.buffer)
        scores: dict[int, int] = {}
        requests = []
        for row in due:
            tenant_id = row["tenant"]
            if tenant_id not in scores:
                facts = await queries.tenant_facts(tenant_id, now.astimezone(zone).date(), now)
                scores[tenant_id] = score_tenant(facts, policy).points
            local = row["starts_at"].astimezone(zone)
            month_start = datetime(local.year, local.month, 1, tzinfo=zone)
            month_end = datetime(local.year + (local.month == 12), local.month % 12 + 1, 1, tzinfo=zone)
            used = await booking_queries.hours_held(tenant_id, spec.kind, Span(month_start, month_end))
            requests.append(
                DrawRequest(
                    id=row["id"],
                    tenant_id=tenant_id,
                    score=scores[tenant_id],
                    hours_granted_this_month=used,
                    submitted_at=row["created_at"],
                    starts_at=row["starts_at"],
                    ends_at=row["ends_at"],
                    seats=row["seats"],
                )
            )
        # Requests sent before their cut-off are drawn by priority; those sent after
        # it take what is left, first come, first served (equal priority: the earlier wins).
        cutoff_of = {row["id"]: draw_cutoff(row["starts_at"], zone, policy.draw_cutoff_days_before, policy.draw_cutoff_time) for row in due}
        in_time = [r for r in requests if r.submitted_at <= cutoff_of[r.id]]
        late = [
            DrawRequest(r.id, r.tenant_id, 0, 0, r.submitted_at, r.starts_at, r.ends_at, r.seats)
            for r in requests
            if r.submitted_at > cutoff_of[r.id]
        ]
        occupancies = [Occupancy(b.starts_at, b.ends_at, b.seats) for b in held]
        drawn = run_draw(in_time, spec.capacity, occupancies, policy.draw_points_per_hour, buffer=spec.buffer)
        by_request = {r.id: r for r in in_time}
        occupancies += [
            Occupancy(by_request[i].starts_at, by_request[i].ends_at, by_request[i].seats) for i in drawn.granted_ids
        ]
        queued = run_draw(late, spec.capacity, occupancies, 0.0, buffer=spec.buffer)
        result = DrawResult(drawn.decisions + queued.decisions)
        granted_status = PENDING if spec.requires_approval else CONFIRMED
        for booking_id in result.granted_ids:
            granted = await try_change_status(booking_id, REQUESTED, granted_status, decided_at=now)
            if granted is not None:
                outcome["granted"].append(booking_id)
                await notify(f"booking.{granted_status}", granted, facility["name"], zone, now)
        requests_by_id = {r.id: r for r in requests}
        for booking_id in result.declined_ids:
            request = requests_by_id[booking_id]
            around = Span(request.starts_at - timedelta(days=1), request.ends_at + timedelta(days=1))
            slots = [FreeSlot(s.starts_at, s.ends_at, s.free) for s in await availability(facility_id, around, zone)]
            spans = suggest_alternatives(request, [s for s in slots if s.starts_at > now])
            choices = "; ".join(
                f"{a.astimezone(zone):%Y-%m-%d %H:%M}–{b.astimezone(zone):%H:%M}" for a, b in spans
            )
            reason = "Another firm ranked higher in the draw for this time."
            reason += f" Free instead: {choices}." if choices else " No free time nearby."
            declined = await try_change_status(booking_id, REQUESTED, DECLINED, decided_at=now, status_reason=reason)
            if declined is not None:
                outcome["declined"].append(booking_id)
                await _notify_declined(declined, facility["name"], zone, now, reason, choices)
        await record(SYSTEM_ACTOR, "booking.draw", "facility", facility_id, outcome, at=now)
    return outcome


async def _notify_declined(booking: dict[str, Any], facility_name: str, zone: ZoneInfo, now: datetime, reason: str, choices: str) -> None:
    from park.accounts.tables import User
    from park.notifications.service import enqueue

    user = await User.select(User.email, User.name).where(User.id == booking["user"]).first()
    if user is None or not user["email"]:
        return
    start = booking["starts_at"].astimezone(zone)
    body = (
        f"{user['name']}:\n\n"
        f"Your request for {facility_name} on {start:%Y-%m-%d %H:%M} was not granted in the draw. {reason}\n"
        f"您对 {facility_name}（{start:%Y-%m-%d %H:%M}）的预约申请在本次分配中未获批准。"
        + (f"可选的空闲时段：{choices}。" if choices else "附近没有空闲时段。")
        + f"\n\nBooking / 预订编号: {booking['id']}"
    )
    await enqueue("booking.declined", user["email"], f"预约未获批准 / Request declined: {facility_name}", body, now)


# Waitlist: wait for a taken slot; when it frees, the best-ranked waiting request that fits is booked.


@dataclass(frozen=True)
class WaitInput:
    facility_id: int
    starts_at: datetime
    ends_at: datetime
    seats: int = 1
    purpose: str = ""


async def join_waitlist(actor: Actor, data: WaitInput, now: datetime) -> dict[str, Any]:
    from park.facilities import queries as facility_queries

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
            raise Conflict(f"This entry is {row['status']}; only a waiting one can be cancelled.")
        await queries.update_wait(entry_id, {"status": "cancelled", "decided_at": now})
        await record(actor, "waitlist.cancel", "waitlist", entry_id, {}, at=now)
    return await queries.get_wait(entry_id)


class _TakenElsewhere(Exception):
    """Another process decided this entry first: roll the booking back."""


async def fill_waitlist_for(facility_id: int, now: datetime, zone: ZoneInfo, policy: Policy) -> list[int]:
    """Try the facility's waiting entries best-ranked first; book each that now fits. Returns the entries booked.

    Rank: the firm's effective priority (its policy score lowered by the hours
    it already holds on that facility kind this month, as in draws), then the
    earlier entry. Each try books through the booking engine, so every booking
    rule, the facility lock and the quota apply; a try that does not fit
    leaves the entry waiting.
    """
    from park.accounts.tables import User
    from park.bookings import queries as booking_queries
    from park.bookings.service import BookingInput, book_facility
    from park.facilities import queries as facility_queries
    from park.shared.errors import DomainError, QuotaExceeded
    from park.shared.timespan import Span

    from park.allocation.draw import effective_priority

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
                facts = await queries.tenant_facts(tenant_id, now.astimezone(zone).date(), now)
                scores[tenant_id] = score_tenant(facts, policy).points
            local = entry["starts_at"].astimezone(zone)
            month = Span(
                datetime(local.year, local.month, 1, tzinfo=zone),
                datetime(local.year + (local.month == 12), local.month % 12 + 1, 1, tzinfo=zone),
            )
            used = await booking_queries.hours_held(tenant_id, facility["kind"], month)
        except Exception:  # one bad entry (e.g. legacy data in year 9999) must not stop the others
            log.exception("waitlist entry %s cannot be ranked; skipped", entry["id"])
            continue
        priority = effective_priority(scores[tenant_id], used, policy.draw_points_per_hour)
        ranked.append(((-priority, entry["created_at"], entry["id"]), entry))
    booked: list[int] = []
    for _key, entry in sorted(ranked, key=lambda item: item[0]):
        user = await User.select().where(User.id == entry["user"]).first()
        if user is None or not user["is_active"]:
            await queries.update_wait(entry["id"], {"status": "expired", "decided_at": now, "status_reason": "The user is no longer active."})
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
            await queries.update_wait(entry["id"], {"status": "expired", "decided_at": now, "status_reason": error.detail})
            continue
        except Exception:  # one bad entry must not stop the others
            log.exception("waitlist entry %s could not be served; skipped", entry["id"])
            continue
        booked.append(entry["id"])
    return booked
