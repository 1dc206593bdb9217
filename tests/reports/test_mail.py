"""The snapshot mail: headline figures and a link, in the manager's language."""

from park.reports.mail import snapshot_mail
from park.reports.periods import parse_period

DATA = {
    "totals": {"open_hours": 210, "booked_hours": 24, "utilization": 0.1143},
    "by_kind": [
        {"key": "lab", "label": "lab", "utilization": 0.1},
        {"key": "meeting_room", "label": "meeting_room", "utilization": 0.22},
    ],
    "busiest": {"weekday": 0, "hour": 9},
    "rates": {"no_show_rate": 0.3333, "cancellation_rate": 0.1667},
    "space": {"totals": {"leasable_m2": 600, "leased_m2": 300, "occupancy": 0.5}},
}
LINK = "https://park.test/reports/snapshots/7"


def test_chinese_mail_names_the_week_its_days_and_the_busiest_kind_first():
    subject, body = snapshot_mail(parse_period("weekly", "2026-W48"), DATA, LINK, "zh_Hans")
    assert subject == "【园区】使用率周报 2026-W48：设施利用率 11.4%"
    assert "2026-11-23 – 2026-11-29" in body
    assert body.index("会议室") < body.index("实验室")
    assert "最繁忙时段：星期一 09:00" in body
    assert "空间出租率：50.0%" in body
    assert body.rstrip().endswith(LINK)


def test_english_mail_for_one_day_gives_the_figures_in_words():
    subject, body = snapshot_mail(parse_period("daily", "2026-11-24"), DATA, LINK, "en")
    assert subject == "[Park] Daily occupancy report 2026-11-24: 11.4% utilization"
    assert "(2026-11-24)" in body
    assert "24.0 of 210.0 open seat-hours booked" in body
    assert "No-show rate: 33.3% · cancellation rate: 16.7%" in body
    assert "Meeting room: 22.0%" in body
