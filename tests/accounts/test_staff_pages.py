"""An administrator's staff page: invite a manager by mail, create one with a first password, switch one off."""

from __future__ import annotations

from park.accounts.tables import Invitation, User
from tests import builders
from tests.accounts.test_pages import csrf_from, sign_in

EN = {"accept-language": "en"}


async def test_an_admin_invites_and_creates_managers_and_deactivates_one(client, manager):
    admin = await builders.create_user("admin")
    await sign_in(client, admin.email)
    staff = await client.get("/staff", headers=EN)
    assert staff.status_code == 200 and manager.email in staff.text
    csrf = csrf_from(staff.text)
    invited = await client.post("/staff/invite", data={"email": "New.Manager@park.test", "name": "新经理", "role": "manager",
                                                       "_csrf_token": csrf})
    assert invited.status_code == 303
    invitation = await Invitation.select().where(Invitation.email == "new.manager@park.test").first()
    assert invitation["role"] == "manager" and invitation["tenant"] is None
    assert "new.manager@park.test" in (await client.get("/staff", headers=EN)).text
    created = await client.post("/staff", data={"email": "second@park.test", "name": "二号", "password": "a-long-unusual-passphrase-77",
                                                "role": "manager", "_csrf_token": csrf})
    assert created.status_code == 303
    row = await User.select().where(User.email == "second@park.test").first()
    assert row["role"] == "manager" and row["tenant"] is None
    off = await client.post(f"/staff/{manager.id}/deactivate", data={"_csrf_token": csrf})
    assert off.status_code == 303
    assert not (await User.select(User.is_active).where(User.id == manager.id).first())["is_active"]


async def test_a_refused_new_account_shows_the_field_error_and_creates_nothing(client):
    admin = await builders.create_user("admin")
    await sign_in(client, admin.email)
    staff = await client.get("/staff", headers=EN)
    refused = await client.post("/staff", headers=EN, data={"email": "short@park.test", "name": "短", "password": "short",
                                                            "role": "manager", "_csrf_token": csrf_from(staff.text)})
    assert refused.status_code == 422
    assert 'id="new-password-error"' in refused.text
    assert not await User.exists().where(User.email == "short@park.test")


async def test_managers_and_members_cannot_reach_the_staff_page(client, manager, member):
    for login in (manager, member):
        await sign_in(client, login.email)
        assert (await client.get("/staff", headers={"accept": "text/html"})).status_code == 403
