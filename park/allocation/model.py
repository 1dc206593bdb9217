"""Plain values the allocation rules work on. Pure."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, datetime
from typing import Any

from park.shared.labels import N_
from park.shared.reasons import english

STATUS_NAMES = {  # of applications and rounds
    "open": N_("Open"),
    "allocated": N_("Allocated"),
    "unallocated": N_("Not allocated"),
    "withdrawn": N_("Withdrawn"),
    "ineligible": N_("Ineligible"),
    "proposed": N_("Proposed"),
    "confirmed": N_("Confirmed"),
    "superseded": N_("Superseded"),
}

UNIT_KINDS = ("office", "lab", "studio", "showroom", "warehouse")
MAX_TERM_MONTHS = 120
MAX_AREA_M2 = 100_000


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
    explanation_code: str
    """Why, as a reason of park/shared/reasons.py said with `explanation_params` in the reader's language."""
    explanation_params: dict[str, Any]
    fitting_count: int = 0
    # Applications ranked above this one that hold units it would have preferred
    # (housed) or that fitted it (not housed).
    taken_by_application_ids: tuple[int, ...] = ()

    @property
    def explanation(self) -> str:
        """The explanation in English."""
        return english(self.explanation_code, self.explanation_params)


@dataclass(frozen=True)
class RoundResult:
    assignments: tuple[Assignment, ...]
    policy_version: str = ""
    ranking: tuple[int, ...] = field(default=())

    @property
    def housed(self) -> dict[int, int]:
        """application id → unit id, for the applicants given a unit."""
        return {a.application_id: a.unit_id for a in self.assignments if a.unit_id is not None}
