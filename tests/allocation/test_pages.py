"""Space pages: the policy in both languages, applying, status, the manager's round page."""

from __future__ import annotations

from park.allocation.tables import Lease
from tests import builders
from tests.accounts.test_pages import csrf_from, sign_in
from tests.builders import application_body, create_building, create_unit, qualify


async def test_policy_page_speaks_chinese_and_english(client):
    chinese = await client.get("/policy", headers={"accept-language": "zh-CN"})
    assert chinese.status_code == 200
    assert "基地龙头企业：40分。" in chinese.text
    assert "2026.1" in chinese.text
    english = await client.get("/policy", headers={"accept-language": "en"})
    assert "Leading firm of the base: 40 points." in english.text


async def test_firm_administrator_applies_through_the_form_and_sees_its_score(client, tenant_admin, tenant):
    building = await create_building(code="PA")
    await qualify(tenant["id"], "original_brand")
    await sign_in(client, tenant_admin.email)
    form = await client.get("/space/apply", headers={"accept-language": "en"})
    assert form.status_code == 200
    answer = await client.post(
        "/space/apply",
        data={
            "unit_kind": "studio",
            "min_area_m2": "60",
            "max_area_m2": "120",
            "start_date": "2031-03-01",
            "term_months": "12",
            "preferred_building_ids": [str(building["id"])],
            "justification": "A sound stage.",
            "_csrf_token": csrf_from(form.text),
        },
        headers={"accept-language": "en"},
    )
    assert answer.status_code == 303
    status = await client.get(answer.headers["location"], headers={"accept-language": "en"})
    assert status.status_code == 200
    assert "Owns an original brand: 10 points." in status.text
    assert "qualification.original_brand" in status.text


async def test_form_with_inverted_areas_is_shown_again_with_the_message(client, tenant_admin):
    await sign_in(client, tenant_admin.email)
    form = await client.get("/space/apply", headers={"accept-language": "en"})
    answer = await client.post(
        "/space/apply",
        data={"unit_kind": "office", "min_area_m2": "200", "max_area_m2": "100", "start_date": "2031-03-01",
              "term_months": "12", "justification": "", "_csrf_token": csrf_from(form.text)},
        headers={"accept-language": "en"},
    )
    assert answer.status_code == 422
    assert "The largest area must not be below the smallest." in answer.text


async def test_another_firms_application_page_is_not_found(client, tenant_admin, rival):
    created = (await client.post("/api/v1/space-applications", json=application_body(), headers=tenant_admin.headers)).json()
    await sign_in(client, rival.email)
    page = await client.get(f"/space/applications/{created['id']}", headers={"accept": "text/html"})
    assert page.status_code == 404


async def test_manager_runs_a_round_from_the_page_and_reads_why(client, manager):
    building = await create_building(code="RB")
    await create_unit(building["id"], code="RB-101")
    winner = await builders.create_tenant(name="甲公司", name_en="Alpha Ltd")
    loser = await builders.create_tenant(name="乙公司", name_en="Beta Ltd")
    await qualify(winner["id"], "leading_firm")
    for firm in (loser, winner):
        admin = await builders.create_user("tenant_admin", firm["id"])
        await client.post("/api/v1/space-applications", json=application_body(), headers=admin.headers)
    await sign_in(client, manager.email)
    index = await client.get("/allocation", headers={"accept-language": "en"})
    assert index.status_code == 200
    assert index.text.index("Alpha Ltd") < index.text.index("Beta Ltd")
    ran = await client.post("/allocation/rounds", data={"_csrf_token": csrf_from(index.text)})
    assert ran.status_code == 303
    round_page = await client.get(ran.headers["location"], headers={"accept-language": "en"})
    assert "RB-101" in round_page.text
    assert "went to a higher-ranked applicant: Alpha Ltd (rank 1)" in round_page.text
    asked = await client.post(
        ran.headers["location"] + "/confirm", data={"_csrf_token": csrf_from(round_page.text)},
        headers={"accept-language": "en"},
    )
    assert asked.status_code == 200 and "data-confirm-summary" in asked.text
    leases, firms = asked.text.split("Leases to sign")[1].split("Firms to notify")
    assert "RB-101 to Alpha Ltd" in leases and "Beta Ltd" not in leases
    assert "Alpha Ltd · granted a unit" in firms and "Beta Ltd · told why it got nothing this round" in firms
    assert "Yes, sign 1 leases and notify 2 firms" in asked.text
    assert await Lease.count() == 0
    assert "Proposed" in (await client.get(ran.headers["location"], headers={"accept-language": "en"})).text
    confirmed = await client.post(
        ran.headers["location"] + "/confirm", data={"_csrf_token": csrf_from(asked.text), "confirmed": "1"}
    )
    assert confirmed.status_code == 303
    assert await Lease.count() == 1
    after = await client.get(ran.headers["location"], headers={"accept-language": "en"})
    assert "Confirmed" in after.text


async def test_members_cannot_open_the_allocation_page(client, member):
    await sign_in(client, member.email)
    assert (await client.get("/allocation", headers={"accept": "text/html"})).status_code == 403


async def test_manager_sees_units_with_holders_filters_vacancy_and_adds_a_unit(client, manager, tenant):
    from datetime import date

    from tests.builders import create_lease

    building = await create_building(code="UV")
    leased = await create_unit(building["id"], code="UV-101")
    await create_unit(building["id"], code="UV-102")
    await create_lease(leased["id"], tenant["id"], date(2020, 1, 1), date(2040, 1, 1))
    await sign_in(client, manager.email)
    page = await client.get("/allocation/units", headers={"accept-language": "en"})
    assert page.status_code == 200
    assert "UV-101" in page.text and "Test Firm" in page.text
    vacant = await client.get(
        "/allocation/units?vacant_from=2030-01-01&vacant_to=2030-02-01", headers={"accept-language": "en"}
    )
    assert "UV-102" in vacant.text and "UV-101" not in vacant.text
    added = await client.post(
        "/allocation/units",
        data={"building_id": str(building["id"]), "floor": "9", "code": "UV-901", "kind": "lab",
              "area_m2": "88.5", "monthly_rent_yuan": "12000.50", "_csrf_token": csrf_from(page.text)},
    )
    assert added.status_code == 303
    units = (await client.get(f"/api/v1/units?building_id={building['id']}", headers=manager.headers)).json()["items"]
    assert {"code": "UV-901", "area_m2": 88.5, "monthly_rent_fen": 1200050, "kind": "lab"}.items() <= next(
        u for u in units if u["code"] == "UV-901"
    ).items()


async def test_a_refused_new_unit_comes_back_with_what_the_manager_typed(client, manager):
    building = await create_building(code="UW")
    await create_unit(building["id"], code="UW-101")
    await sign_in(client, manager.email)
    page = await client.get("/allocation/units", headers={"accept-language": "en"})
    refused = await client.post(
        "/allocation/units",
        data={"building_id": str(building["id"]), "floor": "7", "code": "UW-101", "kind": "studio",
              "area_m2": "64", "monthly_rent_yuan": "5000", "_csrf_token": csrf_from(page.text)},
    )
    assert refused.status_code == 303
    again = await client.get("/allocation/units", headers={"accept-language": "en"})
    assert 'name="code" required placeholder="A-1203" value="UW-101"' in again.text
    assert 'value="64"' in again.text and '<option value="studio" selected>' in again.text
    fresh = await client.get("/allocation/units", headers={"accept-language": "en"})
    assert 'placeholder="A-1203" value=""' in fresh.text
