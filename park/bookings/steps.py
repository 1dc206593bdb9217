"""The steps every way of making or changing a booking shares: input, facility, facts for the rules, the row."""

from __future__ import annotations

from dataclasses import dataclass, replace
from datetime import datetime, timezone
from typing import Any
from zoneinfo import ZoneInfo

from park.bookings import queries
from park.bookings.live import booking_changed
from park.bookings.model import BookingRequest
from park.bookings.rules import initial_status
from park.facilities import queries as facility_queries
from park.facilities.model import FacilitySpec
from park.shared.actor import Actor
from park.shared.db import fetch_one
from park.shared.errors import Forbidden, NotFound, ValidationFailed
from park.shared.timespan import Span


@dataclass(frozen=True)
class BookingInput:
    facility_id: int
    starts_at: datetime
    ends_at: datetime
    seats: int = 1
    purpose: str = ""
    recurrence: str | None = None
    skip_clashes: bool = False
    tenant_id: int | None = None  # managers may book for a firm
    user_id: int | None = None  # managers and firm administrators may book on behalf of a member


async def load_facility(facility_id: int, *, lock: bool = False) -> tuple[dict[str, Any], FacilitySpec]:
    """The facility and its rules; with `lock`, held against other writers until the transaction ends."""
    if lock:
        row = await facility_queries.lock_facility_for_booking(facility_id)
    else:
        row = await facility_queries.get_facility(facility_id)
    if row is None or not row.get("is_active", True):
        raise NotFound("There is no facility %(id)s.", params={"id": facility_id})
    return row, facility_queries.to_spec(row)


async def facility_any(facility_id: int) -> tuple[dict[str, Any], FacilitySpec]:
    row = await facility_queries.get_facility(facility_id)
    if row is None:
        raise NotFound("There is no facility %(id)s.", params={"id": facility_id})
    return row, facility_queries.to_spec(row)


def check_years(data: BookingInput) -> None:
    """Times far outside any booking window are refused before any date arithmetic can overflow."""
    for name in ("starts_at", "ends_at"):
        value = getattr(data, name)
        if isinstance(value, datetime) and not 2000 <= value.year <= 2999:
            raise ValidationFailed.on(name, "choose a date within the facility's booking window")


async def check_tenant(actor: Actor, data: BookingInput) -> BookingInput:
    """Who the booking is for, checked: the input with the firm and the booker filled in.

    A manager booking for a firm must name one that exists. A manager or a
    firm's administrator booking on behalf of someone names the member
    (`user_id`), who must be an active user of that firm (a manager's
    `tenant_id`, else the member's own firm; an administrator's own firm);
    the member is then the booker. Anyone else may book only for themselves.
    """
    from park.accounts.tables import User
    from park.tenants.tables import Tenant

    if actor.is_manager and data.tenant_id is not None:
        if not 0 < data.tenant_id < 2**31 or not await Tenant.exists().where(Tenant.id == data.tenant_id):
            raise ValidationFailed.on("tenant_id", "there is no such firm")
    if data.user_id is None or data.user_id == actor.id:
        return data
    if not (actor.is_manager or actor.is_tenant_admin):
        raise Forbidden("Only a firm's administrator or a park manager may book on behalf of someone else.")
    member = None
    if 0 < data.user_id < 2**31:
        member = await User.select(User.id, User.tenant, User.is_active).where(User.id == data.user_id).first()
    firm = data.tenant_id if actor.is_manager else actor.tenant_id
    if member is None or not member["is_active"] or member["tenant"] is None or (firm is not None and member["tenant"] != firm):
        raise ValidationFailed.on("user_id", "choose an active member of the firm the booking is for")
    return replace(data, tenant_id=member["tenant"] if actor.is_manager else data.tenant_id)


def booker_id(actor: Actor, data: BookingInput) -> int:
    """The user a booking belongs to: the member named by `check_tenant`, else the caller."""
    return data.user_id if data.user_id is not None and (actor.is_manager or actor.is_tenant_admin) else actor.id


def request_for(actor: Actor, data: BookingInput, span: Span | None = None) -> BookingRequest:
    tenant_id = data.tenant_id if (actor.is_manager and data.tenant_id) else actor.tenant_id
    if tenant_id is None:
        raise ValidationFailed.on("tenant_id", "Bookings belong to a firm: sign in as a firm's user, or (as a manager) give tenant_id.")
    return BookingRequest(
        facility_id=data.facility_id,
        tenant_id=tenant_id,
        user_id=booker_id(actor, data),
        starts_at=span.starts_at if span else data.starts_at,
        ends_at=span.ends_at if span else data.ends_at,
        seats=data.seats,
        purpose=data.purpose,
    )


async def context_facts(spec: FacilitySpec, user_id: int, window: Span) -> dict[str, Any]:
    """The live bookings, blackouts and authorization the rules need (a series, a move; a new
    booking reads them with everything else in `queries.booking_facts`)."""
    existing, blackouts = await queries.live_bookings_and_blackouts_near(spec.id, spec.building_id, window, spec.buffer)
    return {
        "existing": existing,
        "blackouts": blackouts,
        "authorization": (
            await facility_queries.authorization_for(user_id, spec.id) if spec.requires_authorization else None
        ),
    }


def sound_times(request: BookingRequest) -> bool:
    try:
        Span(request.starts_at, request.ends_at)
    except ValueError:
        return False
    return True


async def _draw_settled(spec: FacilitySpec, request: BookingRequest, now: datetime, zone: ZoneInfo, policy: Any) -> bool:
    """For a window-mode facility: has this time's draw been run, leaving it first come, first served?"""
    if spec.booking_mode != "window" or policy is None:
        return False
    from park.bookings.draws import draw_cutoff

    if now < draw_cutoff(request.starts_at, zone, policy.draw_cutoff_days_before, policy.draw_cutoff_time):
        return False
    waiting = await fetch_one(
        "SELECT id FROM booking WHERE facility = $1 AND status = 'requested' AND starts_at < $2 AND ends_at > $3 LIMIT 1",
        spec.id, request.ends_at, request.starts_at,
    )
    return waiting is None


async def insert_booking(
    request: BookingRequest, spec: FacilitySpec, now: datetime, series_id: int | None = None, index: int | None = None,
    *, zone: ZoneInfo = timezone.utc, policy: Any = None, booking_id: int | None = None,
) -> dict[str, Any]:
    """The new booking's row, stored (`queries.stage_booking`: with a `booking_id` drawn beforehand,
    it is written as the transaction commits) and announced to open pages."""
    status = initial_status(spec, draw_settled=await _draw_settled(spec, request, now, zone, policy))
    return await booking_changed(await queries.stage_booking(
        booking_id,
        facility=spec.id,
        tenant=request.tenant_id,
        user=request.user_id,
        series=series_id,
        occurrence_index=index,
        starts_at=request.starts_at.astimezone(timezone.utc),
        ends_at=request.ends_at.astimezone(timezone.utc),
        occupied_until=(request.ends_at + spec.buffer).astimezone(timezone.utc),
        exclusive=spec.capacity == 1,
        seats=request.seats,
        purpose=request.purpose,
        status=status,
        created_at=now,
    ))
