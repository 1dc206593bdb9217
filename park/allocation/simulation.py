"""What-if allocation: a round under an edited policy beside the one in force. Reads only; stores nothing."""

from __future__ import annotations

import tomllib
from datetime import datetime
from typing import Any
from zoneinfo import ZoneInfo

from park.shared.actor import Actor
from park.allocation import whatif
from park.priority.model import Policy
from park.priority.parser import PolicyError, parse_policy
from park.allocation.rules import allocate
from park.shared.guards import require_manager
from park.allocation.rounds import read_round_inputs
from park.shared.db import transaction
from park.shared.errors import ValidationFailed


def edited_policy(document: Any) -> Policy:
    """Validate an edited policy document (a table as TOML reads it, or TOML text); 422 naming the key."""
    if isinstance(document, str):
        try:
            document = tomllib.loads(document)
        except tomllib.TOMLDecodeError as exc:
            raise ValidationFailed.on("policy", "Not valid TOML: %(reason)s", reason=exc) from None
    document = whatif.policy_document(document)
    if not isinstance(document, dict):
        raise ValidationFailed.on("policy", "Send the policy as an object, in the shape the policy read gives.")
    try:
        return parse_policy(document)
    except PolicyError as exc:
        key = whatif.policy_error_field(str(exc))
        raise ValidationFailed.on(f"policy.{key}" if key else "policy", str(exc)) from None


async def simulate_round(
    actor: Actor, now: datetime, zone: ZoneInfo, current: Policy, edited: Policy | None = None
) -> dict[str, Any]:
    """The round `edited` would give now, beside the one `current` gives, and where they differ."""
    require_manager(actor)
    edited = edited or current
    # One read transaction so both rounds see the same applications and units.
    async with transaction():
        inputs = await read_round_inputs(now, zone)
    now_scores, sim_scores = inputs.scored(current), inputs.scored(edited)
    now_round = allocate(inputs.applications(now_scores), inputs.units, inputs.leases, current)
    sim_round = allocate(inputs.applications(sim_scores), inputs.units, inputs.leases, edited)
    score_of = {row["id"]: s for row, s in zip(inputs.rows, sim_scores)}
    current_score_of = {row["id"]: s for row, s in zip(inputs.rows, now_scores)}
    return {
        "status": "simulated",
        "policy_version": edited.version,
        "current_policy_version": current.version,
        "application_count": len(inputs.rows),
        "unit_count": len(inputs.units),
        "housed_count": len(sim_round.housed),
        "current_housed_count": len(now_round.housed),
        "assignments": [
            {
                "application": a.application_id,
                "tenant": a.tenant_id,
                "tenant_name": inputs.tenants.get(a.tenant_id, {}).get("name", ""),
                "tenant_name_en": inputs.tenants.get(a.tenant_id, {}).get("name_en", ""),
                "unit": a.unit_id,
                "proposed_unit": a.unit_id,
                "rank": a.rank,
                "score": score_of[a.application_id]["score"],
                "current_score": current_score_of[a.application_id]["score"],
                "score_breakdown": score_of[a.application_id]["score_breakdown"],
                "reason": a.reason,
                "explanation": a.explanation,
                "explanation_code": a.explanation_code,
                "explanation_params": a.explanation_params,
                "taken_by": list(a.taken_by_application_ids),
                "overridden": False,
                "override_reason": "",
            }
            for a in sim_round.assignments
        ],
        "differences": whatif.differences(now_round.assignments, sim_round.assignments),
        "housed_area": {
            "current": whatif.housed_area(now_round.assignments, inputs.unit_area, inputs.facts),
            "simulated": whatif.housed_area(sim_round.assignments, inputs.unit_area, inputs.facts),
        },
        "unit_codes": {u.id: u.code for u in inputs.units},
    }
