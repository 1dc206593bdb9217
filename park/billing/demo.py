"""Demo step: the month that ended is issued, so every demo firm has a statement to read."""

from __future__ import annotations

from park.priority.service import current_policy
from park.billing.service import catch_up
from park.settings import load_settings


async def load(ctx) -> None:
    await catch_up(ctx.now, ctx.zone, current_policy(load_settings()))
