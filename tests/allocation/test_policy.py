"""The priority policy file, scoring and quotas."""

from __future__ import annotations

import tomllib
from pathlib import Path

import pytest

from park.priority.model import TenantFacts
from park.priority.parser import PolicyError, load_policy, parse_policy
from park.priority.rules import monthly_quota_hours, score_tenant
from park.tenants.rules import QUALIFICATIONS, SECTORS

POLICY_PATH = Path(__file__).resolve().parents[2] / "config" / "priority.toml"


@pytest.fixture(scope="module")
def policy():
    return load_policy(POLICY_PATH)


def raw_policy() -> dict:
    return tomllib.loads(POLICY_PATH.read_text(encoding="utf-8"))


def make_facts(**overrides) -> TenantFacts:
    values = dict(sector=None, qualifications=frozenset(), staff_count=0, rd_staff_count=0, ip_count=0)
    values.update(overrides)
    return TenantFacts(**values)


def test_shipped_policy_loads_with_its_version(policy):
    assert policy.version == "2026.1"
    assert [r.key for r in policy.qualifications] == list(QUALIFICATIONS)
    assert [r.key for r in policy.sectors] == list(SECTORS)


def test_every_rule_has_words_in_both_languages(policy):
    texts = [policy.title, policy.summary, policy.tie_break_text, policy.draw_text]
    texts += list(policy.qualifications) + list(policy.sectors)
    texts += [policy.rd_share, policy.ip_count, policy.no_show, policy.quota, *policy.quota.tiers]
    for text in texts:
        assert text.en.strip() and text.zh.strip()
        assert any("\u4e00" <= ch <= "\u9fff" for ch in text.zh)


def test_firm_with_nothing_scores_zero(policy):
    score = score_tenant(make_facts(), policy)
    assert score.points == 0
    assert score.breakdown == ()
    assert score.policy_version == "2026.1"


def test_score_is_the_sum_of_its_breakdown_with_stable_rule_names(policy):
    facts = make_facts(
        sector="animation_games",
        qualifications=frozenset({"leading_firm", "original_brand"}),
        staff_count=100,
        rd_staff_count=35,
        ip_count=4,
    )
    score = score_tenant(facts, policy)
    assert dict(score.breakdown) == {
        "qualification.leading_firm": 40,
        "qualification.original_brand": 10,
        "sector.animation_games": 20,
        "rd_share": 9,  # 35 % → three full 10 % steps × 3
        "ip_count": 4,
    }
    assert score.points == 83


def test_figures_are_capped(policy):
    facts = make_facts(staff_count=10, rd_staff_count=10, ip_count=500)
    breakdown = dict(score_tenant(facts, policy).breakdown)
    assert breakdown["rd_share"] == 15
    assert breakdown["ip_count"] == 15


def test_rd_staff_above_staff_count_counts_as_all_staff(policy):
    facts = make_facts(staff_count=10, rd_staff_count=40)
    assert dict(score_tenant(facts, policy).breakdown)["rd_share"] == 15


def test_high_no_show_rate_costs_points(policy):
    facts = make_facts(sector="new_media", no_show_count=3, bookings_due_count=10)
    score = score_tenant(facts, policy)
    assert ("penalty.no_show", -15) in score.breakdown
    assert score.points == 5


def test_no_show_rate_at_the_threshold_is_not_penalised(policy):
    facts = make_facts(no_show_count=2, bookings_due_count=10)
    assert score_tenant(facts, policy).breakdown == ()


def test_too_few_bookings_say_nothing_about_no_shows(policy):
    facts = make_facts(no_show_count=3, bookings_due_count=4)
    assert score_tenant(facts, policy).breakdown == ()


def test_unknown_qualification_earns_nothing(policy):
    facts = make_facts(qualifications=frozenset({"famous"}))
    assert score_tenant(facts, policy).points == 0


def test_ordinary_firm_gets_at_least_twenty_hours_per_kind(policy):
    for kind in ("lab", "equipment", "studio", "meeting_room", "event_hall", "workstation"):
        assert monthly_quota_hours(policy, 0, kind) >= 20


def test_quota_grows_with_the_score_tier(policy):
    assert monthly_quota_hours(policy, 0, "equipment") == 20
    assert monthly_quota_hours(policy, 39, "equipment") == 20
    assert monthly_quota_hours(policy, 40, "equipment") == 30
    assert monthly_quota_hours(policy, 120, "equipment") == 40
    assert monthly_quota_hours(policy, "key", "lab") == 80


def test_unknown_quota_tier_is_refused(policy):
    with pytest.raises(ValueError):
        monthly_quota_hours(policy, "platinum", "lab")


def write(tmp_path: Path, text: str) -> Path:
    path = tmp_path / "priority.toml"
    path.write_text(text, encoding="utf-8")
    return path


def test_missing_policy_file_is_a_policy_error(tmp_path):
    with pytest.raises(PolicyError, match="not found"):
        load_policy(tmp_path / "nope.toml")


def test_broken_toml_is_a_policy_error_naming_the_file(tmp_path):
    path = write(tmp_path, "version = \n")
    with pytest.raises(PolicyError, match="priority.toml"):
        load_policy(path)


def test_policy_with_non_numeric_points_names_the_key(tmp_path):
    text = POLICY_PATH.read_text(encoding="utf-8").replace(
        "[qualifications.leading_firm]\npoints = 40", '[qualifications.leading_firm]\npoints = "forty"'
    )
    with pytest.raises(PolicyError, match=r"qualifications\.leading_firm\.points"):
        load_policy(write(tmp_path, text))


@pytest.mark.parametrize(
    ("change", "key"),
    [
        (lambda raw: raw.pop("version"), "version"),
        (lambda raw: raw["sectors"].pop("new_media"), r"sectors\.new_media"),
        (lambda raw: raw["sectors"].update(other={"points": 1, "en": "x", "zh": "x"}), r"sectors\.other"),
        (lambda raw: raw["qualifications"]["major_project"].pop("zh"), r"qualifications\.major_project\.zh"),
        (lambda raw: raw["figures"]["rd_share"].update(cap=-1), r"figures\.rd_share\.cap"),
        (lambda raw: raw["penalties"]["no_show"].update(points=5), r"penalties\.no_show\.points"),
        (lambda raw: raw["penalties"]["no_show"].update(threshold=1.5), r"penalties\.no_show\.threshold"),
        (lambda raw: raw["tie_break"].update(rule="coin_flip"), r"tie_break\.rule"),
        (lambda raw: raw["quota"].update(base_hours=10), r"quota\.base_hours"),
        (lambda raw: raw["quota"]["tiers"][1].update(multiplier=0.5), r"quota\.tiers\[1\]\.multiplier"),
        (lambda raw: raw["quota"]["tiers"][2].update(min_score=10), r"quota\.tiers\[2\]\.min_score"),
        (lambda raw: raw["draw"].update(points_per_hour_granted=True), r"draw\.points_per_hour_granted"),
    ],
)
def test_invalid_policy_is_refused_naming_the_key(change, key):
    raw = raw_policy()
    change(raw)
    with pytest.raises(PolicyError, match=key):
        parse_policy(raw)


def test_an_invalid_policy_file_stops_park_with_a_message_naming_the_key(tmp_path):
    import os
    import subprocess
    import sys

    broken = POLICY_PATH.read_text(encoding="utf-8").replace(
        "[qualifications.leading_firm]\npoints = 40", '[qualifications.leading_firm]\npoints = "forty"'
    )
    path = write(tmp_path, broken)
    env = os.environ | {"PARK_POLICY_PATH": str(path)}
    finished = subprocess.run(
        [sys.executable, "-m", "park.cli", "serve", "--port", "1"], env=env, capture_output=True, text=True, timeout=60
    )
    assert finished.returncode == 2
    assert "qualifications.leading_firm.points must be a whole number" in finished.stderr
    assert "Traceback" not in finished.stderr


def test_draw_cutoff_comes_from_the_policy(policy):
    from datetime import time

    assert (policy.draw_cutoff_days_before, policy.draw_cutoff_time) == (1, time(12, 0))
    raw = raw_policy()
    raw["draw"]["cutoff_local_time"] = "noon"
    with pytest.raises(PolicyError, match=r"draw\.cutoff_local_time"):
        parse_policy(raw)
    raw["draw"]["cutoff_local_time"] = "18:30"
    raw["draw"]["cutoff_days_before"] = 2
    changed = parse_policy(raw)
    assert (changed.draw_cutoff_days_before, changed.draw_cutoff_time) == (2, time(18, 30))


def test_a_changed_policy_file_is_in_force_within_a_second_without_a_restart(tmp_path, monkeypatch):
    import os
    import time

    from park.priority import service
    from park.settings import Settings

    path = tmp_path / "priority.toml"
    path.write_text(POLICY_PATH.read_text(encoding="utf-8"), encoding="utf-8")
    settings = Settings(policy_path=str(path))
    assert service.current_policy(settings).version == "2026.1"
    path.write_text(POLICY_PATH.read_text(encoding="utf-8").replace('version = "2026.1"', 'version = "2026.2"', 1),
                    encoding="utf-8")
    os.utime(path, (time.time() + 5, time.time() + 5))  # a new modification time, however coarse the clock
    assert service.current_policy(settings).version == "2026.1"  # the file is looked at once a second
    clock = time.monotonic() + service.POLICY_CHECK_S
    monkeypatch.setattr(service.time, "monotonic", lambda: clock)
    assert service.current_policy(settings).version == "2026.2"
