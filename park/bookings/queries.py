"""Booking reads and writes: rows ↔ model values."""

from __future__ import annotations

import functools
import json
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from typing import Any, Iterable

from park.bookings.availability import HeldSeats
from park.bookings.model import HOLDING_STATUSES, Booking as BookingValue
from park.bookings.tables import Booking, BookingSeries
from park.facilities.model import Authorization as AuthorizationValue
from park.facilities.model import Blackout as BlackoutValue
from park.facilities.queries import blackout_value, facility_row, facility_row_sql
from park.priority.model import TenantFacts
from park.priority.queries import tenant_facts_args, tenant_facts_of, tenant_facts_sql
from park.shared.db import fetch, fetch_one, fetch_values, is_sqlite, renumbered, write_at_commit
from park.shared.dialect import instant_from_stored, seconds_between, stored_instant
from park.shared.timespan import Span
from park.shared.listing import filtered_page

# No booking is longer than this (facility max_duration_minutes is capped to it),
# so a window query only needs to look this far back for bookings still running.
MAX_BOOKING_SPAN = timedelta(days=7)
MAX_BUFFER = timedelta(hours=24)

# Hours that count against a quota: everything granted, used or not.
QUOTA_STATUSES = frozenset(HOLDING_STATUSES | {"completed", "no_show"})
_HOLDING_SQL = ", ".join(f"'{status}'" for status in sorted(HOLDING_STATUSES))
_QUOTA_SQL = ", ".join(f"'{status}'" for status in sorted(QUOTA_STATUSES))


def to_value(row: dict[str, Any]) -> BookingValue:
    return BookingValue(
        id=row["id"],
        facility_id=row["facility"],
        tenant_id=row["tenant"],
        user_id=row["user"],
        starts_at=row["starts_at"],
        ends_at=row["ends_at"],
        seats=row["seats"],
        status=row["status"],
    )


async def live_bookings_near(facility_id: int, window: Span, margin: timedelta = timedelta(0)) -> list[BookingValue]:
    """Seat-holding bookings of a facility whose span (widened by `margin`) meets `window`.

    The lower bound on starts_at keeps the (facility, starts_at) index range short. On the
    booking path, so hand-written SQL.
    """
    rows = await fetch(
        'SELECT id, facility, tenant, "user", starts_at, ends_at, seats, status FROM booking '
        f"WHERE facility = $1 AND starts_at >= $2 AND starts_at < $3 AND ends_at > $4 AND status IN ({_HOLDING_SQL})",
        facility_id,
        window.starts_at - MAX_BOOKING_SPAN - margin,
        window.ends_at + margin,
        window.starts_at - margin,
    )
    return [to_value(row) for row in rows]


async def live_bookings_and_blackouts_near(
    facility_id: int, building_id: int, window: Span, margin: timedelta = timedelta(0)
) -> tuple[list[BookingValue], list[BlackoutValue]]:
    """`live_bookings_near` and `facilities.queries.blackouts_for` in one round trip (free time, a move)."""
    sql = (
        'SELECT 0 AS blackout, id, facility, tenant, "user", NULL AS building, starts_at, ends_at, seats, status, '
        "NULL AS reason FROM booking "
        f"WHERE facility = $1 AND starts_at >= $2 AND starts_at < $3 AND ends_at > $4 AND status IN ({_HOLDING_SQL}) "
        "UNION ALL "
        "SELECT 1, id, facility, NULL, NULL, building, starts_at, ends_at, NULL, NULL, reason FROM blackout "
        "WHERE (facility = $5 OR building = $6) AND starts_at < $7 AND ends_at > $8"
    )
    args: list[Any] = [
        facility_id,
        window.starts_at - MAX_BOOKING_SPAN - margin,
        window.ends_at + margin,
        window.starts_at - margin,
        facility_id,
        building_id,
        window.ends_at,
        window.starts_at,
    ]
    rows = await fetch(sql, *args)
    bookings = [to_value(row) for row in rows if row["blackout"] == 0]
    return bookings, [blackout_value(row) for row in rows if row["blackout"] == 1]


async def get_booking(booking_id: int) -> dict[str, Any] | None:
    if not 0 < booking_id < 2**31:
        return None
    return await Booking.select(*Booking.all_columns(), Booking.facility.name.as_alias("facility_name")).where(
        Booking.id == booking_id).first()


async def bookings_of_series(series_id: int) -> list[dict[str, Any]]:
    return await Booking.select().where(Booking.series == series_id).order_by(Booking.starts_at)


async def get_series(series_id: int) -> dict[str, Any] | None:
    if not 0 < series_id < 2**31:
        return None
    return await BookingSeries.select().where(BookingSeries.id == series_id).first()


def _named_select():
    """Bookings with the names a reader knows them by: facility, firm and person."""
    return Booking.select(
        *Booking.all_columns(),
        Booking.facility.name.as_alias("facility_name"),
        Booking.facility.name_en.as_alias("facility_name_en"),
        Booking.tenant.name.as_alias("tenant_name"),
        Booking.tenant.name_en.as_alias("tenant_name_en"),
        Booking.user.name.as_alias("user_name"),
    )


async def named_bookings(booking_ids: Iterable[int]) -> dict[int, dict[str, Any]]:
    """The bookings of `booking_ids` that exist, by id, with their facility, firm and person names."""
    wanted = sorted({booking_id for booking_id in booking_ids if 0 < booking_id < 2**31})
    if not wanted:
        return {}
    return {row["id"]: row for row in await _named_select().where(Booking.id.is_in(wanted))}


async def pending_count(now: datetime) -> int:
    """Bookings waiting for a manager's decision that have not ended yet (the approval queue's length)."""
    return await Booking.count().where(Booking.status == "pending", Booking.ends_at > now)


async def list_bookings(
    *,
    tenant_id: int | None,
    facility_id: int | None = None,
    user_id: int | None = None,
    starts_from: datetime | None = None,
    ends_before: datetime | None = None,
    statuses: Iterable[str] | None = None,
    limit: int = 50,
    offset: int = 0,
    newest_first: bool = False,
) -> tuple[list[dict[str, Any]], int]:
    """Bookings overlapping [starts_from, ends_before), scoped to a tenant unless tenant_id is None."""
    if facility_id is not None and not 0 < facility_id < 2**31:
        return [], 0
    conditions = []
    if tenant_id is not None:
        conditions.append(Booking.tenant == tenant_id)
    if facility_id is not None:
        conditions.append(Booking.facility == facility_id)
    if user_id is not None:
        conditions.append(Booking.user == user_id)
    if starts_from is not None:
        conditions.append(Booking.ends_at > starts_from)
    if ends_before is not None:
        conditions.append(Booking.starts_at < ends_before)
    wanted = list(statuses or [])
    if wanted:
        conditions.append(Booking.status.is_in(wanted))
    query = _named_select()
    count = Booking.count()
    query = query.order_by(Booking.starts_at, ascending=not newest_first).order_by(Booking.id)
    return await filtered_page(query, count, conditions, limit, offset)


async def hours_held(
    tenant_id: int, facility_kind: str, month: Span, *, exclude_series: int | None = None, exclude_booking: int | None = None
) -> float:
    """Hours the tenant holds on facilities of one kind, for bookings starting in `month`.

    `exclude_booking`: a booking being moved, whose old hours give way to its new ones.
    """
    rows = await fetch(
        "SELECT b.starts_at, b.ends_at FROM booking b JOIN facility f ON f.id = b.facility "
        f"WHERE b.tenant = $1 AND f.kind = $2 AND b.starts_at >= $3 AND b.starts_at < $4 AND b.status IN ({_QUOTA_SQL}) "
        "AND (b.series IS NULL OR b.series <> $5) AND b.id <> $6",
        tenant_id, facility_kind, month.starts_at, month.ends_at, -1 if exclude_series is None else exclude_series,
        -1 if exclude_booking is None else exclude_booking,
    )
    return sum((row["ends_at"] - row["starts_at"]).total_seconds() for row in rows) / 3600


@functools.lru_cache(maxsize=16)
def _quota_sql(months: int, kind: str) -> str:
    """`tenant_facts_sql` with a `held_<n>` column per month: the seconds the firm holds on facilities
    of kind `kind` (an SQL expression) in month n. Parameters: `_quota_args`."""
    columns = [
        f"(SELECT COALESCE(SUM({seconds_between('b.starts_at', 'b.ends_at')}), 0) FROM booking b "
        f"JOIN facility f ON f.id = b.facility WHERE b.tenant = $5 AND f.kind = {kind} AND b.starts_at >= ${7 + 2 * index} "
        f"AND b.starts_at < ${8 + 2 * index} AND b.status IN ({_QUOTA_SQL}) AND b.id <> $6) AS held_{index}"
        for index in range(months)
    ]
    return tenant_facts_sql(", ".join(columns))


def _quota_args(tenant_id: int, months: list[Span], now: datetime, exclude_booking: int | None) -> list[Any]:
    args: list[Any] = [*tenant_facts_args(tenant_id, now), tenant_id, -1 if exclude_booking is None else exclude_booking]
    for month in months:
        args += [month.starts_at, month.ends_at]
    return args


def _quota_of(rows: list[dict[str, Any]], months: int, today: date) -> tuple[TenantFacts, list[float]]:
    held = [float(rows[0][f"held_{index}"]) / 3600 if rows else 0.0 for index in range(months)]
    return tenant_facts_of(rows, today), held


async def quota_reads(
    tenant_id: int, facility_kind: str, months: list[Span], today: date, now: datetime, *, exclude_booking: int | None = None
) -> tuple[TenantFacts, list[float]]:
    """The firm's facts for its quota tier (`park.priority.queries.tenant_facts`) and the hours it
    holds on `facility_kind` in each of `months` (`hours_held`), in one round trip (the booking path)."""
    args = _quota_args(tenant_id, months, now, exclude_booking)
    rows = await fetch(_quota_sql(len(months), f"${len(args) + 1}"), *args, facility_kind)
    return _quota_of(rows, len(months), today)


@dataclass(frozen=True)
class BookingFacts:
    """What a new booking's rules read, as of the facility's and the firm's locks."""

    facility: dict[str, Any] | None  # the row, with its building's names; None: no such facility
    existing: list[BookingValue] = field(default_factory=list)
    blackouts: list[BlackoutValue] = field(default_factory=list)
    authorization: AuthorizationValue | None = None
    quota: tuple[TenantFacts, list[float]] | None = None  # with `months`: the firm's facts, its hours per month
    booking_id: int | None = None  # PostgreSQL: the new booking's id, drawn from its sequence for `stage_booking`


_QUOTA_COLUMNS = ("sector", "staff_count", "rd_staff_count", "ip_count", "kind", "valid_until", "due", "no_shows")


async def booking_facts(
    facility_id: int, window: Span, *, user_id: int | None = None, tenant_id: int | None = None,
    months: list[Span] | None = None, now: datetime | None = None, today: date | None = None, new_booking: bool = True,
) -> BookingFacts:
    """The facility and everything a booking of `window` on it is checked against: its live bookings
    and blackouts near the window, the booker's training record, and (with `tenant_id` and
    `months`, as of `now` and `today`) the firm's quota facts and hours. For a new booking, call inside the transaction
    holding the facility's and the firm's locks (`transaction(locks=…)`); without `new_booking`
    (a week's free time), anywhere.

    PostgreSQL: one statement, which also draws a new booking's id; SQLite (no round trips): the
    reads one by one.
    """
    if not 0 < facility_id < 2**31:
        return BookingFacts(facility=None)
    if is_sqlite():
        return await _booking_facts_one_by_one(facility_id, window, user_id, now, today, tenant_id, months)
    margin = "make_interval(mins => fac.buffer_minutes)"
    args: list[Any] = [facility_id, window.starts_at, window.ends_at, user_id or 0, MAX_BOOKING_SPAN]
    columns = [
        f"ARRAY(SELECT ROW(k.id, k.tenant, k.\"user\", k.starts_at, k.ends_at, k.seats, k.status) FROM booking k "
        f"WHERE k.facility = fac.id AND k.starts_at >= $2::timestamptz - $5::interval - {margin} "
        f"AND k.starts_at < $3::timestamptz + {margin} AND k.ends_at > $2::timestamptz - {margin} "
        f"AND k.status IN ({_HOLDING_SQL})) AS held",
        "ARRAY(SELECT ROW(x.id, x.facility, x.building, x.starts_at, x.ends_at, x.reason) FROM blackout x "
        "WHERE (x.facility = fac.id OR x.building = fac.building) AND x.starts_at < $3 AND x.ends_at > $2) AS closed",
        "ARRAY(SELECT ROW(a.valid_until) FROM facility_authorization a WHERE a.facility = fac.id AND a.\"user\" = $4) AS trained",
        ("nextval('booking_id_seq')" if new_booking else "NULL::bigint") + " AS booking_id",
    ]
    if tenant_id is not None and months and now is not None and today is not None:
        quota = renumbered(_quota_sql(len(months), "fac.kind"), len(args))
        columns.append(f"ARRAY(SELECT ROW(qf.*) FROM ({quota}) qf) AS quota")
        args += _quota_args(tenant_id, months, now, None)
    row = facility_row(await fetch_one(facility_row_sql(", ".join(columns)), *args))
    if row is None:
        return BookingFacts(facility=None)
    held, closed, trained = row.pop("held"), row.pop("closed"), row.pop("trained")
    quota_rows = row.pop("quota", None)
    booking_id = row.pop("booking_id")
    names = (*_QUOTA_COLUMNS, *(f"held_{index}" for index in range(len(months or ()))))
    return BookingFacts(
        facility=row,
        existing=[BookingValue(id=k[0], facility_id=facility_id, tenant_id=k[1], user_id=k[2], starts_at=k[3], ends_at=k[4],
                               seats=k[5], status=k[6]) for k in held],
        blackouts=[BlackoutValue(span=Span(x[3], x[4]), facility_id=x[1], building_id=x[2], reason=x[5], id=x[0]) for x in closed],
        authorization=(AuthorizationValue(user_id=user_id, facility_id=facility_id, valid_until=trained[0][0])
                       if trained else None),
        quota=_quota_of([dict(zip(names, q)) for q in quota_rows], len(months or ()), today) if quota_rows is not None else None,
        booking_id=booking_id,
    )


async def _booking_facts_one_by_one(facility_id, window, user_id, now, today, tenant_id, months) -> BookingFacts:
    from park.facilities.queries import authorization_for, get_facility, to_spec

    row = await get_facility(facility_id)
    if row is None:
        return BookingFacts(facility=None)
    spec = to_spec(row)
    existing, blackouts = await live_bookings_and_blackouts_near(facility_id, spec.building_id, window, spec.buffer)
    return BookingFacts(
        facility=row,
        existing=existing,
        blackouts=blackouts,
        authorization=await authorization_for(user_id, facility_id) if spec.requires_authorization and user_id else None,
        quota=(await quota_reads(tenant_id, spec.kind, months, today, now)
               if tenant_id is not None and months and now is not None and today is not None else None),
    )


async def stage_booking(booking_id: int | None, **values: Any) -> dict[str, Any]:
    """Store a new booking; its row comes back. With an id drawn beforehand (`BookingFacts.booking_id`,
    PostgreSQL) the insert names every column and waits for the transaction's commit, riding in
    the statement of its outbox, audit and live rows (`write_at_commit`); without, `insert_booking`."""
    if booking_id is None:
        return await insert_booking(**values)
    row = {**_BOOKING_DEFAULTS, **values, "id": booking_id}
    missing = _BOOKING_COLUMNS - row.keys()
    if missing:
        raise TypeError(f"a staged booking names every column; missing: {sorted(missing)}")
    for column in _JSON_COLUMNS:  # as text, as the driver gives a JSON column back
        if not isinstance(row[column], str):
            row[column] = json.dumps(row[column])
    columns = list(row)
    await write_at_commit(
        f"INSERT INTO booking ({', '.join(_quoted(c) for c in columns)}) "
        f"VALUES ({', '.join(f'${n}' for n in range(1, len(columns) + 1))})",
        *row.values(),
    )
    return row


_NAMED_BY_EVERY_INSERT = frozenset({"facility", "tenant", "user", "starts_at", "ends_at", "occupied_until", "status", "created_at"})


def _column_defaults() -> tuple[dict[str, Any], frozenset[str]]:
    """The table's defaults for the columns a new booking may leave out, and its JSON columns."""
    from piccolo.columns import JSON

    defaults = {
        column._meta.db_column_name: column.get_default_value()
        for column in Booking._meta.columns
        if not column._meta.primary_key and column._meta.db_column_name not in _NAMED_BY_EVERY_INSERT
    }
    assert not any(hasattr(value, "python") for value in defaults.values()), "a default computed per row"
    return defaults, frozenset(c._meta.db_column_name for c in Booking._meta.columns if isinstance(c, JSON))


_BOOKING_DEFAULTS, _JSON_COLUMNS = _column_defaults()
_BOOKING_COLUMNS = frozenset(column._meta.db_column_name for column in Booking._meta.columns)


async def insert_booking(**values: Any) -> dict[str, Any]:
    """Store a booking; the stored row comes back (one round trip)."""
    columns = list(values)
    sql = (
        f"INSERT INTO booking ({', '.join(_quoted(c) for c in columns)}) "
        f"VALUES ({', '.join(f'${n}' for n in range(1, len(columns) + 1))}) RETURNING *"
    )
    rows = await fetch(sql, *values.values())
    return rows[0]


def _quoted(column: str) -> str:
    return f'"{column}"'


async def live_bookings_of(facility_ids: list[int], window: Span, margin: timedelta = MAX_BUFFER) -> dict[int, list[BookingValue]]:
    """`live_bookings_near` for many facilities in one query: facility id → its seat-holding bookings."""
    found: dict[int, list[BookingValue]] = {facility_id: [] for facility_id in facility_ids}
    if not facility_ids:
        return found
    marks = ", ".join(f"${n}" for n in range(4, 4 + len(facility_ids)))
    rows = await fetch(
        'SELECT id, facility, tenant, "user", starts_at, ends_at, seats, status FROM booking '
        f"WHERE starts_at >= $1 AND starts_at < $2 AND ends_at > $3 AND status IN ({_HOLDING_SQL}) "
        f"AND facility IN ({marks})",
        window.starts_at - MAX_BOOKING_SPAN - margin,
        window.ends_at + margin,
        window.starts_at - margin,
        *facility_ids,
    )
    for row in rows:
        found[row["facility"]].append(to_value(row))
    return found


async def seats_held_of(facility_ids: list[int], window: Span, margin: timedelta = MAX_BUFFER) -> dict[int, list[HeldSeats]]:
    """Only the times and seats of `live_bookings_of`'s bookings: what free time is computed from (the search).

    Narrow columns, all in the `booking_live_cover` index (its condition repeated word for word), so the
    read is one range of that index; rows come as tuples and times as stored, so each of the thousands of
    rows of a week of every facility costs the least to decode.
    """
    found: dict[int, list[HeldSeats]] = {facility_id: [] for facility_id in facility_ids}
    if not facility_ids:
        return found
    marks = ", ".join(f"${n}" for n in range(4, 4 + len(facility_ids)))
    rows = await fetch_values(
        f"SELECT facility, {stored_instant('starts_at')}, {stored_instant('ends_at')}, seats, status FROM booking "
        f"WHERE starts_at >= $1 AND starts_at < $2 AND ends_at > $3 AND status IN ({_HOLDING_SQL}) "
        f"AND facility IN ({marks})",
        window.starts_at - MAX_BOOKING_SPAN - margin,
        window.ends_at + margin,
        window.starts_at - margin,
        *facility_ids,
    )
    parse = instant_from_stored()
    held = HeldSeats._make  # half the cost of calling the class, thousands of times
    if parse is None:
        for facility_id, starts_at, ends_at, seats, status in rows:
            found[facility_id].append(held((starts_at, ends_at, seats, status)))
    else:
        for facility_id, starts_at, ends_at, seats, status in rows:
            found[facility_id].append(held((parse(starts_at), parse(ends_at), seats, status)))
    return found


async def update_booking(booking_id: int, **values: Any) -> None:
    """Change a booking's facility, times, seats or purpose (never its status: see park/bookings/lifecycle.py)."""
    assert "status" not in values, "statuses change through park.bookings.lifecycle"
    await Booking.update({getattr(Booking, k): v for k, v in values.items()}).where(Booking.id == booking_id)


async def members_to_book_for(tenant_id: int | None) -> list[dict[str, Any]]:
    """Active users of one firm (or, with None, of every firm) a booking can be made on behalf of, by firm and name."""
    sql = (
        "SELECT u.id AS id, u.name AS name, u.email AS email, t.id AS tenant_id, t.name AS tenant_name, "
        "t.name_en AS tenant_name_en FROM park_user u JOIN tenant t ON t.id = u.tenant WHERE u.is_active = $1"
    )
    args: list[Any] = [True]
    if tenant_id is not None:
        sql += " AND u.tenant = $2"
        args.append(tenant_id)
    return await fetch(sql + " ORDER BY t.name, u.name, u.id", *args)
