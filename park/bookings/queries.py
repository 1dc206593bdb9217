"""Booking reads and writes: rows ↔ model values."""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import Any, Iterable

from park.bookings.model import HOLDING_STATUSES, Booking as BookingValue
from park.bookings.tables import Booking, BookingSeries
from park.facilities.model import Blackout as BlackoutValue
from park.facilities.queries import blackout_value
from park.shared.db import fetch
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
    """`live_bookings_near` and `facilities.queries.blackouts_for` in one round trip (the booking path)."""
    rows = await fetch(
        'SELECT 0 AS blackout, id, facility, tenant, "user", NULL AS building, starts_at, ends_at, seats, status, '
        "NULL AS reason FROM booking "
        f"WHERE facility = $1 AND starts_at >= $2 AND starts_at < $3 AND ends_at > $4 AND status IN ({_HOLDING_SQL}) "
        "UNION ALL "
        "SELECT 1, id, facility, NULL, NULL, building, starts_at, ends_at, NULL, NULL, reason FROM blackout "
        "WHERE (facility = $5 OR building = $6) AND starts_at < $7 AND ends_at > $8",
        facility_id,
        window.starts_at - MAX_BOOKING_SPAN - margin,
        window.ends_at + margin,
        window.starts_at - margin,
        facility_id,
        building_id,
        window.ends_at,
        window.starts_at,
    )
    bookings = [to_value(row) for row in rows if not row["blackout"]]
    return bookings, [blackout_value(row) for row in rows if row["blackout"]]


async def get_booking(booking_id: int) -> dict[str, Any] | None:
    if not 0 < booking_id < 2**31:
        return None
    return await Booking.select().where(Booking.id == booking_id).first()


async def bookings_of_series(series_id: int) -> list[dict[str, Any]]:
    return await Booking.select().where(Booking.series == series_id).order_by(Booking.starts_at)


async def get_series(series_id: int) -> dict[str, Any] | None:
    if not 0 < series_id < 2**31:
        return None
    return await BookingSeries.select().where(BookingSeries.id == series_id).first()


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
    query = Booking.select(
        *Booking.all_columns(),
        Booking.facility.name.as_alias("facility_name"),
        Booking.facility.name_en.as_alias("facility_name_en"),
        Booking.tenant.name.as_alias("tenant_name"),
        Booking.tenant.name_en.as_alias("tenant_name_en"),
        Booking.user.name.as_alias("user_name"),
    )
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


async def update_booking(booking_id: int, **values: Any) -> None:
    """Change a booking's facility, times, seats or purpose (never its status: see park/bookings/lifecycle.py)."""
    assert "status" not in values, "statuses change through park.bookings.lifecycle"
    await Booking.update({getattr(Booking, k): v for k, v in values.items()}).where(Booking.id == booking_id)


async def members_to_book_for(tenant_id: int | None) -> list[dict[str, Any]]:
    """Active users of one firm (or, with None, of every firm) a booking can be made on behalf of, by firm and name."""
    sql = (
        "SELECT u.id AS id, u.name AS name, u.email AS email, t.id AS tenant_id, t.name AS tenant_name "
        "FROM park_user u JOIN tenant t ON t.id = u.tenant WHERE u.is_active = $1"
    )
    args: list[Any] = [True]
    if tenant_id is not None:
        sql += " AND u.tenant = $2"
        args.append(tenant_id)
    return await fetch(sql + " ORDER BY t.name, u.name, u.id", *args)
