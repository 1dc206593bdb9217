"""Report pages: charts drawn on the server, filters, downloads, both languages."""

from __future__ import annotations

from datetime import timezone

import pytest

from park.reports import snapshots
from tests.builders import SHANGHAI, create_booking, create_building, create_facility, local


@pytest.fixture
async def booked(db, tenant, member):
    building = await create_building(name="创意大厦")
    room = await create_facility(building["id"], name="路演厅", name_en="Pitch room")
    await create_booking(room["id"], tenant["id"], member.id, local(2026, 11, 24, 9), local(2026, 11, 24, 12))
    return room


def html(headers: dict[str, str], lang: str = "zh-CN") -> dict[str, str]:
    return headers | {"Accept": "text/html", "Accept-Language": lang}


async def test_report_page_draws_svg_charts_and_offers_downloads(client, manager, booked):
    response = await client.get(
        "/reports", params={"from": "2026-11-24", "to": "2026-11-25", "group_by": "facility"},
        headers=html(manager.headers),
    )
    assert response.status_code == 200
    page = response.text
    assert page.count("<svg") >= 3  # by kind, by building, heat map
    assert 'role="img"' in page
    assert "路演厅" in page
    assert "33.3%" in page  # 3 of 9 open hours
    assert "/api/v1/reports/occupancy.csv?from=2026-11-24&amp;to=2026-11-25&amp;group_by=facility" in page
    assert "/api/v1/reports/occupancy.xlsx?" in page
    assert "利用率" in page


async def test_report_page_in_english_uses_english_names(client, manager, booked):
    response = await client.get(
        "/reports", params={"from": "2026-11-24", "to": "2026-11-25", "group_by": "facility"},
        headers=html(manager.headers, "en"),
    )
    assert response.status_code == 200
    assert "Pitch room" in response.text
    assert "Utilization" in response.text


async def test_a_report_by_platform_names_each_platform_in_the_readers_language(client, manager, tenant, member):
    room = await create_facility(name="录音棚", platform="声音工程中心", platform_en="Sound Engineering Centre")
    await create_booking(room["id"], tenant["id"], member.id, local(2026, 11, 24, 9), local(2026, 11, 24, 12))
    params = {"from": "2026-11-24", "to": "2026-11-25", "group_by": "platform"}
    english = (await client.get("/reports", params=params, headers=html(manager.headers, "en"))).text
    assert "Sound Engineering Centre" in english and "声音工程中心" not in english
    chinese = (await client.get("/reports", params=params, headers=html(manager.headers))).text
    assert "声音工程中心" in chinese and "Sound Engineering Centre" not in chinese


async def test_a_bad_window_on_the_page_shows_the_reason_and_the_default_report(client, manager, booked):
    response = await client.get("/reports", params={"from": "2026-11-24T09:00", "to": "2026-11-25"},
                                headers=html(manager.headers, "en"))
    assert response.status_code == 200
    assert "offset" in response.text
    assert 'role="alert"' in response.text


async def test_report_pages_are_for_managers(client, member):
    response = await client.get("/reports", headers=html(member.headers))
    assert response.status_code == 403


async def test_snapshot_page_shows_the_stored_figures(client, manager, booked):
    now = local(2026, 11, 26, 1).astimezone(timezone.utc)
    produced = await snapshots.produce_snapshot("daily", "2026-11-24", now, SHANGHAI)
    listing = await client.get("/reports/snapshots", headers=html(manager.headers))
    assert listing.status_code == 200
    assert f"/reports/snapshots/{produced.snapshot.id}" in listing.text
    response = await client.get(f"/reports/snapshots/{produced.snapshot.id}", headers=html(manager.headers))
    assert response.status_code == 200
    assert "2026-11-24" in response.text
    assert response.text.count("<svg") >= 3
    assert (await client.get("/reports/snapshots/4242", headers=html(manager.headers))).status_code == 404


async def test_space_page_renders_with_no_units(client, manager):
    response = await client.get("/reports/space", params={"on": "2026-11-24"}, headers=html(manager.headers, "en"))
    assert response.status_code == 200
    assert "Space occupancy" in response.text


async def test_names_on_the_report_page_are_escaped(client, manager, tenant, member):
    building = await create_building()
    room = await create_facility(building["id"], name='<script>alert("x")</script>')
    await create_booking(room["id"], tenant["id"], member.id, local(2026, 11, 24, 9), local(2026, 11, 24, 10))
    response = await client.get(
        "/reports", params={"from": "2026-11-24", "to": "2026-11-25", "group_by": "facility"},
        headers=html(manager.headers),
    )
    assert response.status_code == 200
    assert '<script>alert("x")</script>' not in response.text
    assert "&lt;script&gt;" in response.text
