"""Scheduled report work: the daily, weekly and monthly snapshots, with catch-up."""

from __future__ import annotations

from datetime import datetime

from park.reports.periods import DAILY, MONTHLY, WEEKLY
from park.reports.snapshots import Produced, catch_up
from park.settings import load_settings


async def _snapshots(kind: str, now: datetime) -> list[Produced]:
    settings = load_settings()
    return await catch_up(kind, now, settings.zone, settings.base_url)


async def daily_snapshot(now: datetime) -> list[Produced]:
    """The day that ended, and any day missed while no scheduler ran."""
    return await _snapshots(DAILY, now)


async def weekly_snapshot(now: datetime) -> list[Produced]:
    """The ISO week that ended (Monday to Sunday), and any missed."""
    return await _snapshots(WEEKLY, now)


async def monthly_snapshot(now: datetime) -> list[Produced]:
    """The month that ended, and any missed."""
    return await _snapshots(MONTHLY, now)
