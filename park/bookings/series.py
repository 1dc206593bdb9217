"""Series use cases: preview which dates of a recurring booking can be booked, book the series."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any
from zoneinfo import ZoneInfo

from park.audit.service import record
from park.bookings.model import CONFIRMED, Booking as BookingValue, Violation
from park.bookings.notices import occurrences_reason, notify
from park.bookings.quotas import check_quota
from park.bookings.recurrence import RecurrenceError, expand_series
from park.bookings.rules import BookingContext, check_request
from park.bookings.steps import (
    BookingInput,
    booker_id,
    check_tenant,
    check_years,
    context_facts,
    insert_booking,
    load_facility,
    request_for,
)
from park.bookings.tables import BookingSeries
from park.facilities.model import FacilitySpec
from park.shared.actor import Actor
from park.shared.errors import Conflict, ValidationFailed
from park.shared.locking import lock
from park.shared.timespan import Span


@dataclass(frozen=True)
class OccurrenceCheck:
    index: int
    span: Span
    violations: tuple[Violation, ...]

    @property
    def ok(self) -> bool:
        return not self.violations


def spans_of_series(data: BookingInput, spec: FacilitySpec, zone: ZoneInfo, now: datetime) -> list[tuple[int, Span]]:
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


async def check_occurrences(
    actor: Actor, data: BookingInput, spec: FacilitySpec, zone: ZoneInfo, now: datetime
) -> list[OccurrenceCheck]:
    spans = spans_of_series(data, spec, zone, now)
    window = Span(spans[0][1].starts_at, spans[-1][1].ends_at)
    booker = booker_id(actor, data)
    facts = await context_facts(spec, booker, window)
    checks: list[OccurrenceCheck] = []
    accepted: list[BookingValue] = []
    for index, span in spans:
        request = request_for(actor, data, span)
        ctx = BookingContext(
            request=request, facility=spec, now=now, zone=zone,
            existing=[*facts["existing"], *accepted], blackouts=facts["blackouts"],
            authorization=facts["authorization"],
        )
        violations = check_request(ctx)
        checks.append(OccurrenceCheck(index, span, tuple(violations)))
        if not violations:
            # Later occurrences must not clash with earlier ones of the same series.
            accepted.append(BookingValue(-index - 1, spec.id, request.tenant_id, booker, span.starts_at, span.ends_at, request.seats, CONFIRMED))
    return checks


async def preview_series(actor: Actor, data: BookingInput, now: datetime, zone: ZoneInfo) -> list[OccurrenceCheck]:
    """Which occurrences of a series could be booked and which clash or break a rule."""
    check_years(data)
    _row, spec = await load_facility(data.facility_id)
    data = await check_tenant(actor, data)
    return await check_occurrences(actor, data, spec, zone, now)


async def book_series(actor, data, row, spec, now, zone, policy) -> dict[str, Any]:
    checks = await check_occurrences(actor, data, spec, zone, now)
    broken = [c for c in checks if not c.ok]
    if broken and not data.skip_clashes:
        raise Conflict(
            "%(broken)s of %(total)s occurrences cannot be booked; send skip_clashes=true to book the others, or change the series.",
            params={"broken": len(broken), "total": len(checks)}, extra={"rule": "series_clashes", "occurrences": [_check_json(c, zone) for c in broken]},
        )
    good = [c for c in checks if c.ok]
    if not good:
        raise Conflict("No occurrence of the series can be booked; change the time or the rule.", extra={"rule": "series_clashes"})
    request = request_for(actor, data)
    await lock("tenant", request.tenant_id)
    await check_quota(request.tenant_id, spec, [c.span for c in good], zone, now, policy)
    series_rows = await BookingSeries.insert(
        BookingSeries(
            facility=spec.id, tenant=request.tenant_id, user=request.user_id, rrule=data.recurrence,
            starts_at=data.starts_at, ends_at=data.ends_at, seats=data.seats, purpose=data.purpose, created_at=now,
        )
    ).returning(BookingSeries.id)
    series_id = series_rows[0]["id"]
    created = []
    for check in good:
        created.append(await insert_booking(request_for(actor, data, check.span), spec, now, series_id, check.index, zone=zone, policy=policy))
    await notify(f"booking.{created[0]['status']}", created[0], row["name"], zone, now,
                 reason=occurrences_reason(len(created), data.recurrence))
    await record(actor, "booking.create_series", "booking_series", series_id, {"created": len(created), "skipped": len(broken)}, at=now)
    first = dict(created[0])
    first["created"] = created
    first["skipped"] = [_check_json(c, zone) for c in broken]
    first["skipped_checks"] = list(broken)  # with each date's rule templates, for the page's message
    return first


def _check_json(check: OccurrenceCheck, zone: ZoneInfo) -> dict[str, Any]:
    return {
        "index": check.index,
        "starts_at": check.span.starts_at.isoformat(),
        "ends_at": check.span.ends_at.isoformat(),
        "ok": check.ok,
        "problems": [{"code": v.code, "field": v.field, "message": v.message} for v in check.violations],
    }
