"""Booking use cases: book a facility (one slot, or a series), read the bookings one may see.

Each write runs in one database transaction that first locks the facility
(PostgreSQL: SELECT … FOR UPDATE; SQLite: an IMMEDIATE transaction holds the
write lock), then reads the live bookings, runs the pure rules and saves, so
two requests can never both take the last seat. On PostgreSQL an exclusion
constraint on capacity-1 facilities has the final word; its violation becomes
a 409 conflict.

The other use cases: `series` (preview a series), `status_changes` (cancel,
approve, reject, check in), `moving` (change a booking), `closures`
(blackouts), `search` (free time); shared steps in `steps`, quotas in
`quotas`, mail in `notices`.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any
from zoneinfo import ZoneInfo

from park.shared.actor import Actor
from park.audit.service import record
from park.bookings import queries
from park.bookings.notices import notify
from park.bookings.quotas import hours_by_month, refuse_over_quota
from park.bookings.refusals import raise_violations, taken_meanwhile
from park.bookings.rules import BookingContext, check_request
from park.bookings.search import with_alternatives
from park.bookings.series import book_series
from park.bookings.steps import (
    BookingInput,
    check_tenant,
    check_years,
    insert_booking,
    load_facility,
    request_for,
    sound_times,
)
from park.facilities.queries import to_spec
from park.shared.db import transaction
from park.shared.errors import Conflict, NotFound
from park.shared.timespan import Span

__all__ = ["BookingInput", "book_facility", "get_booking", "list_bookings", "notify"]


def _can_see(actor: Actor, row: dict[str, Any]) -> bool:
    return actor.is_manager or (actor.tenant_id is not None and row["tenant"] == actor.tenant_id)


async def get_booking(actor: Actor, booking_id: int) -> dict[str, Any]:
    """The booking, if the actor may see it; another firm's booking is simply not found."""
    row = await queries.get_booking(booking_id)
    if row is None or not _can_see(actor, row):
        raise NotFound("There is no booking %(id)s.", params={"id": booking_id})
    return row


async def list_bookings(actor: Actor, **filters: Any) -> tuple[list[dict[str, Any]], int]:
    tenant_id = None if actor.is_manager else actor.tenant_id
    if not actor.is_manager and tenant_id is None:
        return [], 0
    return await queries.list_bookings(tenant_id=tenant_id, **filters)


async def book_facility(
    actor: Actor, data: BookingInput, now: datetime, zone: ZoneInfo, policy: Any = None
) -> dict[str, Any]:
    """Book one slot, or a series when `recurrence` is given. Returns the (first) booking row.

    For a series, `created` and `skipped` list what happened to each occurrence.
    """
    try:
        check_years(data)
        data = await check_tenant(actor, data)
        if not data.recurrence:
            return await _book_one(actor, data, now, zone, policy)
        async with transaction():
            row, spec = await load_facility(data.facility_id, lock=True)
            first = await book_series(actor, data, row, spec, now, zone, policy)
        return {**first, "facility_name": row["name"]}
    except Exception as error:
        refusal = taken_meanwhile(error)
        if isinstance(refusal, Conflict) and not data.recurrence and sound_times(request_for(actor, data)):
            refusal = await with_alternatives(
                refusal, actor, data.facility_id, Span(data.starts_at, data.ends_at), data.seats, now, zone
            )
        if refusal is error:
            raise
        raise refusal from None


async def _book_one(actor: Actor, data: BookingInput, now: datetime, zone: ZoneInfo, policy: Any) -> dict[str, Any]:
    """One booking: a transaction that begins holding the facility's and the firm's locks (in that
    order), reads every fact its rules need at once (`queries.booking_facts`), and writes the
    booking with its outbox, audit and live rows as it commits: four round trips on PostgreSQL."""
    request = request_for(actor, data)
    if not sound_times(request):
        # The facts need sound times; the shape rules say what is wrong.
        _row, spec = await load_facility(data.facility_id)
        raise_violations(check_request(BookingContext(request=request, facility=spec, now=now, zone=zone)))
    if not 0 < data.facility_id < 2**31:
        raise NotFound("There is no facility %(id)s.", params={"id": data.facility_id})
    span = Span(request.starts_at, request.ends_at)
    asked = hours_by_month([span], zone) if policy is not None else {}
    async with transaction(locks=[("facility", data.facility_id), ("tenant", request.tenant_id)]):
        facts = await queries.booking_facts(data.facility_id, span, user_id=request.user_id, tenant_id=request.tenant_id,
                                            months=list(asked), now=now, today=now.astimezone(zone).date())
        row = facts.facility
        if row is None or not row["is_active"]:
            raise NotFound("There is no facility %(id)s.", params={"id": data.facility_id})
        spec = to_spec(row)
        ctx = BookingContext(request=request, facility=spec, now=now, zone=zone, existing=facts.existing,
                             blackouts=facts.blackouts, authorization=facts.authorization if spec.requires_authorization else None)
        raise_violations(check_request(ctx))
        if facts.quota is not None:
            refuse_over_quota(spec, policy, *facts.quota, asked, zone)
        booking = await insert_booking(request, spec, now, zone=zone, policy=policy, booking_id=facts.booking_id)
        await notify(f"booking.{booking['status']}", booking, row["name"], zone, now, booker=actor)
        await record(actor, "booking.create", "booking", booking["id"], {"status": booking["status"]}, at=now)
    return {**booking, "facility_name": row["name"]}
