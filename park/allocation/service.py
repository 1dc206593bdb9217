"""Space use cases: units, leases, applications, allocation rounds. Transactions around the pure rules."""

from __future__ import annotations

import logging
from dataclasses import dataclass
from datetime import date, datetime
from typing import Any
from zoneinfo import ZoneInfo

from park.shared.actor import Actor
from park.shared.locking import lock
from park.allocation import queries
from park.allocation.model import UNIT_KINDS, Application, Lease, Unit
from park.allocation.policy import Policy, score_tenant
from park.allocation.rules import allocate, term_end
from park.audit.service import record
from park.notifications.service import enqueue_many
from park.shared.db import is_sqlite, run_sql, transaction
from park.shared.errors import Conflict, FieldError, Forbidden, NotFound, ValidationFailed

MAX_TERM_MONTHS = 120
MAX_AREA_M2 = 100_000


def _is_exclusion_violation(error: BaseException) -> bool:
    return getattr(error, "sqlstate", None) in ("23P01", "23514")


# Units.


log = logging.getLogger(__name__)


@dataclass(frozen=True)
class UnitInput:
    building_id: int
    floor: int
    code: str
    kind: str
    area_m2: float
    monthly_rent_fen: int = 0


def unit_problems(data: UnitInput) -> list[FieldError]:
    errors = []
    if not data.code.strip():
        errors.append(FieldError("code", "Give the unit a code, e.g. A-1203."))
    if data.kind not in UNIT_KINDS:
        errors.append(FieldError("kind", f"Use one of {', '.join(UNIT_KINDS)}."))
    if not 0 < data.area_m2 <= MAX_AREA_M2:
        errors.append(FieldError("area_m2", "The area must be a positive number of square metres."))
    if data.monthly_rent_fen < 0:
        errors.append(FieldError("monthly_rent_fen", "Rent cannot be negative."))
    return errors


async def create_unit(actor: Actor, data: UnitInput, now: datetime) -> dict[str, Any]:
    _require_manager(actor)
    errors = unit_problems(data)
    code = data.code.strip()
    if errors:
        raise ValidationFailed(errors)
    async with transaction():
        if not await queries.building_exists(data.building_id):
            raise ValidationFailed.on("building_id", "No such building.")
        if await queries.unit_code_taken(data.building_id, code):
            raise Conflict(f"Unit {code} already exists in that building.")
        row = await queries.insert_unit(
            {
                "building": data.building_id,
                "floor": data.floor,
                "code": code,
                "kind": data.kind,
                "area_m2": float(data.area_m2),
                "monthly_rent_fen": data.monthly_rent_fen,
                "created_at": now,
            }
        )
        await record(actor, "unit.create", "unit", row["id"], {"code": code, "building_id": data.building_id}, at=now)
    return row


async def update_unit(actor: Actor, unit_id: int, data: UnitInput, now: datetime) -> dict[str, Any]:
    """A unit's floor, kind, area and rent (its building and code stay: leases name it by them)."""
    _require_manager(actor)
    errors = unit_problems(data)
    if errors:
        raise ValidationFailed(errors)
    async with transaction():
        await lock("space_unit", unit_id)
        if await queries.get_unit(unit_id) is None:
            raise NotFound("No such unit.")
        await queries.update_unit(unit_id, {"floor": data.floor, "kind": data.kind, "area_m2": float(data.area_m2),
                                            "monthly_rent_fen": data.monthly_rent_fen})
        await record(actor, "unit.update", "unit", unit_id, {"fields": ["floor", "kind", "area_m2", "monthly_rent_fen"]}, at=now)
    return await queries.get_unit(unit_id)


async def get_unit(actor: Actor, unit_id: int) -> dict[str, Any]:
    _require_manager(actor)
    row = await queries.get_unit(unit_id)
    if row is None:
        raise NotFound("No such unit.")
    return row


async def list_units(actor: Actor, **filters: Any) -> tuple[list[dict[str, Any]], int]:
    _require_manager(actor)
    vacant_from, vacant_to = filters.get("vacant_from"), filters.get("vacant_to")
    if (vacant_from is None) != (vacant_to is None):
        raise ValidationFailed.on("vacant_to", "Give both vacant_from and vacant_to, or neither.")
    if vacant_from is not None and vacant_to <= vacant_from:
        raise ValidationFailed.on("vacant_to", "vacant_to must come after vacant_from.")
    return await queries.list_units(**filters)


def _within_horizon(application: dict[str, Any]) -> bool:
    """Legacy rows from before the write checks (e.g. a start in 9999) are left out of rounds, not fatal."""
    if 2000 <= application["start_date"].year <= 2999:
        return True
    log.warning("space application %s starts on %s, outside 2000-2999; left out of the round",
                application["id"], application["start_date"])
    return False


# Leases.


@dataclass(frozen=True)
class LeaseInput:
    unit_id: int
    tenant_id: int
    starts_on: date
    ends_on: date


async def create_lease(actor: Actor, data: LeaseInput, now: datetime) -> dict[str, Any]:
    _require_manager(actor)
    if data.ends_on <= data.starts_on:
        raise ValidationFailed.on("ends_on", "A lease must end after it starts (ends_on is exclusive).")
    for name, value in (("starts_on", data.starts_on), ("ends_on", data.ends_on)):
        if not 2000 <= value.year <= 2999:  # the bound blackouts use
            raise ValidationFailed.on(name, "choose a date between the years 2000 and 2999")
    async with transaction():
        if await queries.get_unit(data.unit_id) is None:
            raise ValidationFailed.on("unit_id", "No such unit.")
        if not await queries.tenant_names([data.tenant_id]):
            raise ValidationFailed.on("tenant_id", "No such tenant.")
        row = await _insert_lease(data.unit_id, data.tenant_id, data.starts_on, data.ends_on, now)
        await record(
            actor,
            "lease.create",
            "lease",
            row["id"],
            {"unit_id": data.unit_id, "tenant_id": data.tenant_id, "starts_on": str(data.starts_on), "ends_on": str(data.ends_on)},
            at=now,
        )
    return row


async def _insert_lease(
    unit_id: int, tenant_id: int, starts_on: date, ends_on: date, now: datetime, application_id: int | None = None
) -> dict[str, Any]:
    """Inside a transaction: check, then insert; PostgreSQL's exclusion constraint has the final word."""
    await lock("space_unit", unit_id)
    clash = await queries.overlapping_leases(unit_id, starts_on, ends_on)
    if clash:
        other = clash[0]
        raise Conflict(
            f"The unit is already leased from {other['starts_on']} to {other['ends_on']}.",
            extra={"lease_id": other["id"]},
        )
    try:
        return await queries.insert_lease(
            {
                "unit": unit_id,
                "tenant": tenant_id,
                "starts_on": starts_on,
                "ends_on": ends_on,
                "application": application_id,
                "created_at": now,
            }
        )
    except Exception as error:
        if _is_exclusion_violation(error):
            raise Conflict("The unit is already leased over part of that period.") from None
        raise


async def list_leases(actor: Actor, **filters: Any) -> tuple[list[dict[str, Any]], int]:
    """Managers see every lease; a firm sees only its own."""
    if not actor.is_manager:
        if actor.tenant_id is None:
            raise Forbidden("Only a firm's users or park managers may read leases.")
        filters["tenant_id"] = actor.tenant_id
    return await queries.list_leases(**filters)


# Applications.


@dataclass(frozen=True)
class ApplicationInput:
    unit_kind: str
    min_area_m2: float
    max_area_m2: float
    start_date: date
    term_months: int
    preferred_building_ids: tuple[int, ...] = ()
    justification: str = ""
    tenant_id: int | None = None


def _require_manager(actor: Actor) -> None:
    if not actor.is_manager:
        raise Forbidden("Only park managers may do this.")


def _can_see(actor: Actor, row: dict[str, Any]) -> bool:
    return actor.is_manager or (actor.tenant_id is not None and row["tenant"] == actor.tenant_id)


async def _score(tenant_id: int, policy: Policy, now: datetime, zone: ZoneInfo) -> dict[str, Any]:
    today = now.astimezone(zone).date()
    score = score_tenant(await queries.tenant_facts(tenant_id, today, now), policy)
    return {
        "score": score.points,
        "score_breakdown": [{"rule": rule, "points": points} for rule, points in score.breakdown],
        "policy_version": score.policy_version,
        "scored_at": now,
    }


async def submit_application(
    actor: Actor, data: ApplicationInput, now: datetime, zone: ZoneInfo, policy: Policy
) -> dict[str, Any]:
    if not (actor.is_manager or actor.is_tenant_admin):
        raise Forbidden("Only your firm's administrator or a park manager may apply for space.")
    tenant_id = data.tenant_id if data.tenant_id is not None else actor.tenant_id
    if tenant_id is None:
        raise ValidationFailed.on("tenant_id", "Say which firm applies.")
    if not actor.is_manager and tenant_id != actor.tenant_id:
        raise Forbidden("You may apply only for your own firm.")
    today = now.astimezone(zone).date()
    errors = []
    if data.unit_kind not in UNIT_KINDS:
        errors.append(FieldError("unit_kind", f"Use one of {', '.join(UNIT_KINDS)}."))
    if not 0 < data.min_area_m2 <= MAX_AREA_M2:
        errors.append(FieldError("min_area_m2", "Give a positive area in square metres."))
    if not 0 < data.max_area_m2 <= MAX_AREA_M2:
        errors.append(FieldError("max_area_m2", "Give a positive area in square metres."))
    elif data.max_area_m2 < data.min_area_m2:
        errors.append(FieldError("max_area_m2", "The largest area must not be below the smallest."))
    if not 1 <= data.term_months <= MAX_TERM_MONTHS:
        errors.append(FieldError("term_months", f"Ask for 1 to {MAX_TERM_MONTHS} months."))
    if data.start_date < today:
        errors.append(FieldError("start_date", "The start date has passed."))
    elif data.start_date.year > 2999:  # the bound blackouts and leases use
        errors.append(FieldError("start_date", "choose a date between the years 2000 and 2999"))
    if len(data.justification) > 4000:
        errors.append(FieldError("justification", "Keep the justification under 4,000 characters."))
    if errors:
        raise ValidationFailed(errors)
    preferred = list(dict.fromkeys(data.preferred_building_ids))
    async with transaction():
        if not await queries.tenant_names([tenant_id]):
            raise ValidationFailed.on("tenant_id", "No such tenant.")
        known = await queries.building_names()
        unknown = [b for b in preferred if b not in known]
        if unknown:
            raise ValidationFailed.on("preferred_building_ids", f"No building with id {unknown[0]}.")
        row = await queries.insert_application(
            {
                "tenant": tenant_id,
                "submitted_by": actor.id or None,
                "unit_kind": data.unit_kind,
                "min_area_m2": float(data.min_area_m2),
                "max_area_m2": float(data.max_area_m2),
                "preferred_building_ids": preferred,
                "start_date": data.start_date,
                "term_months": data.term_months,
                "justification": data.justification.strip(),
                "status": "open",
                "submitted_at": now,
                **await _score(tenant_id, policy, now, zone),
            }
        )
        await record(actor, "space_application.submit", "space_application", row["id"], {"tenant_id": tenant_id}, at=now)
    return row


async def get_application(actor: Actor, application_id: int) -> dict[str, Any]:
    row = await queries.get_application(application_id)
    # Another firm's application answers exactly like one that does not exist.
    if row is None or not _can_see(actor, row):
        raise NotFound("No such space application.")
    return row


async def list_applications(actor: Actor, **filters: Any) -> tuple[list[dict[str, Any]], int]:
    if not actor.is_manager:
        if actor.tenant_id is None:
            raise Forbidden("Only a firm's users or park managers may read applications.")
        filters["tenant_id"] = actor.tenant_id
    return await queries.list_applications(**filters)


async def withdraw_application(actor: Actor, application_id: int, now: datetime) -> dict[str, Any]:
    async with transaction():
        row = await get_application(actor, application_id)
        if not (actor.is_manager or actor.is_tenant_admin):
            raise Forbidden("Only your firm's administrator or a park manager may withdraw an application.")
        if row["status"] != "open":
            raise Conflict(f"Only an open application can be withdrawn; this one is {row['status']}.")
        await queries.update_application(application_id, {"status": "withdrawn", "decided_at": now})
        await record(actor, "space_application.withdraw", "space_application", application_id, {}, at=now)
    return await queries.get_application(application_id)


async def mark_ineligible(actor: Actor, application_id: int, reason: str, now: datetime) -> dict[str, Any]:
    _require_manager(actor)
    reason = reason.strip()
    if not reason:
        raise ValidationFailed.on("reason", "Say why the application is ineligible; the firm will read it.")
    async with transaction():
        row = await get_application(actor, application_id)
        if row["status"] != "open":
            raise Conflict(f"Only an open application can be marked ineligible; this one is {row['status']}.")
        await queries.update_application(
            application_id, {"status": "ineligible", "ineligible_reason": reason, "decided_at": now}
        )
        await record(actor, "space_application.ineligible", "space_application", application_id, {"reason": reason}, at=now)
        await _notify_tenant(
            row["tenant"],
            "space.ineligible",
            "空间申请不符合条件 / Space application ineligible",
            f"Your space application #{application_id} was marked ineligible: {reason}\n"
            f"您的空间申请 #{application_id} 被认定为不符合条件：{reason}",
            now,
        )
    return await queries.get_application(application_id)


async def _notify_tenant(tenant_id: int, kind: str, subject: str, body: str, now: datetime) -> None:
    recipients = await queries.tenant_admin_emails(tenant_id)
    tenant = (await queries.tenant_names([tenant_id])).get(tenant_id)
    if tenant and tenant.get("contact_email"):
        recipients.append(tenant["contact_email"])
    await enqueue_many(kind, recipients, subject, body, now)


# Rounds.


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
    facts = await queries.tenant_facts_many([row["tenant"] for row in rows], today, now)
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
    _require_manager(actor)
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
                    "explanation": a.explanation,
                    "explanation_zh": a.explanation_zh,
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
    _require_manager(actor)
    row = await queries.get_round(round_id)
    if row is None:
        raise NotFound("No such allocation round.")
    row["assignments"] = await queries.round_assignments(round_id)
    return row


async def list_rounds(actor: Actor, *, limit: int, offset: int) -> tuple[list[dict[str, Any]], int]:
    _require_manager(actor)
    return await queries.list_rounds(limit=limit, offset=offset)


async def override_assignment(
    actor: Actor, round_id: int, application_id: int, unit_id: int | None, reason: str, now: datetime
) -> dict[str, Any]:
    """A manager gives one applicant another unit (or none), with a reason the firm will read."""
    _require_manager(actor)
    reason = reason.strip()
    if not reason:
        raise ValidationFailed.on("reason", "Say why you override the proposal; it is recorded and shown to the firm.")
    async with transaction():
        await lock("allocation_round", round_id)
        round_row = await get_round(actor, round_id)
        if round_row["status"] != "proposed":
            raise Conflict(f"This round is {round_row['status']}; only a proposed round can be changed.")
        assignment = next((a for a in round_row["assignments"] if a["application"] == application_id), None)
        if assignment is None:
            raise NotFound("That application is not part of this round.")
        if unit_id is not None:
            unit = await queries.get_unit(unit_id)
            if unit is None:
                raise ValidationFailed.on("unit_id", "No such unit.")
            holder = next(
                (a for a in round_row["assignments"] if a["unit"] == unit_id and a["application"] != application_id),
                None,
            )
            if holder is not None:
                raise Conflict(
                    f"Unit {unit['code']} already goes to application #{holder['application']} in this round; "
                    "override that assignment first."
                )
            application = await queries.get_application(application_id)
            ends_on = term_end(_application_model(application, ""))
            if unit["kind"] != application["unit_kind"]:
                raise ValidationFailed.on("unit_id", f"The firm asked for a {application['unit_kind']}, not a {unit['kind']}.")
            if await queries.overlapping_leases(unit_id, application["start_date"], ends_on):
                raise Conflict(f"Unit {unit['code']} is leased during the term asked for.")
            what_en, what_zh = f"unit {unit['code']}", f"单元 {unit['code']}"
        else:
            what_en, what_zh = "no unit", "不分配单元"
        await queries.update_assignment(
            assignment["id"],
            {
                "unit": unit_id,
                "overridden": True,
                "override_reason": reason,
                "overridden_by": actor.id or None,
                "explanation": f"{_without_override(assignment['explanation'])} "
                f"A park manager changed this to {what_en}: {reason}",
                "explanation_zh": f"{_without_override(assignment['explanation_zh'], zh=True)}"
                f"园区管理员将结果改为{what_zh}：{reason}",
            },
        )
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


def _without_override(text: str, zh: bool = False) -> str:
    """An earlier override's words give way to the new one's."""
    marker = "园区管理员将结果改为" if zh else " A park manager changed this to "
    return text.split(marker)[0]


async def confirm_round(actor: Actor, round_id: int, now: datetime, zone: ZoneInfo) -> dict[str, Any]:
    """Create the leases, close the applications and tell the firms — all or nothing."""
    _require_manager(actor)
    async with transaction():
        await lock("allocation_round", round_id)
        round_row = await get_round(actor, round_id)
        if round_row["status"] != "proposed":
            raise Conflict(f"This round is {round_row['status']}; only a proposed round can be confirmed.")
        units = {u["id"]: u for u in await queries.all_units()}
        for assignment in round_row["assignments"]:
            application = await queries.get_application(assignment["application"])
            if application is None or application["status"] != "open":
                status = application["status"] if application else "gone"
                raise Conflict(
                    f"Application #{assignment['application']} is no longer open ({status}); run a new round."
                )
            values: dict[str, Any] = {
                "round_id": round_id,
                "rank": assignment["rank"],
                "explanation": assignment["explanation"],
                "explanation_zh": assignment["explanation_zh"],
                "decided_at": now,
            }
            if assignment["unit"] is not None:
                starts_on = application["start_date"]
                ends_on = term_end(_application_model(application, ""))
                await _insert_lease(assignment["unit"], application["tenant"], starts_on, ends_on, now, application["id"])
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
            await _notify_tenant(application["tenant"], "space.allocation", subject, body, now)
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
