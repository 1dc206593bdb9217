"""Scheduled billing work: each firm's statement for the month that ended, with catch-up."""

from __future__ import annotations

from datetime import datetime

from park.priority.service import current_policy
from park.billing.service import catch_up
from park.settings import load_settings


async def issue_monthly_statements(now: datetime) -> list[str]:
    """On the 1st: every firm's statement for the past month, and any month missed."""
    settings = load_settings()
    return await catch_up(now, settings.zone, current_policy(settings))
