"""GET /api/v1/statements: shapes, the month so far, files, and a firm reading only its own."""

from __future__ import annotations

import io
from datetime import timedelta

import zipfile
import pytest

from park.bookings.tables import Booking
from park.shared.clock import utc_now
from tests.facilities.builders import create_facility


async def _used_booking(tenant_id: int, user_id: int) -> int:
    room = await create_facility(kind="equipment", platform="3D 打印中心", hourly_rate_fen=10000)
    start = utc_now().replace(second=0, microsecond=0) - timedelta(minutes=2)
    booking = Booking(facility=room["id"], tenant=tenant_id, user=user_id, starts_at=start,
                      ends_at=start + timedelta(minutes=1), occupied_until=start + timedelta(minutes=1),
                      status="completed", created_at=start)
    await booking.save()
    return booking.id


async def test_a_firm_reads_its_month_so_far_with_subsidy_and_policy_version(client, member):
    booking_id = await _used_booking(member.tenant_id, member.id)
    response = await client.get("/api/v1/statements", headers=member.headers)
    assert response.status_code == 200, response.text
    body = response.json()
    assert body["status"] == "open" and body["tenant_id"] == member.tenant_id
    [line] = [line for line in body["lines"] if line["booking_id"] == booking_id]
    assert set(line) >= {"kind", "booking_id", "description", "quantity", "unit_price_fen",
                         "amount_fen", "subsidy_fen", "due_fen", "policy_version"}
    assert line["kind"] == "booking" and line["policy_version"] == "2026.1"
    assert line["amount_fen"] == 167  # 10000 fen an hour for one minute: 166.67 → 167
    assert line["subsidy_fen"] == 50 and line["due_fen"] == 117  # platform_use 30 %
    assert body["totals"] == {"amount_fen": 167, "subsidy_fen": 50, "due_fen": 117}


async def test_a_firm_may_not_read_another_firms_statement_but_a_manager_may(client, member, rival, manager):
    refused = await client.get(f"/api/v1/statements?tenant_id={member.tenant_id}", headers=rival.headers)
    assert refused.status_code == 403
    assert refused.headers["content-type"].startswith("application/problem+json")
    seen = await client.get(f"/api/v1/statements?tenant_id={member.tenant_id}", headers=manager.headers)
    assert seen.status_code == 200 and seen.json()["tenant_id"] == member.tenant_id


@pytest.mark.parametrize("month", ["2026-13", "November", "2999-01"])
async def test_a_bad_or_future_month_is_a_problem(client, member, month):
    response = await client.get(f"/api/v1/statements?month={month}", headers=member.headers)
    assert response.status_code == 422
    assert response.json()["errors"][0]["field"] == "month"


async def test_the_statement_downloads_as_csv_and_xlsx(client, member):
    await _used_booking(member.tenant_id, member.id)
    csv_file = await client.get("/api/v1/statements.csv", headers=member.headers)
    assert csv_file.status_code == 200 and csv_file.headers["content-type"].startswith("text/csv")
    text = csv_file.content.decode("utf-8-sig")
    assert text.splitlines()[0].startswith("类别,预订,租约,说明")  # headings in the reader's language (the park default here)
    assert ",167,50,117," in text
    xlsx = await client.get("/api/v1/statements.xlsx", headers=member.headers)
    assert xlsx.status_code == 200
    with zipfile.ZipFile(io.BytesIO(xlsx.content)) as book:
        sheet = book.read("xl/worksheets/sheet1.xml").decode()
        strings = book.read("xl/sharedStrings.xml").decode()
    assert "<v>167</v>" in sheet and "<v>117</v>" in sheet
    assert "政策版本" in strings and "2026.1" in strings
