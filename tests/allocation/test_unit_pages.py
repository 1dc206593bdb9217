"""The manager's unit page: change a unit, lease it, end a lease early, renew one; refusals change nothing."""

from __future__ import annotations

from datetime import date, timedelta

from park.allocation import queries
from tests.accounts.test_pages import csrf_from, sign_in
from tests.builders import create_building, create_lease, create_unit

EN = {"accept-language": "en"}


async def test_manager_changes_a_unit_from_its_page(client, manager):
    unit = await create_unit((await create_building(code="UE"))["id"], code="UE-101")
    await sign_in(client, manager.email)
    listing = await client.get("/allocation/units", headers=EN)
    assert f'href="/allocation/units/{unit["id"]}"' in listing.text
    page = await client.get(f"/allocation/units/{unit['id']}", headers=EN)
    assert page.status_code == 200
    saved = await client.post(f"/allocation/units/{unit['id']}", data={
        "floor": "12", "kind": "studio", "area_m2": "75.5", "monthly_rent_yuan": "8800.50", "_csrf_token": csrf_from(page.text)})
    assert saved.status_code == 303
    row = await queries.get_unit(unit["id"])
    assert (row["floor"], row["kind"], row["area_m2"], row["monthly_rent_fen"]) == (12, "studio", 75.5, 880050)


async def test_a_refused_unit_change_shows_the_field_error_and_changes_nothing(client, manager):
    unit = await create_unit((await create_building(code="UR"))["id"], code="UR-101")
    before = await queries.get_unit(unit["id"])
    await sign_in(client, manager.email)
    page = await client.get(f"/allocation/units/{unit['id']}", headers=EN)
    refused = await client.post(f"/allocation/units/{unit['id']}", headers=EN, data={
        "floor": "3", "kind": "office", "area_m2": "-5", "monthly_rent_yuan": "1", "_csrf_token": csrf_from(page.text)})
    assert refused.status_code == 422
    text = refused.text
    assert "The area must be a positive number of square metres." in text
    assert text.index("The area must be") > text.index('id="u-area"')
    assert await queries.get_unit(unit["id"]) == before


async def test_manager_leases_a_unit_ends_a_lease_early_and_renews_one(client, manager, tenant):
    unit = await create_unit((await create_building(code="UL"))["id"], code="UL-101")
    await sign_in(client, manager.email)
    page = await client.get(f"/allocation/units/{unit['id']}", headers=EN)
    csrf = csrf_from(page.text)
    leased = await client.post(f"/allocation/units/{unit['id']}/leases", data={
        "tenant_id": str(tenant["id"]), "starts_on": "2031-01-01", "ends_on": "2032-01-01", "_csrf_token": csrf})
    assert leased.status_code == 303
    (lease,), _count = await queries.list_leases(unit_id=unit["id"])
    renewed = await client.post(f"/allocation/leases/{lease['id']}/renew", data={"months": "6", "_csrf_token": csrf})
    assert renewed.status_code == 303
    assert (await queries.get_lease(lease["id"]))["ends_on"] == date(2032, 7, 1)
    ended = await client.post(f"/allocation/leases/{lease['id']}/end", data={"ends_on": "2031-09-01", "_csrf_token": csrf})
    assert ended.status_code == 303
    assert (await queries.get_lease(lease["id"]))["ends_on"] == date(2031, 9, 1)
    shown = await client.get(f"/allocation/units/{unit['id']}", headers=EN)
    assert "Test Firm" in shown.text


async def test_renewing_into_the_next_lease_and_ending_after_the_end_are_refused(client, manager, tenant, rival):
    from tests import builders

    unit = await create_unit((await create_building(code="UN"))["id"], code="UN-101")
    other = await builders.create_tenant(name="后一家", name_en="Next Firm")
    first = await create_lease(unit["id"], tenant["id"], date(2031, 1, 1), date(2032, 1, 1))
    await create_lease(unit["id"], other["id"], date(2032, 3, 1), date(2033, 1, 1))
    await sign_in(client, manager.email)
    page = await client.get(f"/allocation/units/{unit['id']}", headers=EN)
    csrf = csrf_from(page.text)
    clash = await client.post(f"/allocation/leases/{first['id']}/renew", data={"months": "3", "_csrf_token": csrf}, headers=EN)
    assert clash.status_code == 422
    assert "already leased from 2032-03-01" in clash.text
    later = await client.post(f"/allocation/leases/{first['id']}/end", data={"ends_on": "2032-06-01", "_csrf_token": csrf}, headers=EN)
    assert later.status_code == 422 and "before its current end" in later.text
    past = (date.today() - timedelta(days=400)).isoformat()
    assert (await client.post(f"/allocation/leases/{first['id']}/end", data={"ends_on": past, "_csrf_token": csrf}, headers=EN)).status_code == 422
    assert (await queries.get_lease(first["id"]))["ends_on"] == date(2032, 1, 1)
    fits = await client.post(f"/allocation/leases/{first['id']}/renew", data={"months": "2", "_csrf_token": csrf})
    assert fits.status_code == 303 and (await queries.get_lease(first["id"]))["ends_on"] == date(2032, 3, 1)


async def test_members_cannot_reach_the_unit_pages(client, member, tenant):
    unit = await create_unit((await create_building(code="UM"))["id"], code="UM-101")
    lease = await create_lease(unit["id"], tenant["id"], date(2031, 1, 1), date(2032, 1, 1))
    await sign_in(client, member.email)
    assert (await client.get(f"/allocation/units/{unit['id']}", headers={"accept": "text/html"})).status_code == 403
    page = await client.get("/bookings", headers=EN)
    refused = await client.post(f"/allocation/leases/{lease['id']}/renew", data={"months": "6", "_csrf_token": csrf_from(page.text)})
    assert refused.status_code == 403
    assert (await queries.get_lease(lease["id"]))["ends_on"] == date(2032, 1, 1)
