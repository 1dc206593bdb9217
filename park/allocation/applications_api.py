"""Space applications JSON API: apply (scored under the policy in force), read, withdraw, mark ineligible."""

from __future__ import annotations

from datetime import date, datetime
from typing import Any

import msgspec
from litestar import Controller, Request, get, post
from litestar.di import NamedDependency
from litestar.params import FromPath, FromQuery, JSONBody

from park.allocation import applications
from park.priority.service import current_policy
from park.settings import Settings
from park.shared.api import Page, caller, paging
from park.shared.i18n import said
from park.shared.reasons import stored_params
from park.shared.clock import utc_now
from park.shared.guards import manager_only, signed_in, tenant_admin_or_manager


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
    explanation_code: str = ""
    """The explanation's reason code (park/shared/reasons.py); `explanation` is its English, `explanation_zh` its Chinese."""
    explanation_params: dict[str, Any] = msgspec.field(default_factory=dict)


class ReasonIn(msgspec.Struct):
    reason: str


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
        explanation=said(row, "explanation", "en"),
        explanation_zh=said(row, "explanation", "zh_Hans"),
        round_id=row["round_id"],
        explanation_code=row.get("explanation_code") or "",
        explanation_params=stored_params(row.get("explanation_params")),
    )


class SpaceApplicationController(Controller):
    path = "/api/v1/space-applications"
    tags = ["space"]

    @post("", guards=[tenant_admin_or_manager], summary="Apply for space; the answer carries the score and its breakdown")
    async def submit(self, request: Request, data: JSONBody[ApplicationIn], settings: NamedDependency[Settings]) -> ApplicationOut:
        fields = msgspec.structs.asdict(data)
        fields["preferred_building_ids"] = tuple(fields["preferred_building_ids"])
        row = await applications.submit_application(
            caller(request), applications.ApplicationInput(**fields), utc_now(), settings.zone, current_policy(settings)
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
        rows, total = await applications.list_applications(caller(request), status=status, limit=limit, offset=offset)
        return Page(items=[application_out(row) for row in rows], total=total)

    @get("/{application_id:int}", guards=[signed_in], summary="One space application (another firm's → 404)")
    async def get_application(self, request: Request, application_id: FromPath[int]) -> ApplicationOut:
        return application_out(await applications.get_application(caller(request), application_id))

    @post("/{application_id:int}/withdraw", guards=[tenant_admin_or_manager], status_code=200, summary="Withdraw an open application")
    async def withdraw(self, request: Request, application_id: FromPath[int]) -> ApplicationOut:
        return application_out(await applications.withdraw_application(caller(request), application_id, utc_now()))

    @post("/{application_id:int}/ineligible", guards=[manager_only], status_code=200, summary="Mark an open application ineligible, with a reason")
    async def ineligible(self, request: Request, application_id: FromPath[int], data: JSONBody[ReasonIn]) -> ApplicationOut:
        return application_out(await applications.mark_ineligible(caller(request), application_id, data.reason, utc_now()))


ROUTES: list[Any] = [SpaceApplicationController]
