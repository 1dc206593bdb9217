"""Window-mode draws: grant gathered requests by effective priority within capacity. Pure.

The effective priority of a request is the firm's policy score minus the
policy's weight for each hour the firm already holds on that facility kind this
month, counting hours granted earlier in the same draw. So a firm that has just
won loses ground to one that has not, and big firms cannot starve small ones.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import datetime, time, timedelta
from zoneinfo import ZoneInfo


@dataclass(frozen=True)
class DrawRequest:
    id: int
    tenant_id: int
    score: float
    hours_granted_this_month: float
    submitted_at: datetime
    starts_at: datetime
    ends_at: datetime
    seats: int = 1
    tenant_name: str = ""
    quota_left_hours: float | None = None
    """Hours the firm may still take on this facility kind in `month` (None: no quota)."""
    month: str = ""
    """The park-local month the request starts in; hours granted in one draw count per firm and month."""

    @property
    def hours(self) -> float:
        return (self.ends_at - self.starts_at).total_seconds() / 3600


@dataclass(frozen=True)
class Occupancy:
    """Seats already held over [starts_at, ends_at) by a confirmed booking."""

    starts_at: datetime
    ends_at: datetime
    seats: int = 1


@dataclass(frozen=True)
class FreeSlot:
    starts_at: datetime
    ends_at: datetime
    free: int


@dataclass(frozen=True)
class DrawDecision:
    request_id: int
    granted: bool
    order: int
    effective_priority: float
    reason: str = ""
    """Why a request was declined: CAPACITY or QUOTA ("" when granted)."""


CAPACITY = "capacity"
QUOTA = "quota"


@dataclass(frozen=True)
class DrawResult:
    decisions: tuple[DrawDecision, ...]

    @property
    def granted_ids(self) -> tuple[int, ...]:
        return tuple(d.request_id for d in self.decisions if d.granted)

    @property
    def declined_ids(self) -> tuple[int, ...]:
        return tuple(d.request_id for d in self.decisions if not d.granted)


# The policy's defaults: requests for a park-local day gather until noon of the day before.
CUTOFF_DAYS_BEFORE = 1
CUTOFF_LOCAL_TIME = time(12, 0)


def draw_cutoff(
    starts_at: datetime, zone: ZoneInfo, days_before: int = CUTOFF_DAYS_BEFORE, at: time = CUTOFF_LOCAL_TIME
) -> datetime:
    """When requests for the day of `starts_at` stop gathering and are drawn (aware, in `zone`)."""
    day = starts_at.astimezone(zone).date() - timedelta(days=days_before)
    return datetime.combine(day, at, tzinfo=zone)


def effective_priority(score: float, hours_granted: float, points_per_hour: float) -> float:
    return score - points_per_hour * hours_granted


def peak_seats(occupancies: Iterable[Occupancy], starts_at: datetime, ends_at: datetime) -> int:
    """Most seats held at any instant of [starts_at, ends_at) (half-open intervals)."""
    events: list[tuple[datetime, int]] = []
    for occ in occupancies:
        if occ.starts_at < ends_at and starts_at < occ.ends_at:
            events.append((max(occ.starts_at, starts_at), occ.seats))
            events.append((min(occ.ends_at, ends_at), -occ.seats))
    # At equal instants, releases come before takes: back-to-back bookings do not overlap.
    events.sort(key=lambda e: (e[0], e[1]))
    peak = current = 0
    for _, delta in events:
        current += delta
        peak = max(peak, current)
    return peak


def fits_capacity(
    occupancies: Iterable[Occupancy], starts_at: datetime, ends_at: datetime, seats: int, capacity: int
) -> bool:
    return peak_seats(occupancies, starts_at, ends_at) + seats <= capacity


def run_draw(
    requests: Sequence[DrawRequest],
    capacity: int,
    confirmed: Iterable[Occupancy],
    points_per_hour: float,
    buffer: timedelta = timedelta(0),
) -> DrawResult:
    """Grant requests one at a time, the highest effective priority first; a request that no
    longer fits the remaining capacity, or would take its firm past its monthly
    quota (with the hours granted earlier in this draw), is declined.

    Ties go to the earlier submission, then the lower request id, so the same
    inputs always give the same draw. `buffer` is the facility's gap after a
    booking: every span holds its seats until its end plus the buffer.
    """
    held = [Occupancy(o.starts_at, o.ends_at + buffer, o.seats) for o in confirmed]
    granted_hours: dict[int, float] = {}
    quota_taken: dict[tuple[int, str], float] = {}  # (firm, month) → hours granted in this draw
    remaining = sorted(requests, key=lambda r: (r.submitted_at, r.id))
    decisions: list[DrawDecision] = []
    while remaining:
        best_index = 0
        best_key = None
        for i, req in enumerate(remaining):
            priority = effective_priority(
                req.score, req.hours_granted_this_month + granted_hours.get(req.tenant_id, 0.0), points_per_hour
            )
            # remaining is in (submitted_at, id) order, so the first best wins ties.
            if best_key is None or priority > best_key:
                best_key, best_index = priority, i
        req = remaining.pop(best_index)
        taken = quota_taken.get((req.tenant_id, req.month), 0.0)
        # The same tolerance as the booking rules' quota check, so both agree at the boundary.
        within_quota = req.quota_left_hours is None or taken + req.hours <= req.quota_left_hours + 1e-9
        granted = within_quota and fits_capacity(held, req.starts_at, req.ends_at + buffer, req.seats, capacity)
        if granted:
            held.append(Occupancy(req.starts_at, req.ends_at + buffer, req.seats))
            granted_hours[req.tenant_id] = granted_hours.get(req.tenant_id, 0.0) + req.hours
            quota_taken[(req.tenant_id, req.month)] = taken + req.hours
        reason = "" if granted else QUOTA if not within_quota else CAPACITY
        decisions.append(DrawDecision(req.id, granted, len(decisions) + 1, best_key, reason))
    return DrawResult(tuple(decisions))


def suggest_alternatives(
    request: DrawRequest, free_slots: Sequence[FreeSlot], limit: int = 3
) -> list[tuple[datetime, datetime]]:
    """The free spans of the request's length nearest to the time it asked for.

    `free_slots` are the facility's slots with their free seats (as the
    availability endpoint gives them); a span must lie in consecutive slots each
    with enough free seats. Nearest start first; on equal distance, the earlier.
    """
    duration = request.ends_at - request.starts_at
    slots = sorted(free_slots, key=lambda s: s.starts_at)
    # Runs of back-to-back slots with enough seats.
    runs: list[list[FreeSlot]] = []
    for slot in slots:
        if slot.free < request.seats:
            continue
        if runs and runs[-1][-1].ends_at == slot.starts_at:
            runs[-1].append(slot)
        else:
            runs.append([slot])
    candidates: list[tuple[datetime, datetime]] = []
    for run in runs:
        run_end = run[-1].ends_at
        for slot in run:
            if slot.starts_at + duration > run_end:
                break
            span = (slot.starts_at, slot.starts_at + duration)
            if span != (request.starts_at, request.ends_at):
                candidates.append(span)
    candidates.sort(key=lambda span: (_distance(span[0], request.starts_at), span[0]))
    return candidates[:limit]


def _distance(a: datetime, b: datetime) -> timedelta:
    return abs(a - b)
