"""The booking grid: rows (facilities of a day, or days of a facility) × the hours of a day. Pure.

One grid serves the park's day timeline and a facility's week view. Each row is
one facility on one park-local day; its cells are the facility's slots (from
`slot_bounds`, so anchored at the opening time) with the seats a new booking of the
slot could take (`seats_left`, as `compute_availability`: so opening hours, blackouts, buffers and
seats left are the booking rules' own), and a state:

    free      every seat free            partial   some seats left (shown)
    full      no seat left                own       the viewer's own booking
    blackout  closed by a blackout        closed    not open, or beyond the booking horizon
    past      started already

Columns are wall-clock steps of the day: the step is the greatest common divisor
of every shown slot's length and offset (and of 60, so hours line up), so a slot
covers a whole number of columns and rows of different granularity share one
header. Time between slots (closed hours) is one `closed` cell per gap, and touching
closed or past cells are merged into one.
Cost: O(rows · (slots + bookings · log bookings)).
"""

from __future__ import annotations

from dataclasses import dataclass, replace
from datetime import date, datetime, timedelta
from math import gcd
from typing import Iterable, Protocol, Sequence
from zoneinfo import ZoneInfo

from park.bookings.model import HOLDING_STATUSES
from park.bookings.availability import booking_horizon, seats_left, slot_bounds
from park.facilities.model import Blackout, FacilitySpec
from park.shared.timespan import Span

FREE = "free"
PARTIAL = "partial"
FULL = "full"
OWN = "own"
BLACKOUT = "blackout"
CLOSED = "closed"
PAST = "past"
# The legend's order.
STATES: tuple[str, ...] = (FREE, PARTIAL, FULL, OWN, BLACKOUT, CLOSED, PAST)
BOOKABLE_STATES = frozenset({FREE, PARTIAL})

MINUTES_PER_DAY = 24 * 60
# Finer columns than this would make cells too narrow to hit; slots that need them still line up.
SMALLEST_STEP_MINUTES = 5


class HeldBooking(Protocol):
    id: int
    user_id: int
    starts_at: datetime
    ends_at: datetime
    seats: int
    status: str


@dataclass(frozen=True, slots=True)
class Cell:
    span: Span
    state: str
    seats_left: int = 0
    booking_id: int | None = None  # the viewer's own booking shown in this cell
    column: int = 0  # first column covered (0-based), set by `lay_out`
    width: int = 1  # columns covered
    now_percent: int | None = None  # where the current time falls inside the cell, in tens of percent
    movable: bool = False  # an own booking that has not started, on an instant facility (drag it to move it)

    @property
    def bookable(self) -> bool:
        return self.state in BOOKABLE_STATES


@dataclass(frozen=True, slots=True)
class Row:
    facility: FacilitySpec
    day: date
    cells: tuple[Cell, ...]


@dataclass(frozen=True, slots=True)
class Hour:
    label: str  # "14:00"
    column: int
    width: int


@dataclass(frozen=True, slots=True)
class Grid:
    first_minute: int  # wall-clock minute of the day at column 0
    step_minutes: int
    columns: int
    hours: tuple[Hour, ...]
    rows: tuple[Row, ...]

    @property
    def is_empty(self) -> bool:
        return self.columns == 0


def day_window(day: date, zone: ZoneInfo) -> Span:
    """The park-local day as an instant span (23 or 25 hours long across a daylight-saving change)."""
    following = day + timedelta(days=1)
    return Span(datetime(day.year, day.month, day.day, tzinfo=zone),
                datetime(following.year, following.month, following.day, tzinfo=zone))


def day_cells(
    facility: FacilitySpec,
    day: date,
    zone: ZoneInfo,
    now: datetime,
    bookings: Sequence[HeldBooking],
    blackouts: Iterable[Blackout] = (),
    *,
    viewer_id: int | None = None,
) -> list[Cell]:
    """The facility's slots on `day`, each with its state (closed hours are left out: `lay_out` fills them)."""
    window = day_window(day, zone)
    bounds = slot_bounds(facility, window, zone)
    free_by_slot = seats_left(facility, bounds, bookings, blackouts)  # None: closed by a blackout
    own = [b for b in bookings if viewer_id is not None and b.user_id == viewer_id and b.status in HOLDING_STATUSES]
    horizon = booking_horizon(facility, now, zone)
    capacity = facility.capacity
    instant = facility.booking_mode == "instant"
    cells: list[Cell] = []
    for (starts_at, ends_at), free in zip(bounds, free_by_slot):
        slot = Span(starts_at, ends_at)
        mine = next((b for b in own if b.starts_at < ends_at and starts_at < b.ends_at), None) if own else None
        if mine is not None:
            cells.append(Cell(slot, OWN, free or 0, booking_id=mine.id, movable=instant and mine.starts_at > now))
        elif free is None:
            cells.append(Cell(slot, BLACKOUT))
        elif starts_at < now:
            cells.append(Cell(slot, PAST, free))
        elif starts_at >= horizon:
            cells.append(Cell(slot, CLOSED))
        elif free == 0:
            cells.append(Cell(slot, FULL))
        elif free < capacity:
            cells.append(Cell(slot, PARTIAL, free))
        else:
            cells.append(Cell(slot, FREE, free))
    return cells


def _wall_minute(instant: datetime, day: date, zone: ZoneInfo) -> int:
    """Minutes from `day`'s local midnight to `instant` on the wall clock (1440 for the next midnight)."""
    local = instant.astimezone(zone)
    return (local.date() - day).days * MINUTES_PER_DAY + local.hour * 60 + local.minute


def lay_out(rows: Sequence[tuple[FacilitySpec, date, list[Cell]]], zone: ZoneInfo, now: datetime) -> Grid:
    """Place every row's cells on one column grid, whole hours from the earliest open slot to the latest."""
    step = 60
    first, last = MINUTES_PER_DAY, 0
    # Each cell's wall-clock minutes, worked out once: they size the grid, then place the cell.
    minutes: list[list[tuple[int, int]]] = []
    for _facility, day, cells in rows:
        row_minutes = []
        for cell in cells:
            start = _wall_minute(cell.span.starts_at, day, zone)
            end = _wall_minute(cell.span.ends_at, day, zone)
            step = gcd(gcd(step, start), end - start) if end > start else step
            first, last = min(first, start), max(last, end)
            row_minutes.append((start, end))
        minutes.append(row_minutes)
    if first >= last:
        return Grid(0, step, 0, (), tuple(Row(facility, day, ()) for facility, day, _cells in rows))
    step = max(step, SMALLEST_STEP_MINUTES)
    first = first // 60 * 60
    last = min(-(-last // 60) * 60, MINUTES_PER_DAY)
    columns = (last - first) // step
    hours = tuple(Hour(f"{minute // 60:02d}:00", (minute - first) // step, 60 // step) for minute in range(first, last, 60))
    laid: list[Row] = []
    for (facility, day, cells), row_minutes in zip(rows, minutes):
        placed: list[Cell] = []
        cursor = first
        window = day_window(day, zone)
        for cell, (start, end) in zip(cells, row_minutes):
            start = max(start, first)
            end = min(end, last)
            if end <= start:
                continue
            if start > cursor:
                placed.append(_gap(window, day, zone, cursor, start, first, step))
            placed.append(_placed(cell, (start - first) // step, max((end - start) // step, 1)))
            cursor = end
        if cursor < last:
            placed.append(_gap(window, day, zone, cursor, last, first, step))
        laid.append(Row(facility, day, tuple(_mark_now(cell, now) for cell in _merge_unbookable(placed, now))))
    return Grid(first, step, columns, hours, tuple(laid))


def _at_wall_minute(day: date, minute: int, zone: ZoneInfo) -> datetime:
    moment = datetime(day.year, day.month, day.day, tzinfo=zone) + timedelta(minutes=minute)
    # Wall-clock addition: re-attach the zone so a daylight-saving day keeps its wall times.
    return moment.replace(tzinfo=None).replace(tzinfo=zone)


def _gap(window: Span, day: date, zone: ZoneInfo, start: int, end: int, first: int, step: int) -> Cell:
    starts_at = max(_at_wall_minute(day, start, zone), window.starts_at)
    ends_at = min(_at_wall_minute(day, end, zone), window.ends_at)
    if ends_at <= starts_at:
        ends_at = starts_at + timedelta(minutes=1)
    return Cell(Span(starts_at, ends_at), CLOSED, column=(start - first) // step, width=max((end - start) // step, 1))


def _placed(cell: Cell, column: int, width: int) -> Cell:
    # `replace` with its field checks, spelled out: this runs for every cell of the page.
    return Cell(cell.span, cell.state, cell.seats_left, booking_id=cell.booking_id, column=column, width=width,
                now_percent=cell.now_percent, movable=cell.movable)


# Runs of these states read as one stretch ("00:00–09:00, closed"): fewer cells to draw and to step through.
_MERGED_STATES = frozenset({CLOSED, PAST})


def _merge_unbookable(cells: list[Cell], now: datetime) -> list[Cell]:
    """Touching closed or past cells as one; the cell holding `now` stays apart, so the line at now stays exact."""
    merged: list[Cell] = []
    for cell in cells:
        last = merged[-1] if merged else None
        if (last is not None and cell.state == last.state and cell.state in _MERGED_STATES
                and last.column + last.width == cell.column and not cell.span.starts_at <= now < cell.span.ends_at):
            merged[-1] = replace(last, span=Span(last.span.starts_at, cell.span.ends_at), width=last.width + cell.width,
                                 seats_left=0)
        else:
            merged.append(cell)
    return merged


def _mark_now(cell: Cell, now: datetime) -> Cell:
    if not cell.span.starts_at <= now < cell.span.ends_at:
        return cell
    tenths = int((now - cell.span.starts_at) / cell.span.duration * 10)
    return replace(cell, now_percent=min(tenths, 9) * 10)


def build_grid(
    rows: Sequence[tuple[FacilitySpec, date]],
    zone: ZoneInfo,
    now: datetime,
    bookings: dict[int, Sequence[HeldBooking]],
    blackouts: Sequence[Blackout] = (),
    *,
    viewer_id: int | None = None,
) -> Grid:
    """The grid of `rows` (facility, park-local day): the timeline's facilities of one day, or one facility's days."""
    return lay_out(
        [(facility, day, day_cells(facility, day, zone, now, bookings.get(facility.id, ()), blackouts, viewer_id=viewer_id))
         for facility, day in rows],
        zone, now,
    )


def run_from(cells: Sequence[Cell], start_index: int) -> Span | None:
    """The bookable run of touching cells that starts at `start_index` (None when that cell is not bookable)."""
    if not cells[start_index].bookable:
        return None
    end = start_index
    while end + 1 < len(cells) and cells[end + 1].bookable and cells[end + 1].span.starts_at == cells[end].span.ends_at:
        end += 1
    return Span(cells[start_index].span.starts_at, cells[end].span.ends_at)


def durations_from(facility: FacilitySpec, run: Span) -> list[timedelta]:
    """The booking lengths a start can take: whole slots from the minimum to the maximum, inside the free run."""
    step = facility.slot
    minimum = timedelta(minutes=facility.min_duration_minutes)
    maximum = min(timedelta(minutes=facility.max_duration_minutes), run.duration)
    length = step * -(-minimum // step) if minimum % step else minimum
    found: list[timedelta] = []
    while length <= maximum:
        found.append(length)
        length += step
    if not found and minimum <= run.duration <= timedelta(minutes=facility.max_duration_minutes):
        found.append(run.duration)  # a run ending on a shorter last slot
    return found
