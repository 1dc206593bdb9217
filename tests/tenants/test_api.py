"""Tenant firms API: managers register and edit firms; a firm reads only itself."""

from park.audit.tables import AuditEntry
from tests.builders import make_uscc

VALID = "91440300708461136T"


def firm(**overrides):
    return {
        "name": "深圳龙光数字动画有限公司",
        "name_en": "Dragonlight Digital Animation",
        "uscc": VALID,
        "sector": "animation_games",
        "staff_count": 120,
        "rd_staff_count": 45,
        "ip_count": 18,
    } | overrides


async def test_a_manager_registers_a_firm_and_the_change_is_audited(client, manager):
    response = await client.post("/api/v1/tenants", headers=manager.headers, json=firm(qualifications=["original_brand"]))
    assert response.status_code == 201
    body = response.json()
    assert body["uscc"] == VALID
    assert body["qualifications"] == ["original_brand"]
    assert body["qualification_records"] == [{"kind": "original_brand", "certificate_no": "", "valid_until": None}]
    assert (body["staff_count"], body["rd_staff_count"], body["ip_count"]) == (120, 45, 18)
    entry = await AuditEntry.select().where(AuditEntry.action == "tenant.create").first()
    assert entry["record_id"] == str(body["id"]) and entry["actor_id"] == manager.id


async def test_a_code_with_a_wrong_check_character_is_refused_naming_uscc(client, manager):
    response = await client.post("/api/v1/tenants", headers=manager.headers, json=firm(uscc="91440300708461136U"))
    assert response.status_code == 422
    assert [e["field"] for e in response.json()["errors"]] == ["uscc"]


async def test_a_lower_case_code_is_accepted_as_its_capital_form(client, manager):
    response = await client.post("/api/v1/tenants", headers=manager.headers, json=firm(uscc=VALID.lower()))
    assert response.status_code == 201
    assert response.json()["uscc"] == VALID


async def test_registering_the_same_code_twice_is_a_conflict(client, manager, tenant):
    response = await client.post("/api/v1/tenants", headers=manager.headers, json=firm(uscc=tenant["uscc"]))
    assert response.status_code == 409
    assert response.json()["code"] == "conflict"


async def test_an_unknown_sector_or_qualification_names_its_field(client, manager):
    sector = await client.post("/api/v1/tenants", headers=manager.headers, json=firm(sector="mining"))
    assert sector.status_code == 422 and sector.json()["errors"][0]["field"] == "sector"
    qualification = await client.post("/api/v1/tenants", headers=manager.headers, json=firm(qualifications=["famous"]))
    assert qualification.status_code == 422 and qualification.json()["errors"][0]["field"] == "qualifications"


async def test_an_expired_qualification_is_kept_as_evidence_but_no_longer_counts(client, manager):
    records = [
        {"kind": "leading_firm", "certificate_no": "SZ-LF-2021-007", "valid_until": "2021-12-31"},
        {"kind": "high_tech_enterprise", "certificate_no": "GR202544001234", "valid_until": "2099-12-31"},
    ]
    response = await client.post("/api/v1/tenants", headers=manager.headers, json=firm(qualification_records=records))
    assert response.status_code == 201
    assert response.json()["qualifications"] == ["high_tech_enterprise"]
    assert len(response.json()["qualification_records"]) == 2


async def test_a_manager_edits_only_the_fields_sent(client, manager, tenant):
    response = await client.patch(
        f"/api/v1/tenants/{tenant['id']}", headers=manager.headers, json={"ip_count": 99, "qualifications": ["alliance_member"]}
    )
    assert response.status_code == 200
    assert response.json()["ip_count"] == 99
    assert response.json()["name"] == tenant["name"]
    assert response.json()["qualifications"] == ["alliance_member"]
    taken = await client.patch(f"/api/v1/tenants/{tenant['id']}", headers=manager.headers, json={"uscc": make_uscc(1)})
    assert taken.status_code == 200
    bad = await client.patch(f"/api/v1/tenants/{tenant['id']}", headers=manager.headers, json={"rd_staff_count": 10_000})
    assert bad.status_code == 422 and bad.json()["errors"][0]["field"] == "rd_staff_count"


async def test_changing_a_code_to_another_firms_is_a_conflict(client, manager, tenant, other_tenant):
    response = await client.patch(f"/api/v1/tenants/{tenant['id']}", headers=manager.headers, json={"uscc": other_tenant["uscc"]})
    assert response.status_code == 409


async def test_a_firms_member_reads_its_own_firm_but_another_firm_is_not_found(client, member, other_tenant):
    own = await client.get(f"/api/v1/tenants/{member.tenant_id}", headers=member.headers)
    assert own.status_code == 200 and own.json()["id"] == member.tenant_id
    other = await client.get(f"/api/v1/tenants/{other_tenant['id']}", headers=member.headers)
    missing = await client.get("/api/v1/tenants/999999", headers=member.headers)
    assert other.status_code == missing.status_code == 404
    assert other.json()["detail"] == missing.json()["detail"]


async def test_tenant_users_may_not_list_create_or_edit_firms(client, tenant_admin):
    assert (await client.get("/api/v1/tenants", headers=tenant_admin.headers)).status_code == 403
    assert (await client.post("/api/v1/tenants", headers=tenant_admin.headers, json=firm())).status_code == 403
    own = await client.patch(f"/api/v1/tenants/{tenant_admin.tenant_id}", headers=tenant_admin.headers, json={"ip_count": 1000})
    assert own.status_code == 403


async def test_the_list_searches_names_and_filters_by_sector(client, manager, tenant, other_tenant):
    everything = (await client.get("/api/v1/tenants", headers=manager.headers)).json()
    assert everything["total"] == 2
    found = (await client.get("/api/v1/tenants", headers=manager.headers, params={"q": "rival"})).json()
    assert [item["id"] for item in found["items"]] == [other_tenant["id"]]
    by_sector = (await client.get("/api/v1/tenants", headers=manager.headers, params={"sector": "new_media"})).json()
    assert by_sector == {"items": [], "total": 0}
    page = (await client.get("/api/v1/tenants", headers=manager.headers, params={"limit": 1, "offset": 1})).json()
    assert len(page["items"]) == 1 and page["total"] == 2


async def test_an_unknown_kind_in_the_records_names_the_records_field(client, manager):
    records = [{"kind": "famous", "certificate_no": "X-1", "valid_until": "2099-01-01"}]
    response = await client.post("/api/v1/tenants", headers=manager.headers, json=firm(qualification_records=records))
    assert response.status_code == 422
    assert response.json()["errors"][0]["field"] == "qualification_records"
