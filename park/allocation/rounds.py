"""Allocation rounds (use cases): score the open applications, allocate, override, confirm into leases.

A round only proposes; confirming creates the leases, closes the applications
and tells the firms, all in one transaction.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass
from datetime import datetime
from typing import Any
from zoneinfo import ZoneInfo

from park.allocation import queries
from park.shared.guards import require_manager
from park.allocation.applications import notify_tenant
from park.allocation.model import STATUS_NAMES, Application, Lease, Unit
from park.allocation.rules import MISFIT_LEASED, allocate, term_end, unit_misfit
from park.allocation.units import insert_lease
from park.audit.service import record
from park.priority.model import Policy
from park.priority.queries import tenant_facts_many
from park.priority.rules import score_tenant
from park.shared.actor import Actor
from park.shared.db import transaction
from park.shared.errors import Conflict, NotFound, ValidationFailed
from park.shared.locking import lock
from park.shared import reasons
from park.shared.labels import Term, term
from park.shared.i18n import say_reason

log = logging.getLogger(__name__)


def _within_horizon(application: dict[str, Any]) -> bool:
    """Legacy rows from before the write checks (e.g. a start in 9999) are left out of rounds, not fatal."""
    if 2000 <= application["start_date"].year <= 2999:
        return True
    log.warning("space application %s starts on %s, outside 2000-2999; left out of the round",
                application["id"], application["start_date"])
    return False


def _application_model(row: dict[str, Any], tenant_name: str, tenant_name_en: str = "") -> Application:
    return Application(
        id=row["id"],
        tenant_id=row["tenant"],
        unit_kind=row["unit_kind"],
        min_area_m2=row["min_area_m2"],
        max_area_m2=row["max_area_m2"],
        start_date=row["start_date"],
        term_months=row["term_months"],
        score=row["score"],
        submitted_at=row["submitted_at"],
        preferred_building_ids=tuple(row["preferred_building_ids"] or ()),
        tenant_name=tenant_name,
        tenant_name_en=tenant_name_en,
    )


@dataclass(frozen=True)
class RoundInputs:
    """What a round reads: open application rows, the firms' facts and names, units and leases."""

    rows: list[dict[str, Any]]
    facts: dict[int, Any]
    tenants: dict[int, dict[str, Any]]
    units: list[Unit]
    unit_area: dict[int, float]
    leases: list[Lease]

    def scored(self, policy: Policy) -> list[dict[str, Any]]:
        """Each open application's score under `policy` (rows left untouched)."""
        out = []
        for row in self.rows:
            score = score_tenant(self.facts[row["tenant"]], policy)
            out.append(
                {
                    "score": score.points,
                    "score_breakdown": [{"rule": rule, "points": points} for rule, points in score.breakdown],
                    "policy_version": score.policy_version,
                }
            )
        return out

    def applications(self, scores: list[dict[str, Any]]) -> list[Application]:
        return [
            _application_model(
                row | score,
                self.tenants.get(row["tenant"], {}).get("name", ""),
                self.tenants.get(row["tenant"], {}).get("name_en", ""),
            )
            for row, score in zip(self.rows, scores)
        ]


async def read_round_inputs(now: datetime, zone: ZoneInfo) -> RoundInputs:
    """Read (and only read) everything a round computes over."""
    rows = [row for row in await queries.open_applications() if _within_horizon(row)]
    today = now.astimezone(zone).date()
    facts = await tenant_facts_many([row["tenant"] for row in rows], today, now)
    tenants = await queries.tenant_names([row["tenant"] for row in rows])
    buildings = await queries.building_names()
    unit_rows = await queries.all_units()
    units = [
        Unit(
            id=u["id"],
            building_id=u["building"],
            kind=u["kind"],
            area_m2=u["area_m2"],
            code=u["code"],
            floor=u["floor"],
            building_name=buildings.get(u["building"], {}).get("name", ""),
            building_name_en=buildings.get(u["building"], {}).get("name_en", ""),
        )
        for u in unit_rows
    ]
    earliest = min((row["start_date"] for row in rows), default=now.date())
    leases = [
        Lease(unit_id=x["unit"], starts_on=x["starts_on"], ends_on=x["ends_on"], tenant_id=x["tenant"])
        for x in await queries.leases_ending_after(earliest)
    ]
    return RoundInputs(rows, facts, tenants, units, {u.id: u.area_m2 for u in units}, leases)


async def run_allocation_round(actor: Actor, now: datetime, zone: ZoneInfo, policy: Policy) -> dict[str, Any]:
    """Score every open application under the policy in force, allocate, and store the proposal."""
    require_manager(actor)
    async with transaction():
        await queries.supersede_proposed_rounds()
        inputs = await read_round_inputs(now, zone)
        scores = inputs.scored(policy)
        for row, fresh in zip(inputs.rows, scores):
            if any(row[key] != value for key, value in fresh.items()):
                await queries.update_application(row["id"], fresh | {"scored_at": now})
        units, leases = inputs.units, inputs.leases
        applications = inputs.applications(scores)
        result = allocate(applications, units, leases, policy)
        score_of = {a.id: a.score for a in applications}
        round_id = await queries.insert_round(
            {
                "status": "proposed",
                "policy_version": policy.version,
                "created_by": actor.id or None,
                "created_at": now,
                "application_count": len(applications),
                "unit_count": len(units),
                "housed_count": len(result.housed),
            }
        )
        await queries.insert_assignments(
            [
                {
                    "allocation_round": round_id,
                    "application": a.application_id,
                    "tenant": a.tenant_id,
                    "unit": a.unit_id,
                    "proposed_unit": a.unit_id,
                    "rank": a.rank,
                    "score": score_of[a.application_id],
                    "reason": a.reason,
                    **explanation_columns(a.explanation_code, a.explanation_params),
                    "taken_by": list(a.taken_by_application_ids),
                }
                for a in result.assignments
            ]
        )
        await record(
            actor,
            "allocation_round.run",
            "allocation_round",
            round_id,
            {"applications": len(applications), "housed": len(result.housed), "policy_version": policy.version},
            at=now,
        )
    return await get_round(actor, round_id)


async def get_round(actor: Actor, round_id: int) -> dict[str, Any]:
    require_manager(actor)
    row = await queries.get_round(round_id)
    if row is None:
        raise NotFound("No such allocation round.")
    row["assignments"] = await queries.round_assignments(round_id)
    return row


async def list_rounds(actor: Actor, *, limit: int, offset: int) -> tuple[list[dict[str, Any]], int]:
    require_manager(actor)
    return await queries.list_rounds(limit=limit, offset=offset)


async def override_assignment(
    actor: Actor, round_id: int, application_id: int, unit_id: int | None, reason: str, now: datetime
) -> dict[str, Any]:
    """A manager gives one applicant another unit (or none), with a reason the firm will read."""
    require_manager(actor)
    reason = reason.strip()
    if not reason:
        raise ValidationFailed.on("reason", "Say why you override the proposal; it is recorded and shown to the firm.")
    async with transaction():
        await lock("allocation_round", round_id)
        round_row = await get_round(actor, round_id)
        if round_row["status"] != "proposed":
            raise Conflict("This round is %(status)s; only a proposed round can be changed.",
                           params={"status": Term(STATUS_NAMES.get(round_row["status"], round_row["status"]))})
        assignment = next((a for a in round_row["assignments"] if a["application"] == application_id), None)
        if assignment is None:
            raise NotFound("That application is not part of this round.")
        if unit_id is not None:
            unit = await queries.get_unit(unit_id) if 0 < unit_id < 2**31 else None
            if unit is None:
                raise ValidationFailed.on("unit_id", "No such unit.")
            holder = next(
                (a for a in round_row["assignments"] if a["unit"] == unit_id and a["application"] != application_id),
                None,
            )
            if holder is not None:
                raise Conflict(
                    "Unit %(code)s already goes to application #%(application)s in this round; override that assignment first.",
                    params={"code": unit["code"], "application": holder["application"]}, extra={"rule": "taken_in_round"},
                )
            application = _application_model(await queries.get_application(application_id), "")
            leases = [Lease(unit_id=x["unit"], starts_on=x["starts_on"], ends_on=x["ends_on"], tenant_id=x["tenant"])
                      for x in await queries.overlapping_leases(unit_id, application.start_date, term_end(application))]
            misfit = unit_misfit(_unit_model(unit), application, leases)
            if misfit is not None:
                rule, template, params = misfit
                if rule == MISFIT_LEASED:
                    raise Conflict(template, params=params, extra={"rule": rule})
                raise ValidationFailed.on("unit_id", template, **params)
            outcome = reasons.reason("allocation.to_unit", code=unit["code"])
        else:
            outcome = reasons.reason("allocation.to_no_unit")
        await queries.update_assignment(
            assignment["id"],
            {
                "unit": unit_id,
                "overridden": True,
                "override_reason": reason,
                "overridden_by": actor.id or None,
                **_overridden(assignment, outcome, reason),
            },
        )
        # The round's housed count follows its assignments.
        housed = sum(1 for a in round_row["assignments"] if (unit_id if a["id"] == assignment["id"] else a["unit"]) is not None)
        await queries.update_round(round_id, {"housed_count": housed})
        await record(
            actor,
            "allocation_round.override",
            "allocation_round",
            round_id,
            {
                "application_id": application_id,
                "proposed_unit_id": assignment["proposed_unit"],
                "unit_id": unit_id,
                "reason": reason,
            },
            at=now,
        )
    return await get_round(actor, round_id)


def _unit_model(row: dict[str, Any]) -> Unit:
    return Unit(id=row["id"], building_id=row["building"], kind=row["kind"], area_m2=row["area_m2"],
                code=row["code"], floor=row["floor"])


async def override_choices(round_row: dict[str, Any]) -> dict[int, list[dict[str, Any]]]:
    """For each application of a round, the units an override may give it: those that fit what it asks
    (kind, area, buildings), free of leases over its term and not going to another applicant of the round."""
    units = await queries.all_units()
    models = {row["id"]: _unit_model(row) for row in units}
    applications = {a["application"]: await queries.get_application(a["application"]) for a in round_row["assignments"]}
    starts = [row["start_date"] for row in applications.values() if row is not None]
    leases = [Lease(unit_id=x["unit"], starts_on=x["starts_on"], ends_on=x["ends_on"], tenant_id=x["tenant"])
              for x in (await queries.leases_ending_after(min(starts)) if starts else [])]
    choices: dict[int, list[dict[str, Any]]] = {}
    for assignment in round_row["assignments"]:
        row = applications.get(assignment["application"])
        if row is None:
            choices[assignment["application"]] = []
            continue
        application = _application_model(row, "")
        held = {a["unit"] for a in round_row["assignments"] if a["unit"] is not None and a["id"] != assignment["id"]}
        choices[assignment["application"]] = [
            unit for unit in units
            if unit["id"] not in held and unit_misfit(models[unit["id"]], application, leases) is None
        ]
    return choices


def explanation_columns(code: str, params: dict[str, Any]) -> dict[str, Any]:
    """The columns of an explanation: its code and parameters, and its English and Chinese as the fallback texts."""
    return {"explanation": reasons.english(code, params), "explanation_zh": say_reason(code, params, "zh_Hans"),
            "explanation_code": code, "explanation_params": params}


def _overridden(assignment: dict[str, Any], outcome: dict[str, Any], reason: str) -> dict[str, Any]:
    """The explanation of an overridden assignment: the rules' own (an earlier override's words give way), then the manager's."""
    code, params = assignment.get("explanation_code"), reasons.stored_params(assignment.get("explanation_params"))
    if code == "allocation.overridden":
        code, params = params["explanation"]["reason"], params["explanation"]["params"]
    if code:
        return explanation_columns("allocation.overridden", {
            "explanation": reasons.reason(code, **params), "outcome": outcome, "reason": reason})
    # A row from before reason codes: its texts carry on.
    what_en, what_zh = reasons.english(outcome["reason"], outcome["params"]), say_reason(outcome["reason"], outcome["params"], "zh_Hans")
    return {
        "explanation": f"{_without_override(assignment['explanation'])} A park manager changed this to {what_en}: {reason}",
        "explanation_zh": f"{_without_override(assignment['explanation_zh'], zh=True)}园区管理员将结果改为{what_zh}：{reason}",
    }


def _without_override(text: str, zh: bool = False) -> str:
    """An earlier override's words give way to the new one's."""
    marker = "园区管理员将结果改为" if zh else " A park manager changed this to "
    return text.split(marker)[0]


async def _open_applications(round_row: dict[str, Any]) -> list[tuple[dict[str, Any], dict[str, Any]]]:
    """Each assignment with its application; a round whose applications are not all still open cannot be confirmed."""
    if round_row["status"] != "proposed":
        raise Conflict("This round is %(status)s; only a proposed round can be confirmed.",
                       params={"status": Term(STATUS_NAMES.get(round_row["status"], round_row["status"]))})
    pairs = []
    for assignment in round_row["assignments"]:
        application = await queries.get_application(assignment["application"])
        if application is None or application["status"] != "open":
            status = application["status"] if application else "gone"
            raise Conflict("Application #%(id)s is no longer open (%(status)s); run a new round.",
                           params={"id": assignment["application"], "status": Term(STATUS_NAMES.get(status, status))})
        pairs.append((assignment, application))
    return pairs


async def preview_confirmation(actor: Actor, round_id: int) -> dict[str, Any]:
    """What `confirm_round` would do, writing nothing: the leases it signs and the firms it tells.

    `leases`: unit, tenant, starts_on, ends_on (exclusive) per housed application, by rank;
    `notified`: every applicant firm of the round (housed or not), each once, with `housed`.
    """
    round_row = await get_round(actor, round_id)
    leases: list[dict[str, Any]] = []
    notified: dict[int, bool] = {}
    for assignment, application in await _open_applications(round_row):
        housed = assignment["unit"] is not None
        notified[application["tenant"]] = notified.get(application["tenant"], False) or housed
        if housed:
            leases.append({"unit": assignment["unit"], "tenant": application["tenant"],
                           "starts_on": application["start_date"],
                           "ends_on": term_end(_application_model(application, ""))})
    return {"round": round_row, "leases": leases,
            "notified": [{"tenant": tenant, "housed": housed} for tenant, housed in notified.items()]}


async def confirm_round(actor: Actor, round_id: int, now: datetime, zone: ZoneInfo) -> dict[str, Any]:
    """Create the leases, close the applications and tell the firms — all or nothing."""
    require_manager(actor)
    async with transaction():
        await lock("allocation_round", round_id)
        round_row = await get_round(actor, round_id)
        units = {u["id"]: u for u in await queries.all_units()}
        for assignment, application in await _open_applications(round_row):
            values: dict[str, Any] = {
                "round_id": round_id,
                "rank": assignment["rank"],
                "explanation": assignment["explanation"],
                "explanation_zh": assignment["explanation_zh"],
                "explanation_code": assignment.get("explanation_code") or "",
                "explanation_params": reasons.stored_params(assignment.get("explanation_params")),
                "decided_at": now,
            }
            if assignment["unit"] is not None:
                starts_on = application["start_date"]
                ends_on = term_end(_application_model(application, ""))
                await insert_lease(assignment["unit"], application["tenant"], starts_on, ends_on, now, application["id"])
                values.update(status="allocated", unit=assignment["unit"])
                code = units.get(assignment["unit"], {}).get("code", "")
                subject = "空间分配结果：已分配 / Space allocated"
                body = (
                    f"Your space application #{application['id']} was granted unit {code} "
                    f"from {starts_on} to {ends_on} (exclusive).\n{assignment['explanation']}\n\n"
                    f"您的空间申请 #{application['id']} 已获分配单元 {code}，租期 {starts_on} 至 {ends_on}（不含）。\n"
                    f"{assignment['explanation_zh']}"
                )
            else:
                values.update(status="unallocated")
                subject = "空间分配结果：未分配 / Space not allocated this round"
                body = (
                    f"Your space application #{application['id']} was not given a unit this round.\n"
                    f"{assignment['explanation']}\n\n"
                    f"您的空间申请 #{application['id']} 本轮未获分配。\n{assignment['explanation_zh']}"
                )
            await queries.update_application(application["id"], values)
            await notify_tenant(application["tenant"], "space.allocation", subject, body, now)
        await queries.update_round(round_id, {"status": "confirmed", "confirmed_by": actor.id or None, "confirmed_at": now})
        await record(
            actor,
            "allocation_round.confirm",
            "allocation_round",
            round_id,
            {"leases": sum(1 for a in round_row["assignments"] if a["unit"] is not None)},
            at=now,
        )
    return await get_round(actor, round_id)


async def latest_assignment(application_id: int) -> dict[str, Any] | None:
    rows = await queries.assignments_of_application(application_id)
    return rows[0] if rows else None
