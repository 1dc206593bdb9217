"""Allocation rounds JSON API: run, simulate (what-if), read, override, confirm."""

from __future__ import annotations

from datetime import datetime
from typing import Any

import msgspec
from litestar import Controller, Request, get, post
from litestar.di import NamedDependency
from litestar.params import FromPath, FromQuery, JSONBody

from park.allocation import rounds, simulation
from park.priority.service import current_policy
from park.settings import Settings
from park.shared.api import Page, caller, paging
from park.shared.i18n import said
from park.shared.reasons import stored_params
from park.shared.clock import utc_now
from park.shared.guards import manager_only


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
    explanation_code: str = ""
    """The explanation's reason code (park/shared/reasons.py); `explanation` is its English, `explanation_zh` its Chinese."""
    explanation_params: dict[str, Any] = msgspec.field(default_factory=dict)


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


def assignment_out(row: dict[str, Any]) -> AssignmentOut:
    return AssignmentOut(
        application_id=row["application"],
        tenant_id=row["tenant"],
        unit_id=row["unit"],
        rank=row["rank"],
        score=row["score"],
        reason=row["reason"],
        explanation=said(row, "explanation", "en"),
        explanation_zh=said(row, "explanation", "zh_Hans"),
        taken_by_application_ids=list(row["taken_by"] or []),
        proposed_unit_id=row["proposed_unit"],
        overridden=row["overridden"],
        override_reason=row["override_reason"],
        explanation_code=row.get("explanation_code") or "",
        explanation_params=stored_params(row.get("explanation_params")),
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


class AllocationRoundController(Controller):
    path = "/api/v1/allocation-rounds"
    tags = ["space"]
    guards = [manager_only]

    @post("", summary="Run a round over open applications and vacant units: a proposal, explained")
    async def run_round(self, request: Request, settings: NamedDependency[Settings]) -> RoundOut:
        row = await rounds.run_allocation_round(caller(request), utc_now(), settings.zone, current_policy(settings))
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
        rows, total = await rounds.list_rounds(caller(request), limit=limit, offset=offset)
        return Page(items=[round_summary(row) for row in rows], total=total)

    @get("/{round_id:int}", summary="One round with its assignments")
    async def get_round(self, request: Request, round_id: FromPath[int]) -> RoundOut:
        return round_out(await rounds.get_round(caller(request), round_id))

    @post("/{round_id:int}/confirm", status_code=200, summary="Confirm: create the leases, close the applications, tell the firms")
    async def confirm(self, request: Request, round_id: FromPath[int], settings: NamedDependency[Settings]) -> RoundOut:
        return round_out(await rounds.confirm_round(caller(request), round_id, utc_now(), settings.zone))

    @post("/{round_id:int}/override", status_code=200, summary="Give one applicant another unit (or none), with a recorded reason")
    async def override(self, request: Request, round_id: FromPath[int], data: JSONBody[OverrideIn]) -> RoundOut:
        row = await rounds.override_assignment(
            caller(request), round_id, data.application_id, data.unit_id, data.reason, utc_now()
        )
        return round_out(row)


ROUTES: list[Any] = [AllocationRoundController]
