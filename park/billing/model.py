"""Plain values the charge rules work on: what was used, who used it, what it cost."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, datetime

BOOKING = "booking"
RENT = "rent"
ADJUSTMENT = "adjustment"
LINE_KINDS = (BOOKING, RENT, ADJUSTMENT)


@dataclass(frozen=True)
class Payer:
    """The firm a line is billed to, as the subsidy rules read it."""

    tenant_id: int
    sector: str | None
    qualifications: frozenset[str] = frozenset()


@dataclass(frozen=True)
class BookingUse:
    """A booking as priced: its facility's terms and what happened to it."""

    booking_id: int
    tenant_id: int
    facility_name: str
    facility_kind: str
    platform: str
    capacity: int
    hourly_rate_fen: int
    cancel_cutoff_minutes: int
    starts_at: datetime
    ends_at: datetime
    seats: int
    status: str
    cancelled_at: datetime | None = None
    facility_name_en: str = ""


@dataclass(frozen=True)
class LeaseUse:
    """A lease as priced for one month: its unit's rent and its days `[starts_on, ends_on)`."""

    lease_id: int
    tenant_id: int
    unit_code: str
    unit_kind: str
    monthly_rent_fen: int
    starts_on: date
    ends_on: date


@dataclass(frozen=True)
class Charge:
    """One priced line before subsidy. `quantity` is hours, or days of the month for rent."""

    kind: str
    rule: str
    """What priced it: used, no_show, late_cancel, rent, or adjustment."""
    amount_fen: int
    quantity: str
    unit_price_fen: int
    booking_id: int | None = None
    lease_id: int | None = None
    facility_kind: str = ""
    platform: str = ""
    detail: dict = field(default_factory=dict)
    """Words for the description, rendered at the edge in the reader's language."""


@dataclass(frozen=True)
class Line:
    """A charge with its subsidy: what the firm owes for it, and why."""

    charge: Charge
    subsidy_fen: int
    subsidy_rules: tuple[str, ...]
    policy_version: str

    @property
    def due_fen(self) -> int:
        return self.charge.amount_fen - self.subsidy_fen


@dataclass(frozen=True)
class Totals:
    amount_fen: int = 0
    subsidy_fen: int = 0
    due_fen: int = 0


def totals_of(lines: list[Line]) -> Totals:
    amount = sum(line.charge.amount_fen for line in lines)
    subsidy = sum(line.subsidy_fen for line in lines)
    return Totals(amount, subsidy, amount - subsidy)
