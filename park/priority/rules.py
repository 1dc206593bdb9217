"""Scores and quotas: what a firm's facts are worth under a policy, and the hours that buys it. Pure."""

from __future__ import annotations

import math

from park.priority.model import Policy, QuotaTier, Score, TenantFacts


def score_tenant(facts: TenantFacts, policy: Policy) -> Score:
    """A firm's score under a policy, with the points each rule gave (rules giving nothing left out)."""
    breakdown: list[tuple[str, int]] = []
    for rule in policy.qualifications:
        if rule.key in facts.qualifications and rule.points:
            breakdown.append((f"qualification.{rule.key}", rule.points))
    sector_points = policy.sector_points(facts.sector)
    if sector_points:
        breakdown.append((f"sector.{facts.sector}", sector_points))

    rd = policy.rd_share
    if facts.staff_count > 0 and facts.rd_staff_count > 0:
        rd_staff = min(facts.rd_staff_count, facts.staff_count)
        # Whole percent, rounded down, in integers so 3/10 is exactly 30 %.
        steps = (rd_staff * 100 // facts.staff_count) // rd.step_percent
        points = min(rd.cap, steps * rd.points_per_step)
        if points:
            breakdown.append(("rd_share", points))

    ip = policy.ip_count
    if facts.ip_count > 0:
        points = min(ip.cap, facts.ip_count * ip.points_per_item)
        if points:
            breakdown.append(("ip_count", points))

    ns = policy.no_show
    if (
        ns.points
        and facts.bookings_due_count >= max(ns.min_bookings, 1)
        and facts.no_show_rate > ns.threshold
    ):
        breakdown.append(("penalty.no_show", ns.points))

    return Score(
        points=sum(p for _, p in breakdown),
        breakdown=tuple(breakdown),
        policy_version=policy.version,
    )


def quota_tier(policy: Policy, score: int | float) -> QuotaTier:
    """The highest tier whose threshold the score reaches."""
    chosen = policy.quota.tiers[0]
    for tier in policy.quota.tiers:
        if score >= tier.min_score:
            chosen = tier
    return chosen


def monthly_quota_hours(policy: Policy, score_or_tier: int | float | str, facility_kind: str) -> int:
    """Hours a firm may hold on one facility kind in one month; never under the policy's base."""
    if isinstance(score_or_tier, str):
        tier = next((t for t in policy.quota.tiers if t.name == score_or_tier), None)
        if tier is None:
            raise ValueError(f"unknown quota tier {score_or_tier!r}")
    else:
        tier = quota_tier(policy, score_or_tier)
    base = dict(policy.quota.base_hours_by_kind).get(facility_kind, policy.quota.base_hours)
    return max(base, math.floor(base * tier.multiplier))
