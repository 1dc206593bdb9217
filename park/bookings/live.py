"""Live bookings: what a booking change announces, and the event stream open pages follow.

A change announces only its facility and local days (park/shared/live.py), so the stream needs
no sign-in: facility ids are the public catalogue's. A page re-reads what it shows, with the
reader's own rights, when it hears one (templates/_live.html).
"""

from __future__ import annotations

from datetime import date
from typing import Any

from litestar import Request, get
from litestar.response import ServerSentEvent

from park.facilities import queries as facility_queries
from park.shared import live
from park.shared.errors import NotFound, ValidationFailed

MAX_FACILITIES = 100
MAX_DAYS = 62


async def booking_changed(row: dict[str, Any]) -> dict[str, Any]:
    """Announce a booking row's facility and days (its buffer included); call in its transaction.

    Returns the row, so a write can be wrapped: `return await booking_changed(await insert(...))`.
    """
    await live.publish(row["facility"], row["starts_at"], max(row["ends_at"], row.get("occupied_until") or row["ends_at"]))
    return row


def _ids(values: list[str]) -> frozenset[int] | None:
    if not values:
        return None
    ids: set[int] = set()
    for value in values:
        for part in value.split(","):
            if not part.strip().isdigit() or not 0 < int(part) < 2**31:
                raise ValidationFailed.on("facility", "give facility ids (whole numbers), separated by commas")
            ids.add(int(part))
    if len(ids) > MAX_FACILITIES:
        raise ValidationFailed.on("facility", "Follow at most %(count)s facilities at once.", count=MAX_FACILITIES)
    return frozenset(ids)


def _days(first: str | None, last: str | None) -> frozenset[str] | None:
    if not first and not last:
        return None
    try:
        start = date.fromisoformat(first or last or "")
        end = date.fromisoformat(last or first or "")
    except ValueError:
        raise ValidationFailed.on("from" if first else "to", "give a date as YYYY-MM-DD") from None
    count = (end - start).days + 1
    if not 0 < count <= MAX_DAYS:
        raise ValidationFailed.on("to", "Give a range of 1 to %(days)s days, the end not before the start.", days=MAX_DAYS)
    return frozenset(date.fromordinal(start.toordinal() + i).isoformat() for i in range(count))


@get("/live/events", include_in_schema=False)
async def live_events(request: Request) -> ServerSentEvent:
    """`?facility=1,2&from=YYYY-MM-DD&to=YYYY-MM-DD` (each optional: all facilities, all days).

    Streams `event: bookings-changed` with `{"facility_id", "days"}` (null: any), a comment line
    as heartbeat; 503 when this process has no room for another stream or is stopping. A page
    reconnecting (Last-Event-ID) first hears "anything may have changed".
    """
    facilities = _ids(request.query_params.getall("facility", []))
    days = _days(request.query_params.get("from"), request.query_params.get("to"))
    for facility_id in sorted(facilities or ()):
        row = await facility_queries.get_facility(facility_id)
        if row is None or not row["is_active"]:
            raise NotFound("There is no facility %(id)s.", params={"id": facility_id})
    hub = live.hub()
    subscription = await hub.subscribe(facilities, days)
    if request.headers.get("last-event-id"):
        subscription.offer(live.ANYTHING)  # a reconnecting page: what changed while it was away is unknown

    async def events() -> Any:
        try:
            async for message in live.stream(subscription, hub.closed):
                yield message
        finally:
            hub.unsubscribe(subscription)

    return ServerSentEvent(events(), headers={"Cache-Control": "no-store"})


ROUTES: list[Any] = [live_events]
