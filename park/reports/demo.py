"""Demo step: the snapshots a scheduler would have made over the demo season so far."""

from __future__ import annotations

from typing import Any

from park.reports.periods import DAILY, MONTHLY, WEEKLY, period_containing
from park.reports.snapshots import produce_snapshot
from park.settings import load_settings

# How many past periods of each kind the demo shows in its snapshot list.
DEMO_PERIODS = {DAILY: 7, WEEKLY: 4, MONTHLY: 2}


async def load(ctx: Any) -> None:
    """Snapshots of the last days, weeks and months, oldest first (mailed like real ones)."""
    base_url = load_settings().base_url
    for kind, count in DEMO_PERIODS.items():
        periods = []
        period = period_containing(kind, ctx.now, ctx.zone).previous()
        for _ in range(count):
            periods.append(period)
            period = period.previous()
        for period in reversed(periods):
            await produce_snapshot(kind, period, ctx.now, ctx.zone, base_url)
