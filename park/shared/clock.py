"""Clock and time-zone helpers. The only place that reads the wall clock."""

from __future__ import annotations

from datetime import datetime, timezone


def utc_now() -> datetime:
    """The current instant, aware, in UTC."""
    return datetime.now(timezone.utc)


def require_aware(value: datetime, field: str = "time") -> datetime:
    """Return `value` in UTC; a naive datetime is a programming error here."""
    if value.tzinfo is None or value.utcoffset() is None:
        raise ValueError(f"{field} must carry a UTC offset")
    return value.astimezone(timezone.utc)
