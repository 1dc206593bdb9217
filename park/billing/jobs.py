"""Scheduled billing work: each firm's statement for the month that ended, with catch-up."""

from __future__ import annotations

from datetime import datetime

from park.priority.service import current_policy
from park.billing.service import catch_up
from park.settings import Settings


async def issue_monthly_statements(now: datetime, settings: Settings) -> list[str]:
    """On the 1st: every firm's statement for the past month, and any month missed."""
    return await catch_up(now, settings.zone, current_policy(settings))
