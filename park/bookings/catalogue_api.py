"""Catalogue routes whose use case is a bookings one: changing a facility, adding blackouts, a facility's availability.

The paths stay under `/api/v1/facilities` and `/api/v1/buildings`; the
catalogue-only routes are in `park.facilities.api`.
"""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import Annotated

import msgspec
from litestar import Controller, Request, get, patch, post
from litestar.di import NamedDependency
from litestar.params import FromPath, FromQuery, JSONBody, QueryParameter

from park.bookings import closures, search
from park.facilities import queries
from park.facilities.api import BlackoutIn, BlackoutOut, FacilityOut, FacilityPatch, blackout_out, facility_out
from park.settings import Settings
from park.shared.http_cache import cacheable
from park.shared.api import Page, caller, given, parse_instant
from park.shared.clock import utc_now
from park.shared.errors import NotFound, ValidationFailed
from park.shared.guards import manager_only
from park.shared.timespan import Span


class SlotOut(msgspec.Struct):
    starts_at: datetime
    ends_at: datetime
    free: int


class AvailabilityOut(msgspec.Struct):
    facility_id: int
    slots: list[SlotOut]


def _within_years(value: datetime, field: str) -> None:
    # Far-off years would overflow the date arithmetic around them.
    if not 2000 <= value.year <= 2999:
        raise ValidationFailed.on(field, "choose a date between the years 2000 and 2999")


def _span(starts_at: datetime, ends_at: datetime) -> Span:
    _within_years(starts_at, "starts_at")
    _within_years(ends_at, "ends_at")
    if ends_at <= starts_at:
        raise ValidationFailed.on("ends_at", "The end must be later than the start.")
    return Span(starts_at, ends_at)


class BuildingClosureController(Controller):
    path = "/api/v1/buildings"
    tags = ["catalogue"]

    @post("/{building_id:int}/blackouts", guards=[manager_only], summary="Close every facility of a building for a period")
    async def building_blackout(self, request: Request, building_id: FromPath[int], data: JSONBody[BlackoutIn], settings: NamedDependency[Settings]) -> BlackoutOut:
        row, cancelled = await closures.add_blackout(
            caller(request), _span(data.starts_at, data.ends_at), data.reason, utc_now(), settings.zone, building_id=building_id
        )
        return blackout_out(row, cancelled)


class FacilityBookingsController(Controller):
    """One facility's routes that share a path with a bookings use case.

    Litestar serves a path from one controller only (a second controller on the
    same path collides on the automatic OPTIONS handler), so reading one
    facility and listing its blackouts sit here beside changing it and adding one.
    """

    path = "/api/v1/facilities"
    tags = ["catalogue"]

    @get("/{facility_id:int}", summary="One facility", middleware=[cacheable(60)])
    async def get_facility(self, facility_id: FromPath[int]) -> FacilityOut:
        row = await queries.get_facility(facility_id)
        if row is None:
            raise NotFound("There is no facility %(id)s.", params={"id": facility_id})
        return facility_out(row)

    @patch("/{facility_id:int}", guards=[manager_only], summary="Change a facility")
    async def update_facility(
        self, request: Request, facility_id: FromPath[int], data: JSONBody[FacilityPatch], settings: NamedDependency[Settings]
    ) -> FacilityOut:
        row = await closures.update_facility(caller(request), facility_id, given(data), utc_now(), settings.zone)
        return facility_out(row)

    @get("/{facility_id:int}/availability", summary="Slots with seats left (closed hours and blackouts left out)",
         middleware=[cacheable(10)])
    async def availability(
        self, facility_id: FromPath[int], settings: NamedDependency[Settings],
        from_: Annotated[str | None, QueryParameter(name="from")] = None, to: FromQuery[str | None] = None,
    ) -> AvailabilityOut:
        zone = settings.zone
        starts_at = parse_instant(from_, "from", zone, required=False)
        if starts_at is None:
            today = utc_now().astimezone(zone).date()
            starts_at = datetime(today.year, today.month, today.day, tzinfo=zone)
        ends_at = parse_instant(to, "to", zone, required=False) or starts_at + timedelta(days=7)
        _within_years(starts_at, "from")
        _within_years(ends_at, "to")
        if ends_at <= starts_at:
            raise ValidationFailed.on("to", "'to' must be later than 'from'.")
        slots = await search.facility_availability(facility_id, Span(starts_at, ends_at), zone)
        return AvailabilityOut(facility_id=facility_id, slots=[SlotOut(s.starts_at, s.ends_at, s.free) for s in slots])

    @get("/{facility_id:int}/blackouts", summary="Blackouts of the facility and its building")
    async def list_blackouts(self, facility_id: FromPath[int]) -> Page[BlackoutOut]:
        rows = await queries.list_blackouts(facility_id=facility_id)
        return Page(items=[blackout_out(r) for r in rows], total=len(rows))

    @post("/{facility_id:int}/blackouts", guards=[manager_only], summary="Close the facility for a period; colliding bookings are cancelled with notice")
    async def create_blackout(self, request: Request, facility_id: FromPath[int], data: JSONBody[BlackoutIn], settings: NamedDependency[Settings]) -> BlackoutOut:
        row, cancelled = await closures.add_blackout(
            caller(request), _span(data.starts_at, data.ends_at), data.reason, utc_now(), settings.zone, facility_id=facility_id
        )
        return blackout_out(row, cancelled)


ROUTES = [BuildingClosureController, FacilityBookingsController]
