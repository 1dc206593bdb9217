"""Catalogue JSON API: buildings, facilities, blackouts, authorisations.

Routes whose use case reaches bookings (changing a facility, adding a blackout,
availability) are in `park.bookings.catalogue_api`.
"""

from __future__ import annotations

from datetime import datetime
from typing import Annotated, Any

import msgspec
from litestar import Controller, Request, delete, get, patch, post
from litestar.params import FromPath, FromQuery, JSONBody

from park.shared.guards import manager_only
from park.facilities import queries, service
from park.facilities.model import FACILITY_KINDS
from park.shared.api import AwareDatetime, Page, caller, given, one_of, paging
from park.shared.clock import utc_now


Name = Annotated[str, msgspec.Meta(min_length=1, max_length=200)]
ShortText = Annotated[str, msgspec.Meta(max_length=200)]
Note = Annotated[str, msgspec.Meta(max_length=300)]
Code = Annotated[str, msgspec.Meta(max_length=40)]
Address = Annotated[str, msgspec.Meta(max_length=300)]


class BuildingIn(msgspec.Struct):
    name: Name
    code: Annotated[str, msgspec.Meta(min_length=1, max_length=20)]
    name_en: ShortText = ""
    address: Address = ""
    address_en: Address = ""


class BuildingPatch(msgspec.Struct):
    """A building's names and address; its code stays (units and imports name it by it)."""

    name: Name | msgspec.UnsetType = msgspec.UNSET
    name_en: ShortText | msgspec.UnsetType = msgspec.UNSET
    address: Address | msgspec.UnsetType = msgspec.UNSET
    address_en: Address | msgspec.UnsetType = msgspec.UNSET


class BuildingOut(msgspec.Struct):
    id: int
    name: str
    name_en: str
    code: str
    address: str = ""
    address_en: str = ""


class FacilityIn(msgspec.Struct):
    name: Name
    kind: str
    building_id: int
    name_en: ShortText = ""
    code: Code | None = None
    platform: ShortText = ""
    platform_en: ShortText = ""
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
    platform_en: ShortText | msgspec.UnsetType = msgspec.UNSET
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
    platform_en: str = ""


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


def building_out(row: dict[str, Any]) -> BuildingOut:
    return BuildingOut(id=row["id"], name=row["name"], name_en=row["name_en"], code=row["code"],
                       address=row["address"], address_en=row["address_en"])


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
        platform_en=row["platform_en"],
    )


def blackout_out(row: dict[str, Any], cancelled: list[dict[str, Any]] | None = None) -> BlackoutOut:
    return BlackoutOut(
        id=row["id"], facility_id=row["facility"], building_id=row["building"], starts_at=row["starts_at"],
        ends_at=row["ends_at"], reason=row["reason"], cancelled_booking_ids=[b["id"] for b in cancelled or []],
    )


class BuildingController(Controller):
    path = "/api/v1/buildings"
    tags = ["catalogue"]

    @get("", summary="Buildings of the base")
    async def list_buildings(self) -> Page[BuildingOut]:
        rows = await queries.list_buildings()
        return Page(items=[building_out(r) for r in rows], total=len(rows))

    @post("", guards=[manager_only], summary="Add a building")
    async def create_building(self, request: Request, data: JSONBody[BuildingIn]) -> BuildingOut:
        row = await service.create_building(caller(request), data.code, msgspec.structs.asdict(data), utc_now())
        return building_out(row)

    @patch("/{building_id:int}", guards=[manager_only], summary="Rename a building or change its address")
    async def update_building(self, request: Request, building_id: FromPath[int], data: JSONBody[BuildingPatch]) -> BuildingOut:
        return building_out(await service.update_building(caller(request), building_id, given(data), utc_now()))

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

    @get("/{facility_id:int}/authorizations", guards=[manager_only], summary="Users trained for the facility")
    async def list_authorizations(self, facility_id: FromPath[int]) -> Page[AuthorizationOut]:
        rows = await queries.list_authorizations(facility_id)
        items = [AuthorizationOut(r["id"], r["facility"], r["user"], r["valid_until"], r["note"]) for r in rows]
        return Page(items=items, total=len(items))

    @post("/{facility_id:int}/authorizations", guards=[manager_only], summary="Record a user's training for the facility")
    async def grant_authorization(self, request: Request, facility_id: FromPath[int], data: JSONBody[AuthorizationIn]) -> AuthorizationOut:
        r = await service.grant_authorization(caller(request), facility_id, data.user_id, data.valid_until, data.note, utc_now())
        return AuthorizationOut(r["id"], r["facility"], r["user"], r["valid_until"], r["note"])


class TrainingRequestOut(msgspec.Struct):
    id: int
    facility_id: int
    user_id: int
    requested_at: datetime
    notified_at: datetime
    managers_notified: bool
    """Whether this call told the managers (they are told at most once a park-local day)."""


class TrainingRequestController(Controller):
    path = "/api/v1/facilities"
    tags = ["catalogue"]

    @post("/{facility_id:int}/training-requests", summary="Ask the park managers to train the caller for the facility")
    async def ask_for_training(self, request: Request, facility_id: FromPath[int]) -> TrainingRequestOut:
        settings = request.app.state.settings
        r = await service.ask_for_training(caller(request), facility_id, utc_now(), settings.zone, settings.base_url)
        return TrainingRequestOut(r["id"], r["facility"], r["user"], r["requested_at"], r["notified_at"], r["notified"])


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


ROUTES = [BuildingController, FacilityController, TrainingRequestController, CatalogueAdminController]
