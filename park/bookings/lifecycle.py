"""The one owner of a booking's status: every change of status passes here.

A change names the status the caller read (`expected`) and the one it wants
(`new`). The transition table (`park.bookings.model.TRANSITIONS`) says whether
that step exists at all; the UPDATE is conditional
(`… WHERE id = $1 AND status = $expected`), so of two concurrent changes of one
booking only the first to commit moves it. On PostgreSQL the second UPDATE waits
for the first's row lock and then finds the status no longer matches (0 rows);
on SQLite the IMMEDIATE transactions queue and the second reads the new status.
The loser gets `Conflict` (409), and since callers audit and mail only after a
successful change, inside the same transaction, the audit log records only what
happened.
"""

from __future__ import annotations

from typing import Any

from park.bookings.live import booking_changed
from park.bookings.model import can_transition
from park.bookings.tables import Booking
from park.shared.errors import Conflict
from park.shared.labels import term


async def try_change_status(booking_id: int, expected: str, new: str, **values: Any) -> dict[str, Any] | None:
    """Move one booking from `expected` to `new` (with the other columns in `values`).

    The stored row comes back, or None when the booking is no longer `expected`
    (another request or process changed it first). A step the transition table
    does not allow raises `Conflict`: no caller may write it.
    """
    if not can_transition(expected, new):
        raise Conflict(
            "This booking cannot go from %(from)s to %(to)s.",
            params={"from": term("booking_status", expected), "to": term("booking_status", new)}, extra={"rule": "transition"},
        )
    changes = {Booking.status: new, **{getattr(Booking, column): value for column, value in values.items()}}
    rows = await Booking.update(changes).where(
        (Booking.id == booking_id) & (Booking.status == expected)
    ).returning(*Booking.all_columns())
    if rows:
        await booking_changed(rows[0])
    return rows[0] if rows else None


async def change_status(booking_id: int, expected: str, new: str, **values: Any) -> dict[str, Any]:
    """As `try_change_status`, but a booking changed meanwhile raises `Conflict` (409)."""
    row = await try_change_status(booking_id, expected, new, **values)
    if row is None:
        raise Conflict(
            "This booking was changed at the same moment by someone else; reload it and try again.",
            extra={"rule": "status_changed"},
        )
    return row
