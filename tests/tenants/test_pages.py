"""Tenant pages: the managers' list and form, a firm's own page."""

from park.tenants.tables import QualificationRecord, Tenant
from tests.accounts.test_pages import csrf_from, sign_in

VALID = "91440300708461136T"


async def test_a_manager_searches_the_firm_list(client, manager, tenant, other_tenant):
    await sign_in(client, manager.email)
    found = await client.get("/tenants", params={"q": "Rival"}, headers={"accept-language": "en"})
    assert found.status_code == 200
    assert "Rival Firm" in found.text and tenant["name_en"] not in found.text


async def test_a_manager_registers_a_firm_with_a_dated_qualification_through_the_form(client, manager):
    await sign_in(client, manager.email)
    form = await client.get("/tenants/new")
    response = await client.post(
        "/tenants/new",
        data={
            "name": "深圳光影传媒有限公司", "name_en": "Lightshadow Media", "uscc": VALID, "sector": "new_media",
            "staff_count": "30", "rd_staff_count": "8", "ip_count": "3",
            "q_original_brand": "on", "cert_original_brand": "OB-2025-17", "until_original_brand": "2099-06-30",
            "_csrf_token": csrf_from(form.text),
        },
    )
    assert response.status_code == 303
    tenant = await Tenant.select().where(Tenant.uscc == VALID).first()
    record = await QualificationRecord.select().where(QualificationRecord.tenant == tenant["id"]).first()
    assert (record["kind"], record["certificate_no"], str(record["valid_until"])) == ("original_brand", "OB-2025-17", "2099-06-30")


async def test_a_bad_code_in_the_form_is_shown_beside_the_field(client, manager):
    await sign_in(client, manager.email)
    form = await client.get("/tenants/new")
    response = await client.post(
        "/tenants/new",
        data={"name": "某公司", "uscc": "91440300708461136U", "sector": "new_media", "_csrf_token": csrf_from(form.text)},
        headers={"accept-language": "en"},
    )
    assert response.status_code == 422
    assert 'id="uscc-error"' in response.text
    assert await Tenant.count() == 0


async def test_a_manager_edits_a_firm_through_the_form(client, manager, tenant, member, rival):
    await sign_in(client, manager.email)
    form = await client.get(f"/tenants/{tenant['id']}")
    assert tenant["uscc"] in form.text
    assert member.email in form.text and rival.email not in form.text
    response = await client.post(
        f"/tenants/{tenant['id']}",
        data={"name": tenant["name"], "uscc": tenant["uscc"], "sector": "creative_design", "staff_count": "60",
              "rd_staff_count": "20", "ip_count": "7", "_csrf_token": csrf_from(form.text)},
    )
    assert response.status_code == 303
    assert (await Tenant.select(Tenant.sector, Tenant.ip_count).where(Tenant.id == tenant["id"]).first()) == {
        "sector": "creative_design", "ip_count": 7,
    }


async def test_a_firms_member_sees_its_firm_but_not_the_managers_pages(client, member, tenant):
    await sign_in(client, member.email)
    mine = await client.get("/my-firm")
    assert mine.status_code == 200 and tenant["uscc"] in mine.text
    assert (await client.get("/tenants", headers={"accept": "text/html"})).status_code == 403
    assert (await client.get(f"/tenants/{tenant['id']}", headers={"accept": "text/html"})).status_code == 403


async def test_park_staff_have_no_firm_page(client, manager):
    await sign_in(client, manager.email)
    assert (await client.get("/my-firm", headers={"accept": "text/html"})).status_code == 404
