"""Catalogue API: buildings, facilities with filters, availability, blackouts, authorisations."""

from datetime import datetime, timedelta

from park.shared.clock import utc_now

from tests.builders import SHANGHAI, create_building, create_facility


def next_weekday_at(hour: int, days_ahead: int = 7) -> datetime:
    """A park-local time on a weekday about `days_ahead` days from now."""
    day = utc_now().astimezone(SHANGHAI).date() + timedelta(days=days_ahead)
    while day.weekday() >= 5:
        day += timedelta(days=1)
    return datetime(day.year, day.month, day.day, hour, tzinfo=SHANGHAI)


async def test_manager_creates_a_building_and_a_facility_with_contract_defaults(client, manager):
    building = await client.post("/api/v1/buildings", json={"name": "A 座", "code": "A1"}, headers=manager.headers)
    assert building.status_code == 201
    response = await client.post(
        "/api/v1/facilities",
        json={"name": "交互实验室", "kind": "lab", "building_id": building.json()["id"]},
        headers=manager.headers,
    )
    assert response.status_code == 201
    body = response.json()
    assert body["capacity"] == 1 and body["booking_mode"] == "instant" and body["slot_minutes"] == 30
    assert body["opening_hours"]["mon"] == [["09:00", "18:00"]] and body["opening_hours"]["sun"] == []
    assert body["max_duration_minutes"] == 480 and body["max_advance_days"] == 90


async def test_a_member_cannot_change_the_catalogue(client, member):
    response = await client.post("/api/v1/buildings", json={"name": "X", "code": "X"}, headers=member.headers)
    assert response.status_code == 403
    assert response.json()["code"] == "forbidden"


async def test_invalid_facility_settings_name_each_field(client, manager):
    building = await create_building()
    response = await client.post(
        "/api/v1/facilities",
        json={"name": "坏", "kind": "spaceship", "building_id": building["id"], "capacity": 0,
              "opening_hours": {"mon": [["12:00", "09:00"]]}},
        headers=manager.headers,
    )
    assert response.status_code == 422
    fields = {e["field"] for e in response.json()["errors"]}
    assert {"kind", "capacity", "opening_hours.mon[0]"} <= fields


async def test_facilities_filter_by_kind_building_and_words(client, member):
    one = await create_building()
    two = await create_building()
    await create_facility(one["id"], name="动作捕捉系统", name_en="Motion Capture", kind="equipment")
    await create_facility(one["id"], name="小会议室", name_en="Small Room")
    await create_facility(two["id"], name="大会议室", name_en="Large Room")
    by_kind = (await client.get("/api/v1/facilities?kind=equipment", headers=member.headers)).json()
    assert [f["name_en"] for f in by_kind["items"]] == ["Motion Capture"]
    by_building = (await client.get(f"/api/v1/facilities?building_id={two['id']}", headers=member.headers)).json()
    assert [f["name_en"] for f in by_building["items"]] == ["Large Room"]
    by_words = (await client.get("/api/v1/facilities?q=room", headers=member.headers)).json()
    assert by_words["total"] == 2


async def test_manager_patches_a_facility_and_bad_hours_are_refused(client, manager):
    facility = await create_facility()
    response = await client.patch(f"/api/v1/facilities/{facility['id']}", json={"capacity": 4}, headers=manager.headers)
    assert response.status_code == 200 and response.json()["capacity"] == 4
    bad = await client.patch(
        f"/api/v1/facilities/{facility['id']}", json={"opening_hours": {"mon": [["09:00", "13:00"], ["12:00", "14:00"]]}},
        headers=manager.headers,
    )
    assert bad.status_code == 422 and bad.json()["errors"][0]["field"] == "opening_hours.mon"


async def test_availability_lists_slots_with_seats_left(client, member):
    facility = await create_facility(capacity=3, slot_minutes=60)
    day = next_weekday_at(0)
    response = await client.get(
        f"/api/v1/facilities/{facility['id']}/availability",
        params={"from": day.isoformat(), "to": (day + timedelta(days=1)).isoformat()},
        headers=member.headers,
    )
    assert response.status_code == 200
    body = response.json()
    assert body["facility_id"] == facility["id"]
    assert len(body["slots"]) == 9 and all(s["free"] == 3 for s in body["slots"])
    assert body["slots"][0]["starts_at"].startswith(f"{day.date().isoformat()}T01:00:00")


async def test_availability_refuses_a_time_without_offset(client, member):
    facility = await create_facility()
    response = await client.get(
        f"/api/v1/facilities/{facility['id']}/availability", params={"from": "2026-12-01T09:00:00", "to": "2026-12-02"},
        headers=member.headers,
    )
    assert response.status_code == 422
    assert response.json()["errors"][0]["field"] == "from"


async def test_capacity_cannot_drop_below_what_future_bookings_hold(client, manager, member):
    facility = await create_facility(capacity=2)
    for _ in range(2):
        booked = await client.post(
            "/api/v1/bookings",
            json={"facility_id": facility["id"], "starts_at": next_weekday_at(10).isoformat(),
                  "ends_at": next_weekday_at(11).isoformat()},
            headers=member.headers,
        )
        assert booked.status_code == 201
    refused = await client.patch(f"/api/v1/facilities/{facility['id']}", json={"capacity": 1}, headers=manager.headers)
    assert refused.status_code == 409
    assert (await client.get(f"/api/v1/facilities/{facility['id']}", headers=manager.headers)).json()["capacity"] == 2
    assert (await client.patch(f"/api/v1/facilities/{facility['id']}", json={"capacity": 3}, headers=manager.headers)).status_code == 200


async def test_a_new_buffer_applies_to_bookings_already_made(client, manager, member):
    from park.bookings.tables import Booking

    facility = await create_facility()
    booked = await client.post(
        "/api/v1/bookings",
        json={"facility_id": facility["id"], "starts_at": next_weekday_at(10).isoformat(), "ends_at": next_weekday_at(11).isoformat()},
        headers=member.headers,
    )
    assert booked.status_code == 201
    changed = await client.patch(f"/api/v1/facilities/{facility['id']}", json={"buffer_minutes": 30}, headers=manager.headers)
    assert changed.status_code == 200
    row = await Booking.select(Booking.occupied_until, Booking.ends_at).first()
    assert row["occupied_until"] - row["ends_at"] == timedelta(minutes=30)
    adjacent = await client.post(
        "/api/v1/bookings",
        json={"facility_id": facility["id"], "starts_at": next_weekday_at(11).isoformat(), "ends_at": next_weekday_at(12).isoformat()},
        headers=member.headers,
    )
    assert adjacent.status_code == 409


async def test_overlong_texts_are_refused_before_they_reach_the_database(client, manager, member):
    facility = await create_facility()
    long_name = await client.patch(f"/api/v1/facilities/{facility['id']}", json={"name": "x" * 201}, headers=manager.headers)
    assert long_name.status_code == 422
    long_reason = await client.post(
        f"/api/v1/facilities/{facility['id']}/blackouts",
        json={"starts_at": next_weekday_at(9).isoformat(), "ends_at": next_weekday_at(10).isoformat(), "reason": "x" * 301},
        headers=manager.headers,
    )
    assert long_reason.status_code == 422
    long_purpose = await client.post(
        "/api/v1/bookings",
        json={"facility_id": facility["id"], "starts_at": next_weekday_at(10).isoformat(),
              "ends_at": next_weekday_at(11).isoformat(), "purpose": "x" * 501},
        headers=member.headers,
    )
    assert long_purpose.status_code == 422


async def test_far_off_years_are_refused_not_overflowed(client, member, manager):
    facility = await create_facility()
    far = await client.get(
        f"/api/v1/facilities/{facility['id']}/availability",
        params={"from": "9999-12-30T00:00:00+00:00", "to": "9999-12-31T00:00:00+00:00"}, headers=member.headers,
    )
    assert far.status_code == 422
    early = await client.post(
        f"/api/v1/facilities/{facility['id']}/blackouts",
        json={"starts_at": "0001-01-01T00:00:00+00:00", "ends_at": "0001-01-02T00:00:00+00:00"}, headers=manager.headers,
    )
    assert early.status_code == 422


async def test_deactivating_a_facility_cancels_its_future_bookings_with_notice(client, member, manager):
    from park.notifications.tables import OutboxMessage

    facility = await create_facility()
    booked = await client.post(
        "/api/v1/bookings",
        json={"facility_id": facility["id"], "starts_at": next_weekday_at(10).isoformat(),
              "ends_at": next_weekday_at(11).isoformat()},
        headers=member.headers,
    )
    assert booked.status_code == 201
    response = await client.patch(f"/api/v1/facilities/{facility['id']}", json={"is_active": False}, headers=manager.headers)
    assert response.status_code == 200
    booking = await client.get(f"/api/v1/bookings/{booked.json()['id']}",
                               headers={**member.headers, "Accept-Language": "en"})
    assert booking.json()["status"] == "cancelled"
    assert "out of service" in booking.json()["status_reason"]
    assert booking.json()["status_reason_code"] == "booking.taken_out_of_service"
    in_chinese = await client.get(f"/api/v1/bookings/{booked.json()['id']}",
                                  headers={**member.headers, "Accept-Language": "zh-CN"})
    assert in_chinese.json()["status_reason"] == "该设施已停止使用。"
    kinds = [r["kind"] for r in await OutboxMessage.select(OutboxMessage.kind).order_by(OutboxMessage.id)]
    assert kinds[-1] == "booking.cancelled"


async def test_a_building_keeps_its_address_in_both_languages_and_is_renamed_through_the_api(client, manager, member):
    created = await client.post("/api/v1/buildings", headers=manager.headers, json={
        "name": "创新楼", "code": "CX", "address": "深圳湾科技生态园 9 栋", "address_en": "Building 9, Shenzhen Bay Eco-Technology Park"})
    assert created.status_code == 201
    assert created.json()["address_en"] == "Building 9, Shenzhen Bay Eco-Technology Park"
    path = f"/api/v1/buildings/{created.json()['id']}"
    changed = await client.patch(path, headers=manager.headers, json={"name_en": "Innovation Hall", "address": "深圳湾 9 栋"})
    assert changed.status_code == 200
    body = changed.json()
    assert (body["name"], body["name_en"], body["address"], body["code"]) == ("创新楼", "Innovation Hall", "深圳湾 9 栋", "CX")
    assert body["address_en"] == "Building 9, Shenzhen Bay Eco-Technology Park", "a field left out stays"
    refused = await client.patch(path, headers=manager.headers, json={"name": ""})
    assert refused.status_code == 422 and refused.json()["errors"][0]["field"] == "name"
    too_long = await client.patch(path, headers=manager.headers, json={"address_en": "x" * 301})
    assert too_long.status_code == 422
    assert (await client.patch(path, headers=member.headers, json={"name": "我的楼"})).status_code == 403
    assert (await client.patch("/api/v1/buildings/999999", headers=manager.headers, json={"name": "无"})).status_code == 404
    listed = (await client.get("/api/v1/buildings", headers=member.headers)).json()["items"]
    assert [b["name"] for b in listed if b["code"] == "CX"] == ["创新楼"]


async def test_a_facility_platform_has_an_english_name_found_by_the_words_filter(client, manager, member):
    building = await create_building()
    created = await client.post("/api/v1/facilities", headers=manager.headers, json={
        "name": "渲染节点", "kind": "equipment", "building_id": building["id"],
        "platform": "渲染计算中心", "platform_en": "Rendering Computing Centre"})
    assert created.status_code == 201 and created.json()["platform_en"] == "Rendering Computing Centre"
    found = (await client.get("/api/v1/facilities?q=Rendering", headers=member.headers)).json()["items"]
    assert [f["id"] for f in found] == [created.json()["id"]]
    patched = await client.patch(f"/api/v1/facilities/{created.json()['id']}", headers=manager.headers, json={"platform_en": "Render Farm"})
    assert patched.status_code == 200 and patched.json()["platform_en"] == "Render Farm"
