"""Window-mode draws: effective priority, capacity, fairness over weeks, alternatives."""

from __future__ import annotations

import random
from datetime import datetime, timedelta, timezone
from pathlib import Path

from hypothesis import given, settings
from hypothesis import strategies as st

from park.bookings.draws import peak_seats, run_draw, suggest_alternatives
from park.bookings.draws import DrawRequest, FreeSlot, Occupancy
from park.priority.model import TenantFacts
from park.priority.parser import load_policy
from park.priority.rules import score_tenant

POLICY = load_policy(Path(__file__).resolve().parents[2] / "config" / "priority.toml")
WEIGHT = POLICY.draw_points_per_hour
MONDAY = datetime(2026, 11, 30, 1, 0, tzinfo=timezone.utc)  # 09:00 in Shenzhen


def make_request(id: int = 1, **overrides) -> DrawRequest:
    values = dict(
        id=id,
        tenant_id=id,
        score=20,
        hours_granted_this_month=0,
        submitted_at=MONDAY - timedelta(days=3, minutes=-id),
        starts_at=MONDAY,
        ends_at=MONDAY + timedelta(hours=2),
        seats=1,
    )
    values.update(overrides)
    return DrawRequest(**values)


def test_leading_firm_wins_a_head_to_head_draw_against_an_ordinary_firm_with_equal_usage():
    leading = score_tenant(TenantFacts(sector="animation_games", qualifications=frozenset({"leading_firm"})), POLICY)
    ordinary = score_tenant(TenantFacts(sector="animation_games"), POLICY)
    # The ordinary firm asked first; priority still goes to the leading firm.
    ordinary_request = make_request(1, score=ordinary.points, hours_granted_this_month=6)
    leading_request = make_request(2, score=leading.points, hours_granted_this_month=6)
    result = run_draw([ordinary_request, leading_request], capacity=1, confirmed=[], points_per_hour=WEIGHT)
    assert result.granted_ids == (2,)
    assert result.declined_ids == (1,)


def test_hours_already_granted_this_month_lower_a_firm_s_priority():
    heavy_user = make_request(1, score=60, hours_granted_this_month=30)  # 60 - 60 = 0
    light_user = make_request(2, score=20, hours_granted_this_month=0)
    result = run_draw([heavy_user, light_user], capacity=1, confirmed=[], points_per_hour=WEIGHT)
    assert result.granted_ids == (2,)


def test_equal_priority_goes_to_the_earlier_request():
    late = make_request(1, submitted_at=MONDAY - timedelta(hours=1))
    early = make_request(2, submitted_at=MONDAY - timedelta(hours=5))
    result = run_draw([late, early], capacity=1, confirmed=[], points_per_hour=WEIGHT)
    assert result.granted_ids == (2,)


def test_draw_respects_seats_already_confirmed():
    confirmed = [Occupancy(MONDAY + timedelta(hours=1), MONDAY + timedelta(hours=3), seats=3)]
    requests = [make_request(1, seats=2), make_request(2, seats=1, score=5)]
    result = run_draw(requests, capacity=4, confirmed=confirmed, points_per_hour=WEIGHT)
    assert result.granted_ids == (2,)
    assert result.declined_ids == (1,)


def test_request_after_a_confirmed_booking_ends_is_not_blocked_by_it():
    confirmed = [Occupancy(MONDAY - timedelta(hours=2), MONDAY, seats=1)]
    result = run_draw([make_request(1)], capacity=1, confirmed=confirmed, points_per_hour=WEIGHT)
    assert result.granted_ids == (1,)


def test_two_equal_firms_sharing_one_window_facility_for_weeks_get_roughly_equal_hours():
    rng = random.Random(7)
    hours = {1: 0.0, 2: 0.0}
    this_month = {1: 0.0, 2: 0.0}
    month = None
    next_id = 1
    start = datetime(2026, 12, 7, 1, 0, tzinfo=timezone.utc)
    for week in range(12):
        monday = start + timedelta(weeks=week)
        if monday.month != month:
            month, this_month = monday.month, {1: 0.0, 2: 0.0}
        requests = []
        # Both firms want the same three morning sessions; who asks first is random.
        for day in range(3):
            session = monday + timedelta(days=2 * day)
            for tenant in rng.sample([1, 2], 2):
                requests.append(
                    DrawRequest(
                        id=next_id,
                        tenant_id=tenant,
                        score=35,
                        hours_granted_this_month=this_month[tenant],
                        submitted_at=monday - timedelta(days=4) + timedelta(minutes=next_id),
                        starts_at=session,
                        ends_at=session + timedelta(hours=3),
                    )
                )
                next_id += 1
        result = run_draw(requests, capacity=1, confirmed=[], points_per_hour=WEIGHT)
        by_id = {r.id: r for r in requests}
        for request_id in result.granted_ids:
            request = by_id[request_id]
            hours[request.tenant_id] += request.hours
            this_month[request.tenant_id] += request.hours
    total = hours[1] + hours[2]
    assert total == 12 * 3 * 3  # every session went to someone
    assert abs(hours[1] - hours[2]) <= 0.15 * total


def test_a_big_firm_does_not_starve_a_small_one_over_a_month():
    hours = {"big": 0.0, "small": 0.0}
    for week in range(4):
        monday = MONDAY + timedelta(weeks=week)
        requests = [
            make_request(
                100 * week + 10 * i + (1 if tenant == "big" else 2),
                tenant_id=1 if tenant == "big" else 2,
                score=70 if tenant == "big" else 20,
                hours_granted_this_month=hours[tenant],
                starts_at=monday + timedelta(days=i),
                ends_at=monday + timedelta(days=i, hours=4),
            )
            for i in range(4)
            for tenant in ("big", "small")
        ]
        names = {1: "big", 2: "small"}
        result = run_draw(requests, capacity=1, confirmed=[], points_per_hour=WEIGHT)
        by_id = {r.id: r for r in requests}
        for request_id in result.granted_ids:
            hours[names[by_id[request_id].tenant_id]] += by_id[request_id].hours
    assert hours["big"] > hours["small"] > 0


@settings(max_examples=200, deadline=None)
@given(
    st.lists(
        st.tuples(st.integers(0, 12), st.integers(1, 6), st.integers(1, 3), st.integers(0, 60), st.integers(0, 20)),
        max_size=12,
    ),
    st.integers(1, 4),
)
def test_granted_requests_never_exceed_capacity_at_any_instant(specs, capacity):
    requests = [
        make_request(
            i + 1,
            tenant_id=i % 3,
            starts_at=MONDAY + timedelta(minutes=30 * start),
            ends_at=MONDAY + timedelta(minutes=30 * (start + length)),
            seats=seats,
            score=score,
            hours_granted_this_month=used,
        )
        for i, (start, length, seats, score, used) in enumerate(specs)
    ]
    result = run_draw(requests, capacity=capacity, confirmed=[], points_per_hour=WEIGHT)
    granted = [r for r in requests if r.id in result.granted_ids]
    held = [Occupancy(r.starts_at, r.ends_at, r.seats) for r in granted]
    assert peak_seats(held, MONDAY - timedelta(days=1), MONDAY + timedelta(days=1)) <= capacity
    # A declined request really did not fit beside what was granted before it.
    order = {d.request_id: d.order for d in result.decisions}
    for r in requests:
        if r.id in result.declined_ids:
            before = [Occupancy(g.starts_at, g.ends_at, g.seats) for g in granted if order[g.id] < order[r.id]]
            assert peak_seats(before, r.starts_at, r.ends_at) + r.seats > capacity
    assert sorted(result.granted_ids + result.declined_ids) == sorted(r.id for r in requests)


def half_hour_slots(start: datetime, count: int, free: dict[int, int] | None = None) -> list[FreeSlot]:
    free = free or {}
    return [
        FreeSlot(start + timedelta(minutes=30 * i), start + timedelta(minutes=30 * (i + 1)), free.get(i, 1))
        for i in range(count)
    ]


def test_alternatives_are_the_nearest_free_spans_of_the_same_length():
    request = make_request(1, starts_at=MONDAY + timedelta(hours=2), ends_at=MONDAY + timedelta(hours=3))
    # Asked 11:00–12:00; the slots run 09:00–15:00 local and 10:00–12:00 is taken.
    slots = half_hour_slots(MONDAY, 12, free={2: 0, 3: 0, 4: 0, 5: 0})
    spans = suggest_alternatives(request, slots, limit=3)
    assert spans == [
        (MONDAY + timedelta(hours=3), MONDAY + timedelta(hours=4)),
        (MONDAY + timedelta(hours=3, minutes=30), MONDAY + timedelta(hours=4, minutes=30)),
        # 09:00 and 13:00 are both two hours away: the earlier comes first.
        (MONDAY, MONDAY + timedelta(hours=1)),
    ]


def test_alternatives_need_enough_seats_in_every_slot():
    request = make_request(1, seats=2, starts_at=MONDAY, ends_at=MONDAY + timedelta(hours=1))
    slots = half_hour_slots(MONDAY, 4, free={0: 1, 1: 2, 2: 1, 3: 2})
    assert suggest_alternatives(request, slots) == []


def test_alternatives_do_not_span_a_gap_between_slots():
    request = make_request(1, starts_at=MONDAY, ends_at=MONDAY + timedelta(hours=1))
    morning = half_hour_slots(MONDAY + timedelta(hours=2), 1)
    afternoon = half_hour_slots(MONDAY + timedelta(hours=4), 2)
    assert suggest_alternatives(request, morning + afternoon) == [
        (MONDAY + timedelta(hours=4), MONDAY + timedelta(hours=5))
    ]


def test_buffer_after_a_booking_keeps_the_next_request_out():
    from datetime import timedelta as td

    confirmed = [Occupancy(MONDAY - td(hours=2), MONDAY, seats=1)]
    starts_right_after = make_request(1)
    result = run_draw([starts_right_after], capacity=1, confirmed=confirmed, points_per_hour=WEIGHT, buffer=td(minutes=30))
    assert result.declined_ids == (1,)
    later = make_request(2, starts_at=MONDAY + td(minutes=30), ends_at=MONDAY + td(hours=2))
    result = run_draw([later], capacity=1, confirmed=confirmed, points_per_hour=WEIGHT, buffer=td(minutes=30))
    assert result.granted_ids == (2,)


def test_requests_for_a_day_are_drawn_at_noon_the_day_before_in_the_park_zone():
    from zoneinfo import ZoneInfo

    from park.bookings.draws import draw_cutoff

    shanghai = ZoneInfo("Asia/Shanghai")
    # 00:30 UTC on 1 December is 08:30 in Shenzhen on 1 December.
    cutoff = draw_cutoff(datetime(2026, 12, 1, 0, 30, tzinfo=timezone.utc), shanghai)
    assert cutoff == datetime(2026, 11, 30, 12, 0, tzinfo=shanghai)
    assert cutoff.astimezone(timezone.utc) == datetime(2026, 11, 30, 4, 0, tzinfo=timezone.utc)
