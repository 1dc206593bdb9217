"""Snapshot use cases: a period's report produced once (and mailed to the managers), catching up missed periods, listing."""

from __future__ import annotations

import logging
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any
from zoneinfo import ZoneInfo

from park.reports import day_sums, queries
from park.reports import snapshot_queries
from park.reports import space_queries
from park.reports.occupancy import FACILITY_GROUPINGS, BookedGroup, BookingRates, OccupancyReport, occupancy_report
from park.reports.periods import (
    DAILY,
    MONTHLY,
    PERIOD_KINDS,
    WEEKLY,
    Period,
    Window,
    period_containing,
    periods_ended_between,
)
from park.shared.db import transaction
from park.shared.errors import ValidationFailed
from park.reports.service import (
    LEASES_ENDING_WITHIN_DAYS,
    build_space_report,
    build_time_profile,
    open_facilities,
    period_from_text,
    profile_step,
    regroup,
    space_json,
)

log = logging.getLogger("park.reports")


# How many missed periods of each kind a returning scheduler produces at most.
CATCH_UP_LIMITS = {DAILY: 31, WEEKLY: 8, MONTHLY: 3}


async def snapshot_data(period: Period, zone: ZoneInfo, from_sums: bool = True) -> dict[str, Any]:
    """Every figure a snapshot keeps, computed from the database now.

    The booked figures come from the per-day sums (park.reports.day_sums, brought up to
    date first), or with `from_sums=False` from every booking of the period: the same figures.
    """
    starts_at, ends_at = period.bounds(zone)
    window = Window(starts_at, ends_at)
    opened = await open_facilities(window, zone)
    facilities = [item.facility for item in opened]
    step = profile_step(window, zone)
    figures = await (
        day_sums.summed_figures(starts_at, ends_at, step, zone) if from_sums
        else day_sums.raw_figures(starts_at, ends_at, step)
    )
    by_facility = figures.by_facility
    groups: dict[str, OccupancyReport] = {}
    for group_by in FACILITY_GROUPINGS:
        booked = (
            by_facility if group_by == "facility" else await regroup(by_facility, opened, group_by)
        )
        groups[group_by] = occupancy_report(group_by, starts_at, ends_at, facilities, booked)
    by_tenant = figures.by_tenant
    groups["tenant"] = occupancy_report("tenant", starts_at, ends_at, facilities, by_tenant)
    sectors = await queries.tenant_sectors()
    by_sector = [
        BookedGroup(sectors.get(group.key, ""), sectors.get(group.key, ""), group.seat_hours, by_kind=group.by_kind)
        for group in by_tenant
    ]
    groups["sector"] = occupancy_report("sector", starts_at, ends_at, facilities, by_sector)
    profile = await build_time_profile(window, zone, opened, steps=figures.steps)
    rates = BookingRates(figures.statuses)
    # Space is read on the period's last day: what was leased as it closed.
    last_day = period.end_day - timedelta(days=1)
    space = await build_space_report(last_day)
    ending = await space_queries.leases_ending(last_day, LEASES_ENDING_WITHIN_DAYS)
    unmet = await space_queries.unmet_demand()
    busiest = profile.heat.busiest()
    return {
        "kind": period.kind,
        "period": period.label,
        "from": starts_at.isoformat(),
        "to": ends_at.isoformat(),
        "totals": groups["facility"].totals.as_dict(),
        **{f"by_{name}": [row.as_dict() for row in report.rows] for name, report in groups.items()},
        "heat_map": profile.heat.as_dict(),
        "busiest": None if busiest is None else {"weekday": busiest[0], "hour": busiest[1]},
        "daily": profile.daily,
        "rates": rates.as_dict(),
        "space": space_json(last_day, space),
        "leases_ending": [
            {
                "lease_id": lease.lease_id,
                "unit": lease.unit_code,
                "building": lease.building_name,
                "building_en": lease.building_name_en,
                "tenant_id": lease.tenant_id,
                "tenant": lease.tenant_name,
                "tenant_en": lease.tenant_name_en,
                "area_m2": lease.area_m2,
                "ends_on": lease.ends_on.isoformat(),
            }
            for lease in ending
        ],
        "unmet_demand": [
            {
                "unit_kind": item.unit_kind,
                "applications": item.applications,
                "min_area_m2": item.min_area_m2,
                "max_area_m2": item.max_area_m2,
            }
            for item in unmet
        ],
    }


@dataclass(frozen=True)
class Produced:
    snapshot: snapshot_queries.SnapshotRecord
    created: bool  # False: it existed already (made earlier or by another process)


async def produce_snapshot(
    kind: str, period: str | Period, now: datetime, zone: ZoneInfo, base_url: str = ""
) -> Produced:
    """Make the snapshot of one period unless it exists; mail the managers when made.

    Idempotent: the unique (kind, period) index decides between racing
    producers, and the mails are written in the same transaction as the
    winning insert, so they go out once.
    """
    if kind not in PERIOD_KINDS:
        raise ValidationFailed.on("kind", "Use one of: %(choices)s.", choices=', '.join(PERIOD_KINDS))
    chosen = period if isinstance(period, Period) else period_from_text(kind, period)
    existing = await snapshot_queries.find_snapshot(kind, chosen.label)
    if existing is not None:
        return Produced(existing, created=False)
    starts_at, ends_at = chosen.bounds(zone)
    if ends_at > now:
        raise ValidationFailed.on(
            "period", "%(period)s has not ended yet; a snapshot is made once it has.", period=chosen.label
        )
    data = await snapshot_data(chosen, zone)
    async with transaction():
        new_id = await snapshot_queries.insert_snapshot_once(
            kind, chosen.label, starts_at, ends_at, now, data
        )
        if new_id is not None:
            await _mail_managers(new_id, chosen, data, now, zone, base_url)
    snapshot = await snapshot_queries.find_snapshot(kind, chosen.label)
    assert snapshot is not None  # inserted above, by us or by a racing producer
    if new_id is not None:
        log.info("report snapshot %s %s produced (id %s)", kind, chosen.label, new_id)
    return Produced(snapshot, created=new_id is not None)


async def _mail_managers(
    snapshot_id: int,
    period: Period,
    data: dict[str, Any],
    now: datetime,
    zone: ZoneInfo,
    base_url: str,
) -> None:
    from park.notifications.service import enqueue, manager_recipients
    from park.reports.mail import snapshot_mail

    link = f"{base_url.rstrip('/')}/reports/snapshots/{snapshot_id}"
    for email, locale in await manager_recipients():
        subject, body = snapshot_mail(period, data, link, locale or "zh_Hans")
        await enqueue("report.snapshot", email, subject, body, now)


async def catch_up(kind: str, now: datetime, zone: ZoneInfo, base_url: str = "") -> list[Produced]:
    """Produce every period of `kind` that ended since the last snapshot, each once.

    The scheduled job and the start-up catch-up are the same call: on time it
    finds one period; after downtime, the missed ones (at most the limit).
    With no snapshot yet, only the latest ended period is made.
    """
    last_end = await snapshot_queries.last_snapshot_end(kind)
    if last_end is None:
        latest = period_containing(kind, now, zone).previous()
        missed = [latest]
    else:
        missed = periods_ended_between(kind, last_end, now, zone, CATCH_UP_LIMITS[kind])
    return [await produce_snapshot(kind, period, now, zone, base_url) for period in missed]


async def snapshot_list(kind: str, limit: int, offset: int) -> tuple[list[snapshot_queries.SnapshotRecord], int]:
    if kind and kind not in PERIOD_KINDS:
        raise ValidationFailed.on("kind", "Use one of: %(choices)s.", choices=', '.join(PERIOD_KINDS))
    return await snapshot_queries.list_snapshots(kind, limit, offset)
