"""The priority policy as values: the firm facts it reads, its rules and quotas, charges and subsidies. Pure."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import time as dt_time

TIE_BREAKS = ("earlier_submission",)
FACILITY_KINDS = ("lab", "equipment", "studio", "meeting_room", "event_hall", "workstation")
# The contract's floor: a firm with no qualifications may hold at least this much.
MIN_BASE_QUOTA_HOURS = 20
SUBSIDY_LINE_KINDS = ("booking", "rent")
ROUNDINGS = ("half_up",)


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
class Rule:
    """One scoring rule as the policy page shows it."""

    key: str
    points: int
    en: str
    zh: str


@dataclass(frozen=True)
class RdShareRule:
    step_percent: int
    points_per_step: int
    cap: int
    en: str
    zh: str


@dataclass(frozen=True)
class IpCountRule:
    points_per_item: int
    cap: int
    en: str
    zh: str


@dataclass(frozen=True)
class NoShowPenalty:
    threshold: float
    min_bookings: int
    points: int
    en: str
    zh: str


@dataclass(frozen=True)
class QuotaTier:
    name: str
    min_score: int
    multiplier: float
    en: str
    zh: str


@dataclass(frozen=True)
class Quota:
    base_hours: int
    base_hours_by_kind: tuple[tuple[str, int], ...]
    tiers: tuple[QuotaTier, ...]  # ascending min_score, the first at 0
    en: str
    zh: str


@dataclass(frozen=True)
class Text:
    en: str
    zh: str


# Charges and subsidies ([charges], [subsidy]): billing reads only these values.


@dataclass(frozen=True)
class ChargeRules:
    """What a booking not used costs, as a share of its price, and how fen are rounded."""

    no_show_percent: int
    late_cancel_percent: int
    rounding: str
    en: str
    zh: str


@dataclass(frozen=True)
class SubsidyRule:
    """A discount: `percent` of a line's amount for lines and firms that match every
    criterion given (an empty criterion matches all), at most `cap_fen_per_month`
    per firm per month."""

    key: str
    percent: int
    applies_to: tuple[str, ...]
    qualifications: tuple[str, ...]
    sectors: tuple[str, ...]
    facility_kinds: tuple[str, ...]
    platforms: tuple[str, ...]
    cap_fen_per_month: int | None
    en: str
    zh: str


@dataclass(frozen=True)
class BillingPolicy:
    charges: ChargeRules
    subsidies: tuple[SubsidyRule, ...]
    cap_fen_per_firm_month: int | None
    """All subsidies of one firm in one month together, at most this (None: no cap)."""
    text: Text


DEFAULT_CHARGES = ChargeRules(100, 100, "half_up", "", "")


@dataclass(frozen=True)
class Policy:
    version: str
    effective_from: str
    title: Text
    summary: Text
    qualifications: tuple[Rule, ...]
    sectors: tuple[Rule, ...]
    rd_share: RdShareRule
    ip_count: IpCountRule
    no_show: NoShowPenalty
    tie_break: str
    tie_break_text: Text
    quota: Quota
    draw_points_per_hour: float
    draw_text: Text
    draw_cutoff_days_before: int = 1
    draw_cutoff_time: dt_time = dt_time(12, 0)
    billing: BillingPolicy | None = None
    """Charges and subsidies ([charges] and [subsidy]); None when the file has neither."""

    def qualification_points(self, kind: str) -> int:
        return next((r.points for r in self.qualifications if r.key == kind), 0)

    def sector_points(self, sector: str | None) -> int:
        return next((r.points for r in self.sectors if r.key == sector), 0)
