"""When to retry a failed mail. Pure."""

from __future__ import annotations

from datetime import datetime, timedelta

MAX_ATTEMPTS = 6
BASE_DELAY_S = 60


def next_attempt_after(failed_at: datetime, attempts: int) -> datetime | None:
    """Exponential back-off: 1, 2, 4, 8, 16 minutes; None once the attempts are spent."""
    if attempts >= MAX_ATTEMPTS:
        return None
    return failed_at + timedelta(seconds=BASE_DELAY_S * 2 ** (attempts - 1))
