"""Reading the priority policy file: validation with messages that name the offending key. Pure."""

from __future__ import annotations

import math
import tomllib
from datetime import time as dt_time
from pathlib import Path
from typing import Any

from park.priority.model import (
    DEFAULT_CHARGES,
    FACILITY_KINDS,
    MIN_BASE_QUOTA_HOURS,
    ROUNDINGS,
    SUBSIDY_LINE_KINDS,
    TIE_BREAKS,
    BillingPolicy,
    ChargeRules,
    IpCountRule,
    NoShowPenalty,
    Policy,
    Quota,
    QuotaTier,
    RdShareRule,
    Rule,
    SubsidyRule,
    Text,
)
from park.tenants.rules import QUALIFICATIONS, SECTORS


class PolicyError(ValueError):
    """The policy file is invalid; the message names the offending key."""


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
