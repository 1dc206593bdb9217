"""Allocation rounds against a brute-force oracle, and their explanations."""

from __future__ import annotations

import itertools
from datetime import date, datetime, timedelta, timezone
from pathlib import Path

from hypothesis import given, settings
from hypothesis import strategies as st

from park.allocation.model import (
    HOUSED_BEST_FIT,
    HOUSED_BETTER_TAKEN,
    NONE_NOTHING_FITS,
    NONE_TAKEN_BY_HIGHER,
    Application,
    Lease,
    Unit,
)
from park.priority.parser import load_policy
from park.allocation.rules import add_months, allocate, rank_applications, unit_fits
from park.shared.i18n import say_reason


def zh(assignment) -> str:
    """An assignment's explanation as a Chinese reader reads it."""
    return say_reason(assignment.explanation_code, assignment.explanation_params, "zh_Hans")

POLICY = load_policy(Path(__file__).resolve().parents[2] / "config" / "priority.toml")
T0 = datetime(2026, 11, 1, 9, 0, tzinfo=timezone.utc)


def make_application(id: int = 1, **overrides) -> Application:
    values = dict(
        id=id,
        tenant_id=id,
        unit_kind="office",
        min_area_m2=50,
        max_area_m2=200,
        start_date=date(2027, 1, 1),
        term_months=12,
        score=10,
        submitted_at=T0 + timedelta(minutes=id),
        preferred_building_ids=(),
        tenant_name=f"Firm {id}",
    )
    values.update(overrides)
    return Application(**values)


def make_unit(id: int = 1, **overrides) -> Unit:
    values = dict(id=id, building_id=1, kind="office", area_m2=100, code=f"A-{id:03d}")
    values.update(overrides)
    return Unit(**values)


# Fit.


def test_unit_fits_an_application_of_its_kind_and_size():
    assert unit_fits(make_unit(), make_application())


def test_unit_of_another_kind_does_not_fit():
    assert not unit_fits(make_unit(kind="lab"), make_application())


def test_area_bounds_are_inclusive():
    app = make_application(min_area_m2=100, max_area_m2=120)
    assert unit_fits(make_unit(area_m2=100), app)
    assert unit_fits(make_unit(area_m2=120), app)
    assert not unit_fits(make_unit(area_m2=120.5), app)


def test_unit_outside_the_preferred_buildings_does_not_fit():
    app = make_application(preferred_building_ids=(2, 3))
    assert not unit_fits(make_unit(building_id=1), app)
    assert unit_fits(make_unit(building_id=3), app)


def test_lease_ending_the_day_the_term_starts_leaves_the_unit_free():
    app = make_application(start_date=date(2027, 1, 1), term_months=12)
    assert unit_fits(make_unit(), app, [Lease(1, date(2025, 1, 1), date(2027, 1, 1))])
    assert not unit_fits(make_unit(), app, [Lease(1, date(2025, 1, 1), date(2027, 1, 2))])


def test_lease_starting_the_day_the_term_ends_leaves_the_unit_free():
    app = make_application(start_date=date(2027, 1, 1), term_months=12)
    assert unit_fits(make_unit(), app, [Lease(1, date(2028, 1, 1), date(2029, 1, 1))])
    assert not unit_fits(make_unit(), app, [Lease(1, date(2027, 12, 31), date(2029, 1, 1))])


def test_a_term_from_the_last_day_of_january_ends_at_the_end_of_february():
    assert add_months(date(2027, 1, 31), 1) == date(2027, 2, 28)
    assert add_months(date(2028, 1, 31), 1) == date(2028, 2, 29)
    assert add_months(date(2027, 11, 15), 14) == date(2029, 1, 15)


# Ranking.


def test_higher_score_ranks_first_and_equal_scores_go_by_earlier_submission():
    late_high = make_application(1, score=50, submitted_at=T0 + timedelta(days=3))
    early_low = make_application(2, score=20, submitted_at=T0)
    early_mid = make_application(3, score=30, submitted_at=T0)
    late_mid = make_application(4, score=30, submitted_at=T0 + timedelta(days=1))
    ranked = rank_applications([late_mid, early_low, late_high, early_mid])
    assert [a.id for a in ranked] == [1, 3, 4, 2]


# Rounds by hand.


def test_the_higher_ranked_firm_gets_the_only_unit_and_the_other_is_told_who_took_it():
    big = make_application(1, score=90, tenant_name="Tencent Animation")
    small = make_application(2, score=10, tenant_name="Small Studio")
    result = allocate([small, big], [make_unit(7, code="B-701")], [], POLICY)
    by_app = {a.application_id: a for a in result.assignments}
    assert by_app[1].unit_id == 7 and by_app[1].rank == 1
    assert by_app[2].unit_id is None and by_app[2].rank == 2
    assert by_app[2].reason == NONE_TAKEN_BY_HIGHER
    assert "Tencent Animation (rank 1)" in by_app[2].explanation
    assert "B-701" in by_app[2].explanation
    assert "Tencent Animation（第1位）" in zh(by_app[2])
    assert result.policy_version == "2026.1"


def test_a_flexible_higher_ranked_firm_does_not_block_a_lower_ranked_one():
    # The first firm fits both units; the second fits only the small one.
    # Greedy by rank alone would give the first the small unit and house one firm.
    flexible = make_application(1, score=90, min_area_m2=50, max_area_m2=300)
    narrow = make_application(2, score=10, min_area_m2=50, max_area_m2=100)
    units = [make_unit(1, area_m2=80), make_unit(2, area_m2=250)]
    result = allocate([flexible, narrow], units, [], POLICY)
    assert result.housed == {1: 2, 2: 1}
    by_app = {a.application_id: a for a in result.assignments}
    assert by_app[1].reason == HOUSED_BETTER_TAKEN
    assert "only way to house other applicants" in by_app[1].explanation


def test_housed_firm_gets_its_first_preferred_building_then_the_smallest_unit():
    app = make_application(1, preferred_building_ids=(2, 1), min_area_m2=50, max_area_m2=300)
    units = [
        make_unit(1, building_id=1, area_m2=60),
        make_unit(2, building_id=2, area_m2=200),
        make_unit(3, building_id=2, area_m2=150),
        make_unit(4, building_id=3, area_m2=55),
    ]
    result = allocate([app], units, [], POLICY)
    (only,) = result.assignments
    assert only.unit_id == 3
    assert only.reason == HOUSED_BEST_FIT
    assert only.fitting_count == 3


def test_application_nothing_fits_says_so():
    app = make_application(1, unit_kind="lab")
    result = allocate([app], [make_unit(1)], [], POLICY)
    (only,) = result.assignments
    assert only.unit_id is None and only.reason == NONE_NOTHING_FITS
    assert "No unit fits" in only.explanation
    assert "没有符合申请的单元" in zh(only)


def test_leased_unit_is_not_offered():
    app = make_application(1)
    lease = Lease(1, date(2026, 6, 1), date(2027, 6, 1))
    result = allocate([app], [make_unit(1)], [lease], POLICY)
    assert result.housed == {}


def test_same_inputs_in_another_order_give_the_same_round():
    apps = [make_application(i, score=i % 3, min_area_m2=40 + i, max_area_m2=300) for i in range(1, 30)]
    units = [make_unit(i, area_m2=50 + 7 * i, building_id=1 + i % 3) for i in range(1, 15)]
    first = allocate(apps, units, [], POLICY)
    second = allocate(list(reversed(apps)), list(reversed(units)), [], POLICY)
    assert first == second


def test_explanation_lists_at_most_ten_names_and_counts_the_rest():
    apps = [make_application(i, score=100 - i) for i in range(1, 14)]
    units = [make_unit(i) for i in range(1, 13)]
    result = allocate(apps, units, [], POLICY)
    last = result.assignments[-1]
    assert last.unit_id is None
    assert len(last.taken_by_application_ids) == 12
    assert "and 2 more" in last.explanation


# The oracle: brute force over unit permutations.

KINDS = ("office", "lab")


@st.composite
def rounds(draw):
    unit_count = draw(st.integers(0, 5))
    units = [
        Unit(
            id=i + 1,
            building_id=draw(st.integers(1, 2)),
            kind=draw(st.sampled_from(KINDS)),
            area_m2=float(draw(st.sampled_from((40, 60, 80, 100, 120)))),
            code=f"U{i + 1}",
        )
        for i in range(unit_count)
    ]
    leases = []
    for unit in units:
        if draw(st.booleans()) and draw(st.booleans()):
            start = date(2027, 1, 1) + timedelta(days=draw(st.integers(-400, 400)))
            leases.append(Lease(unit.id, start, start + timedelta(days=draw(st.integers(30, 400)))))
    app_count = draw(st.integers(0, 6))
    apps = []
    for i in range(app_count):
        low = draw(st.sampled_from((40, 60, 80, 100)))
        apps.append(
            Application(
                id=i + 1,
                tenant_id=i + 1,
                unit_kind=draw(st.sampled_from(KINDS)),
                min_area_m2=float(low),
                max_area_m2=float(low + draw(st.sampled_from((0, 20, 40, 80)))),
                start_date=date(2027, 1, 1) + timedelta(days=draw(st.integers(0, 120))),
                term_months=draw(st.integers(1, 12)),
                score=draw(st.integers(0, 3)),
                submitted_at=T0 + timedelta(hours=draw(st.integers(0, 3))),
                preferred_building_ids=draw(st.sampled_from(((), (1,), (2,), (1, 2), (2, 1)))),
                tenant_name=f"Firm {i + 1}",
            )
        )
    return apps, units, leases


def oracle_ranking(apps):
    return sorted(apps, key=lambda a: (-a.score, a.submitted_at, a.id))


def oracle_fits(app, unit, leases):
    return unit_fits(unit, app, [x for x in leases if x.unit_id == unit.id])


def oracle_assignments(group, units, leases):
    """Every way to give each applicant in `group` a distinct fitting unit."""
    for chosen in itertools.permutations(units, len(group)):
        if all(oracle_fits(a, u, leases) for a, u in zip(group, chosen)):
            yield chosen


def oracle_housed(apps, units, leases):
    housed = []
    for app in oracle_ranking(apps):
        if next(oracle_assignments(housed + [app], units, leases), None) is not None:
            housed.append(app)
    return housed


def preference_position(app, unit):
    prefs = app.preferred_building_ids
    building = prefs.index(unit.building_id) if unit.building_id in prefs else len(prefs)
    return (building, unit.area_m2, unit.code, unit.id)


@settings(max_examples=400, deadline=None)
@given(rounds())
def test_round_matches_the_brute_force_oracle(case):
    apps, units, leases = case
    result = allocate(apps, units, leases, POLICY)
    ranked = oracle_ranking(apps)
    units_by_id = {u.id: u for u in units}

    # Every open application gets exactly one assignment, with its place in the ranking.
    assert [a.application_id for a in result.assignments] == [a.id for a in ranked]
    assert [a.rank for a in result.assignments] == list(range(1, len(apps) + 1))

    # The housed set is the priority-greedy one.
    housed_ids = {a.id for a in oracle_housed(apps, units, leases)}
    assert set(result.housed) == housed_ids

    # No unit twice, and every assignment fits.
    assert len(set(result.housed.values())) == len(result.housed)
    apps_by_id = {a.id: a for a in apps}
    for app_id, unit_id in result.housed.items():
        assert oracle_fits(apps_by_id[app_id], units_by_id[unit_id], leases)

    # As many applicants are housed as can be at once.
    best = 0
    for size in range(len(apps), 0, -1):
        if any(
            next(oracle_assignments(list(group), units, leases), None) is not None
            for group in itertools.combinations(apps, size)
        ):
            best = size
            break
    assert len(result.housed) == best

    # Higher-ranked applicants choose first: the unit vector is the lexicographically best.
    housed = [a for a in ranked if a.id in housed_ids]
    if housed:
        best_choice = min(
            oracle_assignments(housed, units, leases),
            key=lambda chosen: [preference_position(a, u) for a, u in zip(housed, chosen)],
        )
        assert [result.housed[a.id] for a in housed] == [u.id for u in best_choice]


@settings(max_examples=300, deadline=None)
@given(rounds())
def test_every_firm_left_out_is_told_which_higher_ranked_firms_took_its_units(case):
    apps, units, leases = case
    result = allocate(apps, units, leases, POLICY)
    rank_of = {a.application_id: a.rank for a in result.assignments}
    holder_of = {unit_id: app_id for app_id, unit_id in result.housed.items()}
    for assignment in result.assignments:
        if assignment.unit_id is not None:
            assert assignment.reason in (HOUSED_BEST_FIT, HOUSED_BETTER_TAKEN)
            continue
        app = next(a for a in apps if a.id == assignment.application_id)
        fitting = [u for u in units if oracle_fits(app, u, leases)]
        if not fitting:
            assert assignment.reason == NONE_NOTHING_FITS
            continue
        assert assignment.reason == NONE_TAKEN_BY_HIGHER
        holders = {holder_of[u.id] for u in fitting}
        assert set(assignment.taken_by_application_ids) == holders
        for holder in holders:
            assert rank_of[holder] < assignment.rank
            assert f"Firm {holder} (rank {rank_of[holder]})" in assignment.explanation


@settings(max_examples=200, deadline=None)
@given(rounds())
def test_better_units_a_housed_firm_did_not_get_are_explained(case):
    apps, units, leases = case
    result = allocate(apps, units, leases, POLICY)
    rank_of = {a.application_id: a.rank for a in result.assignments}
    for assignment in result.assignments:
        if assignment.unit_id is None:
            continue
        app = next(a for a in apps if a.id == assignment.application_id)
        fitting = [u for u in units if oracle_fits(app, u, leases)]
        assert assignment.fitting_count == len(fitting)
        if min(fitting, key=lambda u: preference_position(app, u)).id == assignment.unit_id:
            assert assignment.reason == HOUSED_BEST_FIT
        else:
            assert assignment.reason == HOUSED_BETTER_TAKEN
            for holder in assignment.taken_by_application_ids:
                assert rank_of[holder] < assignment.rank


def test_each_language_names_firms_and_buildings_in_its_own_words():
    big = make_application(1, score=90, tenant_name="龙头动漫", tenant_name_en="Leader Animation")
    small = make_application(2, score=10)
    unit = make_unit(7, code="B-701", building_name="数字创意大厦", building_name_en="Digital Creative Building")
    by_app = {a.application_id: a for a in allocate([big, small], [unit], [], POLICY).assignments}
    assert "Digital Creative Building" in by_app[1].explanation
    assert "数字创意大厦" in zh(by_app[1])
    assert "the only unit that fits" in by_app[1].explanation
    assert "Leader Animation (rank 1)" in by_app[2].explanation
    assert "龙头动漫（第1位）" in zh(by_app[2])


# A slow, plain reference for medium rounds: Kuhn's matching recomputed from scratch at every step.


def reference_max_matching(group, candidates) -> int:
    """Size of a maximum matching of `group` (applications) onto their candidate unit ids."""
    owner: dict[int, int] = {}

    def try_house(app_id, seen):
        for unit_id in candidates[app_id]:
            if unit_id in seen:
                continue
            seen.add(unit_id)
            if unit_id not in owner or try_house(owner[unit_id], seen):
                owner[unit_id] = app_id
                return True
        return False

    return sum(1 for app_id in group if try_house(app_id, set()))


def reference_round(apps, units, leases):
    ranked = oracle_ranking(apps)
    fitting = {
        a.id: [u.id for u in sorted((u for u in units if oracle_fits(a, u, leases)), key=lambda u: preference_position(a, u))]
        for a in ranked
    }
    housed: list[int] = []
    for app in ranked:
        if reference_max_matching(housed + [app.id], fitting) == len(housed) + 1:
            housed.append(app.id)
    chosen: dict[int, int] = {}
    for position, app_id in enumerate(housed):
        rest = housed[position + 1 :]
        for unit_id in fitting[app_id]:
            if unit_id in chosen.values():
                continue
            taken = set(chosen.values()) | {unit_id}
            remaining = {a: [u for u in fitting[a] if u not in taken] for a in rest}
            if reference_max_matching(rest, remaining) == len(rest):
                chosen[app_id] = unit_id
                break
    return chosen


@st.composite
def medium_rounds(draw):
    unit_count = draw(st.integers(5, 25))
    units = [
        Unit(
            id=i + 1,
            building_id=draw(st.integers(1, 3)),
            kind=draw(st.sampled_from(KINDS)),
            area_m2=float(draw(st.integers(4, 12)) * 10),
            code=f"U{i + 1:02d}",
        )
        for i in range(unit_count)
    ]
    apps = []
    for i in range(draw(st.integers(5, 35))):
        low = draw(st.integers(4, 12)) * 10
        apps.append(
            Application(
                id=i + 1,
                tenant_id=i + 1,
                unit_kind=draw(st.sampled_from(KINDS)),
                min_area_m2=float(low),
                max_area_m2=float(low + draw(st.integers(0, 6)) * 10),
                start_date=date(2027, 1, 1),
                term_months=12,
                score=draw(st.integers(0, 5)),
                submitted_at=T0 + timedelta(minutes=draw(st.integers(0, 10))),
                preferred_building_ids=draw(st.sampled_from(((), (1,), (2, 3), (3, 1)))),
            )
        )
    return apps, units, []


@settings(max_examples=150, deadline=None)
@given(medium_rounds())
def test_medium_rounds_match_a_plain_reference_implementation(case):
    apps, units, leases = case
    assert allocate(apps, units, leases, POLICY).housed == reference_round(apps, units, leases)
