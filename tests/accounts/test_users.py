"""Managing users: who sees whom, deactivation, roles, and what a password change ends."""

from park.audit.tables import AuditEntry
from tests.accounts.test_pages import csrf_from, sign_in
from tests.builders import TEST_PASSWORD, create_user


async def test_a_manager_sees_every_user_and_a_tenant_admin_only_its_firms(client, manager, tenant_admin, member, rival):
    everyone = (await client.get("/api/v1/users", headers=manager.headers)).json()
    assert {member.id, rival.id, tenant_admin.id, manager.id} <= {u["id"] for u in everyone["items"]}
    firm = (await client.get("/api/v1/users", headers=tenant_admin.headers)).json()
    assert {u["id"] for u in firm["items"]} == {tenant_admin.id, member.id}
    assert firm["total"] == 2
    assert all("password" not in key for item in firm["items"] for key in item)


async def test_a_member_may_not_list_users(client, member):
    assert (await client.get("/api/v1/users", headers=member.headers)).status_code == 403


async def test_a_tenant_admin_cannot_see_or_touch_another_firms_user(client, tenant_admin, rival):
    assert (await client.get(f"/api/v1/users/{rival.id}", headers=tenant_admin.headers)).status_code == 404
    touched = await client.patch(f"/api/v1/users/{rival.id}", headers=tenant_admin.headers, json={"is_active": False})
    assert touched.status_code == 404
    assert (await client.get("/api/v1/me", headers=rival.headers)).status_code == 200


async def test_deactivating_a_user_revokes_its_tokens_and_reactivating_does_not_bring_them_back(client, tenant_admin, member):
    response = await client.patch(f"/api/v1/users/{member.id}", headers=tenant_admin.headers, json={"is_active": False})
    assert response.status_code == 200 and response.json()["is_active"] is False
    assert (await client.get("/api/v1/me", headers=member.headers)).status_code == 401
    refused = await client.post("/api/v1/auth/token", json={"email": member.email, "password": TEST_PASSWORD})
    assert refused.status_code == 401
    await client.patch(f"/api/v1/users/{member.id}", headers=tenant_admin.headers, json={"is_active": True})
    assert (await client.get("/api/v1/me", headers=member.headers)).status_code == 401
    again = await client.post("/api/v1/auth/token", json={"email": member.email, "password": TEST_PASSWORD})
    assert again.status_code == 200
    actions = [row["action"] for row in await AuditEntry.select(AuditEntry.action).where(AuditEntry.record_id == str(member.id))]
    assert "user.deactivate" in actions and "user.activate" in actions


async def test_deactivating_a_user_ends_its_web_session(app, manager, member):
    import httpx

    async with httpx.AsyncClient(transport=httpx.ASGITransport(app=app), base_url="http://testserver") as browser:
        await sign_in(browser, member.email)
        assert "Test member" in (await browser.get("/")).text
        async with httpx.AsyncClient(transport=httpx.ASGITransport(app=app), base_url="http://testserver") as api:
            await api.patch(f"/api/v1/users/{member.id}", headers=manager.headers, json={"is_active": False})
            await api.patch(f"/api/v1/users/{member.id}", headers=manager.headers, json={"is_active": True})
        assert "Test member" not in (await browser.get("/")).text


async def test_a_tenant_admin_promotes_a_member_but_cannot_make_a_manager(client, tenant_admin, member):
    promoted = await client.patch(f"/api/v1/users/{member.id}", headers=tenant_admin.headers, json={"role": "tenant_admin"})
    assert promoted.status_code == 200 and promoted.json()["role"] == "tenant_admin"
    escalated = await client.patch(f"/api/v1/users/{member.id}", headers=tenant_admin.headers, json={"role": "manager"})
    assert escalated.status_code in (403, 422)
    assert (await client.get(f"/api/v1/users/{member.id}", headers=tenant_admin.headers)).json()["role"] == "tenant_admin"


async def test_nobody_deactivates_or_demotes_themself(client, tenant_admin):
    response = await client.patch(f"/api/v1/users/{tenant_admin.id}", headers=tenant_admin.headers, json={"role": "member"})
    assert response.status_code == 403


async def test_a_manager_cannot_touch_an_admin(client, manager):
    admin = await create_user("admin")
    response = await client.patch(f"/api/v1/users/{admin.id}", headers=manager.headers, json={"is_active": False})
    assert response.status_code == 403
    assert (await client.get("/api/v1/me", headers=admin.headers)).status_code == 200


async def test_changing_the_password_by_api_revokes_every_token(client, member):
    response = await client.post(
        "/api/v1/me/password", headers=member.headers,
        json={"current_password": TEST_PASSWORD, "new_password": "a-brand-new-passphrase"},
    )
    assert response.status_code == 204
    assert (await client.get("/api/v1/me", headers=member.headers)).status_code == 401
    old = await client.post("/api/v1/auth/token", json={"email": member.email, "password": TEST_PASSWORD})
    new = await client.post("/api/v1/auth/token", json={"email": member.email, "password": "a-brand-new-passphrase"})
    assert (old.status_code, new.status_code) == (401, 200)


async def test_a_wrong_current_password_or_weak_new_one_names_the_field(client, member):
    wrong = await client.post(
        "/api/v1/me/password", headers=member.headers, json={"current_password": "nope-nope-nope", "new_password": "a-brand-new-passphrase"}
    )
    assert wrong.status_code == 422 and wrong.json()["errors"][0]["field"] == "current_password"
    weak = await client.post("/api/v1/me/password", headers=member.headers, json={"current_password": TEST_PASSWORD, "new_password": "short"})
    assert weak.status_code == 422 and weak.json()["errors"][0]["field"] == "new_password"
    assert (await client.get("/api/v1/me", headers=member.headers)).status_code == 200


async def test_changing_the_password_on_one_browser_signs_out_the_others(app, member):
    import httpx

    def browser():
        return httpx.AsyncClient(transport=httpx.ASGITransport(app=app), base_url="http://testserver")

    async with browser() as thief, browser() as owner:
        await sign_in(thief, member.email)
        await sign_in(owner, member.email)
        form = await owner.get("/account/password")
        response = await owner.post(
            "/account/password",
            data={
                "current_password": TEST_PASSWORD,
                "new_password": "a-brand-new-passphrase",
                "confirm_password": "a-brand-new-passphrase",
                "_csrf_token": csrf_from(form.text),
            },
        )
        assert response.status_code == 303
        assert "Test member" in (await owner.get("/")).text
        assert "Test member" not in (await thief.get("/")).text


async def test_a_password_appears_in_no_response_log_line_or_audit_entry(client, manager, tenant, caplog):
    import logging

    secret = "unguessable-passphrase-8731"
    with caplog.at_level(logging.DEBUG):
        created = await client.post(
            "/api/v1/users", headers=manager.headers,
            json={"email": "quiet@firm.test", "name": "Quiet", "password": secret, "role": "member", "tenant_id": tenant["id"]},
        )
        token = await client.post("/api/v1/auth/token", json={"email": "quiet@firm.test", "password": secret})
        wrong = await client.post("/api/v1/auth/token", json={"email": "quiet@firm.test", "password": secret + "x"})
    assert (created.status_code, token.status_code, wrong.status_code) == (201, 200, 401)
    assert secret not in created.text + token.text + wrong.text
    assert secret not in caplog.text
    details = [str(row["detail"]) for row in await AuditEntry.select(AuditEntry.detail)]
    assert details and not any(secret in detail for detail in details)


async def test_every_change_to_a_user_is_in_the_audit_log(client, tenant_admin, member):
    await client.patch(f"/api/v1/users/{member.id}", headers=tenant_admin.headers, json={"name": "Renamed", "role": "tenant_admin"})
    await client.post(
        "/api/v1/me/password", headers=member.headers,
        json={"current_password": TEST_PASSWORD, "new_password": "a-brand-new-passphrase"},
    )
    rows = await AuditEntry.select(AuditEntry.action, AuditEntry.actor_id).where(
        (AuditEntry.record_type == "user") & (AuditEntry.record_id == str(member.id))
    )
    assert {(row["action"], row["actor_id"]) for row in rows} >= {
        ("user.rename", tenant_admin.id), ("user.role", tenant_admin.id), ("user.password_change", member.id),
    }


async def test_a_refused_role_leaves_the_rest_of_the_change_undone(client, tenant_admin, member):
    response = await client.patch(f"/api/v1/users/{member.id}", headers=tenant_admin.headers, json={"name": "Changed", "role": "admin"})
    assert response.status_code in (403, 422)
    assert (await client.get(f"/api/v1/users/{member.id}", headers=tenant_admin.headers)).json()["name"] == "Test member"


async def test_a_tenant_admin_gets_one_neutral_answer_for_a_taken_email_whoever_owns_it(client, tenant, tenant_admin, member, rival, manager):
    answers = []
    for owner in (member, rival, manager):
        response = await client.post("/api/v1/users", headers=tenant_admin.headers, json={
            "email": owner.email.upper(), "name": "New colleague", "password": "a-long-secret-9", "role": "member"})
        body = response.json()
        answers.append((response.status_code, body["title"], body["detail"], sorted(body)))
    assert len(set(map(str, answers))) == 1, answers
    status, _title, detail, _keys = answers[0]
    assert status == 409
    assert "staff" not in detail.lower() and "firm" not in detail.lower()


async def test_a_manager_is_told_plainly_that_the_email_is_taken(client, manager, rival):
    response = await client.post("/api/v1/users", headers=manager.headers, json={
        "email": rival.email, "name": "Someone", "password": "a-long-secret-9", "role": "member", "tenant_id": None})
    assert response.status_code in (409, 422)
    taken = await client.post("/api/v1/users", headers={**manager.headers, "Accept-Language": "en"}, json={
        "email": rival.email, "name": "Someone", "password": "a-long-secret-9", "role": "manager"})
    assert taken.status_code == 409
    assert taken.json()["detail"] == "A user with this email already exists."
    assert taken.json()["user_id"] == rival.id


async def test_the_firm_page_gives_the_same_neutral_answer_for_a_staff_address(client, tenant_admin, manager):
    await sign_in(client, tenant_admin.email)
    form = await client.get("/my-firm/users", headers={"Accept-Language": "en"})
    answer = await client.post("/my-firm/users", headers={"Accept-Language": "en"}, data={
        "email": manager.email, "name": "Someone", "password": "a-long-secret-9", "role": "member",
        "_csrf_token": csrf_from(form.text)})
    assert answer.status_code == 409
    assert "cannot be used for a new account" in answer.text
    assert "already exists" not in answer.text
