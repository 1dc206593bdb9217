"""Statement use cases: a firm's month priced, statements issued once, corrections carried forward."""

from __future__ import annotations

import logging
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from zoneinfo import ZoneInfo

from park.priority.model import Policy
from park.billing import queries
from park.billing.model import Charge, Line
from park.billing.rules import adjustment, booking_charge, rent_charge, subsidise
from park.billing.summary import Summary, summarise
from park.reports.periods import MONTHLY, Period, PeriodError, parse_period, period_containing, periods_ended_between
from park.shared.db import transaction
from park.shared.errors import Forbidden, ValidationFailed
from park.shared.guards import require_manager

log = logging.getLogger("park.billing")

# Corrections are looked for in bookings of this many months before the statement's month.
ADJUSTMENT_MONTHS = 3
CATCH_UP_MONTHS = 3


@dataclass(frozen=True)
class MonthLines:
    tenant_id: int
    month: str
    lines: list[Line]


async def price_month(tenant_id: int, period: Period, zone: ZoneInfo, policy: Policy) -> MonthLines:
    """The firm's lines for the month: rent, bookings that start in it, and corrections
    of earlier months' bookings that changed since their statement was issued."""
    billing = policy.billing
    rules = billing.charges if billing else None
    starts_at, ends_at = period.bounds(zone)
    charges: list[Charge] = []
    for lease in await queries.lease_uses(tenant_id, period.first_day, period.end_day):
        charge = rent_charge(lease, period.first_day)
        if charge:
            charges.append(charge)
    for use in await queries.booking_uses(tenant_id, starts_at, ends_at):
        charge = booking_charge(use, rules) if rules else booking_charge(use)
        if charge:
            charges.append(charge)
    billed = await queries.billed_by_booking(tenant_id)
    earlier = period
    for _ in range(ADJUSTMENT_MONTHS):
        earlier = earlier.previous()
        if not await queries.find_statement(tenant_id, earlier.label):
            continue
        e_start, e_end = earlier.bounds(zone)
        for use in await queries.booking_uses(tenant_id, e_start, e_end):
            now = booking_charge(use, rules) if rules else booking_charge(use)
            change = adjustment(None, now, billed.get(use.booking_id, 0), booking_id=use.booking_id,
                                month=earlier.label, facility_kind=use.facility_kind,
                                platform=use.platform)
            if change:
                charges.append(change)
    payer = await queries.payer(tenant_id, period.end_day - timedelta(days=1))
    return MonthLines(tenant_id, period.label, subsidise(charges, payer, billing, policy.version))


async def issue_statement(tenant_id: int, period: Period, now: datetime, zone: ZoneInfo,
                          policy: Policy) -> int | None:
    """Issue the firm's statement for an ended month unless it exists; the new id or None."""
    if await queries.find_statement(tenant_id, period.label):
        return None
    priced = await price_month(tenant_id, period, zone, policy)
    async with transaction():
        new_id = await queries.insert_statement_once(tenant_id, period.label, now, policy.version,
                                                     priced.lines)
    return new_id


async def issue_statements(period: Period, now: datetime, zone: ZoneInfo, policy: Policy) -> int:
    """Every firm's statement for the month; how many were issued by this call."""
    if period.bounds(zone)[1] > now:
        raise ValueError(f"{period.label} has not ended yet")
    issued = 0
    for tenant_id in await queries.tenant_ids():
        if await issue_statement(tenant_id, period, now, zone, policy) is not None:
            issued += 1
    log.info("statements for %s: %d issued", period.label, issued)
    return issued


async def catch_up(now: datetime, zone: ZoneInfo, policy: Policy) -> list[str]:
    """Issue the months that ended since the last issued one (at most CATCH_UP_MONTHS),
    and the month just ended (idempotent: only firms without one get a statement)."""
    latest = period_containing(MONTHLY, now, zone).previous()
    last = await queries.last_issued_month()
    months = [latest]
    if last is not None:
        after = Period(MONTHLY, date(int(last[:4]), int(last[5:7]), 1)).bounds(zone)[1]
        months = periods_ended_between(MONTHLY, after, now, zone, CATCH_UP_MONTHS) or [latest]
    for period in months:
        await issue_statements(period, now, zone, policy)
    return [period.label for period in months]


# --- Reading statements ------------------------------------------------------------


@dataclass(frozen=True)
class StatementView:
    tenant_id: int
    month: str
    status: str
    """issued (stored, never changed) or open (the month so far, or not yet issued)."""
    lines: list[dict]


def _line_row(line: Line) -> dict:
    charge = line.charge
    return {"kind": charge.kind, "rule": charge.rule, "booking": charge.booking_id,
            "lease": charge.lease_id, "detail": charge.detail, "quantity": charge.quantity,
            "unit_price_fen": charge.unit_price_fen, "amount_fen": charge.amount_fen,
            "subsidy_fen": line.subsidy_fen, "due_fen": line.due_fen,
            "subsidy_rules": list(line.subsidy_rules), "policy_version": line.policy_version,
            "facility_kind": charge.facility_kind}


async def read_statement(actor, tenant_id: int | None, month: str | None, now: datetime,
                         zone: ZoneInfo, policy: Policy) -> StatementView:
    """A firm's statement: the issued one, or the month so far. A firm reads only its own."""
    if tenant_id is None:
        tenant_id = actor.tenant_id
    if tenant_id is None:
        raise ValidationFailed.on("tenant_id", "Name the firm: tenant_id.")
    if not actor.is_manager and tenant_id != actor.tenant_id:
        raise Forbidden("A firm reads only its own statements.")
    period = _month(month, period_containing(MONTHLY, now, zone), now, zone)
    stored = await queries.find_statement(tenant_id, period.label)
    if stored is not None:
        return StatementView(tenant_id, period.label, "issued", await queries.statement_lines(stored["id"]))
    priced = await price_month(tenant_id, period, zone, policy)
    return StatementView(tenant_id, period.label, "open", [_line_row(line) for line in priced.lines])


def _month(month: str | None, default: Period, now: datetime, zone: ZoneInfo) -> Period:
    """The month asked for (YYYY-MM), else `default`; a month that has not begun is refused."""
    try:
        period = parse_period(MONTHLY, month, "month") if month else default
    except PeriodError as error:
        raise ValidationFailed.on(error.field, error.message) from None
    if period.bounds(zone)[0] > now:
        raise ValidationFailed.on("month", "%(month)s has not begun.", month=period.label)
    return period


async def statement_months(actor, tenant_id: int, now: datetime, zone: ZoneInfo) -> list[str]:
    """The months a reader can open for the firm: this month so far, then every issued one."""
    if not actor.is_manager and tenant_id != actor.tenant_id:
        raise Forbidden("A firm reads only its own statements.")
    current = period_containing(MONTHLY, now, zone).label
    return [current] + [month for month in await queries.issued_months(tenant_id) if month != current]


@dataclass(frozen=True)
class ParkSummary:
    month: str
    issued: int
    """How many firms' statements the month has; 0 before the 1st of the next month."""
    summary: Summary


async def park_summary(actor, month: str | None, now: datetime, zone: ZoneInfo) -> ParkSummary:
    """Billed, subsidised and due over the month's issued statements (managers only).
    The default is the month that ended last, the latest one that can be issued."""
    require_manager(actor)
    period = _month(month, period_containing(MONTHLY, now, zone).previous(), now, zone)
    lines = await queries.summary_lines(period.label, period.end_day - timedelta(days=1))
    issued = await queries.count_statements(period.label)
    return ParkSummary(period.label, issued, summarise(lines))
