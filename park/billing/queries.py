"""Database reads and writes for charges and statements, rows ↔ model."""

from __future__ import annotations

import json
from datetime import date, datetime

from park.allocation.tables import Lease
from park.billing.model import BookingUse, LeaseUse, Line, Payer
from park.billing.summary import SummaryLine
from park.billing.tables import Statement, StatementLine
from park.bookings.tables import Booking
from park.shared.db import fetch
from park.shared.dialect import instant
from park.tenants.tables import QualificationRecord, Tenant


async def tenant_ids() -> list[int]:
    return [row["id"] for row in await Tenant.select(Tenant.id).order_by(Tenant.id)]


async def payer(tenant_id: int, on: date) -> Payer:
    row = await Tenant.select(Tenant.id, Tenant.sector).where(Tenant.id == tenant_id).first()
    records = await QualificationRecord.select(QualificationRecord.kind, QualificationRecord.valid_until).where(
        QualificationRecord.tenant == tenant_id
    )
    kinds = frozenset(r["kind"] for r in records if r["valid_until"] is None or r["valid_until"] >= on)
    return Payer(tenant_id, row["sector"] if row else None, kinds)


async def booking_uses(tenant_id: int, starts_at: datetime, ends_at: datetime) -> list[BookingUse]:
    """The firm's bookings that start in `[starts_at, ends_at)`, with their facility's terms."""
    rows = await Booking.select(
        Booking.id, Booking.tenant, Booking.starts_at, Booking.ends_at, Booking.seats,
        Booking.status, Booking.cancelled_at, Booking.facility.name, Booking.facility.name_en, Booking.facility.kind,
        Booking.facility.platform, Booking.facility.capacity, Booking.facility.hourly_rate_fen,
        Booking.facility.cancel_cutoff_minutes,
    ).where(
        (Booking.tenant == tenant_id) & (Booking.starts_at >= starts_at) & (Booking.starts_at < ends_at)
    ).order_by(Booking.starts_at)
    return [
        BookingUse(
            booking_id=r["id"], tenant_id=r["tenant"], facility_name=r["facility.name"],
            facility_kind=r["facility.kind"], platform=r["facility.platform"] or "",
            capacity=r["facility.capacity"], hourly_rate_fen=r["facility.hourly_rate_fen"],
            cancel_cutoff_minutes=r["facility.cancel_cutoff_minutes"], starts_at=r["starts_at"],
            ends_at=r["ends_at"], seats=r["seats"], status=r["status"], cancelled_at=r["cancelled_at"],
            facility_name_en=r["facility.name_en"] or "",
        )
        for r in rows
    ]


async def lease_uses(tenant_id: int, first_day: date, end_day: date) -> list[LeaseUse]:
    rows = await Lease.select(
        Lease.id, Lease.tenant, Lease.starts_on, Lease.ends_on, Lease.unit.code, Lease.unit.kind,
        Lease.unit.monthly_rent_fen,
    ).where((Lease.tenant == tenant_id) & (Lease.starts_on < end_day) & (Lease.ends_on > first_day))
    return [
        LeaseUse(r["id"], r["tenant"], r["unit.code"], r["unit.kind"], r["unit.monthly_rent_fen"],
                 r["starts_on"], r["ends_on"])
        for r in rows
    ]


async def billed_by_booking(tenant_id: int) -> dict[int, int]:
    """What each booking has been billed in all the firm's issued statements (fen)."""
    rows = await fetch(
        "SELECT l.booking AS booking, SUM(l.amount_fen) AS amount FROM statement_line l "
        "JOIN statement s ON s.id = l.statement WHERE s.tenant = $1 AND l.booking IS NOT NULL "
        "GROUP BY l.booking",
        tenant_id,
    )
    return {int(r["booking"]): int(r["amount"]) for r in rows}


async def find_statement(tenant_id: int, month: str) -> dict | None:
    return await Statement.select().where((Statement.tenant == tenant_id) & (Statement.month == month)).first()


async def statement_lines(statement_id: int) -> list[dict]:
    return await StatementLine.select().where(StatementLine.statement == statement_id).order_by(
        StatementLine.position
    ).output(load_json=True)


LINE_COLUMNS = ("statement", "position", "kind", "rule", "booking", "lease", "facility_kind", "detail",
                "quantity", "unit_price_fen", "amount_fen", "subsidy_fen", "due_fen", "subsidy_rules",
                "policy_version")
# One multi-row INSERT per this many lines: a statement of hundreds of lines in a few round trips,
# within SQLite's limit on parameters per statement.
LINES_PER_INSERT = 500


async def insert_statement_once(tenant_id: int, month: str, now: datetime, version: str,
                                lines: list[Line]) -> int | None:
    """Insert the statement unless (tenant, month) exists; its id, or None when another issuer won.

    ON CONFLICT DO NOTHING leaves the transaction usable on PostgreSQL.
    """
    amount = sum(line.charge.amount_fen for line in lines)
    subsidy = sum(line.subsidy_fen for line in lines)
    rows = await fetch(
        "INSERT INTO statement (tenant, month, status, issued_at, policy_version, amount_fen, "
        f"subsidy_fen, due_fen) VALUES ($1, $2, $3, {instant('$4')}, $5, $6, $7, $8) "
        "ON CONFLICT (tenant, month) DO NOTHING RETURNING id",
        tenant_id, month, "issued", now, version, amount, subsidy, amount - subsidy,
    )
    if not rows:
        return None
    statement_id = int(rows[0]["id"])
    for start in range(0, len(lines), LINES_PER_INSERT):
        chunk = lines[start:start + LINES_PER_INSERT]
        values = []
        for n, line in enumerate(chunk, start=start):
            charge = line.charge
            values.extend((statement_id, n, charge.kind, charge.rule, charge.booking_id, charge.lease_id,
                           charge.facility_kind, json.dumps(charge.detail, ensure_ascii=False), charge.quantity,
                           charge.unit_price_fen, charge.amount_fen, line.subsidy_fen, line.due_fen,
                           json.dumps(list(line.subsidy_rules)), line.policy_version))
        width = len(LINE_COLUMNS)
        rows_sql = ", ".join(
            "(" + ", ".join(f"${r * width + c + 1}" for c in range(width)) + ")" for r in range(len(chunk))
        )
        await fetch(f"INSERT INTO statement_line ({', '.join(LINE_COLUMNS)}) VALUES {rows_sql}", *values)
    return statement_id


async def last_issued_month() -> str | None:
    rows = await fetch("SELECT MAX(month) AS month FROM statement")
    return rows[0]["month"] if rows and rows[0]["month"] else None


async def issued_months(tenant_id: int) -> list[str]:
    """The months the firm has an issued statement for, latest first."""
    rows = await Statement.select(Statement.month).where(Statement.tenant == tenant_id).order_by(
        Statement.month, ascending=False
    )
    return [row["month"] for row in rows]


async def summary_lines(month: str, on: date) -> list[SummaryLine]:
    """Every issued line of `month` with its firm's sector and the qualifications it held on `on`."""
    rows = await fetch(
        "SELECT s.tenant AS tenant, t.sector AS sector, l.kind AS kind, l.facility_kind AS facility_kind, "
        "l.amount_fen AS amount_fen, l.subsidy_fen AS subsidy_fen FROM statement_line l "
        "JOIN statement s ON s.id = l.statement JOIN tenant t ON t.id = s.tenant WHERE s.month = $1",
        month,
    )
    tenants = sorted({int(row["tenant"]) for row in rows})
    held: dict[int, set[str]] = {tenant: set() for tenant in tenants}
    if tenants:
        records = await QualificationRecord.select(
            QualificationRecord.tenant, QualificationRecord.kind, QualificationRecord.valid_until
        ).where(QualificationRecord.tenant.is_in(tenants))
        for record in records:
            if record["valid_until"] is None or record["valid_until"] >= on:
                held[record["tenant"]].add(record["kind"])
    return [
        SummaryLine(int(row["tenant"]), row["sector"], frozenset(held[int(row["tenant"])]), row["kind"],
                    row["facility_kind"] or "", int(row["amount_fen"]), int(row["subsidy_fen"]))
        for row in rows
    ]


async def tenant_names(tenant_ids: list[int]) -> dict[int, dict]:
    if not tenant_ids:
        return {}
    rows = await Tenant.select(Tenant.id, Tenant.name, Tenant.name_en).where(Tenant.id.is_in(tenant_ids))
    return {row["id"]: row for row in rows}


async def count_statements(month: str) -> int:
    return await Statement.count().where(Statement.month == month)


async def tenant_choices() -> list[dict]:
    """Every firm, by name, for a manager's picker."""
    return await Tenant.select(Tenant.id, Tenant.name, Tenant.name_en).order_by(Tenant.name)
