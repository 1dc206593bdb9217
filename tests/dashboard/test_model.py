"""Dashboard arithmetic: the park-local day, vacancies, waiting time."""

from datetime import date, datetime, timedelta, timezone
from zoneinfo import ZoneInfo

from park.dashboard.model import local_day, vacancies, waiting_hours

SHANGHAI = ZoneInfo("Asia/Shanghai")


def test_the_day_is_the_parks_local_day_not_the_utc_one():
    late_utc_evening = datetime(2026, 11, 24, 17, 30, tzinfo=timezone.utc)  # 01:30 on the 25th in Shanghai
    today, starts_at, ends_at = local_day(late_utc_evening, SHANGHAI)
    assert today == date(2026, 11, 25)
    assert starts_at.astimezone(timezone.utc) == datetime(2026, 11, 24, 16, 0, tzinfo=timezone.utc)
    assert ends_at - starts_at == timedelta(hours=24)


def test_a_leased_unit_is_not_vacant_and_vacancies_are_summed_per_kind():
    units = [
        {"id": 1, "kind": "office", "area_m2": 120.0},
        {"id": 2, "kind": "office", "area_m2": 200.5},
        {"id": 3, "kind": "lab", "area_m2": 90.0},
        {"id": 4, "kind": "lab", "area_m2": 60.0},
    ]
    found = vacancies(units, leased_unit_ids={2, 4})
    assert [(v.kind, v.units, v.area_m2) for v in found] == [("office", 1, 120.0), ("lab", 1, 90.0)]


def test_when_every_unit_is_leased_there_are_no_vacancies():
    assert vacancies([{"id": 1, "kind": "office", "area_m2": 50}], {1}) == []


def test_a_request_made_in_the_future_has_not_waited():
    now = datetime(2026, 11, 25, tzinfo=timezone.utc)
    assert waiting_hours(now + timedelta(minutes=5), now) == 0.0
    assert waiting_hours(now - timedelta(hours=30), now) == 30.0
