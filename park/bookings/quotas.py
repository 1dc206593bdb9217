"""Monthly hours per firm per facility kind: the quota a booking must fit, scaled by the policy's tier."""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import Any
from zoneinfo import ZoneInfo

from park.bookings import queries
from park.bookings.rules import quota_violation
from park.facilities.model import FACILITY_KINDS, FacilitySpec
from park.priority.rules import monthly_quota_hours, score_tenant
from park.priority.service import current_policy, tenant_score
from park.settings import Settings
from park.shared.errors import QuotaExceeded
from park.shared.timespan import Span


def month_of(instant: datetime, zone: ZoneInfo) -> Span:
    local = instant.astimezone(zone)
    first = datetime(local.year, local.month, 1, tzinfo=zone)
    following = datetime(local.year + (local.month == 12), local.month % 12 + 1, 1, tzinfo=zone)
    return Span(first, following)


def hours_by_month(spans: list[Span], zone: ZoneInfo) -> dict[Span, float]:
    """The hours `spans` ask for, by the park-local month each starts in (months in order)."""
    by_month: dict[Span, float] = {}
    for span in spans:
        month = month_of(span.starts_at, zone)
        by_month[month] = by_month.get(month, 0.0) + span.duration / timedelta(hours=1)
    return dict(sorted(by_month.items()))


async def check_quota(
    tenant_id: int, spec: FacilitySpec, spans: list[Span], zone: ZoneInfo, now: datetime, policy: Any,
    *, exclude_booking: int | None = None,
) -> None:
    """Hours per firm per facility kind per month, scaled by the policy's tier for the firm.

    Inside the booking's transaction, after the firm's lock: its facts and its hours in each
    month come in one round trip (`queries.quota_reads`).
    """
    if policy is None:
        return
    asked = hours_by_month(spans, zone)
    facts, held = await queries.quota_reads(
        tenant_id, spec.kind, list(asked), now.astimezone(zone).date(), now, exclude_booking=exclude_booking)
    refuse_over_quota(spec, policy, facts, held, asked, zone)


def refuse_over_quota(
    spec: FacilitySpec, policy: Any, facts: Any, held: list[float], asked: dict[Span, float], zone: ZoneInfo
) -> None:
    """QuotaExceeded if the hours `asked` per month, beside the `held` ones, pass the firm's quota for
    the facility's kind (the tier `park.priority.service.quota_for` gives: the one a round would score the firm at)."""
    quota_hours = float(monthly_quota_hours(policy, score_tenant(facts, policy).points, spec.kind))
    for (month, requested), used in zip(asked.items(), held):
        violation = quota_violation(used, requested, quota_hours, spec.kind)
        if violation is not None:
            raise QuotaExceeded(
                violation.template,
                params=dict(violation.params),
                violations=[violation],
                extra={
                    "hours_used": round(used, 2),
                    "hours_left": round(max(quota_hours - used, 0.0), 2),
                    "quota_hours": quota_hours,
                    "month": month.starts_at.astimezone(zone).strftime("%Y-%m"),
                },
            )


async def quota_balance(
    tenant_id: int, policy: Any, now: datetime, zone: ZoneInfo, kinds: tuple[str, ...] = FACILITY_KINDS
) -> list[dict[str, Any]]:
    """This month's hours per facility kind for the firm: its quota, what it holds, what is left."""
    if policy is None:
        return []
    score = await tenant_score(tenant_id, policy, now, zone)
    month = month_of(now, zone)
    balance = []
    for kind in kinds:
        quota = float(monthly_quota_hours(policy, score.points, kind))
        used = await queries.hours_held(tenant_id, kind, month)
        balance.append({"kind": kind, "quota_hours": quota, "used_hours": round(used, 2),
                        "left_hours": round(max(quota - used, 0.0), 2),
                        "month": month.starts_at.astimezone(zone).strftime("%Y-%m")})
    return balance


async def firm_quota_balance(tenant_id: int, settings: Settings, now: datetime) -> list[dict[str, Any]]:
    """`quota_balance` under the policy in force: what the firm pages show (wired in `park.app`)."""
    return await quota_balance(tenant_id, current_policy(settings), now, settings.zone)
