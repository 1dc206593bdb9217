"""Charges, proration, rounding and subsidies with their caps."""

from __future__ import annotations

from datetime import date, datetime, timedelta, timezone

import pytest

from park.priority.parser import PolicyError, load_policy, parse_billing_policy
from park.billing.model import BookingUse, LeaseUse, Payer, totals_of
from park.billing.rules import booking_charge, rent_charge, round_fen, subsidise
from park.settings import CONFIG_DIR

START = datetime(2026, 11, 10, 2, 0, tzinfo=timezone.utc)
POLICY = load_policy(CONFIG_DIR / "priority.toml")
RULES = POLICY.billing.charges


def make_use(**changes) -> BookingUse:
    values = dict(booking_id=1, tenant_id=7, facility_name="Render Node", facility_kind="equipment",
                  platform="渲染计算中心", capacity=1, hourly_rate_fen=10000,
                  cancel_cutoff_minutes=120, starts_at=START, ends_at=START + timedelta(hours=2),
                  seats=1, status="completed", cancelled_at=None)
    values.update(changes)
    return BookingUse(**values)


def make_lease(**changes) -> LeaseUse:
    values = dict(lease_id=3, tenant_id=7, unit_code="A-301", unit_kind="office",
                  monthly_rent_fen=3_000_000, starts_on=date(2026, 1, 1), ends_on=date(2027, 1, 1))
    values.update(changes)
    return LeaseUse(**values)


@pytest.mark.parametrize("status", ["confirmed", "checked_in", "completed"])
def test_a_used_booking_costs_rate_times_hours(status):
    charge = booking_charge(make_use(status=status), RULES)
    assert charge.amount_fen == 20000 and charge.rule == "used" and charge.quantity == "2"


@pytest.mark.parametrize("status", ["requested", "pending", "rejected", "expired", "declined"])
def test_a_booking_never_granted_costs_nothing(status):
    assert booking_charge(make_use(status=status), RULES) is None


def test_a_shared_facility_charges_each_seat_and_a_room_does_not():
    assert booking_charge(make_use(capacity=8, seats=3), RULES).amount_fen == 60000
    assert booking_charge(make_use(capacity=1, seats=3), RULES).amount_fen == 20000


def test_a_no_show_pays_the_policy_share():
    charge = booking_charge(make_use(status="no_show"), RULES)
    assert charge.rule == "no_show" and charge.amount_fen == 20000 * RULES.no_show_percent // 100


def test_a_cancellation_after_the_cut_off_pays_the_late_share_and_one_before_pays_nothing():
    late = make_use(status="cancelled", cancelled_at=START - timedelta(minutes=119))
    in_time = make_use(status="cancelled", cancelled_at=START - timedelta(minutes=120))
    assert booking_charge(late, RULES).amount_fen == 10000  # 50 %
    assert booking_charge(late, RULES).rule == "late_cancel"
    assert booking_charge(in_time, RULES) is None


def test_a_facility_without_a_cut_off_never_charges_a_cancellation():
    late = make_use(status="cancelled", cancel_cutoff_minutes=0, cancelled_at=START)
    assert booking_charge(late, RULES) is None


def test_a_line_is_rounded_half_up_to_the_fen_once():
    # 1 fen an hour for 30 minutes is half a fen: rounds up to 1; 20 minutes is a third: 0.
    assert booking_charge(make_use(hourly_rate_fen=1, ends_at=START + timedelta(minutes=30)), RULES).amount_fen == 1
    assert booking_charge(make_use(hourly_rate_fen=1, ends_at=START + timedelta(minutes=20)), RULES).amount_fen == 0
    assert round_fen(5, 2) == 3 and round_fen(-5, 2) == -3 and round_fen(7, 3) == 2


def test_rent_of_a_full_month_is_the_monthly_rent():
    assert rent_charge(make_lease(), date(2026, 11, 1)).amount_fen == 3_000_000


def test_rent_of_a_partial_month_is_prorated_by_day():
    # Leased from 16 November: 15 of November's 30 days.
    charge = rent_charge(make_lease(starts_on=date(2026, 11, 16)), date(2026, 11, 1))
    assert charge.amount_fen == 1_500_000 and charge.quantity == "15/30"
    # Ends (exclusive) on 11 February: 10 of 28 days; 1_000_000 × 10 / 28 = 357142.857 → 357143.
    short = rent_charge(make_lease(monthly_rent_fen=1_000_000, ends_on=date(2027, 2, 11)), date(2027, 2, 1))
    assert short.amount_fen == 357143


def test_a_lease_outside_the_month_costs_nothing():
    assert rent_charge(make_lease(ends_on=date(2026, 11, 1)), date(2026, 11, 1)) is None


def test_subsidies_record_their_rules_and_policy_version():
    payer = Payer(7, "animation_games", frozenset({"leading_firm"}))
    charges = [rent_charge(make_lease(monthly_rent_fen=100_000), date(2026, 11, 1)),
               booking_charge(make_use(), RULES)]
    rent, booking = subsidise(charges, payer, POLICY.billing, POLICY.version)
    assert rent.subsidy_rules == ("culture_tech_rent", "leading_firm_rent")
    assert rent.subsidy_fen == 30_000 and rent.due_fen == 70_000
    assert booking.subsidy_rules == ("platform_use",) and booking.subsidy_fen == 6000
    assert booking.policy_version == POLICY.version == "2026.1"


def test_a_rule_with_criteria_only_reaches_matching_firms_and_facilities():
    heritage = Payer(7, "intangible_heritage")
    scanner = booking_charge(make_use(platform="非遗数字化工程中心"), RULES)
    room = booking_charge(make_use(facility_kind="meeting_room", platform=""), RULES)
    [scan_line] = subsidise([scanner], heritage, POLICY.billing, "v")
    [room_line] = subsidise([room], heritage, POLICY.billing, "v")
    assert scan_line.subsidy_rules == ("platform_use", "heritage_digitisation")
    assert scan_line.subsidy_fen == 10000  # 30 % + 20 % of 20000
    assert room_line.subsidy_fen == 0 and room_line.subsidy_rules == ()
    [other] = subsidise([scanner], Payer(8, "new_media"), POLICY.billing, "v")
    assert other.subsidy_rules == ("platform_use",)


def test_a_rule_cap_stops_its_subsidy_for_the_rest_of_the_month():
    # platform_use: 30 % up to ¥10,000 (1,000,000 fen) per firm per month.
    big = [booking_charge(make_use(booking_id=n, hourly_rate_fen=1_000_000,
                                   starts_at=START + timedelta(days=n), ends_at=START + timedelta(days=n, hours=2)), RULES)
           for n in range(3)]
    lines = subsidise(big, Payer(7, "new_media"), POLICY.billing, "v")
    assert [line.subsidy_fen for line in lines] == [600_000, 400_000, 0]
    assert totals_of(lines).subsidy_fen == 1_000_000


def test_the_firm_cap_limits_all_subsidies_together():
    billing = parse_billing_policy({"subsidy": {
        "cap_fen_per_firm_month": 500, "en": "e", "zh": "z",
        "rules": [{"key": "a", "percent": 50, "en": "e", "zh": "z"},
                  {"key": "b", "percent": 50, "en": "e", "zh": "z"}]}})
    lines = subsidise([booking_charge(make_use(), RULES)], Payer(7, None), billing, "v")
    assert lines[0].subsidy_fen == 500 and lines[0].subsidy_rules == ("a",)
    never_beyond = parse_billing_policy({"subsidy": {"en": "e", "zh": "z", "rules": [
        {"key": "a", "percent": 80, "en": "e", "zh": "z"}, {"key": "b", "percent": 80, "en": "e", "zh": "z"}]}})
    [line] = subsidise([booking_charge(make_use(), RULES)], Payer(7, None), never_beyond, "v")
    assert line.subsidy_fen == 20000 and line.due_fen == 0


@pytest.mark.parametrize("bad, names", [
    ({"charges": {"no_show_percent": 120, "late_cancel_percent": 0, "en": "e", "zh": "z"}}, "no_show_percent"),
    ({"charges": {"no_show_percent": 10, "late_cancel_percent": 0, "rounding": "bankers", "en": "e", "zh": "z"}}, "rounding"),
    ({"subsidy": {"en": "e", "zh": "z", "rules": [{"key": "a", "percent": 10, "sectors": ["mining"], "en": "e", "zh": "z"}]}}, "sectors"),
    ({"subsidy": {"en": "e", "zh": "z", "rules": [{"key": "a", "percent": 10, "en": "e"}]}}, "zh"),
    ({"subsidy": {"en": "e", "zh": "z", "rules": [{"key": "a", "percent": 10, "cap_fen_per_month": -1, "en": "e", "zh": "z"}]}}, "cap_fen_per_month"),
])
def test_a_bad_billing_section_is_refused_naming_the_key(bad, names):
    with pytest.raises(PolicyError, match=names):
        parse_billing_policy(bad)
