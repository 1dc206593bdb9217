"""Booking rules, cancellation cut-off and check-in window. Pure.

Each rule is a small named function over a `BookingContext` that returns a
`Violation` or None; `VALIDATION_RULES` and `CLASH_RULES` are the lists the
service runs. A new rule is one function, one list entry and one test.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Callable, Sequence
from zoneinfo import ZoneInfo

from park.bookings.model import (
    CHECK_IN_CLOSES_AFTER,
    CHECK_IN_OPENS_BEFORE,
    CHECKED_IN,
    CONFIRMED,
    PENDING,
    REQUESTED,
    Booking,
    BookingRequest,
    Violation,
)
from park.bookings.availability import load_segments, open_runs, peak_load
from park.facilities.model import Authorization, Blackout, FacilitySpec
from park.shared.labels import term
from park.shared.timespan import Span


@dataclass(frozen=True, slots=True)
class BookingContext:
    """Everything the rules read: the request, the facility, "now" and the facts around it."""

    request: BookingRequest
    facility: FacilitySpec
    now: datetime
    zone: ZoneInfo
    existing: Sequence[Booking] = ()  # live bookings of the facility near the request
    blackouts: Sequence[Blackout] = ()
    authorization: Authorization | None = None
    ignore_booking_id: int | None = None  # e.g. the booking itself when re-checking it

    @property
    def span(self) -> Span:
        return Span(self.request.starts_at, self.request.ends_at)


Rule = Callable[[BookingContext], "Violation | None"]


def _local(ctx: BookingContext, instant: datetime) -> str:
    return instant.astimezone(ctx.zone).strftime("%Y-%m-%d %H:%M")


def N_(text: str) -> str:
    """Marks a message template for translation (pages translate, the API speaks English)."""
    return text


def _violation(code: str, rule: str, field_name: str, template: str, **params: object) -> Violation:
    return Violation(code, rule, field_name, template, tuple(params.items()))


def _invalid(rule: str, field_name: str, template: str, **params: object) -> Violation:
    return _violation("validation", rule, field_name, template, **params)


def _conflict(rule: str, field_name: str, template: str, **params: object) -> Violation:
    return _violation("conflict", rule, field_name, template, **params)


def _is_aware(value: datetime) -> bool:
    return isinstance(value, datetime) and value.tzinfo is not None and value.utcoffset() is not None


# --- shape of the request ------------------------------------------------------

def times_are_aware(ctx: BookingContext) -> Violation | None:
    for name in ("starts_at", "ends_at"):
        if not _is_aware(getattr(ctx.request, name)):
            return _invalid("times_are_aware", name, N_("give the time with a UTC offset, e.g. 2026-12-01T09:00:00+08:00"))
    return None


def starts_before_it_ends(ctx: BookingContext) -> Violation | None:
    if ctx.request.ends_at <= ctx.request.starts_at:
        return _invalid("starts_before_it_ends", "ends_at", N_("the end must be later than the start"))
    return None


def seats_within_capacity(ctx: BookingContext) -> Violation | None:
    seats, capacity = ctx.request.seats, ctx.facility.capacity
    if not 1 <= seats <= capacity:
        return _invalid("seats_within_capacity", "seats", N_("ask for between 1 and %(capacity)s seats"), capacity=capacity)
    return None


# Rules that must pass before the others can even be evaluated.
SHAPE_RULES: tuple[Rule, ...] = (times_are_aware, starts_before_it_ends)


# --- time rules ------------------------------------------------------------------

def not_in_the_past(ctx: BookingContext) -> Violation | None:
    if ctx.request.starts_at < ctx.now:
        return _invalid("not_in_the_past", "starts_at", N_("the start has passed; choose a later start"))
    return None


def within_advance_window(ctx: BookingContext) -> Violation | None:
    """Counted in park-local days: with 7 days, a Monday booker may book until next Monday's close."""
    days = ctx.facility.max_advance_days
    last_day = ctx.now.astimezone(ctx.zone).date() + timedelta(days=days)
    if ctx.request.starts_at.astimezone(ctx.zone).date() > last_day:
        return _invalid(
            "within_advance_window", "starts_at",
            N_("this facility can be booked at most %(days)s days ahead; start on or before %(last_day)s"),
            days=days, last_day=last_day.isoformat(),
        )
    return None


def duration_within_limits(ctx: BookingContext) -> Violation | None:
    minutes = ctx.span.duration / timedelta(minutes=1)
    low, high = ctx.facility.min_duration_minutes, ctx.facility.max_duration_minutes
    if minutes < low:
        return _invalid("duration_within_limits", "ends_at", N_("book at least %(minutes)s minutes; move the end later"), minutes=low)
    if minutes > high:
        return _invalid("duration_within_limits", "ends_at", N_("book at most %(minutes)s minutes; move the end earlier"), minutes=high)
    return None


def _containing_run(ctx: BookingContext) -> Span | None:
    span = ctx.span
    for run in open_runs(ctx.facility, span, ctx.zone):
        if run.contains(span):
            return run
    return None


def fits_opening_hours(ctx: BookingContext) -> Violation | None:
    if _containing_run(ctx) is None:
        return _invalid(
            "fits_opening_hours", "starts_at",
            N_("the facility is not open for the whole period; choose a time inside one opening range"),
        )
    return None


def on_slot_granularity(ctx: BookingContext) -> Violation | None:
    run = _containing_run(ctx)
    if run is None:  # fits_opening_hours reports it
        return None
    step = ctx.facility.slot
    span = ctx.span
    if (span.starts_at - run.starts_at) % step:
        return _invalid(
            "on_slot_granularity", "starts_at",
            N_("start on a %(minutes)s-minute slot counted from the opening at %(opening)s"),
            minutes=ctx.facility.slot_minutes, opening=_local(ctx, run.starts_at),
        )
    if span.ends_at != run.ends_at and (span.ends_at - run.starts_at) % step:
        return _invalid(
            "on_slot_granularity", "ends_at",
            N_("end on a %(minutes)s-minute slot boundary"), minutes=ctx.facility.slot_minutes,
        )
    return None


def outside_blackouts(ctx: BookingContext) -> Violation | None:
    span = ctx.span
    for blackout in ctx.blackouts:
        if blackout.applies_to(ctx.facility) and blackout.span.overlaps(span):
            return _invalid(
                "outside_blackouts", "starts_at",
                N_("the facility is closed from %(start)s to %(end)s (%(reason)s); choose another time"),
                start=_local(ctx, blackout.span.starts_at), end=_local(ctx, blackout.span.ends_at),
                reason=blackout.reason or "—",
            )
    return None


def authorization_held(ctx: BookingContext) -> Violation | None:
    if not ctx.facility.requires_authorization:
        return None
    auth = ctx.authorization
    if auth is None:
        return _invalid(
            "authorization_held", "facility_id",
            N_("this facility needs a training authorisation; ask a park manager to record your training"),
        )
    # The authorisation must still hold when the booking ends.
    if not auth.valid_at(ctx.request.ends_at - timedelta(microseconds=1)):
        return _invalid(
            "authorization_held", "facility_id",
            N_("your authorisation expires at %(expiry)s; renew your training first"),
            expiry=_local(ctx, auth.valid_until),
        )
    return None


VALIDATION_RULES: tuple[Rule, ...] = (
    seats_within_capacity,
    not_in_the_past,
    within_advance_window,
    duration_within_limits,
    fits_opening_hours,
    on_slot_granularity,
    outside_blackouts,
    authorization_held,
)


# --- clash rules (409) -----------------------------------------------------------

def _others(ctx: BookingContext) -> list[Booking]:
    return [b for b in ctx.existing if b.id != ctx.ignore_booking_id and b.holds_seats]


def _peak(ctx: BookingContext, buffer: timedelta) -> int:
    span = ctx.span
    segments = load_segments(_others(ctx), buffer)
    return peak_load(segments, Span(span.starts_at, span.ends_at + buffer))


def seats_free(ctx: BookingContext) -> Violation | None:
    """Seats held at any instant of the booking, plus its own, never exceed capacity."""
    capacity = ctx.facility.capacity
    peak = _peak(ctx, timedelta(0))
    if peak + ctx.request.seats > capacity:
        left = max(capacity - peak, 0)
        if left == 0:
            return _conflict("seats_free", "starts_at", N_("it is fully booked at that time; choose another time"))
        return _conflict(
            "seats_free", "seats", N_("only %(left)s of %(capacity)s seats are free at that time; ask for fewer or choose another time"),
            left=left, capacity=capacity,
        )
    return None


def buffer_respected(ctx: BookingContext) -> Violation | None:
    """Counting each booking until its end plus the buffer, capacity still holds."""
    minutes = ctx.facility.buffer_minutes
    if minutes == 0:
        return None
    if _peak(ctx, ctx.facility.buffer) + ctx.request.seats > ctx.facility.capacity:
        return _conflict(
            "buffer_respected", "starts_at",
            N_("leave %(minutes)s minutes between bookings; move the booking away from its neighbours"), minutes=minutes,
        )
    return None


CLASH_RULES: tuple[Rule, ...] = (seats_free, buffer_respected)


def check_request(ctx: BookingContext, *, include_clashes: bool = True) -> list[Violation]:
    """Every broken rule; the shape rules first (others need sound times), clashes last."""
    for rule in SHAPE_RULES:
        if (violation := rule(ctx)) is not None:
            return [violation]
    violations = [v for rule in VALIDATION_RULES if (v := rule(ctx)) is not None]
    if violations or not include_clashes:
        return violations
    return [v for rule in CLASH_RULES if (v := rule(ctx)) is not None]


def initial_status(facility: FacilitySpec, *, draw_settled: bool = False) -> str:
    """Window-mode facilities gather requests until their draw; approval facilities wait for a manager.

    `draw_settled`: the period's cut-off has passed and no request for this time awaits the
    draw, so the time left is first come, first served like an instant facility's.
    """
    if facility.booking_mode == "window" and not draw_settled:
        return REQUESTED
    return PENDING if facility.requires_approval else CONFIRMED


# --- decisions on existing bookings ----------------------------------------------

CANCELLABLE = frozenset({REQUESTED, PENDING, CONFIRMED})


def cancellation_violation(
    booking: Booking, facility: FacilitySpec, now: datetime, *, by_manager: bool = False
) -> Violation | None:
    """A booking may be cancelled until the facility's cut-off before its start; managers may always."""
    if booking.status not in CANCELLABLE:
        return _conflict("cancellable", "status", N_("a %(status)s booking cannot be cancelled"), status=booking.status)
    if by_manager:
        return None
    cutoff = booking.starts_at - timedelta(minutes=facility.cancel_cutoff_minutes)
    if now > cutoff:
        return _conflict(
            "cancel_cutoff", "starts_at",
            N_("bookings of this facility can be cancelled until %(minutes)s minutes before the start; that time has passed"),
            minutes=facility.cancel_cutoff_minutes,
        )
    return None


def check_in_window(booking: Booking) -> Span:
    """From 15 minutes before the start to 15 minutes after it (never past the end)."""
    closes = min(booking.starts_at + CHECK_IN_CLOSES_AFTER, booking.ends_at)
    return Span(booking.starts_at - CHECK_IN_OPENS_BEFORE, closes)


def check_in_violation(booking: Booking, now: datetime) -> Violation | None:
    if booking.status != CONFIRMED:
        return _conflict("check_in_status", "status", N_("a %(status)s booking cannot be checked in"), status=booking.status)
    window = check_in_window(booking)
    if now < window.starts_at:
        return _conflict("check_in_window", "starts_at", N_("check-in opens 15 minutes before the start; come back then"))
    if now >= window.ends_at:
        return _conflict("check_in_window", "starts_at", N_("check-in closed 15 minutes after the start"))
    return None


def is_no_show(booking: Booking, now: datetime) -> bool:
    """A confirmed booking whose check-in window has closed without a check-in."""
    return booking.status == CONFIRMED and now >= check_in_window(booking).ends_at


def is_finished(booking: Booking, now: datetime) -> bool:
    """A checked-in booking whose time is over becomes completed."""
    return booking.status == CHECKED_IN and now >= booking.ends_at


def pending_expires_at(booking: Booking) -> datetime:
    """A pending booking not decided by its start expires then and frees its seats."""
    return booking.starts_at


def quota_violation(used_hours: float, requested_hours: float, quota_hours: float, kind: str) -> Violation | None:
    """Hours per tenant per facility kind per month; the quota comes from the priority policy."""
    if used_hours + requested_hours > quota_hours + 1e-9:
        left = max(quota_hours - used_hours, 0.0)
        return _violation(
            "quota_exceeded", "quota", "ends_at",
            N_("your firm has used %(used)s of %(quota)s hours for %(kind)s this month (%(left)s left); shorten the booking or choose another month"),
            used=f"{used_hours:g}", quota=f"{quota_hours:g}", kind=term("facility_kind", kind), left=f"{left:g}",
        )
    return None


# A pending request starting within this is flagged on the approval queue, as is one already overdue.
STARTS_SOON = timedelta(hours=24)
OVERDUE = "overdue"
SOON = "soon"


def approval_urgency(booking: Booking, now: datetime, soon: timedelta = STARTS_SOON) -> str:
    """How urgent a pending request is: `overdue` once its decision deadline (its start) has passed,
    `soon` when that falls within `soon` from now, else the empty string."""
    deadline = pending_expires_at(booking)
    if deadline <= now:
        return OVERDUE
    if deadline - now <= soon:
        return SOON
    return ""


def approval_order(bookings: list[Booking], now: datetime) -> list[Booking]:
    """The approval queue: overdue requests first, then those starting soon, then the rest; each by deadline."""
    rank = {OVERDUE: 0, SOON: 1, "": 2}
    return sorted(bookings, key=lambda booking: (rank[approval_urgency(booking, now)], pending_expires_at(booking), booking.id))
