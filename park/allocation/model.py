"""Plain values the allocation rules work on. Pure."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, datetime

# The contract's words for firms have one home, the tenants domain's rules; re-exported here.
from park.tenants.rules import QUALIFICATIONS, SECTORS  # noqa: F401

UNIT_KINDS = ("office", "lab", "studio", "showroom", "warehouse")


@dataclass(frozen=True)
class TenantFacts:
    """What the policy reads about a firm; qualifications are those valid on the scoring day."""

    sector: str | None = None
    qualifications: frozenset[str] = frozenset()
    staff_count: int = 0
    rd_staff_count: int = 0
    ip_count: int = 0
    # Bookings not turned up to / bookings due, over the policy's look-back period.
    no_show_count: int = 0
    bookings_due_count: int = 0

    @property
    def no_show_rate(self) -> float:
        if self.bookings_due_count <= 0:
            return 0.0
        return self.no_show_count / self.bookings_due_count


@dataclass(frozen=True)
class Score:
    points: int
    breakdown: tuple[tuple[str, int], ...]
    policy_version: str


@dataclass(frozen=True)
class Application:
    """An open space application, as a round sees it."""

    id: int
    tenant_id: int
    unit_kind: str
    min_area_m2: float
    max_area_m2: float
    start_date: date
    term_months: int
    score: int
    submitted_at: datetime
    preferred_building_ids: tuple[int, ...] = ()
    tenant_name: str = ""
    tenant_name_en: str = ""


@dataclass(frozen=True)
class Unit:
    id: int
    building_id: int
    kind: str
    area_m2: float
    code: str = ""
    floor: int = 0
    building_name: str = ""
    building_name_en: str = ""


@dataclass(frozen=True)
class Lease:
    """A unit held over [starts_on, ends_on); ends_on is exclusive."""

    unit_id: int
    starts_on: date
    ends_on: date
    tenant_id: int | None = None


# Why an applicant got what it got. Stable codes; the words are built from them.
HOUSED_BEST_FIT = "housed_best_fit"
HOUSED_BETTER_TAKEN = "housed_better_taken"
NONE_NOTHING_FITS = "none_nothing_fits"
NONE_TAKEN_BY_HIGHER = "none_taken_by_higher"


@dataclass(frozen=True)
class Assignment:
    application_id: int
    tenant_id: int
    unit_id: int | None
    rank: int
    reason: str
    explanation: str
    explanation_zh: str
    fitting_count: int = 0
    # Applications ranked above this one that hold units it would have preferred
    # (housed) or that fitted it (not housed).
    taken_by_application_ids: tuple[int, ...] = ()


@dataclass(frozen=True)
class RoundResult:
    assignments: tuple[Assignment, ...]
    policy_version: str = ""
    ranking: tuple[int, ...] = field(default=())

    @property
    def housed(self) -> dict[int, int]:
        """application id → unit id, for the applicants given a unit."""
        return {a.application_id: a.unit_id for a in self.assignments if a.unit_id is not None}


# Window-mode draws.


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


@dataclass(frozen=True)
class DrawResult:
    decisions: tuple[DrawDecision, ...]

    @property
    def granted_ids(self) -> tuple[int, ...]:
        return tuple(d.request_id for d in self.decisions if d.granted)

    @property
    def declined_ids(self) -> tuple[int, ...]:
        return tuple(d.request_id for d in self.decisions if not d.granted)
