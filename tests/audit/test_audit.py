"""The audit log: every write leaves an entry; managers read it; nobody edits it."""

import re
from pathlib import Path

from tests.accounts.test_pages import sign_in

ROOT = Path(__file__).resolve().parents[2]


async def test_a_write_records_who_what_which_record_when_and_from_where(client, manager, tenant):
    await client.patch(f"/api/v1/tenants/{tenant['id']}", headers=manager.headers, json={"ip_count": 12})
    response = await client.get(
        "/api/v1/audit", headers=manager.headers, params={"record_type": "tenant", "record_id": str(tenant["id"])}
    )
    assert response.status_code == 200
    body = response.json()
    assert body["total"] == 1
    entry = body["items"][0]
    assert entry["action"] == "tenant.update"
    assert entry["actor_id"] == manager.id and entry["actor_email"] == manager.email
    assert entry["ip"]  # the test client's address
    assert entry["detail"] == {"ip_count": 12}
    assert entry["at"].endswith(("Z", "+00:00"))


async def test_the_log_pages_newest_first(client, manager, tenant):
    for count in (1, 2, 3):
        await client.patch(f"/api/v1/tenants/{tenant['id']}", headers=manager.headers, json={"ip_count": count})
    page = (await client.get("/api/v1/audit", headers=manager.headers, params={"action": "tenant.update", "limit": 2})).json()
    assert page["total"] == 3
    assert [item["detail"]["ip_count"] for item in page["items"]] == [3, 2]


async def test_tenant_users_cannot_read_the_log(client, tenant_admin):
    assert (await client.get("/api/v1/audit", headers=tenant_admin.headers)).status_code == 403


async def test_the_audit_page_filters_by_record(client, manager, tenant, other_tenant):
    await client.patch(f"/api/v1/tenants/{tenant['id']}", headers=manager.headers, json={"ip_count": 4})
    await client.patch(f"/api/v1/tenants/{other_tenant['id']}", headers=manager.headers, json={"ip_count": 5})
    await sign_in(client, manager.email)
    response = await client.get("/audit", params={"record_type": "tenant", "record_id": str(other_tenant["id"])})
    assert response.status_code == 200
    assert "知识产权数量：5" in response.text and "知识产权数量：4" not in response.text
    # The action in the reader's words, not its code; the address column is headed as an address.
    assert "修改企业信息" in response.text or "Firm changed" in response.text
    assert "tenant.update" not in response.text.split("<tbody>")[1]  # (the filter's choices carry codes as values)
    assert "<th scope=\"col\">开始</th>" not in response.text


async def test_the_audit_page_filters_by_chosen_action_kind_and_days(client, manager, tenant):
    await client.patch(f"/api/v1/tenants/{tenant['id']}", headers=manager.headers, json={"ip_count": 6})
    await sign_in(client, manager.email)
    html = (await client.get("/audit", headers={"Accept-Language": "zh-CN"})).text
    # Choices, not codes to type: translated action names and record kinds, dates from a picker.
    assert '<select id="action" name="action">' in html and '<option value="tenant.update">修改企业信息</option>' in html
    assert '<select id="record_type" name="record_type">' in html and '<option value="tenant">企业</option>' in html
    assert 'name="day_from" type="date"' in html and 'name="day_to" type="date"' in html
    assert "来源地址" in html and "<th scope=\"col\">开始</th>" not in html
    assert "修改企业信息" in html.split("<tbody>")[1]  # the entry's action by its name, not tenant.update

    today = (await client.get("/api/v1/audit", headers=manager.headers)).json()["items"][0]["at"][:10]
    chosen = await client.get("/audit", params={"action": "tenant.update", "record_type": "tenant",
                                                 "day_from": "2020-01-01", "day_to": "2099-12-31"})
    assert "知识产权数量：6" in chosen.text
    before = await client.get("/audit", params={"action": "tenant.update", "day_to": "2020-01-01"})
    assert "知识产权数量：6" not in before.text
    other_action = await client.get("/audit", params={"action": "user.sign_out", "day_from": today})
    assert "知识产权数量：6" not in other_action.text


async def test_a_bad_day_in_the_audit_filter_is_named_and_ignored(client, manager, tenant):
    await client.patch(f"/api/v1/tenants/{tenant['id']}", headers=manager.headers, json={"ip_count": 7})
    await sign_in(client, manager.email)
    response = await client.get("/audit", params={"day_from": "next tuesday"}, headers={"Accept-Language": "en"})
    assert response.status_code == 200
    assert "Enter a date like 2026-12-03." in response.text and "Intellectual property items: 7" in response.text


AUDIT_PREFIXES = ("/api/v1/audit", "/audit")


async def test_no_route_changes_the_audit_log(app):
    matched = set()
    for route in app.routes:
        for prefix in AUDIT_PREFIXES:
            if route.path.startswith(prefix):
                matched.add(prefix)
                methods = set().union(*(handler.http_methods for handler in route.route_handlers))
                assert methods <= {"GET", "HEAD", "OPTIONS"}, f"{route.path} accepts {methods}"
    # A prefix matching no route would check nothing: the audit routes moved or were renamed.
    assert matched == set(AUDIT_PREFIXES), f"no route under {set(AUDIT_PREFIXES) - matched}"


def test_no_code_updates_or_deletes_audit_entries():
    pattern = re.compile(r"AuditEntry\.(update|delete)\b|(UPDATE|DELETE\s+FROM)\s+\"?audit_entry", re.IGNORECASE)
    offenders = [
        f"{path.relative_to(ROOT)}:{number}"
        for path in (ROOT / "park").rglob("*.py")
        for number, line in enumerate(path.read_text(encoding="utf-8").splitlines(), 1)
        if pattern.search(line)
    ]
    assert not offenders, f"the audit log is append-only; these lines change it: {offenders}"
