"""Space services against the database: concurrent leases, reminders, rescoring."""

from __future__ import annotations

import asyncio
from datetime import date, datetime, timedelta, timezone

import pytest

from park.shared.actor import Actor
from park.allocation import units
from park.allocation.jobs import remind_expiring_leases
from park.shared.errors import Conflict
from tests import builders
from tests.builders import create_building, create_lease, create_unit

NOW = datetime(2026, 11, 25, 2, 0, tzinfo=timezone.utc)
MANAGER = Actor(id=0, email="manager@park.test", name="Manager", role="manager", tenant_id=None)


async def test_concurrent_leases_of_one_unit_admit_exactly_one(db):
    building = await create_building()
    unit = await create_unit(building["id"])
    tenants = [await builders.create_tenant() for _ in range(8)]

    async def lease(tenant, offset):
        start = date(2027, 1, 1) + timedelta(days=offset)
        data = units.LeaseInput(unit["id"], tenant["id"], start, start + timedelta(days=365))
        return await units.create_lease(MANAGER, data, NOW)

    results = await asyncio.gather(*(lease(t, i) for i, t in enumerate(tenants)), return_exceptions=True)
    created = [r for r in results if isinstance(r, dict)]
    refused = [r for r in results if isinstance(r, Conflict)]
    assert len(created) == 1
    assert len(refused) == 7


async def test_lease_that_ends_before_it_starts_is_refused(db, tenant):
    building = await create_building()
    unit = await create_unit(building["id"])
    with pytest.raises(Exception) as error:
        await units.create_lease(MANAGER, units.LeaseInput(unit["id"], tenant["id"], date(2027, 1, 2), date(2027, 1, 2)), NOW)
    assert error.value.__class__.__name__ == "ValidationFailed"


async def test_lease_reminders_go_at_90_and_30_days_and_only_once(db, tenant, settings):
    from park.notifications.tables import OutboxMessage

    admin = await builders.create_user("tenant_admin", tenant["id"])
    building = await create_building()
    unit = await create_unit(building["id"], code="R-101")
    today = date(2026, 11, 25)
    await create_lease(unit["id"], tenant["id"], date(2025, 1, 1), today + timedelta(days=80))

    async def reminders():
        rows = await OutboxMessage.select().where(OutboxMessage.kind == "space.lease_expiring")
        return sorted((m["to_email"], m["subject"]) for m in rows)

    assert await remind_expiring_leases(NOW, settings) == 1
    assert (admin.email, "租约即将到期 / Lease ends in 80 days") in await reminders()
    assert await remind_expiring_leases(NOW, settings) == 0
    assert await remind_expiring_leases(NOW + timedelta(days=20), settings) == 0  # 60 days left: nothing new
    assert await remind_expiring_leases(NOW + timedelta(days=55), settings) == 1  # 25 days left
    assert await remind_expiring_leases(NOW + timedelta(days=56), settings) == 0
    subjects = [s for e, s in await reminders() if e == admin.email]
    assert subjects == ["租约即将到期 / Lease ends in 25 days", "租约即将到期 / Lease ends in 80 days"]


async def test_lease_found_inside_30_days_gets_one_reminder(db, tenant, settings):
    building = await create_building()
    unit = await create_unit(building["id"])
    await create_lease(unit["id"], tenant["id"], date(2025, 1, 1), date(2026, 12, 10))
    assert await remind_expiring_leases(NOW, settings) == 1
    assert await remind_expiring_leases(NOW + timedelta(days=1), settings) == 0


async def test_concurrent_reminder_runs_send_each_reminder_once(db, tenant, settings):
    from park.notifications.tables import OutboxMessage

    building = await create_building()
    for _ in range(3):
        unit = await create_unit(building["id"])
        await create_lease(unit["id"], tenant["id"], date(2025, 1, 1), date(2027, 1, 20))
    counts = await asyncio.gather(*(remind_expiring_leases(NOW, settings) for _ in range(4)))
    assert sum(counts) == 3
    assert await OutboxMessage.count().where(OutboxMessage.kind == "space.lease_expiring") == 3


async def test_a_round_rescores_open_applications_under_the_policy_in_force(client, manager, tenant_admin, tenant):
    from tests.builders import application_body, qualify

    created = (await client.post("/api/v1/space-applications", json=application_body(), headers=tenant_admin.headers)).json()
    await qualify(tenant["id"], "backbone_firm")
    await client.post("/api/v1/allocation-rounds", headers=manager.headers)
    fresh = (await client.get(f"/api/v1/space-applications/{created['id']}", headers=tenant_admin.headers)).json()
    assert fresh["score"] == created["score"] + 25
    assert {"rule": "qualification.backbone_firm", "points": 25} in fresh["score_breakdown"]


async def test_the_database_itself_refuses_overlapping_leases_on_postgresql(db, tenant, other_tenant):
    from park.shared.db import is_sqlite

    if is_sqlite():
        pytest.skip("SQLite relies on the IMMEDIATE transaction and the service's check")
    building = await create_building()
    unit = await create_unit(building["id"])
    await create_lease(unit["id"], tenant["id"], date(2027, 1, 1), date(2028, 1, 1))
    with pytest.raises(Exception) as error:
        await create_lease(unit["id"], other_tenant["id"], date(2027, 6, 1), date(2027, 7, 1))
    assert getattr(error.value, "sqlstate", None) == "23P01"
    await create_lease(unit["id"], other_tenant["id"], date(2028, 1, 1), date(2029, 1, 1))


async def test_confirming_one_round_twice_at_once_leases_once(client, manager, tenant_admin):
    from park.allocation.tables import Lease
    from tests.builders import application_body

    building = await create_building()
    await create_unit(building["id"])
    await client.post("/api/v1/space-applications", json=application_body(), headers=tenant_admin.headers)
    round_ = (await client.post("/api/v1/allocation-rounds", headers=manager.headers)).json()
    answers = await asyncio.gather(
        *(client.post(f"/api/v1/allocation-rounds/{round_['id']}/confirm", headers=manager.headers) for _ in range(3))
    )
    assert sorted(a.status_code for a in answers) == [200, 409, 409]
    assert await Lease.count() == 1


async def test_facts_read_in_bulk_equal_facts_read_one_by_one(db):
    from park.priority import queries
    from tests.builders import create_facility, qualify

    firms = [await builders.create_tenant(staff_count=10 * i + 5, rd_staff_count=i, ip_count=i) for i in range(3)]
    await qualify(firms[0]["id"], "leading_firm", "original_brand")
    await qualify(firms[1]["id"], "backbone_firm", valid_until=date(2020, 1, 1))
    facility = await create_facility()
    user = await builders.create_user("member", firms[2]["id"])
    from park.bookings.tables import Booking

    for day, status in ((1, "no_show"), (2, "completed"), (3, "no_show")):
        starts = NOW - timedelta(days=day)
        await Booking(facility=facility["id"], tenant=firms[2]["id"], user=user.id, starts_at=starts,
                      ends_at=starts + timedelta(hours=1), occupied_until=starts + timedelta(hours=1),
                      status=status, created_at=starts).save()
    today = date(2026, 11, 25)
    bulk = await queries.tenant_facts_many([f["id"] for f in firms] + [987654], today, NOW)
    for firm in firms:
        assert bulk[firm["id"]] == await queries.tenant_facts(firm["id"], today, NOW)
    assert bulk[firms[2]["id"]].no_show_count == 2 and bulk[firms[2]["id"]].bookings_due_count == 3
    assert bulk[987654] == await queries.tenant_facts(987654, today, NOW)


async def test_renewing_a_lease_and_leasing_the_gap_after_it_at_once_admit_exactly_one(db, tenant, other_tenant):
    """Renewal takes create_lease's unit lock and overlap check: both ask for the months after the lease."""
    unit = await create_unit((await create_building())["id"])
    first = await create_lease(unit["id"], tenant["id"], date(2027, 1, 1), date(2028, 1, 1))

    async def lease_gap(offset: int):
        start = date(2028, 1, 1) + timedelta(days=offset)
        return await units.create_lease(MANAGER, units.LeaseInput(unit["id"], other_tenant["id"], start, start + timedelta(days=90)), NOW)

    results = await asyncio.gather(units.renew_lease(MANAGER, first["id"], 6, NOW), *(lease_gap(i) for i in range(3)),
                                   return_exceptions=True)
    assert len([r for r in results if isinstance(r, dict)]) == 1, results
    assert all(isinstance(r, Conflict) for r in results if not isinstance(r, dict)), results
    from park.allocation import queries

    leases, _count = await queries.list_leases(unit_id=unit["id"])
    for a, b in zip(leases, leases[1:]):
        assert a["ends_on"] <= b["starts_on"]
