"""What the dashboard shows, worked out from plain rows. Pure."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from typing import Any
from zoneinfo import ZoneInfo

# Statuses that hold a facility: what "in use" and "booked today" count.
LIVE_STATUSES = ("pending", "confirmed", "checked_in")


def local_day(now: datetime, zone: ZoneInfo) -> tuple[date, datetime, datetime]:
    """The park-local date of `now` and its bounds `[midnight, next midnight)` as aware instants."""
    today = now.astimezone(zone).date()
    starts_at = datetime.combine(today, time(0), tzinfo=zone)
    ends_at = datetime.combine(today + timedelta(days=1), time(0), tzinfo=zone)
    return today, starts_at, ends_at


@dataclass(frozen=True)
class Vacancy:
    """Vacant units of one kind on a day."""

    kind: str
    units: int
    area_m2: float
    smallest_m2: float
    largest_m2: float


def vacancies(units: Iterable[dict[str, Any]], leased_unit_ids: set[int]) -> list[Vacancy]:
    """Units without a lease on the day, per unit kind, largest vacant area first."""
    per_kind: dict[str, list[float]] = {}
    for unit in units:
        if unit["id"] not in leased_unit_ids:
            per_kind.setdefault(unit["kind"], []).append(float(unit["area_m2"]))
    result = [
        Vacancy(kind, len(areas), round(sum(areas), 2), min(areas), max(areas)) for kind, areas in per_kind.items()
    ]
    return sorted(result, key=lambda vacancy: (-vacancy.area_m2, vacancy.kind))


def waiting_hours(created_at: datetime, now: datetime) -> float:
    """How long a request has waited for a decision, in hours (never negative)."""
    return max(0.0, (now - created_at).total_seconds() / 3600)
