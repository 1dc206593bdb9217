"""What applies to a booking before it is made, and what happens after it is made. Pure.

`booking_terms` reads the facility's rules, the asked times, the reader's training
record and the park's charges and says, line by line, what the booking form shows
beside the fields: the price, approval and who decides (or the draw of a window-mode
facility), the check-in rule and what a no-show costs, the reader's training and the
opening hours. `booked_outcome` says what a made booking (or series) is and what
comes next. Lines carry an English %-template and its parameters; the page translates
them and formats the parameters (money whose name ends in `_fen`, instants, numbers).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime, time, timedelta
from typing import Any
from zoneinfo import ZoneInfo

from park.bookings.draws import CUTOFF_DAYS_BEFORE, CUTOFF_LOCAL_TIME, draw_cutoff
from park.bookings.model import (
    CHECK_IN_CLOSES_AFTER, CHECK_IN_OPENS_BEFORE, CONFIRMED, PENDING, REQUESTED, Booking, BookingRequest, Violation,
)
from park.bookings.rules import (
    BookingContext, check_in_window, duration_within_limits, fits_opening_hours, not_in_the_past, on_slot_granularity,
    seats_within_capacity, within_advance_window,
)
from park.facilities.hours import WEEKDAYS
from park.facilities.model import Authorization, FacilitySpec, booking_price_fen
from park.priority.model import DEFAULT_CHARGES, ChargeRules
from park.shared.labels import N_
from park.shared.timespan import Span

OK, WARN, INFO = "ok", "warn", "info"

# The rules a form can check without the database: what is wrong with the asked times themselves.
TIME_RULES = (not_in_the_past, within_advance_window, duration_within_limits, fits_opening_hours, on_slot_granularity,
              seats_within_capacity)


@dataclass(frozen=True, slots=True)
class Line:
    """One thing that applies: `key` names the topic, `tone` says whether it is fine (ok), a problem (warn) or news."""

    key: str
    template: str
    params: tuple[tuple[str, Any], ...] = ()
    tone: str = INFO


def _line(key: str, template: str, tone: str = INFO, **params: Any) -> Line:
    return Line(key, template, tuple(params.items()), tone)


@dataclass(frozen=True, slots=True)
class TermsInput:
    facility: FacilitySpec
    now: datetime
    zone: ZoneInfo
    starts_at: datetime | None = None
    ends_at: datetime | None = None
    seats: int = 1
    authorization: Authorization | None = None
    """The reader's training record for the facility (None: none)."""
    training_asked_at: datetime | None = None
    """When the reader last asked the managers for training, if that request is still open."""
    reader_known: bool = True
    """False for a visitor not signed in: the training rule is stated, not the reader's record."""
    charges: ChargeRules = DEFAULT_CHARGES
    draw_cutoff_days_before: int = CUTOFF_DAYS_BEFORE
    draw_cutoff_time: time = CUTOFF_LOCAL_TIME


@dataclass(frozen=True, slots=True)
class Terms:
    lines: tuple[Line, ...]
    opening: tuple[tuple[str, tuple[str, ...]], ...]
    """(weekday key, its open ranges as "09:00–18:00"), Monday first; an empty tuple: closed."""
    may_ask_training: bool = False
    span: Span | None = None
    """The asked times, when they make a span."""

    def of(self, key: str) -> list[Line]:
        return [line for line in self.lines if line.key == key]


def asked_span(starts_at: datetime | None, ends_at: datetime | None) -> Span | None:
    if starts_at is None or ends_at is None or ends_at <= starts_at:
        return None
    return Span(starts_at, ends_at)


def _minutes(span: Span) -> int:
    return int(span.duration.total_seconds() // 60)


def booking_terms(given: TermsInput) -> Terms:
    spec = given.facility
    span = asked_span(given.starts_at, given.ends_at)
    lines: list[Line] = []
    lines += _time_lines(given, span)
    lines += _price_lines(given, span)
    lines += _decision_lines(given, span)
    lines += _check_in_lines(given, span)
    training, may_ask = _training_lines(given, span)
    lines += training
    hours = spec.opening_hours.to_contract()
    opening = tuple((day, tuple(f"{a}–{b}" for a, b in hours[day])) for day in WEEKDAYS)
    return Terms(tuple(lines), opening, may_ask, span)


def _time_lines(given: TermsInput, span: Span | None) -> list[Line]:
    if given.starts_at is None or given.ends_at is None:
        return []
    if span is None:
        return [_line("time", N_("The end must be after the start."), WARN)]
    request = BookingRequest(given.facility.id, 0, 0, span.starts_at, span.ends_at, max(given.seats, 1))
    ctx = BookingContext(request=request, facility=given.facility, now=given.now, zone=given.zone)
    problems: list[Violation] = [v for rule in TIME_RULES if (v := rule(ctx)) is not None]
    return [Line("time", v.template, v.params, WARN) for v in problems]


def _price_lines(given: TermsInput, span: Span | None) -> list[Line]:
    spec = given.facility
    rate = spec.hourly_rate_fen
    if rate <= 0:
        return [_line("price", N_("Free of charge."), OK)]
    lines = []
    if span is None:
        lines.append(_line("price", N_("%(rate_fen)s an hour; choose the times to see the price."), rate_fen=rate))
    else:
        minutes = _minutes(span)
        price = booking_price_fen(rate, minutes, given.seats, spec.capacity)
        hours = minutes / 60
        if spec.capacity > 1 and given.seats > 1:
            lines.append(_line("price", N_("%(rate_fen)s an hour × %(hours)s h × %(seats)s seats = %(price_fen)s."),
                               rate_fen=rate, hours=hours, seats=given.seats, price_fen=price))
        else:
            lines.append(_line("price", N_("%(rate_fen)s an hour × %(hours)s h = %(price_fen)s."),
                               rate_fen=rate, hours=hours, price_fen=price))
    late = given.charges.late_cancel_percent
    if spec.cancel_cutoff_minutes and late:
        if span is None:
            lines.append(_line("cancel", N_("Cancelling is free until %(minutes)s minutes before the start; later, %(percent)s%% of the price is charged."),
                               minutes=spec.cancel_cutoff_minutes, percent=late))
        else:
            lines.append(_line("cancel", N_("Cancelling is free until %(cutoff)s; later, %(percent)s%% of the price is charged."),
                               cutoff=span.starts_at - timedelta(minutes=spec.cancel_cutoff_minutes), percent=late))
    return lines


def _cutoff(given: TermsInput, starts_at: datetime) -> datetime:
    return draw_cutoff(starts_at, given.zone, given.draw_cutoff_days_before, given.draw_cutoff_time)


def _decision_lines(given: TermsInput, span: Span | None) -> list[Line]:
    spec = given.facility
    lines = []
    if spec.booking_mode == "window":
        if span is None:
            lines.append(_line("draw", N_("Requests are gathered until %(days)s day(s) before the day, %(time)s, and then granted by priority (the draw)."),
                               days=given.draw_cutoff_days_before, time=given.draw_cutoff_time.strftime("%H:%M")))
        else:
            cutoff = _cutoff(given, span.starts_at)
            if given.now < cutoff:
                lines.append(_line("draw", N_("Requests for this day are gathered until %(cutoff)s and then granted by priority (the draw); you get a mail with the result."),
                                   cutoff=cutoff))
            else:
                lines.append(_line("draw", N_("The draw for this day was at %(cutoff)s: a time still free is booked at once, first come, first served."),
                                   cutoff=cutoff))
    if spec.requires_approval:
        lines.append(_line("approval", N_("A park manager approves or rejects each booking; until then it is pending and its seats are held. A booking nobody decides on before it starts expires.")))
    elif spec.booking_mode != "window":
        lines.append(_line("approval", N_("No approval needed: a free time is confirmed at once."), OK))
    return lines


def _check_in_lines(given: TermsInput, span: Span | None) -> list[Line]:
    spec = given.facility
    before = int(CHECK_IN_OPENS_BEFORE / timedelta(minutes=1))
    after = int(CHECK_IN_CLOSES_AFTER / timedelta(minutes=1))
    if span is None:
        lines = [_line("check_in", N_("Check in from %(before)s minutes before the start until %(after)s minutes after it."),
                       before=before, after=after)]
    else:
        window = check_in_window(Booking(0, spec.id, 0, 0, span.starts_at, span.ends_at))
        lines = [_line("check_in", N_("Check in between %(opens_clock)s and %(closes_clock)s."), opens_clock=window.starts_at, closes_clock=window.ends_at)]
    percent = given.charges.no_show_percent
    if spec.hourly_rate_fen and percent:
        if span is None:
            lines.append(_line("no_show", N_("Without a check-in the booking becomes a no-show: its seats are released and %(percent)s%% of the price is charged."),
                               percent=percent))
        else:
            cost = booking_price_fen(spec.hourly_rate_fen, _minutes(span), given.seats, spec.capacity, percent)
            lines.append(_line("no_show", N_("Without a check-in the booking becomes a no-show: its seats are released and %(percent)s%% of the price (%(cost_fen)s) is charged."),
                               percent=percent, cost_fen=cost))
    else:
        lines.append(_line("no_show", N_("Without a check-in the booking becomes a no-show: its seats are released. It costs nothing, but it counts in your firm's no-show record.")))
    return lines


def _training_lines(given: TermsInput, span: Span | None) -> tuple[list[Line], bool]:
    spec = given.facility
    if not spec.requires_authorization:
        return [_line("training", N_("No training needed."), OK)], False
    if not given.reader_known:
        return [_line("training", N_("Only users with a valid training record may book."))], False
    auth = given.authorization
    lines: list[Line] = []
    may_ask = True
    needed_until = span.ends_at - timedelta(microseconds=1) if span else given.now
    if auth is None:
        lines.append(_line("training", N_("Only trained users may book this facility, and you have no training record for it."), WARN))
    elif not auth.valid_at(needed_until):
        if auth.valid_at(given.now):
            lines.append(_line("training", N_("Your training expires at %(until)s, before this booking ends; ask for a renewal."), WARN,
                               until=auth.valid_until))
        else:
            lines.append(_line("training", N_("Your training expired at %(until)s; ask for a renewal."), WARN, until=auth.valid_until))
    else:
        may_ask = False
        if auth.valid_until is None:
            lines.append(_line("training", N_("You are trained for this facility (no expiry)."), OK))
        else:
            lines.append(_line("training", N_("You are trained for this facility (valid until %(until)s)."), OK, until=auth.valid_until))
    if may_ask and given.training_asked_at is not None:
        lines.append(_line("training", N_("You asked for training at %(asked)s; the park managers have been told."),
                           asked=given.training_asked_at))
    return lines, may_ask


# --- after booking ---------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class Skipped:
    """A date of a series that was not booked, and the first reason why."""

    span: Span
    template: str
    params: tuple[tuple[str, Any], ...] = ()


@dataclass(frozen=True, slots=True)
class Outcome:
    status: str
    span: Span
    """The (first) booking's times."""
    spans: tuple[Span, ...] = ()
    """Every booked date of a series (empty for one booking)."""
    skipped: tuple[Skipped, ...] = ()
    next_steps: tuple[Line, ...] = field(default=())


def booked_outcome(
    facility: FacilitySpec, status: str, spans: list[Span], skipped: list[Skipped], zone: ZoneInfo,
    *, draw_cutoff_days_before: int = CUTOFF_DAYS_BEFORE, draw_cutoff_time: time = CUTOFF_LOCAL_TIME,
) -> Outcome:
    """What was booked and what happens next, for the message after the form."""
    first = spans[0]
    steps: list[Line] = []
    if status == REQUESTED:
        cutoff = draw_cutoff(first.starts_at, zone, draw_cutoff_days_before, draw_cutoff_time)
        steps.append(_line("draw", N_("Your request joins the draw at %(cutoff)s; you get a mail with the result."), cutoff=cutoff))
        if facility.requires_approval:
            steps.append(_line("approval", N_("A time granted in the draw then waits for a park manager's approval.")))
    elif status == PENDING:
        steps.append(_line("approval", N_("A park manager approves or rejects it; you get a mail either way. Its seats are held meanwhile.")))
    if status in (REQUESTED, PENDING, CONFIRMED):
        window = check_in_window(Booking(0, facility.id, 0, 0, first.starts_at, first.ends_at))
        template = (N_("Check in between %(opens_clock)s and %(closes_clock)s.") if status == CONFIRMED
                    else N_("Once confirmed, check in between %(opens_clock)s and %(closes_clock)s."))
        steps.append(_line("check_in", template, opens_clock=window.starts_at, closes_clock=window.ends_at))
    return Outcome(status, first, tuple(spans) if len(spans) > 1 or skipped else (), tuple(skipped), tuple(steps))

