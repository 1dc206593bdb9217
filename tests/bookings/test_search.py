"""GET /api/v1/availability: the time-first search over every facility."""

from datetime import datetime, timedelta

from tests.builders import create_building, create_facility

from .test_api import book, weekday_at


def instant(text):
    return datetime.fromisoformat(text.replace("Z", "+00:00"))


def search(client, login, starts_at, ends_at, **params):
    query = {"from": starts_at.isoformat(), "to": ends_at.isoformat(), **params}
    return client.get("/api/v1/availability", params=query, headers=login.headers)


async def test_search_lists_facilities_with_a_fitting_interval_earliest_first(client, member, rival):
    building = await create_building()
    early = await create_facility(building["id"], name="早")
    late = await create_facility(building["id"], name="晚")
    full = await create_facility(building["id"], name="满")
    day = weekday_at(0)
    assert (await book(client, rival, early, weekday_at(14), weekday_at(15))).status_code == 201
    assert (await book(client, rival, late, weekday_at(9), weekday_at(13))).status_code == 201
    assert (await book(client, rival, full, weekday_at(9), weekday_at(17))).status_code == 201
    assert (await book(client, rival, full, weekday_at(17), weekday_at(18))).status_code == 201
    response = await search(client, member, day, day + timedelta(days=1), building_id=building["id"], duration_minutes=60)
    assert response.status_code == 200, response.text
    data = response.json()
    assert [item["facility_id"] for item in data["items"]] == [early["id"], late["id"]]
    assert data["total"] == 2
    first = data["items"][0]
    assert first["bookable"] is True and first["reason"] == ""
    assert [(instant(f["starts_at"]), instant(f["ends_at"])) for f in first["free"]] == [
        (weekday_at(9), weekday_at(14)), (weekday_at(15), weekday_at(18))]
    assert instant(data["items"][1]["free"][0]["starts_at"]) == weekday_at(13)


async def test_search_respects_kind_seats_duration_and_blackouts(client, member, manager):
    building = await create_building()
    room = await create_facility(building["id"])
    lab = await create_facility(building["id"], kind="lab", capacity=4, max_duration_minutes=120)
    day = weekday_at(0)
    window = (day, day + timedelta(days=1))
    found = lambda response: [item["facility_id"] for item in response.json()["items"]]  # noqa: E731
    assert found(await search(client, member, *window, building_id=building["id"], kind="lab")) == [lab["id"]]
    assert found(await search(client, member, *window, building_id=building["id"], seats=3)) == [lab["id"]]
    assert found(await search(client, member, *window, building_id=building["id"], duration_minutes=180)) == [room["id"]]
    blackout = await client.post(
        f"/api/v1/facilities/{room['id']}/blackouts",
        json={"starts_at": weekday_at(9).isoformat(), "ends_at": weekday_at(18).isoformat(), "reason": "维修"},
        headers=manager.headers,
    )
    assert blackout.status_code == 201
    assert found(await search(client, member, *window, building_id=building["id"])) == [lab["id"]]


async def test_a_facility_needing_training_is_shown_as_not_bookable_with_the_reason(client, member, manager):
    building = await create_building()
    trained = await create_facility(building["id"], requires_authorization=True)
    day = weekday_at(0)
    response = await search(client, member, day, day + timedelta(days=1), building_id=building["id"])
    [item] = response.json()["items"]
    assert item["bookable"] is False and "training" in item["reason"]
    grant = await client.post(f"/api/v1/facilities/{trained['id']}/authorizations", json={"user_id": member.id}, headers=manager.headers)
    assert grant.status_code == 201
    [item] = (await search(client, member, day, day + timedelta(days=1), building_id=building["id"])).json()["items"]
    assert item["bookable"] is True


async def test_search_refuses_bad_input_with_problem_details(client, member):
    day = weekday_at(0)
    cases = [
        ({"from": day.isoformat()}, "to"),
        ({"from": day.isoformat(), "to": (day + timedelta(days=40)).isoformat()}, "to"),
        ({"from": day.isoformat(), "to": (day - timedelta(days=1)).isoformat()}, "to"),
        ({"from": "2026-12-01T09:00:00", "to": (day + timedelta(days=1)).isoformat()}, "from"),
        ({"from": day.isoformat(), "to": (day + timedelta(days=1)).isoformat(), "kind": "spaceship"}, "kind"),
        ({"from": day.isoformat(), "to": (day + timedelta(days=1)).isoformat(), "seats": "0"}, "seats"),
    ]
    for params, field in cases:
        response = await client.get("/api/v1/availability", params=params, headers=member.headers)
        assert response.status_code == 422, (params, response.text)
        assert response.headers["content-type"].startswith("application/problem+json")
        assert field in [e["field"] for e in response.json()["errors"]], params


async def test_forty_facilities_over_a_week_take_a_fixed_number_of_queries(client, member, monkeypatch):
    from park.shared import db

    building = await create_building()
    for index in range(40):
        await create_facility(building["id"], name=f"房间{index}")
    calls = []
    original = db.fetch

    async def counting(sql, *args):
        calls.append(sql)
        return await original(sql, *args)

    monkeypatch.setattr(db, "fetch", counting)
    import park.bookings.queries as booking_queries
    import park.facilities.queries as facility_queries

    monkeypatch.setattr(booking_queries, "fetch", counting)
    monkeypatch.setattr(facility_queries, "fetch", counting)
    original_values = db.fetch_values

    async def counting_values(sql, *args):
        calls.append(sql)
        return await original_values(sql, *args)

    monkeypatch.setattr(booking_queries, "fetch_values", counting_values)
    day = weekday_at(0)
    response = await search(client, member, day, day + timedelta(days=7), building_id=building["id"], limit=100)
    assert response.json()["total"] == 40
    # One query for the bookings of all 40 and one for their blackouts (besides the facility list), not 40 of each.
    assert len([sql for sql in calls if "FROM booking" in sql]) == 1
    assert len([sql for sql in calls if "FROM blackout" in sql]) == 1
