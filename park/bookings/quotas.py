"""Monthly hours per firm per facility kind: the quota a booking must fit, scaled by the policy's tier."""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import Any
from zoneinfo import ZoneInfo

from park.bookings import queries
from park.bookings.rules import quota_violation
from park.facilities.model import FacilitySpec
from park.priority.service import quota_for
from park.shared.errors import QuotaExceeded
from park.shared.timespan import Span


def month_of(instant: datetime, zone: ZoneInfo) -> Span:
    local = instant.astimezone(zone)
    first = datetime(local.year, local.month, 1, tzinfo=zone)
    following = datetime(local.year + (local.month == 12), local.month % 12 + 1, 1, tzinfo=zone)
    return Span(first, following)


async def check_quota(
    tenant_id: int, spec: FacilitySpec, spans: list[Span], zone: ZoneInfo, now: datetime, policy: Any,
    *, exclude_booking: int | None = None,
) -> None:
    """Hours per firm per facility kind per month, scaled by the policy's tier for the firm."""
    if policy is None:
        return
    quota_hours = await quota_for(tenant_id, spec.kind, policy, now, zone)
    by_month: dict[Span, float] = {}
    for span in spans:
        month = month_of(span.starts_at, zone)
        by_month[month] = by_month.get(month, 0.0) + span.duration / timedelta(hours=1)
    for month, requested in sorted(by_month.items()):
        used = await queries.hours_held(tenant_id, spec.kind, month, exclude_booking=exclude_booking)
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
