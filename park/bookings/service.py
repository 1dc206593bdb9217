"""Booking use cases: book, preview and book a series, cancel, approve, reject, check in.

Each write runs in one database transaction that first locks the facility
(PostgreSQL: SELECT … FOR UPDATE; SQLite: an IMMEDIATE transaction holds the
write lock), then reads the live bookings, runs the pure rules and saves, so
two requests can never both take the last seat. On PostgreSQL an exclusion
constraint on capacity-1 facilities has the final word; its violation becomes
a 409 conflict.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta, timezone
from typing import Any
from zoneinfo import ZoneInfo

from park.shared.actor import Actor
from park.shared.locking import lock
from park.accounts.tables import User
from park.audit.service import record
from park.allocation import queries as allocation_queries
from park.bookings import queries
from park.bookings.lifecycle import change_status, try_change_status
from park.bookings.live import booking_changed
from park.bookings.model import (
    CANCELLED,
    CHECKED_IN,
    CONFIRMED,
    PENDING,
    REJECTED,
    Booking as BookingValue,
    BookingRequest,
    Violation,
)
from park.bookings.recurrence import RecurrenceError, expand_series
from park.bookings.rules import (
    BookingContext,
    cancellation_violation,
    check_in_violation,
    check_request,
    initial_status,
    quota_violation,
)
from park.bookings.tables import BookingSeries
from park.facilities import queries as facility_queries
from park.facilities.model import FacilitySpec
from park.notifications.service import enqueue
from park.shared.db import fetch, fetch_one, is_sqlite, transaction
from park.shared.errors import Conflict, FieldError, Forbidden, NotFound, QuotaExceeded, ValidationFailed
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


@dataclass(frozen=True)
class OccurrenceCheck:
    index: int
    span: Span
    violations: tuple[Violation, ...]

    @property
    def ok(self) -> bool:
        return not self.violations


# --- locking and errors -------------------------------------------------------------

def _is_exclusion_violation(error: BaseException) -> bool:
    return getattr(error, "sqlstate", None) == "23P01"


def raise_violations(violations: list[Violation]) -> None:
    """Turn broken rules into the contract's errors: 422 for input, 409 for clashes and quotas.

    The violations ride along on the error (`error.violations`) so pages can
    show each message in the reader's language.
    """
    if not violations:
        return
    invalid = [v for v in violations if v.code == "validation"]
    error: Exception
    if invalid:
        error = ValidationFailed([FieldError(v.field, v.message) for v in invalid])
        error.violations = invalid  # type: ignore[attr-defined]
        raise error
    first = violations[0]
    if first.code == "quota_exceeded":
        error = QuotaExceeded(first.message)
    else:
        error = Conflict(first.message, extra={"rule": first.rule})
    error.violations = [first]  # type: ignore[attr-defined]
    raise error


# --- reading ----------------------------------------------------------------------

async def _facility(facility_id: int, *, lock: bool = False) -> tuple[dict[str, Any], FacilitySpec]:
    """The facility and its rules; with `lock`, held against other writers until the transaction ends."""
    if lock:
        row = await facility_queries.lock_facility_for_booking(facility_id)
    else:
        row = await facility_queries.get_facility(facility_id)
    if row is None or not row.get("is_active", True):
        raise NotFound(f"There is no facility {facility_id}.")
    return row, facility_queries.to_spec(row)


def _can_see(actor: Actor, row: dict[str, Any]) -> bool:
    return actor.is_manager or (actor.tenant_id is not None and row["tenant"] == actor.tenant_id)


async def get_booking(actor: Actor, booking_id: int) -> dict[str, Any]:
    """The booking, if the actor may see it; another firm's booking is simply not found."""
    row = await queries.get_booking(booking_id)
    if row is None or not _can_see(actor, row):
        raise NotFound(f"There is no booking {booking_id}.")
    return row


async def list_bookings(actor: Actor, **filters: Any) -> tuple[list[dict[str, Any]], int]:
    tenant_id = None if actor.is_manager else actor.tenant_id
    if not actor.is_manager and tenant_id is None:
        return [], 0
    return await queries.list_bookings(tenant_id=tenant_id, **filters)


# --- quotas -----------------------------------------------------------------------

def _month_of(instant: datetime, zone: ZoneInfo) -> Span:
    local = instant.astimezone(zone)
    first = datetime(local.year, local.month, 1, tzinfo=zone)
    following = datetime(local.year + (local.month == 12), local.month % 12 + 1, 1, tzinfo=zone)
    return Span(first, following)


async def _check_quota(
    tenant_id: int, spec: FacilitySpec, spans: list[Span], zone: ZoneInfo, now: datetime, policy: Any,
    *, exclude_booking: int | None = None,
) -> None:
    """Hours per firm per facility kind per month, scaled by the policy's tier for the firm."""
    if policy is None:
        return
    quota_hours = await quota_for(tenant_id, spec.kind, policy, now, zone)
    by_month: dict[Span, float] = {}
    for span in spans:
        month = _month_of(span.starts_at, zone)
        by_month[month] = by_month.get(month, 0.0) + span.duration / timedelta(hours=1)
    for month, requested in sorted(by_month.items()):
        used = await queries.hours_held(tenant_id, spec.kind, month, exclude_booking=exclude_booking)
        violation = quota_violation(used, requested, quota_hours, spec.kind)
        if violation is not None:
            error = QuotaExceeded(
                violation.message,
                extra={
                    "hours_used": round(used, 2),
                    "hours_left": round(max(quota_hours - used, 0.0), 2),
                    "quota_hours": quota_hours,
                    "month": month.starts_at.astimezone(zone).strftime("%Y-%m"),
                },
            )
            error.violations = [violation]  # type: ignore[attr-defined]
            raise error


async def quota_for(tenant_id: int, kind: str, policy: Any, now: datetime, zone: ZoneInfo = timezone.utc) -> float:
    """Monthly hours on `kind` for the firm: the policy's tier for its score (the score a round would give it)."""
    from park.allocation.policy import monthly_quota_hours, score_tenant

    facts = await allocation_queries.tenant_facts(tenant_id, now.astimezone(zone).date(), now)
    score = score_tenant(facts, policy)
    return float(monthly_quota_hours(policy, score.points, kind))


# --- notices ----------------------------------------------------------------------

NOTICES = {
    "booking.confirmed": ("预订已确认 / Booking confirmed", "Your booking is confirmed. 您的预订已确认。"),
    "booking.pending": ("预订待审批 / Booking awaits approval", "Your booking awaits a park manager's approval; its seats are held meanwhile. 您的预订正在等待园区审批,席位已为您保留。"),
    "booking.requested": ("预订申请已收到 / Booking request received", "Your request joins the draw for this period. 您的申请将参加本期分配。"),
    "booking.approved": ("预订已批准 / Booking approved", "A park manager approved your booking. 园区管理员已批准您的预订。"),
    "booking.rejected": ("预订未获批准 / Booking rejected", "A park manager rejected your booking. 园区管理员未批准您的预订。"),
    "booking.cancelled": ("预订已取消 / Booking cancelled", "Your booking has been cancelled. 您的预订已取消。"),
    "booking.expired": ("预订已过期 / Booking expired", "Your booking was not decided before it started and has expired. 您的预订在开始前未获审批,已过期。"),
    "booking.reminder": ("预订提醒 / Booking reminder", "A reminder of your booking. 预订提醒。"),
    "booking.no_show": ("未签到 / No-show recorded", "Nobody checked in, so the rest of the slot was released. 未按时签到,剩余时段已释放。"),
}


async def notify(
    kind: str, booking: dict[str, Any], facility_name: str, zone: ZoneInfo, now: datetime, reason: str = "",
    booker: Actor | None = None,
) -> None:
    """Queue a notice in the outbox; call inside the transaction of the change.

    `booker`: the actor, when it is the booking's user (saves looking the user up).
    """
    if booker is not None and booker.id == booking["user"]:
        user = {"email": booker.email, "name": booker.name}
    else:
        user = await User.select(User.email, User.name).where(User.id == booking["user"]).first()
    if user is None or not user["email"]:
        return
    subject, lead = NOTICES[kind]
    local_start = booking["starts_at"].astimezone(zone).strftime("%Y-%m-%d %H:%M")
    local_end = booking["ends_at"].astimezone(zone).strftime("%H:%M")
    lines = [
        f"{user['name']}:",
        "",
        lead,
        "",
        f"{facility_name}",
        f"{local_start}–{local_end} ({zone.key})",
        f"Booking / 预订编号: {booking['id']}",
    ]
    if reason:
        lines += ["", f"Reason / 原因: {reason}"]
    await enqueue(kind, user["email"], f"{subject}: {facility_name} {local_start}", "\n".join(lines), now)


# --- booking ----------------------------------------------------------------------

def _check_years(data: BookingInput) -> None:
    """Times far outside any booking window are refused before any date arithmetic can overflow."""
    for name in ("starts_at", "ends_at"):
        value = getattr(data, name)
        if isinstance(value, datetime) and not 2000 <= value.year <= 2999:
            raise ValidationFailed.on(name, "choose a date within the facility's booking window")


async def _check_tenant(actor: Actor, data: BookingInput) -> None:
    """A manager booking for a firm must name one that exists."""
    from park.tenants.tables import Tenant

    if actor.is_manager and data.tenant_id is not None:
        if not 0 < data.tenant_id < 2**31 or not await Tenant.exists().where(Tenant.id == data.tenant_id):
            raise ValidationFailed.on("tenant_id", "there is no such firm")


def _request_for(actor: Actor, data: BookingInput, span: Span | None = None) -> BookingRequest:
    tenant_id = data.tenant_id if (actor.is_manager and data.tenant_id) else actor.tenant_id
    if tenant_id is None:
        raise ValidationFailed.on("tenant_id", "Bookings belong to a firm: sign in as a firm's user, or (as a manager) give tenant_id.")
    return BookingRequest(
        facility_id=data.facility_id,
        tenant_id=tenant_id,
        user_id=actor.id,
        starts_at=span.starts_at if span else data.starts_at,
        ends_at=span.ends_at if span else data.ends_at,
        seats=data.seats,
        purpose=data.purpose,
    )


async def _context_facts(spec: FacilitySpec, user_id: int, window: Span) -> dict[str, Any]:
    existing, blackouts = await queries.live_bookings_and_blackouts_near(spec.id, spec.building_id, window, spec.buffer)
    return {
        "existing": existing,
        "blackouts": blackouts,
        "authorization": (
            await facility_queries.authorization_for(user_id, spec.id) if spec.requires_authorization else None
        ),
    }


def _spans_of_series(data: BookingInput, spec: FacilitySpec, zone: ZoneInfo, now: datetime) -> list[tuple[int, Span]]:
    try:
        first = Span(data.starts_at, data.ends_at)
    except ValueError:
        raise ValidationFailed.on("ends_at", "The end must be later than the start.") from None
    if len(data.recurrence or "") > 500:
        raise ValidationFailed.on("recurrence", "the rule is too long; keep it under 500 characters")
    last_day = now.astimezone(zone).date() + timedelta(days=spec.max_advance_days + 1)
    horizon = datetime(last_day.year, last_day.month, last_day.day, tzinfo=zone)
    try:
        occurrences = expand_series(data.recurrence or "", first, zone, horizon)
    except RecurrenceError as error:
        raise ValidationFailed.on("recurrence", error.message) from None
    return [(o.index, o.span) for o in occurrences]


async def _check_occurrences(
    actor: Actor, data: BookingInput, spec: FacilitySpec, zone: ZoneInfo, now: datetime
) -> list[OccurrenceCheck]:
    spans = _spans_of_series(data, spec, zone, now)
    window = Span(spans[0][1].starts_at, spans[-1][1].ends_at)
    facts = await _context_facts(spec, actor.id, window)
    checks: list[OccurrenceCheck] = []
    accepted: list[BookingValue] = []
    for index, span in spans:
        request = _request_for(actor, data, span)
        ctx = BookingContext(
            request=request, facility=spec, now=now, zone=zone,
            existing=[*facts["existing"], *accepted], blackouts=facts["blackouts"],
            authorization=facts["authorization"],
        )
        violations = check_request(ctx)
        checks.append(OccurrenceCheck(index, span, tuple(violations)))
        if not violations:
            # Later occurrences must not clash with earlier ones of the same series.
            accepted.append(BookingValue(-index - 1, spec.id, request.tenant_id, actor.id, span.starts_at, span.ends_at, request.seats, CONFIRMED))
    return checks


async def preview_series(actor: Actor, data: BookingInput, now: datetime, zone: ZoneInfo) -> list[OccurrenceCheck]:
    """Which occurrences of a series could be booked and which clash or break a rule."""
    _check_years(data)
    _row, spec = await _facility(data.facility_id)
    return await _check_occurrences(actor, data, spec, zone, now)


async def book_facility(
    actor: Actor, data: BookingInput, now: datetime, zone: ZoneInfo, policy: Any = None
) -> dict[str, Any]:
    """Book one slot, or a series when `recurrence` is given. Returns the (first) booking row.

    For a series, `created` and `skipped` list what happened to each occurrence.
    """
    try:
        async with transaction():
            _check_years(data)
            row, spec = await _facility(data.facility_id, lock=True)
            await _check_tenant(actor, data)
            if data.recurrence:
                return await _book_series(actor, data, row, spec, now, zone, policy)
            return await _book_one(actor, data, row, spec, now, zone, policy)
    except Exception as error:
        refusal = error
        if _is_exclusion_violation(error):
            refusal = Conflict("Someone else has just booked that time; choose another time.", extra={"rule": "seats_free"})
        if isinstance(refusal, Conflict) and not data.recurrence and _sound_times(_request_for(actor, data)):
            from park.bookings.search import attach_alternatives

            await attach_alternatives(refusal, actor, data.facility_id, Span(data.starts_at, data.ends_at), data.seats, now, zone)
        if refusal is error:
            raise
        raise refusal from None


async def _book_one(actor, data, row, spec, now, zone, policy) -> dict[str, Any]:
    request = _request_for(actor, data)
    if not _sound_times(request):
        # The facts below need sound times; the shape rules say what is wrong.
        raise_violations(check_request(BookingContext(request=request, facility=spec, now=now, zone=zone)))
    facts = await _context_facts(spec, actor.id, Span(request.starts_at, request.ends_at))
    ctx = BookingContext(request=request, facility=spec, now=now, zone=zone, **facts)
    raise_violations(check_request(ctx))
    await lock("tenant", request.tenant_id)
    await _check_quota(request.tenant_id, spec, [ctx.span], zone, now, policy)
    booking = await _insert(request, spec, now, zone=zone, policy=policy)
    await notify(f"booking.{booking['status']}", booking, row["name"], zone, now, booker=actor)
    await record(actor, "booking.create", "booking", booking["id"], {"status": booking["status"]}, at=now)
    return booking


def _sound_times(request: BookingRequest) -> bool:
    try:
        Span(request.starts_at, request.ends_at)
    except ValueError:
        return False
    return True


async def _draw_settled(spec: FacilitySpec, request: BookingRequest, now: datetime, zone: ZoneInfo, policy: Any) -> bool:
    """For a window-mode facility: has this time's draw been run, leaving it first come, first served?"""
    if spec.booking_mode != "window" or policy is None:
        return False
    from park.allocation.draw import draw_cutoff

    if now < draw_cutoff(request.starts_at, zone, policy.draw_cutoff_days_before, policy.draw_cutoff_time):
        return False
    waiting = await fetch_one(
        "SELECT id FROM booking WHERE facility = $1 AND status = 'requested' AND starts_at < $2 AND ends_at > $3 LIMIT 1",
        spec.id, request.ends_at, request.starts_at,
    )
    return waiting is None


async def _insert(
    request: BookingRequest, spec: FacilitySpec, now: datetime, series_id: int | None = None, index: int | None = None,
    *, zone: ZoneInfo = timezone.utc, policy: Any = None,
) -> dict[str, Any]:
    status = initial_status(spec, draw_settled=await _draw_settled(spec, request, now, zone, policy))
    return await booking_changed(await queries.insert_booking(
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


async def _book_series(actor, data, row, spec, now, zone, policy) -> dict[str, Any]:
    checks = await _check_occurrences(actor, data, spec, zone, now)
    broken = [c for c in checks if not c.ok]
    if broken and not data.skip_clashes:
        raise Conflict(
            f"{len(broken)} of {len(checks)} occurrences cannot be booked; send skip_clashes=true to book the others, or change the series.",
            extra={"rule": "series_clashes", "occurrences": [_check_json(c, zone) for c in broken]},
        )
    good = [c for c in checks if c.ok]
    if not good:
        raise Conflict("No occurrence of the series can be booked; change the time or the rule.", extra={"rule": "series_clashes"})
    request = _request_for(actor, data)
    await lock("tenant", request.tenant_id)
    await _check_quota(request.tenant_id, spec, [c.span for c in good], zone, now, policy)
    series_rows = await BookingSeries.insert(
        BookingSeries(
            facility=spec.id, tenant=request.tenant_id, user=actor.id, rrule=data.recurrence,
            starts_at=data.starts_at, ends_at=data.ends_at, seats=data.seats, purpose=data.purpose, created_at=now,
        )
    ).returning(BookingSeries.id)
    series_id = series_rows[0]["id"]
    created = []
    for check in good:
        created.append(await _insert(_request_for(actor, data, check.span), spec, now, series_id, check.index, zone=zone, policy=policy))
    await notify(f"booking.{created[0]['status']}", created[0], row["name"], zone, now,
                 reason=f"{len(created)} occurrences / 次 ({data.recurrence})")
    await record(actor, "booking.create_series", "booking_series", series_id, {"created": len(created), "skipped": len(broken)}, at=now)
    first = dict(created[0])
    first["created"] = created
    first["skipped"] = [_check_json(c, zone) for c in broken]
    return first


def _check_json(check: OccurrenceCheck, zone: ZoneInfo) -> dict[str, Any]:
    return {
        "index": check.index,
        "starts_at": check.span.starts_at.isoformat(),
        "ends_at": check.span.ends_at.isoformat(),
        "ok": check.ok,
        "problems": [{"code": v.code, "field": v.field, "message": v.message} for v in check.violations],
    }


# --- lifecycle ----------------------------------------------------------------------

async def _locked_booking(actor: Actor, booking_id: int) -> tuple[dict[str, Any], dict[str, Any], FacilitySpec]:
    row = await get_booking(actor, booking_id)
    await lock("facility", row["facility"])
    row = await queries.get_booking(booking_id)  # re-read under the lock
    facility_row, spec = await _facility_any(row["facility"])
    return row, facility_row, spec


async def _facility_any(facility_id: int) -> tuple[dict[str, Any], FacilitySpec]:
    row = await facility_queries.get_facility(facility_id)
    if row is None:
        raise NotFound(f"There is no facility {facility_id}.")
    return row, facility_queries.to_spec(row)


async def cancel_booking(actor: Actor, booking_id: int, now: datetime, zone: ZoneInfo, reason: str = "") -> dict[str, Any]:
    async with transaction():
        row, facility_row, spec = await _locked_booking(actor, booking_id)
        if not (actor.is_manager or row["user"] == actor.id or actor.is_tenant_admin):
            raise Forbidden("Only the person who booked, the firm's administrator or a park manager may cancel it.")
        violation = cancellation_violation(queries.to_value(row), spec, now, by_manager=actor.is_manager)
        raise_violations([violation] if violation else [])
        reason = reason or ("Cancelled by a park manager." if actor.is_manager and row["user"] != actor.id else "")
        row = await change_status(booking_id, row["status"], CANCELLED, cancelled_at=now, status_reason=reason)
        await notify("booking.cancelled", row, facility_row["name"], zone, now, reason)
        await record(actor, "booking.cancel", "booking", booking_id, {"reason": reason}, at=now)
        return row


async def cancel_series(
    actor: Actor, series_id: int, from_at: datetime | None, now: datetime, zone: ZoneInfo
) -> list[dict[str, Any]]:
    """Cancel every still-cancellable occurrence starting at or after `from_at` (default: now)."""
    series = await queries.get_series(series_id)
    if series is None or not (actor.is_manager or series["tenant"] == actor.tenant_id):
        raise NotFound(f"There is no series {series_id}.")
    if not (actor.is_manager or series["user"] == actor.id or actor.is_tenant_admin):
        raise Forbidden("Only the person who booked, the firm's administrator or a park manager may cancel it.")
    cutoff = max(from_at or now, now)
    cancelled = []
    async with transaction():
        await lock("facility", series["facility"])
        facility_row, spec = await _facility_any(series["facility"])
        for row in await queries.bookings_of_series(series_id):
            if row["starts_at"] < cutoff:
                continue
            if cancellation_violation(queries.to_value(row), spec, now, by_manager=actor.is_manager) is not None:
                continue
            changed = await try_change_status(
                row["id"], row["status"], CANCELLED, cancelled_at=now, status_reason="Series cancelled from this date."
            )
            if changed is not None:
                cancelled.append(changed)
        if cancelled:
            await notify("booking.cancelled", cancelled[0], facility_row["name"], zone, now,
                         reason=f"{len(cancelled)} occurrences / 次")
            await record(actor, "booking.cancel_series", "booking_series", series_id, {"cancelled": len(cancelled)}, at=now)
    return cancelled


async def approve_booking(actor: Actor, booking_id: int, now: datetime, zone: ZoneInfo) -> dict[str, Any]:
    return await _decide(actor, booking_id, CONFIRMED, "booking.approved", "booking.approve", now, zone)


async def reject_booking(actor: Actor, booking_id: int, now: datetime, zone: ZoneInfo, reason: str = "") -> dict[str, Any]:
    return await _decide(actor, booking_id, REJECTED, "booking.rejected", "booking.reject", now, zone, reason)


async def _decide(actor, booking_id, status, notice, action, now, zone, reason: str = "") -> dict[str, Any]:
    if not actor.is_manager:
        raise Forbidden("Only park managers may approve or reject bookings.")
    async with transaction():
        row, facility_row, _spec = await _locked_booking(actor, booking_id)
        if row["status"] != PENDING:
            raise Conflict(f"Only pending bookings can be decided; this one is {row['status']}.", extra={"rule": "decidable"})
        if status == CONFIRMED and row["starts_at"] <= now:
            raise Conflict("This booking has already started; it can no longer be approved.", extra={"rule": "decidable"})
        row = await change_status(booking_id, PENDING, status, decided_at=now, decided_by=actor.id, status_reason=reason)
        await notify(notice, row, facility_row["name"], zone, now, reason)
        await record(actor, action, "booking", booking_id, {"reason": reason} if reason else None, at=now)
        return row


async def check_in(actor: Actor, booking_id: int, now: datetime) -> dict[str, Any]:
    async with transaction():
        row = await get_booking(actor, booking_id)
        if row["user"] != actor.id:
            raise Forbidden("Only the person who booked may check in.")
        violation = check_in_violation(queries.to_value(row), now)
        raise_violations([violation] if violation else [])
        row = await change_status(booking_id, row["status"], CHECKED_IN, checked_in_at=now)
        await record(actor, "booking.check_in", "booking", booking_id, at=now)
        return row

