"""Free time: one facility's slots with seats left, the time-first search, and the alternatives offered with a refusal.

The search uses a fixed number of queries whatever the number of facilities (the facilities,
their seat-holding bookings, their blackouts, the caller's authorisations),
then the pure `free_intervals` per facility.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any
from zoneinfo import ZoneInfo

from park.shared.actor import Actor
from park.bookings import queries
from park.bookings.model import BookingRequest
from park.bookings.rules import BookingContext, authorization_held
from park.facilities import queries as facility_queries
from park.bookings.availability import Slot, compute_availability, free_intervals, nearest_starts
from park.facilities.model import Authorization, FacilitySpec
from park.shared.errors import Conflict, DomainError, NotFound, ValidationFailed
from park.shared.timespan import Span

MAX_AVAILABILITY_WINDOW = timedelta(days=62)
MAX_SEARCH_WINDOW = timedelta(days=31)
MAX_ALTERNATIVES = 5
# How far around a refused time the same facility's free times are looked for.
ALTERNATIVES_BEFORE = timedelta(days=1)
ALTERNATIVES_AFTER = timedelta(days=7)


@dataclass(frozen=True)
class MovingBooking:
    """The booking a move starts from: where and when it is now."""

    booking_id: int
    facility_id: int
    span: Span


@dataclass(frozen=True)
class SearchHit:
    facility: dict[str, Any]
    free: list[Span]
    bookable: bool
    reason: str = ""
    reason_template: str = ""
    reason_params: tuple[tuple[str, Any], ...] = ()


def unauthorised_reason(spec: FacilitySpec, authorization: Authorization | None, span: Span, now: datetime, zone: ZoneInfo):
    """The rule `authorization_held`'s violation for a booking of `span`, or None when the caller may book."""
    request = BookingRequest(spec.id, 0, authorization.user_id if authorization else 0, span.starts_at, span.ends_at)
    return authorization_held(BookingContext(request=request, facility=spec, now=now, zone=zone, authorization=authorization))


async def facility_availability(facility_id: int, window: Span, zone: ZoneInfo) -> list[Slot]:
    """One active facility's slots in `window` with the seats a new booking could take (the week view, the API)."""
    if window.duration > MAX_AVAILABILITY_WINDOW:
        raise ValidationFailed.on("to", "ask for at most 62 days at a time")
    facts = await queries.booking_facts(facility_id, window, new_booking=False)
    if facts.facility is None or not facts.facility["is_active"]:
        raise NotFound("There is no facility %(id)s.", params={"id": facility_id})
    return compute_availability(facility_queries.to_spec(facts.facility), window, zone, facts.existing, facts.blackouts)


def check_window(window: Span) -> None:
    if window.duration > MAX_SEARCH_WINDOW:
        raise ValidationFailed.on("to", "search at most 31 days at a time")


async def search_availability(
    actor: Actor,
    window: Span,
    now: datetime,
    zone: ZoneInfo,
    *,
    duration_minutes: int | None = None,
    seats: int = 1,
    kind: str | None = None,
    building_id: int | None = None,
    q: str | None = None,
    exclude_facility_id: int | None = None,
) -> list[SearchHit]:
    """Every active facility with a fitting free interval in `window`, earliest free start first."""
    check_window(window)
    rows, _total = await facility_queries.search_facilities(kind=kind or None, building_id=building_id, q=q)
    rows = [row for row in rows if row["id"] != exclude_facility_id]
    specs = {row["id"]: facility_queries.to_spec(row) for row in rows}
    if not specs:
        return []
    widest_buffer = timedelta(minutes=max(spec.buffer_minutes for spec in specs.values()))
    bookings = await queries.seats_held_of(sorted(specs), window, widest_buffer)
    blackouts = await facility_queries.blackouts_of(list(specs.values()), window)
    authorizations = (
        await facility_queries.authorizations_of(actor.id) if any(s.requires_authorization for s in specs.values()) else {}
    )
    duration = timedelta(minutes=duration_minutes) if duration_minutes else None
    hits: list[SearchHit] = []
    for row in rows:
        spec = specs[row["id"]]
        free = free_intervals(spec, window, zone, now, bookings[spec.id], blackouts, seats=seats, duration=duration)
        if not free:
            continue
        violation = unauthorised_reason(spec, authorizations.get(spec.id), free[0], now, zone)
        if violation is None:
            hits.append(SearchHit(row, free, True))
        else:
            hits.append(SearchHit(row, free, False, violation.message, violation.template, violation.params))
    hits.sort(key=lambda hit: (hit.free[0].starts_at, hit.facility["name"], hit.facility["id"]))
    return hits


async def alternatives_for(
    actor: Actor, spec: FacilitySpec, wanted: Span, seats: int, now: datetime, zone: ZoneInfo,
    *, moving: MovingBooking | None = None,
) -> list[dict[str, Any]]:
    """Up to five `{facility_id, starts_at, ends_at}` the caller could book instead of `wanted`.

    First the same facility's nearest free times of the same length, then
    facilities of the same kind free (and bookable by the caller) at the asked
    time; at least two places are kept for each when both have some.
    `moving`: a booking being moved does not stand in its own way, and its
    own current facility and time are never offered.
    """
    ignore_booking_id = moving.booking_id if moving else None
    own = (moving.facility_id, moving.span) if moving else None
    around = Span(max(wanted.starts_at - ALTERNATIVES_BEFORE, now), wanted.starts_at + ALTERNATIVES_AFTER)
    same: list[Span] = []
    if around.starts_at < around.ends_at:
        held = [b for b in (await queries.live_bookings_of([spec.id], around, spec.buffer))[spec.id] if b.id != ignore_booking_id]
        blackouts = await facility_queries.blackouts_of([spec], around)
        intervals = free_intervals(spec, around, zone, now, held, blackouts, seats=seats, duration=wanted.duration)
        same = nearest_starts(intervals, wanted, spec.slot, MAX_ALTERNATIVES + 1)
        same = [span for span in same if (spec.id, span) != own][:MAX_ALTERNATIVES]
    others: list[tuple[int, Span]] = []
    for hit in await search_availability(
        actor, wanted, now, zone, duration_minutes=int(wanted.duration / timedelta(minutes=1)), seats=seats,
        kind=spec.kind, exclude_facility_id=spec.id,
    ):
        if hit.bookable and any(interval.contains(wanted) for interval in hit.free) and (hit.facility["id"], wanted) != own:
            others.append((hit.facility["id"], wanted))
    same_part = same[: max(2, MAX_ALTERNATIVES - len(others))]
    chosen = [(spec.id, span) for span in same_part] + others[: MAX_ALTERNATIVES - len(same_part)]
    chosen += [(spec.id, span) for span in same[len(same_part):]][: MAX_ALTERNATIVES - len(chosen)]
    return [
        {"facility_id": facility_id, "starts_at": span.starts_at.isoformat(), "ends_at": span.ends_at.isoformat()}
        for facility_id, span in chosen[:MAX_ALTERNATIVES]
    ]


CLASH_RULE_NAMES = frozenset({"seats_free", "buffer_respected"})


async def with_alternatives(
    error: DomainError, actor: Actor, facility_id: int, wanted: Span, seats: int, now: datetime, zone: ZoneInfo,
    *, moving: MovingBooking | None = None,
) -> DomainError:
    """A clash refusal (409 conflict) again, now carrying its `alternatives`; any other error as it is.

    Call after the refused transaction has ended. `moving`: as for `alternatives_for`.
    """
    if not isinstance(error, Conflict) or error.extra.get("rule") not in CLASH_RULE_NAMES:
        return error
    row = await facility_queries.get_facility(facility_id)
    if row is None:
        return error
    spec = facility_queries.to_spec(row)
    alternatives = await alternatives_for(actor, spec, wanted, seats, now, zone, moving=moving)
    return Conflict(error.detail, extra={**error.extra, "alternatives": alternatives}, violations=error.violations)
