"""The priority policy: loading, validation, scoring and quotas. Pure."""

from __future__ import annotations

import math
import tomllib
from dataclasses import dataclass
from datetime import time as dt_time
from pathlib import Path
from typing import Any

from park.allocation.model import QUALIFICATIONS, SECTORS, Score, TenantFacts

TIE_BREAKS = ("earlier_submission",)
FACILITY_KINDS = ("lab", "equipment", "studio", "meeting_room", "event_hall", "workstation")
# The contract's floor: a firm with no qualifications may hold at least this much.
MIN_BASE_QUOTA_HOURS = 20


class PolicyError(ValueError):
    """The policy file is invalid; the message names the offending key."""


@dataclass(frozen=True)
class Rule:
    """One scoring rule as the policy page shows it."""

    key: str
    points: int
    en: str
    zh: str


@dataclass(frozen=True)
class RdShareRule:
    step_percent: int
    points_per_step: int
    cap: int
    en: str
    zh: str


@dataclass(frozen=True)
class IpCountRule:
    points_per_item: int
    cap: int
    en: str
    zh: str


@dataclass(frozen=True)
class NoShowPenalty:
    threshold: float
    min_bookings: int
    points: int
    en: str
    zh: str


@dataclass(frozen=True)
class QuotaTier:
    name: str
    min_score: int
    multiplier: float
    en: str
    zh: str


@dataclass(frozen=True)
class Quota:
    base_hours: int
    base_hours_by_kind: tuple[tuple[str, int], ...]
    tiers: tuple[QuotaTier, ...]  # ascending min_score, the first at 0
    en: str
    zh: str


@dataclass(frozen=True)
class Text:
    en: str
    zh: str


@dataclass(frozen=True)
class Policy:
    version: str
    effective_from: str
    title: Text
    summary: Text
    qualifications: tuple[Rule, ...]
    sectors: tuple[Rule, ...]
    rd_share: RdShareRule
    ip_count: IpCountRule
    no_show: NoShowPenalty
    tie_break: str
    tie_break_text: Text
    quota: Quota
    draw_points_per_hour: float
    draw_text: Text
    draw_cutoff_days_before: int = 1
    draw_cutoff_time: dt_time = dt_time(12, 0)
    billing: BillingPolicy | None = None
    """Charges and subsidies ([charges] and [subsidy]); None when the file has neither."""

    def qualification_points(self, kind: str) -> int:
        return next((r.points for r in self.qualifications if r.key == kind), 0)

    def sector_points(self, sector: str | None) -> int:
        return next((r.points for r in self.sectors if r.key == sector), 0)


# Loading and validation.


def load_policy(path: str | Path) -> Policy:
    """Read and validate a policy file; any problem raises PolicyError naming the key."""
    path = Path(path)
    try:
        raw = tomllib.loads(path.read_text(encoding="utf-8"))
    except FileNotFoundError:
        raise PolicyError(f"priority policy file not found: {path}") from None
    except tomllib.TOMLDecodeError as exc:
        raise PolicyError(f"{path}: not valid TOML: {exc}") from None
    try:
        return parse_policy(raw)
    except PolicyError as exc:
        raise PolicyError(f"{path}: {exc}") from None


def parse_policy(raw: dict[str, Any]) -> Policy:
    version = _str(raw, "version", "version")
    qual_table = _table(raw, "qualifications", "qualifications")
    _only_known(qual_table, QUALIFICATIONS, "qualifications")
    qualifications = tuple(
        _rule(qual_table, key, f"qualifications.{key}") for key in QUALIFICATIONS
    )
    sector_table = _table(raw, "sectors", "sectors")
    _only_known(sector_table, SECTORS, "sectors")
    sectors = tuple(_rule(sector_table, key, f"sectors.{key}") for key in SECTORS)
    for rule in qualifications + sectors:
        if rule.points < 0:
            raise PolicyError(f"{_prefix(rule.key, qualifications)}{rule.key}.points must not be negative")

    figures = _table(raw, "figures", "figures")
    rd = _table(figures, "rd_share", "figures.rd_share")
    rd_share = RdShareRule(
        step_percent=_int(rd, "step_percent", "figures.rd_share.step_percent", low=1, high=100),
        points_per_step=_int(rd, "points_per_step", "figures.rd_share.points_per_step", low=0),
        cap=_int(rd, "cap", "figures.rd_share.cap", low=0),
        **_words(rd, "figures.rd_share"),
    )
    ip = _table(figures, "ip_count", "figures.ip_count")
    ip_count = IpCountRule(
        points_per_item=_int(ip, "points_per_item", "figures.ip_count.points_per_item", low=0),
        cap=_int(ip, "cap", "figures.ip_count.cap", low=0),
        **_words(ip, "figures.ip_count"),
    )

    penalties = _table(raw, "penalties", "penalties")
    ns = _table(penalties, "no_show", "penalties.no_show")
    threshold = _number(ns, "threshold", "penalties.no_show.threshold")
    if not 0 <= threshold <= 1:
        raise PolicyError("penalties.no_show.threshold must be a share between 0 and 1")
    no_show = NoShowPenalty(
        threshold=float(threshold),
        min_bookings=_int(ns, "min_bookings", "penalties.no_show.min_bookings", low=0),
        points=_int(ns, "points", "penalties.no_show.points", high=0),
        **_words(ns, "penalties.no_show"),
    )

    tb = _table(raw, "tie_break", "tie_break")
    tie_break = _str(tb, "rule", "tie_break.rule")
    if tie_break not in TIE_BREAKS:
        raise PolicyError(f"tie_break.rule must be one of {', '.join(TIE_BREAKS)}, not {tie_break!r}")

    q = _table(raw, "quota", "quota")
    base_hours = _int(q, "base_hours", "quota.base_hours", low=MIN_BASE_QUOTA_HOURS)
    by_kind_raw = q.get("base_hours_by_kind", {})
    if not isinstance(by_kind_raw, dict):
        raise PolicyError("quota.base_hours_by_kind must be a table")
    _only_known(by_kind_raw, FACILITY_KINDS, "quota.base_hours_by_kind")
    by_kind = tuple(
        (kind, _int(by_kind_raw, kind, f"quota.base_hours_by_kind.{kind}", low=MIN_BASE_QUOTA_HOURS))
        for kind in FACILITY_KINDS
        if kind in by_kind_raw
    )
    tiers_raw = q.get("tiers")
    if not isinstance(tiers_raw, list) or not tiers_raw:
        raise PolicyError("quota.tiers must be a non-empty array of tables")
    tiers = []
    for i, tier in enumerate(tiers_raw):
        where = f"quota.tiers[{i}]"
        if not isinstance(tier, dict):
            raise PolicyError(f"{where} must be a table")
        multiplier = _number(tier, "multiplier", f"{where}.multiplier")
        if multiplier < 1:
            raise PolicyError(f"{where}.multiplier must be at least 1: the policy only scales quotas up")
        tiers.append(
            QuotaTier(
                name=_str(tier, "name", f"{where}.name"),
                min_score=_int(tier, "min_score", f"{where}.min_score", low=0),
                multiplier=float(multiplier),
                **_words(tier, where),
            )
        )
    if tiers[0].min_score != 0:
        raise PolicyError("quota.tiers[0].min_score must be 0 so that every score has a tier")
    for i in range(1, len(tiers)):
        if tiers[i].min_score <= tiers[i - 1].min_score:
            raise PolicyError(f"quota.tiers[{i}].min_score must be greater than the tier before it")
    if len({t.name for t in tiers}) != len(tiers):
        raise PolicyError("quota.tiers names must be distinct")
    quota = Quota(base_hours, by_kind, tuple(tiers), **_words(q, "quota"))

    d = _table(raw, "draw", "draw")
    per_hour = _number(d, "points_per_hour_granted", "draw.points_per_hour_granted")
    if per_hour < 0:
        raise PolicyError("draw.points_per_hour_granted must not be negative")
    cutoff_days = _int(d, "cutoff_days_before", "draw.cutoff_days_before", low=0, high=30) if "cutoff_days_before" in d else 1
    cutoff_text = d.get("cutoff_local_time", "12:00")
    try:
        cutoff_time = dt_time.fromisoformat(cutoff_text) if isinstance(cutoff_text, str) else None
    except ValueError:
        cutoff_time = None
    if cutoff_time is None:
        raise PolicyError('draw.cutoff_local_time must be a time of day like "12:00"')

    return Policy(
        version=version,
        effective_from=str(raw.get("effective_from", "")),
        title=Text(_str(raw, "title_en", "title_en"), _str(raw, "title_zh", "title_zh")),
        summary=Text(_str(raw, "summary_en", "summary_en"), _str(raw, "summary_zh", "summary_zh")),
        qualifications=qualifications,
        sectors=sectors,
        rd_share=rd_share,
        ip_count=ip_count,
        no_show=no_show,
        tie_break=tie_break,
        tie_break_text=Text(**_words(tb, "tie_break")),
        quota=quota,
        draw_points_per_hour=float(per_hour),
        draw_text=Text(**_words(d, "draw")),
        draw_cutoff_days_before=cutoff_days,
        draw_cutoff_time=cutoff_time,
        billing=parse_billing_policy(raw),
    )


def _prefix(key: str, qualifications: tuple[Rule, ...]) -> str:
    return "qualifications." if any(r.key == key for r in qualifications) else "sectors."


def _table(raw: dict, key: str, where: str) -> dict:
    value = raw.get(key)
    if value is None:
        raise PolicyError(f"missing table [{where}]")
    if not isinstance(value, dict):
        raise PolicyError(f"{where} must be a table")
    return value


def _only_known(table: dict, known: tuple[str, ...], where: str) -> None:
    unknown = sorted(set(table) - set(known))
    if unknown:
        raise PolicyError(f"{where}.{unknown[0]} is not a known key (known: {', '.join(known)})")


def _str(raw: dict, key: str, where: str) -> str:
    value = raw.get(key)
    if not isinstance(value, str) or not value.strip():
        raise PolicyError(f"{where} must be a non-empty string")
    return value


def _int(raw: dict, key: str, where: str, low: int | None = None, high: int | None = None) -> int:
    value = raw.get(key)
    if isinstance(value, bool) or not isinstance(value, int):
        raise PolicyError(f"{where} must be a whole number")
    if low is not None and value < low:
        raise PolicyError(f"{where} must be at least {low}, not {value}")
    if high is not None and value > high:
        raise PolicyError(f"{where} must be at most {high}, not {value}")
    return value


def _number(raw: dict, key: str, where: str) -> float:
    value = raw.get(key)
    if isinstance(value, bool) or not isinstance(value, (int, float)) or not math.isfinite(value):
        raise PolicyError(f"{where} must be a number")
    return value


def _words(raw: dict, where: str) -> dict[str, str]:
    return {"en": _str(raw, "en", f"{where}.en"), "zh": _str(raw, "zh", f"{where}.zh")}


def _rule(table: dict, key: str, where: str) -> Rule:
    entry = table.get(key)
    if entry is None:
        raise PolicyError(f"missing table [{where}]")
    if not isinstance(entry, dict):
        raise PolicyError(f"{where} must be a table")
    return Rule(key=key, points=_int(entry, "points", f"{where}.points"), **_words(entry, where))


# Scoring.


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


# The policy file named by the settings (`policy_path`), read once per change of the file.

_loaded: dict[Path, tuple[float, Policy]] = {}


# --- Charges and subsidies ([charges], [subsidy]) -------------------------------
#
# Kept apart from the scoring rules above: billing reads only these values.

SUBSIDY_LINE_KINDS = ("booking", "rent")
ROUNDINGS = ("half_up",)


@dataclass(frozen=True)
class ChargeRules:
    """What a booking not used costs, as a share of its price, and how fen are rounded."""

    no_show_percent: int
    late_cancel_percent: int
    rounding: str
    en: str
    zh: str


@dataclass(frozen=True)
class SubsidyRule:
    """A discount: `percent` of a line's amount for lines and firms that match every
    criterion given (an empty criterion matches all), at most `cap_fen_per_month`
    per firm per month."""

    key: str
    percent: int
    applies_to: tuple[str, ...]
    qualifications: tuple[str, ...]
    sectors: tuple[str, ...]
    facility_kinds: tuple[str, ...]
    platforms: tuple[str, ...]
    cap_fen_per_month: int | None
    en: str
    zh: str


@dataclass(frozen=True)
class BillingPolicy:
    charges: ChargeRules
    subsidies: tuple[SubsidyRule, ...]
    cap_fen_per_firm_month: int | None
    """All subsidies of one firm in one month together, at most this (None: no cap)."""
    text: Text


DEFAULT_CHARGES = ChargeRules(100, 100, "half_up", "", "")


def parse_billing_policy(raw: dict[str, Any]) -> BillingPolicy | None:
    """Read [charges] and [subsidy]; a policy with neither has no billing section."""
    if "charges" not in raw and "subsidy" not in raw:
        return None
    charges = DEFAULT_CHARGES
    if "charges" in raw:
        c = _table(raw, "charges", "charges")
        _only_known(c, ("no_show_percent", "late_cancel_percent", "rounding", "en", "zh"), "charges")
        rounding = c.get("rounding", "half_up")
        if rounding not in ROUNDINGS:
            raise PolicyError(f"charges.rounding must be one of {', '.join(ROUNDINGS)}, not {rounding!r}")
        charges = ChargeRules(
            no_show_percent=_int(c, "no_show_percent", "charges.no_show_percent", low=0, high=100),
            late_cancel_percent=_int(c, "late_cancel_percent", "charges.late_cancel_percent", low=0, high=100),
            rounding=rounding,
            **_words(c, "charges"),
        )
    s = raw.get("subsidy", {"en": "No subsidies.", "zh": "无补贴。"})
    if not isinstance(s, dict):
        raise PolicyError("subsidy must be a table")
    _only_known(s, ("cap_fen_per_firm_month", "rules", "en", "zh"), "subsidy")
    firm_cap = (
        _int(s, "cap_fen_per_firm_month", "subsidy.cap_fen_per_firm_month", low=0)
        if "cap_fen_per_firm_month" in s
        else None
    )
    rules_raw = s.get("rules", [])
    if not isinstance(rules_raw, list):
        raise PolicyError("subsidy.rules must be an array of tables ([[subsidy.rules]])")
    rules = tuple(_subsidy_rule(entry, f"subsidy.rules[{i}]") for i, entry in enumerate(rules_raw))
    if len({rule.key for rule in rules}) != len(rules):
        raise PolicyError("subsidy.rules keys must be distinct")
    return BillingPolicy(charges, rules, firm_cap, Text(**_words(s, "subsidy")))


def _subsidy_rule(entry: Any, where: str) -> SubsidyRule:
    if not isinstance(entry, dict):
        raise PolicyError(f"{where} must be a table")
    known = ("key", "percent", "applies_to", "qualifications", "sectors", "facility_kinds",
             "platforms", "cap_fen_per_month", "en", "zh")
    _only_known(entry, known, where)
    return SubsidyRule(
        key=_str(entry, "key", f"{where}.key"),
        percent=_int(entry, "percent", f"{where}.percent", low=0, high=100),
        applies_to=_names(entry, "applies_to", where, SUBSIDY_LINE_KINDS) or SUBSIDY_LINE_KINDS,
        qualifications=_names(entry, "qualifications", where, QUALIFICATIONS),
        sectors=_names(entry, "sectors", where, SECTORS),
        facility_kinds=_names(entry, "facility_kinds", where, FACILITY_KINDS),
        platforms=_names(entry, "platforms", where, None),
        cap_fen_per_month=(
            _int(entry, "cap_fen_per_month", f"{where}.cap_fen_per_month", low=0)
            if "cap_fen_per_month" in entry
            else None
        ),
        **_words(entry, where),
    )


def _names(entry: dict, key: str, where: str, known: tuple[str, ...] | None) -> tuple[str, ...]:
    value = entry.get(key, [])
    if not isinstance(value, list) or not all(isinstance(v, str) and v.strip() for v in value):
        raise PolicyError(f"{where}.{key} must be a list of names")
    if known is not None:
        unknown = [v for v in value if v not in known]
        if unknown:
            raise PolicyError(f"{where}.{key}: {unknown[0]!r} is not one of {', '.join(known)}")
    return tuple(value)


def policy_path(settings: Any) -> Path:
    return settings.resolve_path(settings.policy_path)


def check_policy_file(settings: Any) -> None:
    """Start-up check: an invalid policy stops Park with a message naming the key."""
    current_policy(settings)


def current_policy(settings: Any) -> Policy:
    """The policy in force: reloaded when the file changes, so a new version needs no restart."""
    path = policy_path(settings)
    try:
        stamp = path.stat().st_mtime
    except FileNotFoundError:
        raise PolicyError(f"priority policy file not found: {path}") from None
    cached = _loaded.get(path)
    if cached is not None and cached[0] == stamp:
        return cached[1]
    policy = load_policy(path)
    _loaded[path] = (stamp, policy)
    return policy
