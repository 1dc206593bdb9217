"""Window-mode draws (use case): gathered requests granted by effective priority, the rest declined.

The draw works on the bookings under the facility lock; the pure decisions are
in park/bookings/draws.py.
"""

from __future__ import annotations

from dataclasses import replace
from datetime import datetime, timedelta
from typing import Any
from zoneinfo import ZoneInfo

from park.accounts.tables import User
from park.audit.service import record
from park.bookings import queries as booking_queries
from park.bookings.draws import (
    QUOTA,
    DrawRequest,
    DrawResult,
    FreeSlot,
    Occupancy,
    draw_cutoff,
    run_draw,
    suggest_alternatives,
)
from park.bookings.lifecycle import try_change_status
from park.bookings.model import CONFIRMED, DECLINED, PENDING, REQUESTED
from park.bookings.rules import quota_violation
from park.bookings.notices import notify
from park.bookings.quotas import month_of
from park.bookings.tables import Booking
from park.facilities import queries as facility_queries
from park.bookings.search import facility_availability as availability
from park.notifications.service import enqueue
from park.priority.model import Policy
from park.priority.rules import monthly_quota_hours
from park.priority.service import tenant_score
from park.shared.actor import SYSTEM as SYSTEM_ACTOR
from park.shared.db import transaction
from park.shared.i18n import say_reason
from park.shared.labels import N_
from park.shared.reasons import message, storable, stored
from park.shared.locking import lock
from park.shared.timespan import Span


async def draw_facility(facility_id: int, now: datetime, zone: ZoneInfo, policy: Policy) -> dict[str, list[int]]:
    """Draw every gathered request of one window-mode facility whose cut-off has passed.

    Inside one transaction under the booking engine's facility lock: winners
    become confirmed (or pending where the facility needs approval), losers
    declined with the nearest free alternatives in their reason. No firm is
    granted more than its monthly quota on the facility's kind, as with instant
    bookings: a request that would exceed it is declined with the quota as its
    reason. Returns the booking ids granted and declined.
    """
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
        quota_of: dict[int, int] = {}
        used_of: dict[tuple[int, str], float] = {}  # (firm, month) → hours held before the draw
        requests = []
        for row in due:
            tenant_id = row["tenant"]
            if tenant_id not in scores:
                scores[tenant_id] = (await tenant_score(tenant_id, policy, now, zone)).points
                quota_of[tenant_id] = monthly_quota_hours(policy, scores[tenant_id], spec.kind)
            month = month_of(row["starts_at"], zone)
            used = await booking_queries.hours_held(tenant_id, spec.kind, month)
            used_of[(tenant_id, month.starts_at.isoformat())] = used
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
                    quota_left_hours=quota_of[tenant_id] - used,
                    month=month.starts_at.isoformat(),
                )
            )
        # Requests sent before their cut-off are drawn by priority; those sent after
        # it take what is left, first come, first served (equal priority: the earlier wins).
        cutoff_of = {row["id"]: draw_cutoff(row["starts_at"], zone, policy.draw_cutoff_days_before, policy.draw_cutoff_time) for row in due}
        in_time = [r for r in requests if r.submitted_at <= cutoff_of[r.id]]
        occupancies = [Occupancy(b.starts_at, b.ends_at, b.seats) for b in held]
        drawn = run_draw(in_time, spec.capacity, occupancies, policy.draw_points_per_hour, buffer=spec.buffer)
        by_request = {r.id: r for r in requests}
        occupancies += [
            Occupancy(by_request[i].starts_at, by_request[i].ends_at, by_request[i].seats) for i in drawn.granted_ids
        ]
        # Late requests come after the draw: what it granted counts against their firms' quotas.
        late = [
            replace(r, score=0, hours_granted_this_month=0,
                    quota_left_hours=r.quota_left_hours - _granted_hours(drawn.granted_ids, by_request, r.tenant_id, r.month))
            for r in requests
            if r.submitted_at > cutoff_of[r.id]
        ]
        queued = run_draw(late, spec.capacity, occupancies, 0.0, buffer=spec.buffer)
        result = DrawResult(drawn.decisions + queued.decisions)
        reason_of = {d.request_id: d.reason for d in result.decisions}
        granted_status = PENDING if spec.requires_approval else CONFIRMED
        for booking_id in result.granted_ids:
            granted = await try_change_status(booking_id, REQUESTED, granted_status, decided_at=now)
            if granted is not None:
                outcome["granted"].append(booking_id)
                await notify(f"booking.{granted_status}", granted, facility["name"], zone, now)
        for booking_id in result.declined_ids:
            request = by_request[booking_id]
            if reason_of[booking_id] == QUOTA:
                used = used_of[(request.tenant_id, request.month)] + _granted_hours(
                    result.granted_ids, by_request, request.tenant_id, request.month
                )
                quota = quota_of[request.tenant_id]
                violation = quota_violation(used, request.hours, quota, spec.kind)
                why = (message(violation.template, storable(dict(violation.params))) if violation
                       else message(N_("over the monthly quota")))
                reason = stored("status_reason", "booking.draw_over_quota", violation=why)
            else:
                around = Span(request.starts_at - timedelta(days=1), request.ends_at + timedelta(days=1))
                slots = [FreeSlot(s.starts_at, s.ends_at, s.free) for s in await availability(facility_id, around, zone)]
                spans = suggest_alternatives(request, [s for s in slots if s.starts_at > now])
                choices = "; ".join(
                    f"{a.astimezone(zone):%Y-%m-%d %H:%M}–{b.astimezone(zone):%H:%M}" for a, b in spans
                )
                reason = (stored("status_reason", "booking.draw_ranked_lower", choices=choices) if choices
                          else stored("status_reason", "booking.draw_ranked_lower_nothing_near"))
            declined = await try_change_status(booking_id, REQUESTED, DECLINED, decided_at=now, **reason)
            if declined is not None:
                outcome["declined"].append(booking_id)
                await _notify_declined(declined, facility["name"], zone, now, reason["status_reason"],
                                       say_reason(reason["status_reason_code"], reason["status_reason_params"], "zh_Hans"))
        await record(SYSTEM_ACTOR, "booking.draw", "facility", facility_id, outcome, at=now)
    return outcome


def _granted_hours(granted_ids: tuple[int, ...], requests: dict[int, DrawRequest], tenant_id: int, month: str) -> float:
    """Hours granted in this draw to one firm for one month."""
    return sum(
        requests[i].hours for i in granted_ids if requests[i].tenant_id == tenant_id and requests[i].month == month
    )


async def _notify_declined(
    booking: dict[str, Any], facility_name: str, zone: ZoneInfo, now: datetime, reason: str, reason_zh: str
) -> None:
    user = await User.select(User.email, User.name).where(User.id == booking["user"]).first()
    if user is None or not user["email"]:
        return
    start = booking["starts_at"].astimezone(zone)
    body = (
        f"{user['name']}:\n\n"
        f"Your request for {facility_name} on {start:%Y-%m-%d %H:%M} was not granted in the draw. {reason}\n"
        f"您对 {facility_name}（{start:%Y-%m-%d %H:%M}）的预约申请在本次分配中未获批准。{reason_zh}"
        + f"\n\nBooking / 预订编号: {booking['id']}"
    )
    await enqueue("booking.declined", user["email"], f"预约未获批准 / Request declined: {facility_name}", body, now)
