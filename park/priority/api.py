"""The priority policy in force as JSON: every rule in both languages, and the editable document."""

from __future__ import annotations

from typing import Any

import msgspec
from litestar import Controller, get
from litestar.di import NamedDependency

from park.priority.model import Policy
from park.priority.service import current_policy, document_in_force
from park.settings import Settings


class RuleOut(msgspec.Struct):
    rule: str
    points: int | None
    en: str
    zh: str


class PolicyOut(msgspec.Struct):
    version: str
    effective_from: str
    title_en: str
    title_zh: str
    summary_en: str
    summary_zh: str
    rules: list[RuleOut]
    # The policy file as a table: edit it and send it back to /allocation-rounds/simulations.
    document: dict[str, Any] = msgspec.field(default_factory=dict)


def policy_rules(policy: Policy) -> list[RuleOut]:
    """Every rule of the policy with its stable key, as the score breakdown names it."""
    rules = [RuleOut(f"qualification.{r.key}", r.points, r.en, r.zh) for r in policy.qualifications]
    rules += [RuleOut(f"sector.{r.key}", r.points, r.en, r.zh) for r in policy.sectors]
    rules.append(RuleOut("rd_share", policy.rd_share.cap, policy.rd_share.en, policy.rd_share.zh))
    rules.append(RuleOut("ip_count", policy.ip_count.cap, policy.ip_count.en, policy.ip_count.zh))
    rules.append(RuleOut("penalty.no_show", policy.no_show.points, policy.no_show.en, policy.no_show.zh))
    rules.append(RuleOut("tie_break", None, policy.tie_break_text.en, policy.tie_break_text.zh))
    rules.append(RuleOut("quota", policy.quota.base_hours, policy.quota.en, policy.quota.zh))
    rules += [RuleOut(f"quota.{t.name}", None, t.en, t.zh) for t in policy.quota.tiers]
    rules.append(RuleOut("draw", None, policy.draw_text.en, policy.draw_text.zh))
    return rules


class PolicyController(Controller):
    path = "/api/v1/priority-policy"
    tags = ["space"]

    @get("", summary="The priority policy in force, rule by rule, in both languages")
    async def read_policy(self, settings: NamedDependency[Settings]) -> PolicyOut:
        policy = current_policy(settings)
        return PolicyOut(
            version=policy.version,
            effective_from=policy.effective_from,
            title_en=policy.title.en,
            title_zh=policy.title.zh,
            summary_en=policy.summary.en,
            summary_zh=policy.summary.zh,
            rules=policy_rules(policy),
            document=document_in_force(settings),
        )


ROUTES = [PolicyController]
