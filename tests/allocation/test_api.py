"""Space over HTTP: units, leases, applications with scores, rounds, overrides, confirmation."""

from __future__ import annotations

from datetime import date

from tests import builders
from tests.builders import application_body, create_building, create_lease, create_unit, qualify


async def apply(client, login, **overrides):
    return await client.post("/api/v1/space-applications", json=application_body(**overrides), headers=login.headers)


async def test_manager_adds_a_unit_and_a_duplicate_code_in_the_building_conflicts(client, manager):
    building = await create_building()
    body = {"building_id": building["id"], "floor": 12, "code": "A-1203", "kind": "office", "area_m2": 150.5}
    created = await client.post("/api/v1/units", json=body, headers=manager.headers)
    assert created.status_code == 201
    assert created.json() | {"id": 0} == body | {"id": 0, "monthly_rent_fen": 0}
    again = await client.post("/api/v1/units", json=body, headers=manager.headers)
    assert again.status_code == 409
    assert again.json()["code"] == "conflict"


async def test_unit_with_an_unknown_kind_is_refused_naming_the_field(client, manager):
    building = await create_building()
    body = {"building_id": building["id"], "floor": 1, "code": "X", "kind": "castle", "area_m2": 10}
    answer = await client.post("/api/v1/units", json=body, headers=manager.headers)
    assert answer.status_code == 422
    assert answer.json()["errors"][0]["field"] == "kind"


async def test_tenants_cannot_list_or_add_units(client, tenant_admin):
    assert (await client.get("/api/v1/units", headers=tenant_admin.headers)).status_code == 403


async def test_vacancy_over_a_period_is_a_query(client, manager, tenant):
    building = await create_building()
    leased = await create_unit(building["id"], code="L-1")
    free = await create_unit(building["id"], code="F-1")
    await create_lease(leased["id"], tenant["id"], date(2027, 1, 1), date(2028, 1, 1))
    during = await client.get(
        "/api/v1/units?vacant_from=2027-06-01&vacant_to=2027-07-01", headers=manager.headers
    )
    assert [u["id"] for u in during.json()["items"]] == [free["id"]]
    after = await client.get(
        "/api/v1/units?vacant_from=2028-01-01&vacant_to=2028-02-01", headers=manager.headers
    )
    assert {u["id"] for u in after.json()["items"]} == {leased["id"], free["id"]}


async def test_overlapping_lease_of_a_unit_is_refused_and_a_back_to_back_one_is_not(client, manager, tenant, other_tenant):
    building = await create_building()
    unit = await create_unit(building["id"])
    first = {"unit_id": unit["id"], "tenant_id": tenant["id"], "starts_on": "2027-01-01", "ends_on": "2028-01-01"}
    assert (await client.post("/api/v1/leases", json=first, headers=manager.headers)).status_code == 201
    overlap = first | {"tenant_id": other_tenant["id"], "starts_on": "2027-12-31", "ends_on": "2029-01-01"}
    refused = await client.post("/api/v1/leases", json=overlap, headers=manager.headers)
    assert refused.status_code == 409
    follow_on = overlap | {"starts_on": "2028-01-01"}
    assert (await client.post("/api/v1/leases", json=follow_on, headers=manager.headers)).status_code == 201


async def test_a_firm_sees_only_its_own_leases(client, member, rival, tenant, other_tenant, manager):
    building = await create_building()
    mine = await create_lease((await create_unit(building["id"]))["id"], tenant["id"], date(2027, 1, 1), date(2028, 1, 1))
    await create_lease((await create_unit(building["id"]))["id"], other_tenant["id"], date(2027, 1, 1), date(2028, 1, 1))
    seen = await client.get("/api/v1/leases", headers=member.headers)
    assert [lease["id"] for lease in seen.json()["items"]] == [mine["id"]]
    assert seen.json()["items"][0] == {
        "id": mine["id"],
        "unit_id": mine["unit"],
        "tenant_id": tenant["id"],
        "starts_on": "2027-01-01",
        "ends_on": "2028-01-01",
        "application_id": None,
    }
    everything = await client.get("/api/v1/leases", headers=manager.headers)
    assert everything.json()["total"] == 2


async def test_application_carries_its_score_breakdown_and_policy_version(client, tenant_admin, tenant):
    await qualify(tenant["id"], "leading_firm")
    await qualify(tenant["id"], "major_project", valid_until=date(2020, 1, 1))  # expired: earns nothing
    answer = await apply(client, tenant_admin)
    assert answer.status_code == 201
    body = answer.json()
    assert body["status"] == "open"
    assert body["policy_version"] == "2026.1"
    assert body["tenant_id"] == tenant["id"]
    # The support tenant: animation_games, 20 of 50 staff in R&D (40 %), 5 IP items.
    assert body["score_breakdown"] == [
        {"rule": "qualification.leading_firm", "points": 40},
        {"rule": "sector.animation_games", "points": 20},
        {"rule": "rd_share", "points": 12},
        {"rule": "ip_count", "points": 5},
    ]
    assert body["score"] == 77
    fetched = await client.get(f"/api/v1/space-applications/{body['id']}", headers=tenant_admin.headers)
    assert fetched.json() == body


async def test_another_firms_application_answers_404(client, tenant_admin, rival):
    created = (await apply(client, tenant_admin)).json()
    answer = await client.get(f"/api/v1/space-applications/{created['id']}", headers=rival.headers)
    assert answer.status_code == 404
    listed = await client.get("/api/v1/space-applications", headers=rival.headers)
    assert listed.json() == {"items": [], "total": 0}


async def test_a_member_cannot_apply_for_space(client, member):
    assert (await apply(client, member)).status_code == 403


async def test_application_with_inverted_areas_is_refused_naming_the_field(client, tenant_admin):
    answer = await apply(client, tenant_admin, min_area_m2=300, max_area_m2=100)
    assert answer.status_code == 422
    assert [e["field"] for e in answer.json()["errors"]] == ["max_area_m2"]


async def test_application_for_an_unknown_building_is_refused(client, tenant_admin):
    answer = await apply(client, tenant_admin, preferred_building_ids=[987654])
    assert answer.status_code == 422
    assert answer.json()["errors"][0]["field"] == "preferred_building_ids"


async def test_withdrawn_application_cannot_be_withdrawn_again(client, tenant_admin):
    created = (await apply(client, tenant_admin)).json()
    first = await client.post(f"/api/v1/space-applications/{created['id']}/withdraw", headers=tenant_admin.headers)
    assert first.status_code == 200 and first.json()["status"] == "withdrawn"
    again = await client.post(f"/api/v1/space-applications/{created['id']}/withdraw", headers=tenant_admin.headers)
    assert again.status_code == 409


async def test_manager_marks_an_application_ineligible_with_a_reason_and_it_is_audited(client, tenant_admin, manager):
    from park.audit.tables import AuditEntry

    created = (await apply(client, tenant_admin)).json()
    url = f"/api/v1/space-applications/{created['id']}/ineligible"
    assert (await client.post(url, json={"reason": " "}, headers=manager.headers)).status_code == 422
    assert (await client.post(url, json={"reason": "No"}, headers=tenant_admin.headers)).status_code == 403
    answer = await client.post(url, json={"reason": "Not a culture-tech business."}, headers=manager.headers)
    assert answer.json()["status"] == "ineligible"
    assert answer.json()["ineligible_reason"] == "Not a culture-tech business."
    entries = await AuditEntry.select().where(AuditEntry.action == "space_application.ineligible")
    assert [(e["record_id"], e["actor_id"]) for e in entries] == [(str(created["id"]), manager.id)]


async def test_round_houses_by_priority_explains_and_confirmation_creates_leases(client, manager):
    from park.allocation.tables import Lease
    from park.notifications.tables import OutboxMessage

    building = await create_building()
    unit = await create_unit(building["id"], code="A-801", area_m2=150)
    leader = await builders.create_tenant(name="龙头动漫", name_en="Leader Animation")
    await qualify(leader["id"], "leading_firm")
    small = await builders.create_tenant(name="小工作室", name_en="Small Studio")
    leader_admin = await builders.create_user("tenant_admin", leader["id"])
    small_admin = await builders.create_user("tenant_admin", small["id"])
    small_app = (await apply(client, small_admin)).json()  # asked first
    leader_app = (await apply(client, leader_admin)).json()

    proposed = await client.post("/api/v1/allocation-rounds", headers=manager.headers)
    assert proposed.status_code == 201
    round_ = proposed.json()
    assert round_["status"] == "proposed"
    by_app = {a["application_id"]: a for a in round_["assignments"]}
    assert by_app[leader_app["id"]]["unit_id"] == unit["id"]
    assert by_app[leader_app["id"]]["rank"] == 1
    assert by_app[small_app["id"]]["unit_id"] is None
    assert by_app[small_app["id"]]["rank"] == 2
    assert "Leader Animation (rank 1)" in by_app[small_app["id"]]["explanation"]
    assert "龙头动漫（第1位）" in by_app[small_app["id"]]["explanation_zh"]
    assert "A-801" in by_app[small_app["id"]]["explanation"]

    # Nothing is leased before confirmation.
    assert await Lease.count() == 0
    confirmed = await client.post(f"/api/v1/allocation-rounds/{round_['id']}/confirm", headers=manager.headers)
    assert confirmed.status_code == 200
    assert confirmed.json()["status"] == "confirmed"
    leases = await Lease.select()
    assert [(x["unit"], x["tenant"], x["starts_on"], x["ends_on"]) for x in leases] == [
        (unit["id"], leader["id"], date(2031, 1, 1), date(2033, 1, 1))
    ]
    won = (await client.get(f"/api/v1/space-applications/{leader_app['id']}", headers=leader_admin.headers)).json()
    lost = (await client.get(f"/api/v1/space-applications/{small_app['id']}", headers=small_admin.headers)).json()
    assert (won["status"], won["unit_id"], won["rank"]) == ("allocated", unit["id"], 1)
    assert (lost["status"], lost["unit_id"], lost["rank"]) == ("unallocated", None, 2)
    assert "Leader Animation" in lost["explanation"] and "龙头动漫（第1位）" in lost["explanation_zh"]
    recipients = {m["to_email"] for m in await OutboxMessage.select().where(OutboxMessage.kind == "space.allocation")}
    assert {leader_admin.email, small_admin.email} <= recipients

    again = await client.post(f"/api/v1/allocation-rounds/{round_['id']}/confirm", headers=manager.headers)
    assert again.status_code == 409


async def test_same_open_applications_give_the_same_proposal(client, manager, tenant_admin, tenant):
    building = await create_building()
    for area in (90, 120, 150):
        await create_unit(building["id"], area_m2=area)
    for _ in range(3):
        await apply(client, tenant_admin)
    first = (await client.post("/api/v1/allocation-rounds", headers=manager.headers)).json()
    second = (await client.post("/api/v1/allocation-rounds", headers=manager.headers)).json()
    strip = lambda r: [(a["application_id"], a["unit_id"], a["rank"], a["explanation"]) for a in r["assignments"]]  # noqa: E731
    assert strip(first) == strip(second)
    # The newer proposal supersedes the older one, which can no longer be confirmed.
    stale = await client.post(f"/api/v1/allocation-rounds/{first['id']}/confirm", headers=manager.headers)
    assert stale.status_code == 409


async def test_manager_overrides_one_assignment_with_a_recorded_reason(client, manager, tenant_admin):
    from park.audit.tables import AuditEntry

    building = await create_building()
    small = await create_unit(building["id"], code="S-1", area_m2=90)
    large = await create_unit(building["id"], code="L-1", area_m2=180)
    created = (await apply(client, tenant_admin)).json()
    round_ = (await client.post("/api/v1/allocation-rounds", headers=manager.headers)).json()
    assert round_["assignments"][0]["unit_id"] == small["id"]
    url = f"/api/v1/allocation-rounds/{round_['id']}/override"
    no_reason = await client.post(url, json={"application_id": created["id"], "unit_id": large["id"], "reason": ""}, headers=manager.headers)
    assert no_reason.status_code == 422
    answer = await client.post(
        url,
        json={"application_id": created["id"], "unit_id": large["id"], "reason": "Needs the loading bay."},
        headers=manager.headers,
    )
    assert answer.status_code == 200
    (assignment,) = answer.json()["assignments"]
    assert (assignment["unit_id"], assignment["proposed_unit_id"], assignment["overridden"]) == (large["id"], small["id"], True)
    assert "Needs the loading bay." in assignment["explanation"]
    assert await AuditEntry.count().where(AuditEntry.action == "allocation_round.override") == 1
    await client.post(f"/api/v1/allocation-rounds/{round_['id']}/confirm", headers=manager.headers)
    lease = (await client.get("/api/v1/leases", headers=tenant_admin.headers)).json()["items"][0]
    assert lease["unit_id"] == large["id"]


async def test_override_onto_a_leased_unit_is_refused(client, manager, tenant_admin, other_tenant):
    building = await create_building()
    await create_unit(building["id"], area_m2=90)
    taken = await create_unit(building["id"], area_m2=100)
    await create_lease(taken["id"], other_tenant["id"], date(2030, 1, 1), date(2040, 1, 1))
    created = (await apply(client, tenant_admin)).json()
    round_ = (await client.post("/api/v1/allocation-rounds", headers=manager.headers)).json()
    answer = await client.post(
        f"/api/v1/allocation-rounds/{round_['id']}/override",
        json={"application_id": created["id"], "unit_id": taken["id"], "reason": "Prefer it."},
        headers=manager.headers,
    )
    assert answer.status_code == 409


async def test_withdrawn_applications_are_left_out_of_a_round(client, manager, tenant_admin):
    building = await create_building()
    await create_unit(building["id"])
    created = (await apply(client, tenant_admin)).json()
    await client.post(f"/api/v1/space-applications/{created['id']}/withdraw", headers=tenant_admin.headers)
    round_ = (await client.post("/api/v1/allocation-rounds", headers=manager.headers)).json()
    assert round_["assignments"] == []


async def test_tenants_cannot_run_rounds(client, tenant_admin):
    assert (await client.post("/api/v1/allocation-rounds", headers=tenant_admin.headers)).status_code == 403


async def test_policy_is_readable_rule_by_rule_in_both_languages(client, member):
    answer = await client.get("/api/v1/priority-policy", headers=member.headers)
    body = answer.json()
    assert body["version"] == "2026.1"
    rules = {r["rule"]: r for r in body["rules"]}
    assert rules["qualification.leading_firm"]["points"] == 40
    assert "40" in rules["qualification.leading_firm"]["zh"]
    assert "penalty.no_show" in rules and "tie_break" in rules


async def test_an_application_or_lease_in_year_9999_is_refused(client, tenant_admin, manager):
    answer = await apply(client, tenant_admin, start_date="9999-01-01")
    assert answer.status_code == 422
    assert answer.json()["errors"][0]["field"] == "start_date"
    unit = await create_unit((await create_building())["id"])
    lease = await client.post(
        "/api/v1/leases",
        json={"unit_id": unit["id"], "tenant_id": tenant_admin.tenant_id, "starts_on": "9999-01-01", "ends_on": "9999-06-01"},
        headers=manager.headers,
    )
    assert lease.status_code == 422


async def test_a_legacy_application_in_year_9999_does_not_make_the_round_fail(client, tenant_admin, manager):
    from park.allocation.tables import SpaceApplication

    building = await create_building()
    unit = await create_unit(building["id"], code="A-901", area_m2=150)
    good = (await apply(client, tenant_admin)).json()
    legacy = await builders.create_tenant()
    await SpaceApplication(
        tenant=legacy["id"], unit_kind="office", min_area_m2=80, max_area_m2=200,
        start_date=date(9999, 6, 1), term_months=24, status="open",
    ).save()
    proposed = await client.post("/api/v1/allocation-rounds", headers=manager.headers)
    assert proposed.status_code == 201
    by_app = {a["application_id"]: a for a in proposed.json()["assignments"]}
    assert by_app[good["id"]]["unit_id"] == unit["id"]
