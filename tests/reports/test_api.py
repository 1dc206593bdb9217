"""The reports API: the contract's shapes, files, errors and who may see them."""

from __future__ import annotations

import csv
import io
import zipfile
from datetime import timezone

import pytest

from park.reports import snapshots
from tests.builders import SHANGHAI, create_booking, create_building, create_facility, local


@pytest.fixture
async def booked(db, tenant, member):
    building = await create_building()
    room = await create_facility(building["id"], name="路演厅", name_en="Pitch room")
    # Tuesday 24 Nov 2026, 09:00–12:00 of a room open 09–18: 3 of 9 hours.
    await create_booking(room["id"], tenant["id"], member.id, local(2026, 11, 24, 9), local(2026, 11, 24, 12))
    return room


async def test_occupancy_answers_the_contracts_shape(client, manager, booked):
    response = await client.get(
        "/api/v1/reports/occupancy",
        params={"from": "2026-11-24", "to": "2026-11-25", "group_by": "facility"},
        headers=manager.headers,
    )
    assert response.status_code == 200
    body = response.json()
    assert body["from"] == "2026-11-23T16:00:00Z"
    assert body["to"] == "2026-11-24T16:00:00Z"
    (row,) = body["rows"]
    assert {"key", "label", "open_hours", "booked_hours", "utilization"} <= set(row)
    assert row == {
        "key": str(booked["id"]), "label": "路演厅", "label_en": "Pitch room",
        "open_hours": 9.0, "booked_hours": 3.0, "utilization": 0.3333,
    }
    assert body["totals"]["utilization"] == 0.3333


async def test_occupancy_window_may_be_given_as_times_with_offsets(client, manager, booked):
    response = await client.get(
        "/api/v1/reports/occupancy",
        params={"from": "2026-11-24T10:00:00+08:00", "to": "2026-11-24T05:00:00Z", "group_by": "kind"},
        headers=manager.headers,
    )
    assert response.status_code == 200
    # 10:00–13:00 local: 3 open hours, of which 10:00–12:00 booked.
    (row,) = response.json()["rows"]
    assert (row["key"], row["open_hours"], row["booked_hours"]) == ("meeting_room", 3.0, 2.0)


@pytest.mark.parametrize(
    ("params", "field"),
    [
        ({"from": "2026-11-24T09:00:00", "to": "2026-11-25"}, "from"),
        ({"from": "2026-11-25", "to": "2026-11-24"}, "to"),
        ({"from": "2026-11-24", "to": "2026-11-25", "group_by": "colour"}, "group_by"),
        ({"to": "2026-11-25"}, "from"),
    ],
)
async def test_a_bad_window_or_grouping_is_a_validation_problem(client, manager, params, field):
    response = await client.get("/api/v1/reports/occupancy", params=params, headers=manager.headers)
    assert response.status_code == 422
    assert response.headers["content-type"].startswith("application/problem+json")
    problem = response.json()
    assert problem["code"] == "validation"
    assert problem["errors"][0]["field"] == field


async def test_reports_are_for_managers_only(client, member, booked):
    params = {"from": "2026-11-24", "to": "2026-11-25"}
    assert (await client.get("/api/v1/reports/occupancy", params=params)).status_code == 401
    response = await client.get("/api/v1/reports/occupancy", params=params, headers=member.headers)
    assert response.status_code == 403
    assert response.json()["code"] == "forbidden"
    assert (await client.get("/api/v1/reports/snapshots", headers=member.headers)).status_code == 403


async def test_csv_download_has_a_bom_and_the_same_rows(client, manager, booked):
    response = await client.get(
        "/api/v1/reports/occupancy.csv",
        params={"from": "2026-11-24", "to": "2026-11-25", "group_by": "facility"},
        headers=manager.headers,
    )
    assert response.status_code == 200
    assert response.headers["content-type"].startswith("text/csv")
    assert "attachment" in response.headers["content-disposition"]
    assert response.content.startswith(b"\xef\xbb\xbf")
    lines = list(csv.reader(io.StringIO(response.content.decode("utf-8-sig"))))
    assert lines[1] == [str(booked["id"]), "路演厅", "9.00", "3.00", "0.3333"]


async def test_xlsx_download_is_a_workbook_with_a_chart(client, manager, booked):
    response = await client.get(
        "/api/v1/reports/occupancy.xlsx",
        params={"from": "2026-11-24", "to": "2026-11-25", "group_by": "kind"},
        headers=manager.headers,
    )
    assert response.status_code == 200
    with zipfile.ZipFile(io.BytesIO(response.content)) as book:
        assert any(name.startswith("xl/charts/") for name in book.namelist())


async def test_space_occupancy_needs_a_valid_date(client, manager):
    response = await client.get("/api/v1/reports/space-occupancy", params={"on": "2026-11-24"}, headers=manager.headers)
    assert response.status_code == 200
    body = response.json()
    assert body["on"] == "2026-11-24"
    assert body["totals"]["leasable_m2"] == 0
    bad = await client.get("/api/v1/reports/space-occupancy", params={"on": "24.11.2026"}, headers=manager.headers)
    assert bad.status_code == 422
    assert bad.json()["errors"][0]["field"] == "on"


async def test_snapshots_list_and_detail(client, manager, booked):
    now = local(2026, 11, 26, 1).astimezone(timezone.utc)
    produced = await snapshots.produce_snapshot("daily", "2026-11-24", now, SHANGHAI)
    listing = await client.get("/api/v1/reports/snapshots", headers=manager.headers)
    assert listing.status_code == 200
    body = listing.json()
    assert body["total"] == 1
    (item,) = body["items"]
    assert (item["id"], item["kind"], item["period"]) == (produced.snapshot.id, "daily", "2026-11-24")
    assert "generated_at" in item
    detail = await client.get(f"/api/v1/reports/snapshots/{item['id']}", headers=manager.headers)
    assert detail.status_code == 200
    data = detail.json()["data"]
    assert data["totals"]["booked_hours"] == 3.0
    assert len(data["heat_map"]["utilization"]) == 7
    stored = await client.get(f"/api/v1/reports/snapshots/{item['id']}/occupancy.csv",
                              params={"group_by": "facility"}, headers=manager.headers)
    assert stored.status_code == 200
    lines = list(csv.reader(io.StringIO(stored.content.decode("utf-8-sig"))))
    assert lines[1] == [str(booked["id"]), "路演厅", "9.00", "3.00", "0.3333"]
    workbook = await client.get(f"/api/v1/reports/snapshots/{item['id']}/occupancy.xlsx", headers=manager.headers)
    assert workbook.status_code == 200 and workbook.content.startswith(b"PK")
    missing = await client.get("/api/v1/reports/snapshots/9999", headers=manager.headers)
    assert missing.status_code == 404
    assert missing.json()["code"] == "not_found"


async def test_snapshots_of_an_unknown_kind_are_refused(client, manager):
    response = await client.get("/api/v1/reports/snapshots", params={"kind": "yearly"}, headers=manager.headers)
    assert response.status_code == 422


async def test_rows_by_tenant_carry_the_share_of_booked_hours_and_hours_by_kind_in_json_csv_xlsx_and_page(
    client, manager, booked, tenant
):
    params = {"from": "2026-11-24", "to": "2026-11-25", "group_by": "tenant"}
    body = (await client.get("/api/v1/reports/occupancy", params=params, headers=manager.headers)).json()
    (row,) = body["rows"]
    assert row["key"] == str(tenant["id"]) and row["booked_hours"] == 3.0
    # Not 3 / (the whole park's open seat-hours): a firm has no open hours of its own.
    assert row["utilization"] is None
    assert row["share_of_booked"] == 1.0
    assert row["booked_hours_by_kind"] == {booked["kind"]: 3.0}
    assert body["totals"]["utilization"] == 0.3333

    english = {**manager.headers, "Accept-Language": "en"}  # the contract's names; Chinese headings are tested apart
    response = await client.get("/api/v1/reports/occupancy.csv", params=params, headers=english)
    lines = list(csv.reader(io.StringIO(response.content.decode("utf-8-sig"))))
    assert lines[0] == ["key", "label", "booked_hours", "share_of_booked", f"booked_hours_{booked['kind']}"]
    assert lines[1][2:] == ["3.0", "1.0", "3.0"]

    workbook = await client.get("/api/v1/reports/occupancy.xlsx", params=params, headers=english)
    assert workbook.status_code == 200
    with zipfile.ZipFile(io.BytesIO(workbook.content)) as archive:
        assert "share_of_booked" in archive.read("xl/sharedStrings.xml").decode()

    from tests.accounts.test_pages import sign_in

    await sign_in(client, manager.email)
    page = await client.get("/reports", params=params, headers={"accept": "text/html", "accept-language": "en"})
    assert page.status_code == 200
    assert "Share of all booked seat-hours" in page.text and "100" in page.text


async def test_report_files_name_rows_in_the_readers_language(client, manager, booked):
    from park.shared.i18n import translate
    from park.shared.labels import label

    async def labels(group_by: str, language: str) -> list[str]:
        params = {"from": "2026-11-24", "to": "2026-11-25", "group_by": group_by}
        response = await client.get("/api/v1/reports/occupancy.csv", params=params,
                                    headers={**manager.headers, "Accept-Language": language})
        assert response.status_code == 200
        return [line[1] for line in csv.reader(io.StringIO(response.content.decode("utf-8-sig")))][1:-1]

    assert await labels("facility", "en") == ["Pitch room"]
    assert await labels("facility", "zh-CN") == ["路演厅"]
    kind = booked["kind"]
    assert await labels("kind", "en") == [label("facility_kind", kind)]
    assert await labels("kind", "zh-CN") == [translate("zh_Hans", label("facility_kind", kind))] != [kind]
    assert (await labels("building", "en"))[0].startswith("Test Building")
    assert (await labels("building", "zh-CN"))[0].startswith("测试楼")
    # The JSON keeps the contract's fields: label (the recorded name) and label_en.
    body = (await client.get("/api/v1/reports/occupancy", params={"from": "2026-11-24", "to": "2026-11-25"},
                             headers={**manager.headers, "Accept-Language": "en"})).json()
    assert (body["rows"][0]["label"], body["rows"][0]["label_en"]) == ("路演厅", "Pitch room")
