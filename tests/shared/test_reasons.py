"""Reasons stored with records as codes: said in the reader's language, old records included."""

from __future__ import annotations

import importlib
from datetime import timedelta

import pytest

from park.bookings import jobs
from park.bookings.tables import Booking, WaitlistEntry
from park.shared import reasons
from park.shared.i18n import catalog, say_reason, said
from tests import builders
from tests.builders import at

HAN = set(range(0x3400, 0x9FFF + 1))

DATA_MIGRATION = importlib.import_module("migrations.park_2026_12_03t12_40_01_000000_reason_codes_data")

SAMPLE_PARAMS = {
    "reason": "水管维修",
    "choices": "2026-12-08 10:00–11:00",
    "violation": reasons.message("over the monthly quota"),
    "refusal": reasons.message("this facility can be booked at most %(days)s days ahead; start on or before %(last_day)s",
                               {"days": 30, "last_day": "2026-12-31"}),
    "rank": 2, "total": 5, "score": 40, "count": 3, "code": "A-101", "area": "80", "min": "50", "max": "90",
    "ranked": reasons.reason("allocation.ranked", rank=2, total=5, score=40),
    "unit": reasons.reason("allocation.unit_in_building", code="A-101", area="80",
                           building=reasons.named("数字创意大厦", "Digital Creative Building")),
    "building": reasons.named("数字创意大厦", "Digital Creative Building"),
    "details": reasons.joined([reasons.reason("allocation.needed_one", count=1)], "clauses"),
    "kind": reasons.unit_kind_noun("office"),
    "codes": "A-101, A-102",
    "names": reasons.joined([reasons.reason("allocation.holder", name=reasons.named("龙头动漫", "Leader Animation"), rank=1)]),
    "name": reasons.named("龙头动漫", "Leader Animation"),
    "more": 2, "id": 7,
    "explanation": reasons.reason("allocation.only_fit", ranked=reasons.reason("allocation.ranked", rank=1, total=1, score=9),
                                  unit=reasons.reason("allocation.unit", code="A-101", area="80")),
    "outcome": reasons.reason("allocation.to_no_unit"),
}


@pytest.mark.parametrize("code", sorted(reasons.REASONS))
def test_every_reason_code_reads_in_chinese_without_english_and_in_english_without_chinese(code):
    assert reasons.REASONS[code] in catalog("zh_Hans"), f"{code} has no Chinese translation"
    english = say_reason(code, SAMPLE_PARAMS, "en")
    chinese = say_reason(code, SAMPLE_PARAMS, "zh_Hans")
    assert english and chinese and english != chinese
    assert not any(ord(c) in HAN for c in english.replace("水管维修", "").replace("龙头动漫", "").replace("数字创意大厦", ""))
    assert "Leader Animation" not in chinese and "Digital Creative Building" not in chinese
    assert "over the monthly quota" not in chinese and "booked at most" not in chinese


def test_an_unknown_code_falls_back_to_the_stored_text():
    row = {"status_reason": "Closed by hand.", "status_reason_code": "no.such.code", "status_reason_params": "{}"}
    assert said(row, "status_reason", "zh_Hans") == "Closed by hand."
    legacy = {"explanation": "Ranked 1 of 1.", "explanation_zh": "排第1位。", "explanation_code": ""}
    assert said(legacy, "explanation", "zh_Hans") == "排第1位。"
    assert said(legacy, "explanation", "en") == "Ranked 1 of 1."


async def _reason_of(client, login, booking_id: int, language: str) -> dict:
    response = await client.get(f"/api/v1/bookings/{booking_id}", headers={**login.headers, "Accept-Language": language})
    assert response.status_code == 200, response.text
    return response.json()


async def test_a_no_show_made_by_the_job_reads_in_each_readers_language(client, member, tenant, settings):
    facility = await builders.create_facility()
    starts_at = at(8, 10)
    booking = await builders.create_booking(facility["id"], tenant["id"], member.id, starts_at)
    assert await jobs.release_no_shows(starts_at + timedelta(minutes=15), settings) == 1
    english = await _reason_of(client, member, booking["id"], "en")
    chinese = await _reason_of(client, member, booking["id"], "zh-CN")
    assert english["status_reason"] == "Nobody checked in within 15 minutes of the start."
    assert chinese["status_reason"] == "开始后 15 分钟内无人签到。"
    assert english["status_reason_code"] == chinese["status_reason_code"] == "booking.no_show"
    for language, said_there in (("en", "Nobody checked in within 15 minutes"), ("zh-CN", "开始后 15 分钟内无人签到")):
        page = await client.get(f"/bookings/{booking['id']}",
                                headers={**member.headers, "Accept": "text/html", "Accept-Language": language})
        assert page.status_code == 200
        assert said_there in page.text


async def test_old_booking_and_waitlist_reasons_get_codes_and_read_right_in_both_languages(client, member, tenant):
    facility = await builders.create_facility()
    texts = {
        "The facility is closed: Pipe repairs": ("booking.closed_because", "该设施关闭：Pipe repairs"),
        "Series cancelled from this date.": ("booking.series_cancelled", "系列预订自此日起取消。"),
        "Not granted in the draw: your firm has used 3 of 4 hours for lab this month (1 left); shorten the booking "
        "or choose another month.": ("booking.draw_over_quota", None),
        "We had to move you, sorry.": ("", "We had to move you, sorry."),  # a person's words: kept as typed
    }
    ids = {}
    for day, text in enumerate(texts, start=8):
        booking = await builders.create_booking(facility["id"], tenant["id"], member.id, at(day, 10), status="cancelled")
        await Booking.update({Booking.status_reason: text}).where(Booking.id == booking["id"])
        ids[text] = booking["id"]
    wait = WaitlistEntry(facility=facility["id"], tenant=tenant["id"], user=member.id, starts_at=at(9, 10),
                         ends_at=at(9, 11), status="expired", status_reason="The slot did not free in time.")
    await wait.save()

    manager = await DATA_MIGRATION.forwards()
    for step in manager.raw:
        await step()

    for text, (code, chinese) in texts.items():
        english_read = await _reason_of(client, member, ids[text], "en")
        chinese_read = await _reason_of(client, member, ids[text], "zh-CN")
        assert english_read["status_reason_code"] == code
        assert english_read["status_reason"] == text
        if chinese is not None:
            assert chinese_read["status_reason"] == chinese
        else:
            assert chinese_read["status_reason"].startswith("抽签未获批准：")
            assert "shorten" not in chinese_read["status_reason"]
    waits = await client.get("/api/v1/waitlist?status=expired", headers={**member.headers, "Accept-Language": "zh-CN"})
    assert waits.status_code == 200, waits.text
    assert [w["status_reason"] for w in waits.json()["items"]] == ["该时段未能及时空出。"]
