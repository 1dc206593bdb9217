"""Space JSON API: units, leases, space applications, allocation rounds."""

from __future__ import annotations

from datetime import date, datetime
from typing import Any

import msgspec
from litestar import Controller, Request, get, post
from litestar.di import NamedDependency
from litestar.params import FromPath, FromQuery, JSONBody

from park.shared.guards import manager_only, signed_in, tenant_admin_or_manager
from park.allocation import service, simulation
from park.priority.service import current_policy
from park.settings import Settings
from park.shared.api import AwareDatetime, Page, caller, paging
from park.shared.clock import utc_now
from park.shared.errors import ValidationFailed


class UnitIn(msgspec.Struct):
    building_id: int
    floor: int
    code: str
    kind: str
    area_m2: float
    monthly_rent_fen: int = 0


class UnitOut(msgspec.Struct):
    id: int
    building_id: int
    floor: int
    code: str
    kind: str
    area_m2: float
    monthly_rent_fen: int


class LeaseIn(msgspec.Struct):
    unit_id: int
    tenant_id: int
    starts_on: date
    ends_on: date


class LeaseOut(msgspec.Struct):
    id: int
    unit_id: int
    tenant_id: int
    starts_on: date
    ends_on: date
    application_id: int | None


class ApplicationIn(msgspec.Struct):
    unit_kind: str
    min_area_m2: float
    max_area_m2: float
    start_date: date
    term_months: int
    preferred_building_ids: list[int] = []
    justification: str = ""
    tenant_id: int | None = None


class ScoreLine(msgspec.Struct):
    rule: str
    points: int


class ApplicationOut(msgspec.Struct):
    id: int
    tenant_id: int
    unit_kind: str
    min_area_m2: float
    max_area_m2: float
    preferred_building_ids: list[int]
    start_date: date
    term_months: int
    justification: str
    status: str
    score: int
    score_breakdown: list[ScoreLine]
    policy_version: str
    submitted_at: datetime
    ineligible_reason: str
    unit_id: int | None
    rank: int | None
    explanation: str
    explanation_zh: str
    round_id: int | None


class ReasonIn(msgspec.Struct):
    reason: str


class OverrideIn(msgspec.Struct):
    application_id: int
    reason: str
    unit_id: int | None = None


class AssignmentOut(msgspec.Struct):
    application_id: int
    tenant_id: int
    unit_id: int | None
    rank: int
    score: int
    reason: str
    explanation: str
    explanation_zh: str
    taken_by_application_ids: list[int]
    proposed_unit_id: int | None
    overridden: bool
    override_reason: str


class RoundOut(msgspec.Struct):
    id: int
    status: str
    policy_version: str
    created_at: datetime
    confirmed_at: datetime | None
    application_count: int
    unit_count: int
    housed_count: int
    assignments: list[AssignmentOut]


class SimulationIn(msgspec.Struct):
    # The `document` of GET /priority-policy (or that whole answer), edited; or the policy's TOML text.
    policy: dict[str, Any] | str | None = None


class Placement(msgspec.Struct):
    rank: int
    unit_id: int | None


class DifferenceOut(msgspec.Struct):
    application_id: int
    tenant_id: int
    change: str
    current: Placement
    simulated: Placement


class SimulationOut(msgspec.Struct):
    status: str
    policy_version: str
    current_policy_version: str
    application_count: int
    unit_count: int
    housed_count: int
    current_housed_count: int
    assignments: list[AssignmentOut]
    differences: list[DifferenceOut]
    housed_area: dict[str, dict[str, dict[str, float]]]


def simulation_out(result: dict[str, Any]) -> SimulationOut:
    return SimulationOut(
        status=result["status"],
        policy_version=result["policy_version"],
        current_policy_version=result["current_policy_version"],
        application_count=result["application_count"],
        unit_count=result["unit_count"],
        housed_count=result["housed_count"],
        current_housed_count=result["current_housed_count"],
        assignments=[assignment_out(a) for a in result["assignments"]],
        differences=[
            DifferenceOut(
                application_id=d.application_id,
                tenant_id=d.tenant_id,
                change=d.change,
                current=Placement(d.current_rank, d.current_unit_id),
                simulated=Placement(d.simulated_rank, d.simulated_unit_id),
            )
            for d in result["differences"]
        ],
        housed_area=result["housed_area"],
    )


class RoundSummary(msgspec.Struct):
    id: int
    status: str
    policy_version: str
    created_at: datetime
    confirmed_at: datetime | None
    application_count: int
    unit_count: int
    housed_count: int


def unit_out(row: dict[str, Any]) -> UnitOut:
    return UnitOut(
        id=row["id"],
        building_id=row["building"],
        floor=row["floor"],
        code=row["code"],
        kind=row["kind"],
        area_m2=row["area_m2"],
        monthly_rent_fen=row["monthly_rent_fen"],
    )


def lease_out(row: dict[str, Any]) -> LeaseOut:
    return LeaseOut(
        id=row["id"],
        unit_id=row["unit"],
        tenant_id=row["tenant"],
        starts_on=row["starts_on"],
        ends_on=row["ends_on"],
        application_id=row["application"],
    )


def application_out(row: dict[str, Any]) -> ApplicationOut:
    return ApplicationOut(
        id=row["id"],
        tenant_id=row["tenant"],
        unit_kind=row["unit_kind"],
        min_area_m2=row["min_area_m2"],
        max_area_m2=row["max_area_m2"],
        preferred_building_ids=list(row["preferred_building_ids"] or []),
        start_date=row["start_date"],
        term_months=row["term_months"],
        justification=row["justification"],
        status=row["status"],
        score=row["score"],
        score_breakdown=[ScoreLine(rule=x["rule"], points=x["points"]) for x in row["score_breakdown"] or []],
        policy_version=row["policy_version"],
        submitted_at=row["submitted_at"],
        ineligible_reason=row["ineligible_reason"],
        unit_id=row["unit"],
        rank=row["rank"],
        explanation=row["explanation"],
        explanation_zh=row["explanation_zh"],
        round_id=row["round_id"],
    )


def assignment_out(row: dict[str, Any]) -> AssignmentOut:
    return AssignmentOut(
        application_id=row["application"],
        tenant_id=row["tenant"],
        unit_id=row["unit"],
        rank=row["rank"],
        score=row["score"],
        reason=row["reason"],
        explanation=row["explanation"],
        explanation_zh=row["explanation_zh"],
        taken_by_application_ids=list(row["taken_by"] or []),
        proposed_unit_id=row["proposed_unit"],
        overridden=row["overridden"],
        override_reason=row["override_reason"],
    )


def round_summary(row: dict[str, Any]) -> RoundSummary:
    return RoundSummary(
        id=row["id"],
        status=row["status"],
        policy_version=row["policy_version"],
        created_at=row["created_at"],
        confirmed_at=row["confirmed_at"],
        application_count=row["application_count"],
        unit_count=row["unit_count"],
        housed_count=row["housed_count"],
    )


def round_out(row: dict[str, Any]) -> RoundOut:
    summary = round_summary(row)
    return RoundOut(**msgspec.structs.asdict(summary), assignments=[assignment_out(a) for a in row["assignments"]])


def _date(value: str | None, field: str) -> date | None:
    if value is None or value == "":
        return None
    try:
        return date.fromisoformat(value)
    except ValueError:
        raise ValidationFailed.on(field, "Use a date like 2027-01-01.") from None


class UnitController(Controller):
    path = "/api/v1/units"
    tags = ["space"]
    guards = [manager_only]

    @get("", summary="Units; with vacant_from and vacant_to, only those with no lease in [from, to)")
    async def list_units(
        self,
        request: Request,
        building_id: FromQuery[int | None] = None,
        kind: FromQuery[str | None] = None,
        vacant_from: FromQuery[str | None] = None,
        vacant_to: FromQuery[str | None] = None,
        limit: FromQuery[int | None] = None,
        offset: FromQuery[int | None] = None,
    ) -> Page[UnitOut]:
        limit, offset = paging(limit, offset)
        rows, total = await service.list_units(
            caller(request),
            building_id=building_id,
            kind=kind,
            vacant_from=_date(vacant_from, "vacant_from"),
            vacant_to=_date(vacant_to, "vacant_to"),
            limit=limit,
            offset=offset,
        )
        return Page(items=[unit_out(row) for row in rows], total=total)

    @post("", summary="Add a unit")
    async def create_unit(self, request: Request, data: JSONBody[UnitIn]) -> UnitOut:
        row = await service.create_unit(caller(request), service.UnitInput(**msgspec.structs.asdict(data)), utc_now())
        return unit_out(row)

    @get("/{unit_id:int}", summary="One unit")
    async def get_unit(self, request: Request, unit_id: FromPath[int]) -> UnitOut:
        return unit_out(await service.get_unit(caller(request), unit_id))


class LeaseController(Controller):
    path = "/api/v1/leases"
    tags = ["space"]

    @get("", guards=[signed_in], summary="Leases (a firm sees its own)")
    async def list_leases(
        self,
        request: Request,
        unit_id: FromQuery[int | None] = None,
        tenant_id: FromQuery[int | None] = None,
        active_on: FromQuery[str | None] = None,
        limit: FromQuery[int | None] = None,
        offset: FromQuery[int | None] = None,
    ) -> Page[LeaseOut]:
        limit, offset = paging(limit, offset)
        rows, total = await service.list_leases(
            caller(request),
            unit_id=unit_id,
            tenant_id=tenant_id,
            active_on=_date(active_on, "active_on"),
            limit=limit,
            offset=offset,
        )
        return Page(items=[lease_out(row) for row in rows], total=total)

    @post("", guards=[manager_only], summary="Lease a unit to a firm over [starts_on, ends_on); an overlap → 409")
    async def create_lease(self, request: Request, data: JSONBody[LeaseIn]) -> LeaseOut:
        row = await service.create_lease(caller(request), service.LeaseInput(**msgspec.structs.asdict(data)), utc_now())
        return lease_out(row)


class SpaceApplicationController(Controller):
    path = "/api/v1/space-applications"
    tags = ["space"]

    @post("", guards=[tenant_admin_or_manager], summary="Apply for space; the answer carries the score and its breakdown")
    async def submit(self, request: Request, data: JSONBody[ApplicationIn], settings: NamedDependency[Settings]) -> ApplicationOut:
        fields = msgspec.structs.asdict(data)
        fields["preferred_building_ids"] = tuple(fields["preferred_building_ids"])
        row = await service.submit_application(
            caller(request), service.ApplicationInput(**fields), utc_now(), settings.zone, current_policy(settings)
        )
        return application_out(row)

    @get("", guards=[signed_in], summary="Space applications (a firm sees its own)")
    async def list_applications(
        self,
        request: Request,
        status: FromQuery[str | None] = None,
        limit: FromQuery[int | None] = None,
        offset: FromQuery[int | None] = None,
    ) -> Page[ApplicationOut]:
        limit, offset = paging(limit, offset)
        rows, total = await service.list_applications(caller(request), status=status, limit=limit, offset=offset)
        return Page(items=[application_out(row) for row in rows], total=total)

    @get("/{application_id:int}", guards=[signed_in], summary="One space application (another firm's → 404)")
    async def get_application(self, request: Request, application_id: FromPath[int]) -> ApplicationOut:
        return application_out(await service.get_application(caller(request), application_id))

    @post("/{application_id:int}/withdraw", guards=[tenant_admin_or_manager], status_code=200, summary="Withdraw an open application")
    async def withdraw(self, request: Request, application_id: FromPath[int]) -> ApplicationOut:
        return application_out(await service.withdraw_application(caller(request), application_id, utc_now()))

    @post("/{application_id:int}/ineligible", guards=[manager_only], status_code=200, summary="Mark an open application ineligible, with a reason")
    async def ineligible(self, request: Request, application_id: FromPath[int], data: JSONBody[ReasonIn]) -> ApplicationOut:
        return application_out(await service.mark_ineligible(caller(request), application_id, data.reason, utc_now()))


class AllocationRoundController(Controller):
    path = "/api/v1/allocation-rounds"
    tags = ["space"]
    guards = [manager_only]

    @post("", summary="Run a round over open applications and vacant units: a proposal, explained")
    async def run_round(self, request: Request, settings: NamedDependency[Settings]) -> RoundOut:
        row = await service.run_allocation_round(caller(request), utc_now(), settings.zone, current_policy(settings))
        return round_out(row)

    @post(
        "/simulations",
        status_code=200,
        summary="What-if: the round an edited policy would give now, beside the policy in force; stores nothing",
    )
    async def simulate(
        self, request: Request, settings: NamedDependency[Settings], data: JSONBody[SimulationIn]
    ) -> SimulationOut:
        edited = simulation.edited_policy(data.policy) if data.policy is not None else None
        result = await simulation.simulate_round(caller(request), utc_now(), settings.zone, current_policy(settings), edited)
        return simulation_out(result)

    @get("", summary="Allocation rounds, newest first")
    async def list_rounds(
        self, request: Request, limit: FromQuery[int | None] = None, offset: FromQuery[int | None] = None
    ) -> Page[RoundSummary]:
        limit, offset = paging(limit, offset)
        rows, total = await service.list_rounds(caller(request), limit=limit, offset=offset)
        return Page(items=[round_summary(row) for row in rows], total=total)

    @get("/{round_id:int}", summary="One round with its assignments")
    async def get_round(self, request: Request, round_id: FromPath[int]) -> RoundOut:
        return round_out(await service.get_round(caller(request), round_id))

    @post("/{round_id:int}/confirm", status_code=200, summary="Confirm: create the leases, close the applications, tell the firms")
    async def confirm(self, request: Request, round_id: FromPath[int], settings: NamedDependency[Settings]) -> RoundOut:
        return round_out(await service.confirm_round(caller(request), round_id, utc_now(), settings.zone))

    @post("/{round_id:int}/override", status_code=200, summary="Give one applicant another unit (or none), with a recorded reason")
    async def override(self, request: Request, round_id: FromPath[int], data: JSONBody[OverrideIn]) -> RoundOut:
        row = await service.override_assignment(
            caller(request), round_id, data.application_id, data.unit_id, data.reason, utc_now()
        )
        return round_out(row)


ROUTES = [
    UnitController,
    LeaseController,
    SpaceApplicationController,
    AllocationRoundController,
]
