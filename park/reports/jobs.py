"""Scheduled report work: the daily, weekly and monthly snapshots, with catch-up."""

from __future__ import annotations

from datetime import datetime

from park.reports.day_sums import fold_changes
from park.reports.periods import DAILY, MONTHLY, WEEKLY
from park.reports.snapshots import Produced, catch_up
from park.settings import Settings


async def _snapshots(kind: str, now: datetime, settings: Settings) -> list[Produced]:
    return await catch_up(kind, now, settings.zone, settings.base_url)


async def daily_snapshot(now: datetime, settings: Settings) -> list[Produced]:
    """The day that ended, and any day missed while no scheduler ran."""
    return await _snapshots(DAILY, now, settings)


async def weekly_snapshot(now: datetime, settings: Settings) -> list[Produced]:
    """The ISO week that ended (Monday to Sunday), and any missed."""
    return await _snapshots(WEEKLY, now, settings)


async def monthly_snapshot(now: datetime, settings: Settings) -> list[Produced]:
    """The month that ended, and any missed."""
    return await _snapshots(MONTHLY, now, settings)


async def fold_report_sums(now: datetime, settings: Settings) -> int:
    """Fold the booking changes logged since the last run into the per-day report sums."""
    return await fold_changes(settings.zone)
