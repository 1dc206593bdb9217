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


# --- The manager's form: each range a row of two time inputs -----------------------------------
# Fields are `hours_<day>_<n>_start` and `hours_<day>_<n>_end` (n counts from 0; a removed row leaves
# a gap). A time input cannot hold 24:00, so a range ends at midnight with 00:00.

MAX_RANGES_PER_DAY = 6
"""Rows a day on the form; a day rarely opens in more than three pieces."""


@dataclass(frozen=True, slots=True)
class HoursRow:
    """One range as typed (HH:MM, or empty); `index` is the n of its field names."""

    index: int
    start: str = ""
    end: str = ""

    @property
    def blank(self) -> bool:
        return not self.start and not self.end


def hours_field(day: str, index: int, part: str) -> str:
    """The form field of one end of a range: part is "start" or "end"."""
    return f"hours_{day}_{index}_{part}"


def row_key(day: str, index: int) -> str:
    """The key a row's error is shown under."""
    return f"hours_{day}_{index}"


_HOURS_FIELD = re.compile(r"^hours_([a-z]{3})_(\d{1,2})_(start|end)$")


def rows_from_form(form: Mapping[str, str]) -> dict[str, list[HoursRow]]:
    """Each weekday's rows as typed, in order, blank ones kept (a form shown again keeps its shape);
    a day without any row gets one blank row. Rows past MAX_RANGES_PER_DAY (hours saved through the
    API may have more) are read too, so saving the form never drops one."""
    indexes: dict[str, set[int]] = {day: set() for day in WEEKDAYS}
    for name in form:
        match = _HOURS_FIELD.match(name)
        if match and match.group(1) in indexes:
            indexes[match.group(1)].add(int(match.group(2)))
    return {
        day: [HoursRow(index, str(form.get(hours_field(day, index, "start")) or "").strip(),
                       str(form.get(hours_field(day, index, "end")) or "").strip())
              for index in sorted(indexes[day])] or [HoursRow(0)]
        for day in WEEKDAYS
    }


def rows_from_hours(hours: Mapping[str, Any] | None) -> dict[str, list[HoursRow]]:
    """Stored ranges (the contract's shape) as rows; 24:00 shows as 00:00."""
    hours = hours or {}
    return {
        day: [HoursRow(index, start, "00:00" if end == "24:00" else end)
              for index, (start, end) in enumerate(hours.get(day) or [])] or [HoursRow(0)]
        for day in WEEKDAYS
    }


def form_fields(rows: Mapping[str, list[HoursRow]]) -> dict[str, str]:
    """The rows as form field values (blank rows left out)."""
    fields: dict[str, str] = {}
    for day, day_rows in rows.items():
        for number, row in enumerate(r for r in day_rows if not r.blank):
            fields[hours_field(day, number, "start")] = row.start
            fields[hours_field(day, number, "end")] = row.end
    return fields


def with_row_added(rows: Mapping[str, list[HoursRow]], day: str) -> dict[str, list[HoursRow]]:
    """One more blank row on `day` (none past MAX_RANGES_PER_DAY): the form's "Add a range" without JavaScript."""
    changed = {name: list(day_rows) for name, day_rows in rows.items()}
    day_rows = changed.get(day)
    if day_rows is not None and len(day_rows) < MAX_RANGES_PER_DAY:
        used = {row.index for row in day_rows}
        day_rows.append(HoursRow(next(index for index in range(MAX_RANGES_PER_DAY + 1) if index not in used)))
    return changed


def with_row_removed(rows: Mapping[str, list[HoursRow]], key: str) -> dict[str, list[HoursRow]]:
    """Without the row `key` ("mon_1"); a day left without rows gets a blank one (closed)."""
    changed = {name: list(day_rows) for name, day_rows in rows.items()}
    day, _, number = key.partition("_")
    if day in changed and number.isdigit():
        changed[day] = [row for row in changed[day] if row.index != int(number)] or [HoursRow(0)]
    return changed


def slot_grid(slot_minutes: int | None) -> int:
    """Minutes between the times the form accepts: the slot when whole slots fill a day from midnight
    (30 → 09:00, 09:30 …), else one minute.

    Bookings count slots from each range's opening (park/bookings/rules.py), so a grid from midnight is
    only the picker's: it keeps opening times on times a booking can start or end.
    """
    if slot_minutes and 0 < slot_minutes <= 24 * 60 and (24 * 60) % slot_minutes == 0:
        return slot_minutes
    return 1


def _typed_time(value: str) -> str:
    """9:00 → 09:00; 09:00:00 (a time input with seconds) → 09:00."""
    if re.fullmatch(r"\d:\d\d(:00)?", value):
        value = f"0{value}"
    return value[:5] if re.fullmatch(r"\d\d:\d\d:00", value) else value


def hours_from_rows(
    rows: Mapping[str, list[HoursRow]], slot_minutes: int | None
) -> tuple[dict[str, list[list[str]]], dict[str, HoursError]]:
    """The contract's opening hours from the form's rows, and what is wrong with them by row key
    (`hours_mon_1`): half a range, a time that is not one, an end not after its start, a time off the
    slot grid, ranges of one day that overlap (told on the later one). Blank rows are closed time."""
    grid = slot_grid(slot_minutes)
    hours: dict[str, list[list[str]]] = {}
    problems: dict[str, HoursError] = {}
    for day in WEEKDAYS:
        ranges: list[tuple[int, int, int]] = []  # start, end (minutes), row index
        for row in rows.get(day, []):
            if row.blank:
                continue
            key = row_key(day, row.index)
            try:
                ranges.append((*_row_minutes(row, grid, key), row.index))
            except HoursError as error:
                problems[key] = error
        ranges.sort()
        for (a_start, a_end, _a), (b_start, b_end, b_index) in zip(ranges, ranges[1:]):
            if b_start < a_end:
                problems.setdefault(row_key(day, b_index), HoursError(
                    row_key(day, b_index), N_("ranges %(first)s and %(second)s overlap; make them separate"),
                    first=f"{_format_minutes(a_start)}–{_format_minutes(a_end)}",
                    second=f"{_format_minutes(b_start)}–{_format_minutes(b_end)}",
                ))
        hours[day] = [[_format_minutes(start), _format_minutes(end)] for start, end, _index in ranges]
    return hours, problems


def _row_minutes(row: HoursRow, grid: int, key: str) -> tuple[int, int]:
    if not row.start or not row.end:
        raise HoursError(key, N_("Give both the opening and the closing time, or leave both empty."))
    start_text, end_text = _typed_time(row.start), _typed_time(row.end)
    start, end = _parse_time(start_text, key), _parse_time(end_text, key)
    if start >= 24 * 60:
        raise HoursError(key, N_("a range cannot start at 24:00"))
    if end == 0:
        end = 24 * 60  # 00:00 as an end is the midnight the day ends with
    if end <= start:
        raise HoursError(key, N_("ends at %(end)s, not after its start %(start)s; put the end later"),
                         end=end_text, start=start_text)
    for minutes in (start, end):
        if minutes % grid:
            before = minutes - minutes % grid
            raise HoursError(
                key, N_("%(time)s is off the %(minutes)s-minute slot grid; use %(before)s or %(after)s"),
                time=_format_minutes(minutes), minutes=str(grid),
                before=_format_minutes(before), after=_format_minutes(before + grid),
            )
    return start, end
