"""What-if rounds: an edited policy's round beside the one in force, with nothing stored."""

from __future__ import annotations

import copy

from park.shared.actor import Actor
from park.allocation import rounds, simulation
from park.shared.clock import utc_now
from tests import builders
from tests.builders import application_body, create_building, create_unit
from tests.conftest import _app_tables

MANAGER = Actor(id=0, email="manager@park.test", name="Manager", role="manager", tenant_id=None)


async def _table_contents() -> dict[str, list[str]]:
    contents = {}
    for table in _app_tables():
        rows = await table.select()
        contents[table._meta.tablename] = sorted(repr(sorted(row.items())) for row in rows)
    return contents


async def _two_firms_one_office(client):
    """An animation studio (ranked first by the policy in force) and a cultural-tourism firm want one office."""
    building = await create_building()
    office = await create_unit(building["id"], area_m2=120.0)
    animation = await builders.create_tenant(sector="animation_games")
    tourism = await builders.create_tenant(sector="cultural_tourism")
    ids = {}
    for firm in (animation, tourism):
        admin = await builders.create_user("tenant_admin", firm["id"])
        answer = await client.post("/api/v1/space-applications", json=application_body(), headers=admin.headers)
        assert answer.status_code == 201, answer.text
        ids[firm["sector"]] = answer.json()["id"]
    return office, ids


async def _edited_document(client, manager, tourism_points=60):
    read = (await client.get("/api/v1/priority-policy", headers=manager.headers)).json()
    document = copy.deepcopy(read["document"])
    document["version"] = "2026.1-whatif"
    document["sectors"]["cultural_tourism"]["points"] = tourism_points
    return document


async def test_the_policy_read_can_be_sent_back_unchanged_and_changes_nothing(client, manager):
    await _two_firms_one_office(client)
    read = (await client.get("/api/v1/priority-policy", headers=manager.headers)).json()
    assert read["document"]["version"] == read["version"]
    answer = await client.post("/api/v1/allocation-rounds/simulations", json={"policy": read}, headers=manager.headers)
    assert answer.status_code == 200, answer.text
    body = answer.json()
    assert body["status"] == "simulated"
    assert body["policy_version"] == read["version"]
    assert body["differences"] == []
    assert len(body["assignments"]) == 2


async def test_a_simulation_leaves_every_table_as_it_was(client, manager):
    office, ids = await _two_firms_one_office(client)
    document = await _edited_document(client, manager)
    before_counts = {name: len(rows) for name, rows in (await _table_contents()).items()}
    answer = await client.post("/api/v1/allocation-rounds/simulations", json={"policy": document}, headers=manager.headers)
    assert answer.status_code == 200, answer.text
    assert answer.json()["differences"]
    after_counts = {name: len(rows) for name, rows in (await _table_contents()).items()}
    assert after_counts == before_counts

    # The same use case without the HTTP layer (whose sign-in touches the token's row): every row unchanged.
    before = await _table_contents()
    await simulation.simulate_round(MANAGER, utc_now(), support_zone(), *await _policies(client, manager))
    assert await _table_contents() == before


def support_zone():
    from zoneinfo import ZoneInfo

    return ZoneInfo("Asia/Shanghai")


async def _policies(client, manager):
    from park.priority.service import current_policy
    from park.settings import load_settings

    return current_policy(load_settings()), simulation.edited_policy(await _edited_document(client, manager))


async def test_a_simulations_differences_match_a_real_round_under_the_edited_policy(client, manager):
    office, ids = await _two_firms_one_office(client)
    document = await _edited_document(client, manager)
    simulated = (
        await client.post("/api/v1/allocation-rounds/simulations", json={"policy": document}, headers=manager.headers)
    ).json()

    current_round = (await client.post("/api/v1/allocation-rounds", headers=manager.headers)).json()
    edited = simulation.edited_policy(document)
    edited_round = await rounds.run_allocation_round(MANAGER, utc_now(), support_zone(), edited)

    placed = {a["application"]: (a["rank"], a["unit"]) for a in edited_round["assignments"]}
    assert {a["application_id"]: (a["rank"], a["unit_id"]) for a in simulated["assignments"]} == placed
    before = {a["application_id"]: (a["rank"], a["unit_id"]) for a in current_round["assignments"]}
    expected = {app_id: (before[app_id], after) for app_id, after in placed.items() if before[app_id] != after}
    got = {
        d["application_id"]: ((d["current"]["rank"], d["current"]["unit_id"]), (d["simulated"]["rank"], d["simulated"]["unit_id"]))
        for d in simulated["differences"]
    }
    assert got == expected
    # Under the edited policy the tourism firm takes the office from the animation studio.
    assert got[ids["cultural_tourism"]] == ((2, None), (1, office["id"]))
    changes = {d["application_id"]: d["change"] for d in simulated["differences"]}
    assert changes == {ids["cultural_tourism"]: "gains", ids["animation_games"]: "loses"}
    area = simulated["housed_area"]
    assert area["current"]["sector"] == {"animation_games": 120.0}
    assert area["simulated"]["sector"] == {"cultural_tourism": 120.0}


async def test_a_bad_edited_policy_is_refused_naming_the_key(client, manager):
    document = await _edited_document(client, manager)
    document["quota"]["tiers"][1]["min_score"] = "forty"
    answer = await client.post("/api/v1/allocation-rounds/simulations", json={"policy": document}, headers=manager.headers)
    assert answer.status_code == 422
    assert answer.headers["content-type"].startswith("application/problem+json")
    assert answer.json()["errors"][0]["field"] == "policy.quota.tiers[1].min_score"

    del document["sectors"]
    answer = await client.post("/api/v1/allocation-rounds/simulations", json={"policy": document}, headers=manager.headers)
    assert answer.json()["errors"][0]["field"] == "policy.sectors"

    answer = await client.post("/api/v1/allocation-rounds/simulations", json={"policy": "version = "}, headers=manager.headers)
    assert answer.status_code == 422
    assert answer.json()["errors"][0]["field"] == "policy"


async def test_only_managers_may_simulate(client, tenant_admin):
    answer = await client.post("/api/v1/allocation-rounds/simulations", json={}, headers=tenant_admin.headers)
    assert answer.status_code == 403


async def test_the_what_if_page_shows_who_gains_and_loses_and_where_the_area_goes(client, manager):
    from park.allocation.tables import AllocationRound, SpaceApplication
    from tests.accounts.test_pages import csrf_from, sign_in

    await _two_firms_one_office(client)
    await sign_in(client, manager.email)
    form = await client.get("/allocation/what-if", headers={"accept-language": "en"})
    assert form.status_code == 200
    assert 'name="sectors.cultural_tourism" inputmode="numeric" value="15"' in form.text
    scores_before = await SpaceApplication.select(SpaceApplication.id, SpaceApplication.score)
    answer = await client.post(
        "/allocation/what-if",
        data={"sectors.cultural_tourism": "60", "version": "2026.1-whatif", "_csrf_token": csrf_from(form.text)},
        headers={"accept-language": "en"},
    )
    assert answer.status_code == 200, answer.text
    assert "gains a unit" in answer.text and "loses its unit" in answer.text
    assert "Housed area by sector" in answer.text and "Cultural tourism" in answer.text
    assert await AllocationRound.count() == 0
    assert await SpaceApplication.select(SpaceApplication.id, SpaceApplication.score) == scores_before

    refused = await client.post(
        "/allocation/what-if",
        data={"qualifications.leading_firm": "many", "_csrf_token": csrf_from(form.text)},
        headers={"accept-language": "en"},
    )
    assert refused.status_code == 422
    assert "policy.qualifications.leading_firm.points" in refused.text


async def test_every_published_version_stays_readable_with_what_changed(client, manager, settings):
    from datetime import datetime, timezone

    from park.priority.service import remember_policy_in_force
    from park.priority.tables import PublishedPolicy

    document = await _edited_document(client, manager, tourism_points=5)
    document["version"] = "2025.9"
    await PublishedPolicy(
        version="2025.9", effective_from="2025-09-01", document=document, source="version = \"2025.9\"",
        first_seen_at=datetime(2025, 9, 1, tzinfo=timezone.utc),
    ).save()
    await remember_policy_in_force(settings, utc_now())
    await remember_policy_in_force(settings, utc_now())
    assert await PublishedPolicy.count() == 2

    page = await client.get("/policy/history", headers={"accept-language": "en"})
    assert page.status_code == 200
    assert page.text.index("Version 2026.1") < page.text.index("Version 2025.9")
    changes = page.text[page.text.index("Changes from version 2025.9") :]
    assert 'sectors.cultural_tourism.points</code></td><td data-label="Before">5</td><td data-label="After">15</td>' in changes
