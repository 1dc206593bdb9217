"""Report periods and report windows in the park's time zone. Pure.

A period is a park-local calendar day, ISO week (Monday start) or month.
Its bounds are the UTC instants of local midnight at either end, so a
daylight-saving day in a zone that has one lasts 23 or 25 hours.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta, timezone
from zoneinfo import ZoneInfo

DAILY = "daily"
WEEKLY = "weekly"
MONTHLY = "monthly"
PERIOD_KINDS = (DAILY, WEEKLY, MONTHLY)

# How each kind's period is written; also what the error message shows.
PERIOD_EXAMPLES = {DAILY: "2026-11-24", WEEKLY: "2026-W48", MONTHLY: "2026-11"}

_DAY_RE = re.compile(r"^(\d{4})-(\d{2})-(\d{2})$")
_WEEK_RE = re.compile(r"^(\d{4})-W(\d{2})$")
_MONTH_RE = re.compile(r"^(\d{4})-(\d{2})$")
# RFC 3339 date-time; the offset group is optional here only so that a
# missing offset can be reported as such rather than as "not a time".
_DATETIME_RE = re.compile(
    r"^\d{4}-\d{2}-\d{2}[Tt ]\d{2}:\d{2}(:\d{2}(\.\d+)?)?(?P<offset>[Zz]|[+-]\d{2}:\d{2})?$"
)


class PeriodError(ValueError):
    """A period or window a user typed that cannot be used; names the field."""

    def __init__(self, field: str, message: str) -> None:
        super().__init__(f"{field}: {message}")
        self.field = field
        self.message = message


@dataclass(frozen=True, order=True)
class Period:
    """One report period: its kind and its first park-local day."""

    kind: str
    first_day: date

    @property
    def end_day(self) -> date:
        """The first local day after the period (exclusive end)."""
        if self.kind == DAILY:
            return self.first_day + timedelta(days=1)
        if self.kind == WEEKLY:
            return self.first_day + timedelta(days=7)
        year, month = self.first_day.year, self.first_day.month
        return date(year + month // 12, month % 12 + 1, 1)

    @property
    def label(self) -> str:
        """The period as written in the contract: 2026-11-24, 2026-W48, 2026-11."""
        if self.kind == DAILY:
            return self.first_day.isoformat()
        if self.kind == WEEKLY:
            iso_year, iso_week, _ = self.first_day.isocalendar()
            return f"{iso_year:04d}-W{iso_week:02d}"
        return f"{self.first_day.year:04d}-{self.first_day.month:02d}"

    def bounds(self, zone: ZoneInfo) -> tuple[datetime, datetime]:
        """The period as UTC instants `[start, end)`."""
        return local_midnight(self.first_day, zone), local_midnight(self.end_day, zone)

    def next(self) -> Period:
        return Period(self.kind, self.end_day)

    def previous(self) -> Period:
        return period_of_day(self.kind, self.first_day - timedelta(days=1))

    def __str__(self) -> str:
        return self.label


def local_midnight(day: date, zone: ZoneInfo) -> datetime:
    """The UTC instant at which `day` begins in `zone`.

    Where midnight itself is skipped by a clock change, fold=0 resolves it
    with the offset in force before the change, which lands on the first
    instant that exists on that day.
    """
    return datetime.combine(day, time(0), tzinfo=zone).astimezone(timezone.utc)


def period_of_day(kind: str, day: date) -> Period:
    """The period of `kind` that contains the local date `day`."""
    _check_kind(kind)
    if kind == DAILY:
        return Period(DAILY, day)
    if kind == WEEKLY:
        return Period(WEEKLY, day - timedelta(days=day.weekday()))
    return Period(MONTHLY, day.replace(day=1))


def period_containing(kind: str, instant: datetime, zone: ZoneInfo) -> Period:
    """The period of `kind` in which the aware `instant` falls, in the park's zone."""
    _check_aware(instant, "instant")
    return period_of_day(kind, instant.astimezone(zone).date())


def parse_period(kind: str, text: str, field: str = "period") -> Period:
    """Read a period as written for its kind; anything else is a `PeriodError`."""
    _check_kind(kind, field="kind")
    text = (text or "").strip()
    example = PERIOD_EXAMPLES[kind]
    wrong = PeriodError(field, f"a {kind} period is written like {example}, not {text!r}")
    try:
        if kind == DAILY:
            match = _DAY_RE.match(text)
            if not match:
                raise wrong
            return Period(DAILY, date(*(int(part) for part in match.groups())))
        if kind == WEEKLY:
            match = _WEEK_RE.match(text)
            if not match:
                raise wrong
            year, week = (int(part) for part in match.groups())
            return Period(WEEKLY, date.fromisocalendar(year, week, 1))
        match = _MONTH_RE.match(text)
        if not match:
            raise wrong
        year, month = (int(part) for part in match.groups())
        return Period(MONTHLY, date(year, month, 1))
    except ValueError as exc:
        if isinstance(exc, PeriodError):
            raise
        # A well-formed but impossible value: 2026-02-30, 2026-W54, 2026-13.
        raise PeriodError(field, f"{text!r} is not a {kind} period that exists") from exc


def periods_ended_between(
    kind: str,
    after: datetime,
    now: datetime,
    zone: ZoneInfo,
    limit: int | None = None,
) -> list[Period]:
    """Periods of `kind` whose end lies in `(after, now]`, oldest first.

    This is the catch-up list after downtime: `after` is the end of the last
    period produced. With `limit`, only the most recent `limit` are kept, so
    that a scheduler returning after a long absence does not flood the outbox.
    """
    _check_aware(after, "after")
    _check_aware(now, "now")
    found: list[Period] = []
    if now <= after:
        return found
    # The newest period that has ended by `now` is the one before the current.
    newest = period_containing(kind, now, zone).previous()
    period = newest
    while True:
        _, end = period.bounds(zone)
        if end <= after:
            break
        if end <= now:
            found.append(period)
        if limit is not None and len(found) >= limit:
            break
        period = period.previous()
    found.reverse()
    return found


@dataclass(frozen=True)
class Window:
    """A report window `[starts_at, ends_at)` in UTC."""

    starts_at: datetime
    ends_at: datetime

    @property
    def hours(self) -> float:
        return (self.ends_at - self.starts_at).total_seconds() / 3600


WINDOW_YEARS = (1970, 2199)
"""The years a report window may touch (inclusive)."""


def parse_window_bound(text: str, zone: ZoneInfo, field: str) -> datetime:
    """Read one end of a report window: an RFC 3339 time with an offset, or a
    date meaning park-local midnight. Returns a UTC instant."""
    text = (text or "").strip()
    if not text:
        raise PeriodError(field, "is required: a date like 2026-11-24 or a time with an offset")
    if _DAY_RE.match(text):
        try:
            day = date.fromisoformat(text)
        except ValueError as exc:
            raise PeriodError(field, f"{text!r} is not a date that exists") from exc
        _check_year(day.year, field)
        return local_midnight(day, zone)
    match = _DATETIME_RE.match(text)
    if not match:
        raise PeriodError(
            field, f"{text!r} is neither a date (2026-11-24) nor an RFC 3339 time"
        )
    if match.group("offset") is None:
        raise PeriodError(
            field, "a time must carry a UTC offset, e.g. 2026-11-24T09:00:00+08:00"
        )
    normalised = text[:-1] + "+00:00" if text[-1] in "Zz" else text
    try:
        value = datetime.fromisoformat(normalised)
    except ValueError as exc:
        raise PeriodError(field, f"{text!r} is not a time that exists") from exc
    _check_year(value.year, field)
    return value.astimezone(timezone.utc)


def _check_year(year: int, field: str) -> None:
    # Dates at the calendar's ends overflow once shifted into a time zone or a day further.
    if not WINDOW_YEARS[0] <= year <= WINDOW_YEARS[1]:
        raise PeriodError(field, f"must lie between the years {WINDOW_YEARS[0]} and {WINDOW_YEARS[1]}")


def parse_window(
    from_text: str,
    to_text: str,
    zone: ZoneInfo,
    max_days: int | None = 400,
) -> Window:
    """Read a report window from the `from` and `to` query values (`to` exclusive)."""
    starts_at = parse_window_bound(from_text, zone, "from")
    ends_at = parse_window_bound(to_text, zone, "to")
    if ends_at <= starts_at:
        raise PeriodError("to", "must be later than from")
    # A cap keeps one request from asking the database for decades of data.
    if max_days is not None and ends_at - starts_at > timedelta(days=max_days):
        raise PeriodError("to", f"a report window may span at most {max_days} days")
    return Window(starts_at, ends_at)


def _check_kind(kind: str, field: str = "kind") -> None:
    if kind not in PERIOD_KINDS:
        raise PeriodError(field, f"must be one of {', '.join(PERIOD_KINDS)}, not {kind!r}")


def _check_aware(value: datetime, field: str) -> None:
    if value.tzinfo is None or value.utcoffset() is None:
        raise ValueError(f"{field} must be an aware datetime")
