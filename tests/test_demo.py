"""The demo base: realistic, deterministic, loaded once."""

from park.accounts.tables import User
from park.demo import load_demo
from park.facilities.tables import Building, Facility
from park.shared.clock import utc_now
from park.tenants.rules import uscc_problem
from park.tenants.tables import Tenant


async def _counts() -> dict[str, int]:
    return {
        "buildings": await Building.count(),
        "facilities": await Facility.count(),
        "tenants": await Tenant.count(),
        "users": await User.count(),
    }


async def test_the_demo_loads_once_and_a_second_load_changes_nothing(db, settings):
    assert await load_demo(utc_now(), settings.zone) is True
    first = await _counts()
    assert await load_demo(utc_now(), settings.zone) is False
    assert await _counts() == first


async def test_the_demo_has_every_kind_of_facility_tenant_and_role(db, settings):
    await load_demo(utc_now(), settings.zone)
    counts = await _counts()
    assert counts["buildings"] == 4
    assert counts["facilities"] >= 40
    assert counts["tenants"] == 60
    kinds = {row["kind"] for row in await Facility.select(Facility.kind)}
    assert kinds == {"lab", "equipment", "studio", "meeting_room", "event_hall", "workstation"}
    roles = {row["role"] for row in await User.select(User.role)}
    assert roles == {"member", "tenant_admin", "manager", "admin"}
    codes = [row["uscc"] for row in await Tenant.select(Tenant.uscc)]
    assert all(uscc_problem(code) is None for code in codes)
    sectors = {row["sector"] for row in await Tenant.select(Tenant.sector)}
    assert len(sectors) == 11


async def test_every_demo_firm_has_the_month_that_ended_issued(db, settings):
    from park.billing.tables import Statement

    await load_demo(utc_now(), settings.zone)
    assert await Statement.count() == 60
    billed = await Statement.select(Statement.amount_fen).where(Statement.amount_fen > 0)
    assert billed, "the demo's past bookings and leases are charged"
