"""Catalogue JSON API: buildings, facilities, availability, blackouts, authorisations."""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import Annotated, Any

import msgspec
from litestar import Controller, Request, delete, get, patch, post
from litestar.params import FromPath, FromQuery, JSONBody, QueryParameter
from litestar.di import NamedDependency

from park.shared.guards import manager_only
from park.facilities import queries, service
from park.facilities.model import FACILITY_KINDS
from park.settings import Settings
from park.shared.api import AwareDatetime, Page, caller, one_of, paging, parse_instant
from park.shared.clock import utc_now
from park.shared.errors import NotFound, ValidationFailed
from park.shared.timespan import Span


Name = Annotated[str, msgspec.Meta(min_length=1, max_length=200)]
ShortText = Annotated[str, msgspec.Meta(max_length=200)]
Note = Annotated[str, msgspec.Meta(max_length=300)]
Code = Annotated[str, msgspec.Meta(max_length=40)]


class BuildingIn(msgspec.Struct):
    name: Name
    code: Annotated[str, msgspec.Meta(min_length=1, max_length=20)]
    name_en: ShortText = ""


class BuildingOut(msgspec.Struct):
    id: int
    name: str
    name_en: str
    code: str


class FacilityIn(msgspec.Struct):
    name: Name
    kind: str
    building_id: int
    name_en: ShortText = ""
    code: Code | None = None
    platform: ShortText = ""
    description: str = ""
    capacity: int = 1
    booking_mode: str = "instant"
    requires_approval: bool = False
    requires_authorization: bool = False
    opening_hours: dict[str, Any] | None = None
    slot_minutes: int = 30
    min_duration_minutes: int = 30
    max_duration_minutes: int = 480
    max_advance_days: int = 90
    buffer_minutes: int = 0
    cancel_cutoff_minutes: int = 0
    hourly_rate_fen: int = 0


class FacilityPatch(msgspec.Struct):
    name: Name | msgspec.UnsetType = msgspec.UNSET
    kind: str | msgspec.UnsetType = msgspec.UNSET
    building_id: int | msgspec.UnsetType = msgspec.UNSET
    name_en: ShortText | msgspec.UnsetType = msgspec.UNSET
    code: Code | None | msgspec.UnsetType = msgspec.UNSET
    platform: ShortText | msgspec.UnsetType = msgspec.UNSET
    description: str | msgspec.UnsetType = msgspec.UNSET
    capacity: int | msgspec.UnsetType = msgspec.UNSET
    booking_mode: str | msgspec.UnsetType = msgspec.UNSET
    requires_approval: bool | msgspec.UnsetType = msgspec.UNSET
    requires_authorization: bool | msgspec.UnsetType = msgspec.UNSET
    opening_hours: dict[str, Any] | None | msgspec.UnsetType = msgspec.UNSET
    slot_minutes: int | msgspec.UnsetType = msgspec.UNSET
    min_duration_minutes: int | msgspec.UnsetType = msgspec.UNSET
    max_duration_minutes: int | msgspec.UnsetType = msgspec.UNSET
    max_advance_days: int | msgspec.UnsetType = msgspec.UNSET
    buffer_minutes: int | msgspec.UnsetType = msgspec.UNSET
    cancel_cutoff_minutes: int | msgspec.UnsetType = msgspec.UNSET
    hourly_rate_fen: int | msgspec.UnsetType = msgspec.UNSET
    is_active: bool | msgspec.UnsetType = msgspec.UNSET


class FacilityOut(msgspec.Struct):
    id: int
    name: str
    name_en: str
    kind: str
    building_id: int
    building_name: str
    platform: str
    description: str
    capacity: int
    booking_mode: str
    requires_approval: bool
    requires_authorization: bool
    opening_hours: dict[str, Any]
    slot_minutes: int
    min_duration_minutes: int
    max_duration_minutes: int
    max_advance_days: int
    buffer_minutes: int
    cancel_cutoff_minutes: int
    hourly_rate_fen: int
    is_active: bool
    code: str | None = None
    """The park's own key for the facility, unique when set (imports match by it)."""


class SlotOut(msgspec.Struct):
    starts_at: datetime
    ends_at: datetime
    free: int


class AvailabilityOut(msgspec.Struct):
    facility_id: int
    slots: list[SlotOut]


class BlackoutIn(msgspec.Struct):
    starts_at: AwareDatetime
    ends_at: AwareDatetime
    reason: Note = ""


class BlackoutOut(msgspec.Struct):
    id: int
    facility_id: int | None
    building_id: int | None
    starts_at: datetime
    ends_at: datetime
    reason: str
    cancelled_booking_ids: list[int] = []


class AuthorizationIn(msgspec.Struct):
    user_id: int
    valid_until: AwareDatetime | None = None
    note: Note = ""


class AuthorizationOut(msgspec.Struct):
    id: int
    facility_id: int
    user_id: int
    valid_until: datetime | None
    note: str


def _within_years(value: datetime, field: str) -> None:
    # Far-off years would overflow the date arithmetic around them.
    if not 2000 <= value.year <= 2999:
        raise ValidationFailed.on(field, "choose a date between the years 2000 and 2999")


def building_out(row: dict[str, Any]) -> BuildingOut:
    return BuildingOut(id=row["id"], name=row["name"], name_en=row["name_en"], code=row["code"])


def facility_out(row: dict[str, Any]) -> FacilityOut:
    return FacilityOut(
        id=row["id"], name=row["name"], name_en=row["name_en"], kind=row["kind"], building_id=row["building"],
        building_name=row.get("building_name") or "", platform=row["platform"], description=row["description"],
        capacity=row["capacity"], booking_mode=row["booking_mode"], requires_approval=row["requires_approval"],
        requires_authorization=row["requires_authorization"], opening_hours=row["opening_hours"],
        slot_minutes=row["slot_minutes"], min_duration_minutes=row["min_duration_minutes"],
        max_duration_minutes=row["max_duration_minutes"], max_advance_days=row["max_advance_days"],
        buffer_minutes=row["buffer_minutes"], cancel_cutoff_minutes=row["cancel_cutoff_minutes"],
        hourly_rate_fen=row["hourly_rate_fen"], is_active=row["is_active"], code=row.get("code"),
    )


def blackout_out(row: dict[str, Any], cancelled: list[dict[str, Any]] | None = None) -> BlackoutOut:
    return BlackoutOut(
        id=row["id"], facility_id=row["facility"], building_id=row["building"], starts_at=row["starts_at"],
        ends_at=row["ends_at"], reason=row["reason"], cancelled_booking_ids=[b["id"] for b in cancelled or []],
    )


def _span(starts_at: datetime, ends_at: datetime) -> Span:
    _within_years(starts_at, "starts_at")
    _within_years(ends_at, "ends_at")
    if ends_at <= starts_at:
        raise ValidationFailed.on("ends_at", "The end must be later than the start.")
    return Span(starts_at, ends_at)


class BuildingController(Controller):
    path = "/api/v1/buildings"
    tags = ["catalogue"]

    @get("", summary="Buildings of the base")
    async def list_buildings(self) -> Page[BuildingOut]:
        rows = await queries.list_buildings()
        return Page(items=[building_out(r) for r in rows], total=len(rows))

    @post("", guards=[manager_only], summary="Add a building")
    async def create_building(self, request: Request, data: JSONBody[BuildingIn]) -> BuildingOut:
        row = await service.create_building(caller(request), data.name, data.code, data.name_en, utc_now())
        return building_out(row)

    @post("/{building_id:int}/blackouts", guards=[manager_only], summary="Close every facility of a building for a period")
    async def building_blackout(self, request: Request, building_id: FromPath[int], data: JSONBody[BlackoutIn], settings: NamedDependency[Settings]) -> BlackoutOut:
        row, cancelled = await service.add_blackout(
            caller(request), _span(data.starts_at, data.ends_at), data.reason, utc_now(), settings.zone, building_id=building_id
        )
        return blackout_out(row, cancelled)


class FacilityController(Controller):
    path = "/api/v1/facilities"
    tags = ["catalogue"]

    @get("", summary="Facilities, filtered by kind, building and words")
    async def list_facilities(
        self, kind: FromQuery[str | None] = None, building_id: FromQuery[int | None] = None, q: FromQuery[str | None] = None,
        limit: FromQuery[int | None] = None, offset: FromQuery[int | None] = None,
    ) -> Page[FacilityOut]:
        limit_, offset_ = paging(limit, offset)
        rows, total = await queries.search_facilities(kind=one_of(kind, FACILITY_KINDS, "kind"), building_id=building_id, q=q, limit=limit_, offset=offset_)
        return Page(items=[facility_out(r) for r in rows], total=total)

    @post("", guards=[manager_only], summary="Add a facility")
    async def create_facility(self, request: Request, data: JSONBody[FacilityIn]) -> FacilityOut:
        row = await service.create_facility(caller(request), msgspec.structs.asdict(data), utc_now())
        return facility_out(row)

    @get("/{facility_id:int}", summary="One facility")
    async def get_facility(self, facility_id: FromPath[int]) -> FacilityOut:
        row = await queries.get_facility(facility_id)
        if row is None:
            raise NotFound(f"There is no facility {facility_id}.")
        return facility_out(row)

    @patch("/{facility_id:int}", guards=[manager_only], summary="Change a facility")
    async def update_facility(
        self, request: Request, facility_id: FromPath[int], data: JSONBody[FacilityPatch], settings: NamedDependency[Settings]
    ) -> FacilityOut:
        changes = {k: v for k, v in msgspec.structs.asdict(data).items() if v is not msgspec.UNSET}
        row = await service.update_facility(caller(request), facility_id, changes, utc_now(), settings.zone)
        return facility_out(row)

    @get("/{facility_id:int}/availability", summary="Slots with seats left (closed hours and blackouts left out)")
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
        slots = await service.availability(facility_id, Span(starts_at, ends_at), zone)
        return AvailabilityOut(facility_id=facility_id, slots=[SlotOut(s.starts_at, s.ends_at, s.free) for s in slots])

    @get("/{facility_id:int}/blackouts", summary="Blackouts of the facility and its building")
    async def list_blackouts(self, facility_id: FromPath[int]) -> Page[BlackoutOut]:
        rows = await queries.list_blackouts(facility_id=facility_id)
        return Page(items=[blackout_out(r) for r in rows], total=len(rows))

    @post("/{facility_id:int}/blackouts", guards=[manager_only], summary="Close the facility for a period; colliding bookings are cancelled with notice")
    async def create_blackout(self, request: Request, facility_id: FromPath[int], data: JSONBody[BlackoutIn], settings: NamedDependency[Settings]) -> BlackoutOut:
        row, cancelled = await service.add_blackout(
            caller(request), _span(data.starts_at, data.ends_at), data.reason, utc_now(), settings.zone, facility_id=facility_id
        )
        return blackout_out(row, cancelled)

    @get("/{facility_id:int}/authorizations", guards=[manager_only], summary="Users trained for the facility")
    async def list_authorizations(self, facility_id: FromPath[int]) -> Page[AuthorizationOut]:
        rows = await queries.list_authorizations(facility_id)
        items = [AuthorizationOut(r["id"], r["facility"], r["user"], r["valid_until"], r["note"]) for r in rows]
        return Page(items=items, total=len(items))

    @post("/{facility_id:int}/authorizations", guards=[manager_only], summary="Record a user's training for the facility")
    async def grant_authorization(self, request: Request, facility_id: FromPath[int], data: JSONBody[AuthorizationIn]) -> AuthorizationOut:
        r = await service.grant_authorization(caller(request), facility_id, data.user_id, data.valid_until, data.note, utc_now())
        return AuthorizationOut(r["id"], r["facility"], r["user"], r["valid_until"], r["note"])


class CatalogueAdminController(Controller):
    path = "/api/v1"
    tags = ["catalogue"]
    guards = [manager_only]

    @delete("/blackouts/{blackout_id:int}", status_code=204, summary="Lift a blackout")
    async def delete_blackout(self, request: Request, blackout_id: FromPath[int]) -> None:
        await service.delete_blackout(caller(request), blackout_id, utc_now())

    @delete("/authorizations/{authorization_id:int}", status_code=204, summary="Withdraw a training authorisation")
    async def revoke_authorization(self, request: Request, authorization_id: FromPath[int]) -> None:
        await service.revoke_authorization(caller(request), authorization_id, utc_now())


ROUTES = [BuildingController, FacilityController, CatalogueAdminController]
