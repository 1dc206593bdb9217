"""Charge and subsidy rules. Pure: plain data in, priced lines out.

Rounding is stated once: every line's amount and every subsidy share is
rounded half up (half away from zero for a negative adjustment) to the fen,
once per line, by `round_fen` (in park.facilities.model, which also prices
the booking form). Totals are sums of rounded lines, so a statement's
figures always add up.
"""

from __future__ import annotations

import calendar
from dataclasses import dataclass
from datetime import date, timedelta

from park.facilities.model import booking_price_fen, round_fen
from park.priority.model import DEFAULT_CHARGES, BillingPolicy, ChargeRules, SubsidyRule
from park.billing.model import (
    ADJUSTMENT,
    BOOKING,
    RENT,
    BookingUse,
    Charge,
    LeaseUse,
    Line,
    Payer,
)

USED = ("confirmed", "checked_in", "completed")
NO_SHOW = "no_show"
CANCELLED = "cancelled"


def _hours_text(minutes: int) -> str:
    hours, rest = divmod(minutes, 60)
    return str(hours) if rest == 0 else f"{minutes / 60:.2f}".rstrip("0")


def booking_charge(use: BookingUse, rules: ChargeRules = DEFAULT_CHARGES) -> Charge | None:
    """What a booking costs, or None when it costs nothing (never used, or let go in time).

    The full price is rate × hours, × seats on a shared facility (capacity > 1).
    A no-show pays `no_show_percent` of it; a cancellation after the facility's
    cut-off (`cancel_cutoff_minutes` before the start) pays `late_cancel_percent`.
    """
    minutes = int((use.ends_at - use.starts_at).total_seconds() // 60)
    seats = use.seats if use.capacity > 1 else 1
    if use.status in USED:
        rule, share = "used", 100
    elif use.status == NO_SHOW:
        rule, share = "no_show", rules.no_show_percent
    elif use.status == CANCELLED and _cancelled_late(use):
        rule, share = "late_cancel", rules.late_cancel_percent
    else:
        return None
    if share == 0 or minutes <= 0:
        return None
    amount = booking_price_fen(use.hourly_rate_fen, minutes, use.seats, use.capacity, share)
    return Charge(
        kind=BOOKING,
        rule=rule,
        amount_fen=amount,
        quantity=_hours_text(minutes * seats),
        unit_price_fen=use.hourly_rate_fen,
        booking_id=use.booking_id,
        facility_kind=use.facility_kind,
        platform=use.platform,
        detail={
            "facility": use.facility_name,
            "facility_en": use.facility_name_en,
            "starts_at": use.starts_at.isoformat(),
            "ends_at": use.ends_at.isoformat(),
            "seats": seats,
            "share_percent": share,
        },
    )


def _cancelled_late(use: BookingUse) -> bool:
    if use.cancelled_at is None or use.cancel_cutoff_minutes <= 0:
        return False
    return use.cancelled_at > use.starts_at - timedelta(minutes=use.cancel_cutoff_minutes)


def month_days(first_day: date) -> tuple[date, date]:
    """The month of `first_day` as `[first, next first)`."""
    days = calendar.monthrange(first_day.year, first_day.month)[1]
    return first_day, first_day + timedelta(days=days)


def rent_charge(lease: LeaseUse, month_first_day: date) -> Charge | None:
    """The lease's rent for the month: the monthly rent × days leased / days in the month."""
    first, end = month_days(month_first_day)
    starts, ends = max(first, lease.starts_on), min(end, lease.ends_on)
    days = (ends - starts).days
    if days <= 0 or lease.monthly_rent_fen <= 0:
        return None
    month_length = (end - first).days
    amount = round_fen(lease.monthly_rent_fen * days, month_length)
    return Charge(
        kind=RENT,
        rule="rent",
        amount_fen=amount,
        quantity=f"{days}/{month_length}",
        unit_price_fen=lease.monthly_rent_fen,
        lease_id=lease.lease_id,
        detail={"unit": lease.unit_code, "from": starts.isoformat(), "until": ends.isoformat()},
    )


def adjustment(billed: Charge | None, now: Charge | None, billed_fen: int, *,
               booking_id: int, month: str, facility_kind: str, platform: str) -> Charge | None:
    """The correction for a booking billed `billed_fen` on issued statements that now costs
    `now` (None: nothing). None when nothing changed."""
    now_fen = now.amount_fen if now else 0
    difference = now_fen - billed_fen
    if difference == 0:
        return None
    return Charge(
        kind=ADJUSTMENT,
        rule="adjustment",
        amount_fen=difference,
        quantity="1",
        unit_price_fen=difference,
        booking_id=booking_id,
        facility_kind=facility_kind,
        platform=platform,
        detail={
            "month": month,
            "was_fen": billed_fen,
            "now_fen": now_fen,
            "now_rule": now.rule if now else "none",
            **({"facility": (now or billed).detail.get("facility", ""), "facility_en": (now or billed).detail.get("facility_en", "")}
               if (now or billed) else {}),
        },
    )


# --- Subsidies -------------------------------------------------------------------


def rule_matches(rule: SubsidyRule, charge: Charge, payer: Payer) -> bool:
    kind = RENT if charge.kind == RENT else BOOKING
    if kind not in rule.applies_to:
        return False
    if rule.qualifications and not payer.qualifications.intersection(rule.qualifications):
        return False
    if rule.sectors and payer.sector not in rule.sectors:
        return False
    if rule.facility_kinds and (kind == RENT or charge.facility_kind not in rule.facility_kinds):
        return False
    if rule.platforms and (kind == RENT or charge.platform not in rule.platforms):
        return False
    return True


LINE_ORDER = {RENT: 0, BOOKING: 1, ADJUSTMENT: 2}


@dataclass
class _Caps:
    firm_left: int | None
    rule_left: dict[str, int | None]


def subsidise(charges: list[Charge], payer: Payer, policy: BillingPolicy | None,
              version: str) -> list[Line]:
    """Price one firm's month: each charge with its subsidy, caps used up in line order.

    A rule gives `percent` of the line's amount (rounded per line); rules add
    up to at most the amount; each rule's monthly cap and the firm's monthly
    cap limit what is left. A negative adjustment takes back its share at the
    same percentages and gives no cap back (a firm is never subsidised twice).
    """
    ordered = sorted(charges, key=_line_key)
    if policy is None:
        return [Line(charge, 0, (), version) for charge in ordered]
    caps = _Caps(policy.cap_fen_per_firm_month,
                 {rule.key: rule.cap_fen_per_month for rule in policy.subsidies})
    lines = []
    for charge in ordered:
        given, keys = 0, []
        for rule in policy.subsidies:
            if rule.percent == 0 or not rule_matches(rule, charge, payer):
                continue
            share = round_fen(charge.amount_fen * rule.percent, 100)
            if charge.amount_fen > 0:
                share = min(share, charge.amount_fen - given)
                for left in (caps.firm_left, caps.rule_left[rule.key]):
                    if left is not None:
                        share = min(share, left)
                if share <= 0:
                    continue
                if caps.firm_left is not None:
                    caps.firm_left -= share
                if caps.rule_left[rule.key] is not None:
                    caps.rule_left[rule.key] -= share
            elif share == 0:
                continue
            given += share
            keys.append(rule.key)
        lines.append(Line(charge, given, tuple(keys), version))
    return lines


def _line_key(charge: Charge) -> tuple:
    return (
        LINE_ORDER[charge.kind],
        str(charge.detail.get("from") or charge.detail.get("starts_at") or charge.detail.get("month") or ""),
        charge.lease_id or 0,
        charge.booking_id or 0,
    )
