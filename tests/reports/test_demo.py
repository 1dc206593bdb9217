"""The demo base comes with the snapshots a scheduler would have made."""

from park.demo import load_demo
from park.reports import snapshot_queries
from park.shared.clock import utc_now


async def test_the_demo_shows_past_days_weeks_and_months_with_figures(db, settings):
    assert await load_demo(utc_now(), settings.zone) is True
    items, total = await snapshot_queries.list_snapshots(limit=50)
    assert total == 7 + 4 + 2
    assert len({(item.kind, item.period) for item in items}) == total
    assert any(item.data["totals"]["booked_hours"] > 0 for item in items if item.kind == "weekly")
