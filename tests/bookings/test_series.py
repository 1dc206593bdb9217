"""Recurring series: preview of clashes, booking without them on request, cancelling one or from a date on."""

from datetime import timedelta

from park.bookings.tables import Booking

from .test_api import body, book, weekday_at


async def test_preview_shows_which_occurrences_clash(client, member, rival):
    from tests.builders import create_facility

    facility = await create_facility()
    first = weekday_at(10)
    await book(client, rival, facility, first + timedelta(weeks=1))
    response = await client.post(
        "/api/v1/bookings/preview", json=body(facility, first, recurrence="FREQ=WEEKLY;COUNT=3"), headers=member.headers
    )
    assert response.status_code == 200
    preview = response.json()
    assert [o["ok"] for o in preview["occurrences"]] == [True, False, True]
    assert preview["occurrences"][1]["problems"][0]["code"] == "conflict"
    assert (preview["bookable"], preview["clashing"]) == (2, 1)


async def test_a_series_with_clashes_is_refused_unless_asked_to_skip_them(client, member, rival):
    from tests.builders import create_facility

    facility = await create_facility()
    first = weekday_at(10)
    await book(client, rival, facility, first + timedelta(weeks=1))
    refused = await book(client, member, facility, first, recurrence="FREQ=WEEKLY;COUNT=3")
    assert refused.status_code == 409
    assert len(refused.json()["occurrences"]) == 1
    assert await Booking.count().where(Booking.tenant == member.tenant_id) == 0
    created = await book(client, member, facility, first, recurrence="FREQ=WEEKLY;COUNT=3", skip_clashes=True)
    assert created.status_code == 201
    data = created.json()
    assert len(data["created"]) == 2 and len(data["skipped"]) == 1
    assert data["series_id"] is not None


async def test_a_series_across_a_month_boundary_keeps_its_local_time(client, member):
    from datetime import date, datetime

    from park.shared.clock import utc_now
    from tests.builders import SHANGHAI, create_facility

    facility = await create_facility()
    today = utc_now().astimezone(SHANGHAI).date()
    # Two weekdays before the end of next month, so five weekdays run into the month after.
    after_next = date(today.year + (today.month >= 11), (today.month + 1) % 12 + 1, 1)
    start_day = after_next - timedelta(days=2)
    while start_day.weekday() >= 5:
        start_day -= timedelta(days=1)
    first = datetime(start_day.year, start_day.month, start_day.day, 10, tzinfo=SHANGHAI)
    response = await book(client, member, facility, first, recurrence="FREQ=DAILY;COUNT=5;BYDAY=MO,TU,WE,TH,FR")
    assert response.status_code == 201, response.text
    created = response.json()["created"]
    local = [datetime.fromisoformat(b["starts_at"]).astimezone(SHANGHAI) for b in created]
    assert len(created) == 5
    assert {d.month for d in local} == {start_day.month, after_next.month}
    assert {d.hour for d in local} == {10}
    assert all(d.weekday() < 5 for d in local)


async def test_a_bad_rule_is_a_validation_error_naming_recurrence(client, member):
    from tests.builders import create_facility

    facility = await create_facility()
    response = await book(client, member, facility, weekday_at(10), recurrence="FREQ=WEEKLY")
    assert response.status_code == 422
    assert response.json()["errors"][0]["field"] == "recurrence"


async def test_cancel_one_occurrence_or_the_series_from_a_date_on(client, member):
    from tests.builders import create_facility

    facility = await create_facility()
    first = weekday_at(10)
    data = (await book(client, member, facility, first, recurrence="FREQ=WEEKLY;COUNT=4")).json()
    ids = [b["id"] for b in data["created"]]
    one = await client.post(f"/api/v1/bookings/{ids[0]}/cancel", headers=member.headers)
    assert one.json()["status"] == "cancelled"
    cut = (first + timedelta(weeks=2) - timedelta(hours=1)).isoformat()
    response = await client.post(f"/api/v1/booking-series/{data['series_id']}/cancel", json={"from": cut}, headers=member.headers)
    assert response.status_code == 200
    assert [b["id"] for b in response.json()["cancelled"]] == ids[2:]
    statuses = [(await client.get(f"/api/v1/bookings/{i}", headers=member.headers)).json()["status"] for i in ids]
    assert statuses == ["cancelled", "confirmed", "cancelled", "cancelled"]


async def test_another_firm_cannot_cancel_a_series(client, member, rival):
    from tests.builders import create_facility

    facility = await create_facility()
    data = (await book(client, member, facility, weekday_at(10), recurrence="FREQ=WEEKLY;COUNT=2")).json()
    response = await client.post(f"/api/v1/booking-series/{data['series_id']}/cancel", headers=rival.headers)
    assert response.status_code == 404
