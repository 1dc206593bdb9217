"""Weekly opening hours: parsing, validation and open spans in UTC. Pure."""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta, timezone
from typing import Any, Mapping
from zoneinfo import ZoneInfo

from park.shared.labels import N_
from park.shared.timespan import Span, merge_spans

WEEKDAYS: tuple[str, ...] = ("mon", "tue", "wed", "thu", "fri", "sat", "sun")

_TIME = re.compile(r"^([01]\d|2[0-4]):([0-5]\d)$")


class HoursError(ValueError):
    """Opening hours that cannot be used; `field` names the offending part.

    `message` is the English text; `template` and `params` let a page say it in the reader's language.
    """

    def __init__(self, field: str, template: str, **params: str) -> None:
        self.field = field
        self.template = template
        self.params = params
        self.message = template % params if params else template
        super().__init__(f"{field}: {self.message}")


@dataclass(frozen=True, slots=True)
class WeeklyHours:
    """Open ranges per weekday as minutes after local midnight, Monday first.

    Each day holds sorted, non-overlapping (start_min, end_min) pairs;
    end_min may be 1440 (24:00, the following midnight).
    """

    days: tuple[tuple[tuple[int, int], ...], ...]

    def to_contract(self) -> dict[str, list[list[str]]]:
        """The contract's JSON shape, every weekday present."""
        return {
            name: [[_format_minutes(a), _format_minutes(b)] for a, b in ranges]
            for name, ranges in zip(WEEKDAYS, self.days)
        }

    def is_closed(self) -> bool:
        return not any(self.days)


def _format_minutes(minutes: int) -> str:
    return f"{minutes // 60:02d}:{minutes % 60:02d}"


def _parse_time(value: Any, field: str) -> int:
    if not isinstance(value, str) or not _TIME.match(value):
        raise HoursError(field, N_("'%(value)s' is not a time; write it as HH:MM, e.g. 09:00"), value=str(value))
    hours, minutes = int(value[:2]), int(value[3:])
    if hours == 24 and minutes != 0:
        raise HoursError(field, N_("'%(value)s' is not a time; the latest is 24:00"), value=value)
    return hours * 60 + minutes


def parse_hours(raw: Mapping[str, Any] | None) -> WeeklyHours:
    """Validate the contract's opening-hours mapping; None gives the default week."""
    if raw is None:
        return DEFAULT_HOURS
    if not isinstance(raw, Mapping):
        raise HoursError("opening_hours", "must be an object of weekday → list of [start, end]")
    unknown = sorted(set(raw) - set(WEEKDAYS))
    if unknown:
        raise HoursError(
            f"opening_hours.{unknown[0]}",
            f"unknown weekday '{unknown[0]}'; use one of {', '.join(WEEKDAYS)}",
        )
    days: list[tuple[tuple[int, int], ...]] = []
    for name in WEEKDAYS:
        field = f"opening_hours.{name}"
        ranges_raw = raw.get(name) or []
        if not isinstance(ranges_raw, (list, tuple)):
            raise HoursError(field, "must be a list of [start, end] pairs")
        ranges: list[tuple[int, int]] = []
        for index, pair in enumerate(ranges_raw):
            pair_field = f"{field}[{index}]"
            if not isinstance(pair, (list, tuple)) or len(pair) != 2:
                raise HoursError(pair_field, "must be a pair [start, end], e.g. [\"09:00\", \"12:00\"]")
            start = _parse_time(pair[0], pair_field)
            end = _parse_time(pair[1], pair_field)
            if start >= 24 * 60:
                raise HoursError(pair_field, N_("a range cannot start at 24:00"))
            if end <= start:
                raise HoursError(
                    pair_field, N_("ends at %(end)s, not after its start %(start)s; put the end later"),
                    end=pair[1], start=pair[0],
                )
            ranges.append((start, end))
        ranges.sort()
        for (a_start, a_end), (b_start, b_end) in zip(ranges, ranges[1:]):
            if b_start < a_end:
                raise HoursError(
                    field, N_("ranges %(first)s and %(second)s overlap; make them separate"),
                    first=f"{_format_minutes(a_start)}–{_format_minutes(a_end)}",
                    second=f"{_format_minutes(b_start)}–{_format_minutes(b_end)}",
                )
        days.append(tuple(ranges))
    return WeeklyHours(tuple(days))


DEFAULT_HOURS = WeeklyHours(tuple(((9 * 60, 18 * 60),) if i < 5 else () for i in range(7)))


def _local_instant(day: date, minutes: int, zone: ZoneInfo) -> datetime:
    # 24:00 is the next midnight; wall times inside a DST gap resolve by
    # zoneinfo's fold=0 rule (the offset before the change).
    extra_days, rest = divmod(minutes, 24 * 60)
    return datetime.combine(day + timedelta(days=extra_days), time(rest // 60, rest % 60), tzinfo=zone)


def open_spans(hours: WeeklyHours, window: Span, zone: ZoneInfo) -> list[Span]:
    """The open periods inside `window`, in UTC, sorted; touching ranges are joined.

    Wall-clock ranges are placed on each local date, so a 09:00–18:00 day stays
    09:00–18:00 on both sides of a daylight-saving change, and 00:00–24:00 is
    23 or 25 hours long on the change days.
    """
    first_day = window.starts_at.astimezone(zone).date() - timedelta(days=1)
    last_day = window.ends_at.astimezone(zone).date()
    spans: list[Span] = []
    day = first_day
    while day <= last_day:
        for start_min, end_min in hours.days[day.weekday()]:
            starts_at = _local_instant(day, start_min, zone)
            ends_at = _local_instant(day, end_min, zone)
            # Compare as instants: a range swallowed by a DST gap is empty.
            if ends_at.astimezone(timezone.utc) <= starts_at.astimezone(timezone.utc):
                continue
            piece = Span(starts_at, ends_at).intersect(window)
            if piece is not None:
                spans.append(piece)
        day += timedelta(days=1)
    return merge_spans(spans)
