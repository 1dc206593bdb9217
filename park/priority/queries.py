"""Database reads for the priority policy: the facts it scores a firm on, the versions published."""

from __future__ import annotations

from datetime import date, datetime, timedelta
from typing import Any

from park.priority.model import TenantFacts
from park.priority.tables import PublishedPolicy
from park.shared.db import fetch
from park.tenants.tables import QualificationRecord, Tenant

# No-shows are counted over this look-back when scoring a firm.
NO_SHOW_LOOKBACK = timedelta(days=91)

# Bookings a firm was due to turn up to (and those it did not), counted for the no-show penalty.
_DUE_STATUSES = "('checked_in', 'completed', 'no_show')"


async def tenant_facts(tenant_id: int, today: date, now: datetime) -> TenantFacts:
    """What the priority policy reads about a firm, its qualifications as valid on `today`.

    On the booking path (quota tiers), so hand-written SQL: one statement, a row per
    qualification (or one with NULLs), each carrying the firm's figures and its recent counts.
    """
    return tenant_facts_of(await fetch(tenant_facts_sql(), *tenant_facts_args(tenant_id, now)), today)


def tenant_facts_sql(extra_columns: str = "") -> str:
    """`tenant_facts`' statement (parameters `tenant_facts_args`, $1 to $4); `extra_columns`, from
    parameters $5 on, join its select list: the booking path reads its quota hours in the same trip."""
    return (
        "SELECT t.sector, t.staff_count, t.rd_staff_count, t.ip_count, q.kind, q.valid_until, c.due, c.no_shows"
        f"{', ' + extra_columns if extra_columns else ''} "
        "FROM tenant t CROSS JOIN ("
        "  SELECT COUNT(*) AS due, COALESCE(SUM(CASE WHEN status = 'no_show' THEN 1 ELSE 0 END), 0) AS no_shows "
        "  FROM booking WHERE tenant = $1 AND starts_at >= $2 AND starts_at < $3 "
        f"  AND status IN {_DUE_STATUSES}"
        ") c LEFT JOIN qualification_record q ON q.tenant = t.id WHERE t.id = $4"
    )


def tenant_facts_args(tenant_id: int, now: datetime) -> tuple[Any, ...]:
    return tenant_id, now - NO_SHOW_LOOKBACK, now, tenant_id  # $1 twice would break the pool-less path


def tenant_facts_of(rows: list[dict[str, Any]], today: date) -> TenantFacts:
    """The facts in the rows of `tenant_facts_sql`."""
    if not rows:
        return TenantFacts()
    tenant = counts = rows[0]
    qualifications = frozenset(
        r["kind"] for r in rows if r["kind"] is not None and (r["valid_until"] is None or r["valid_until"] >= today)
    )
    return TenantFacts(
        sector=tenant["sector"],
        qualifications=qualifications,
        staff_count=tenant["staff_count"],
        rd_staff_count=tenant["rd_staff_count"],
        ip_count=tenant["ip_count"],
        no_show_count=int(counts["no_shows"] or 0),
        bookings_due_count=int(counts["due"] or 0),
    )


async def tenant_facts_many(tenant_ids: list[int], today: date, now: datetime) -> dict[int, TenantFacts]:
    """`tenant_facts` for many firms in a few queries (a round rescoring thousands of applications)."""
    ids = sorted(set(tenant_ids))
    tenants: dict[int, dict[str, Any]] = {}
    qualifications: dict[int, set[str]] = {}
    no_shows: dict[int, int] = {}
    due: dict[int, int] = {}
    since = now - NO_SHOW_LOOKBACK
    for start in range(0, len(ids), 500):
        chunk = ids[start : start + 500]
        for row in await Tenant.select().where(Tenant.id.is_in(chunk)):
            tenants[row["id"]] = row
        records = await QualificationRecord.select(
            QualificationRecord.tenant, QualificationRecord.kind, QualificationRecord.valid_until
        ).where(QualificationRecord.tenant.is_in(chunk))
        for record in records:
            if record["valid_until"] is None or record["valid_until"] >= today:
                qualifications.setdefault(record["tenant"], set()).add(record["kind"])
        marks = ", ".join(f"${i}" for i in range(3, len(chunk) + 3))
        counted = await fetch(
            "SELECT tenant, COUNT(*) AS due, COALESCE(SUM(CASE WHEN status = 'no_show' THEN 1 ELSE 0 END), 0) AS no_shows "
            f"FROM booking WHERE starts_at >= $1 AND starts_at < $2 AND tenant IN ({marks}) "
            f"AND status IN {_DUE_STATUSES} GROUP BY tenant",
            since, now, *chunk,
        )
        for row in counted:
            due[row["tenant"]] = int(row["due"] or 0)
            no_shows[row["tenant"]] = int(row["no_shows"] or 0)
    facts = {}
    for tenant_id in ids:
        tenant = tenants.get(tenant_id)
        if tenant is None:
            facts[tenant_id] = TenantFacts()
            continue
        facts[tenant_id] = TenantFacts(
            sector=tenant["sector"],
            qualifications=frozenset(qualifications.get(tenant_id, ())),
            staff_count=tenant["staff_count"],
            rd_staff_count=tenant["rd_staff_count"],
            ip_count=tenant["ip_count"],
            no_show_count=no_shows.get(tenant_id, 0),
            bookings_due_count=due.get(tenant_id, 0),
        )
    return facts


async def published_version_exists(version: str) -> bool:
    return await PublishedPolicy.exists().where(PublishedPolicy.version == version)


async def insert_published(values: dict[str, Any]) -> None:
    """Keep a version; a second process publishing the same one at once is a no-op."""
    await PublishedPolicy.insert(PublishedPolicy(**values)).on_conflict(action="DO NOTHING")


async def published_versions() -> list[dict[str, Any]]:
    """Every published version, oldest first."""
    return await PublishedPolicy.select().order_by(PublishedPolicy.first_seen_at).order_by(PublishedPolicy.id).output(load_json=True)


async def published_policy(version: str) -> dict[str, Any] | None:
    return await PublishedPolicy.select().where(PublishedPolicy.version == version).first().output(load_json=True)
