"""Pages where a user manages its tokens and a firm's administrator its people."""

from park.accounts.tables import ApiToken, User
from tests.accounts.test_pages import csrf_from, sign_in


async def test_a_user_sees_and_revokes_its_api_tokens_on_a_page(client, member):
    await sign_in(client, member.email)
    listing = await client.get("/account/tokens", headers={"accept-language": "en"})
    assert listing.status_code == 200 and "Revoke" in listing.text
    token = await ApiToken.select(ApiToken.id).where(ApiToken.user == member.id).first()
    response = await client.post(f"/account/tokens/{token['id']}/revoke", data={"_csrf_token": csrf_from(listing.text)})
    assert response.status_code == 303
    assert (await client.get("/api/v1/me", headers=member.headers)).status_code == 401


async def test_a_token_of_someone_else_cannot_be_revoked_from_the_page(client, member, rival):
    await sign_in(client, member.email)
    listing = await client.get("/account/tokens")
    token = await ApiToken.select(ApiToken.id).where(ApiToken.user == rival.id).first()
    response = await client.post(
        f"/account/tokens/{token['id']}/revoke", data={"_csrf_token": csrf_from(listing.text)}, headers={"accept": "text/html"}
    )
    assert response.status_code == 404
    assert (await client.get("/api/v1/me", headers=rival.headers)).status_code == 200


async def test_a_firms_administrator_adds_and_deactivates_people_of_its_firm(client, tenant_admin, member, rival):
    await sign_in(client, tenant_admin.email)
    listing = await client.get("/my-firm/users")
    assert listing.status_code == 200
    assert member.email in listing.text and rival.email not in listing.text
    created = await client.post(
        "/my-firm/users",
        data={"name": "王小明", "email": "wang@firm.test", "password": "a-long-passphrase", "role": "member",
              "_csrf_token": csrf_from(listing.text)},
    )
    assert created.status_code == 303
    new_user = await User.select(User.tenant, User.role).where(User.email == "wang@firm.test").first()
    assert new_user == {"tenant": tenant_admin.tenant_id, "role": "member"}
    asked = await client.post(f"/my-firm/users/{member.id}/deactivate", data={"_csrf_token": csrf_from(listing.text)},
                              headers={"accept-language": "en"})
    assert asked.status_code == 200 and "data-confirm-summary" in asked.text
    assert member.email in asked.text and "signed out everywhere" in asked.text and "bookings are not cancelled" in asked.text
    assert (await User.select(User.is_active).where(User.id == member.id).first())["is_active"] is True
    deactivated = await client.post(f"/my-firm/users/{member.id}/deactivate",
                                    data={"_csrf_token": csrf_from(asked.text), "confirmed": "1"})
    assert deactivated.status_code == 303
    assert (await User.select(User.is_active).where(User.id == member.id).first())["is_active"] is False


async def test_a_firms_administrator_cannot_deactivate_another_firms_user_from_the_page(client, tenant_admin, rival):
    await sign_in(client, tenant_admin.email)
    listing = await client.get("/my-firm/users")
    response = await client.post(
        f"/my-firm/users/{rival.id}/deactivate", data={"_csrf_token": csrf_from(listing.text)}, headers={"accept": "text/html"}
    )
    assert response.status_code == 404
    assert (await User.select(User.is_active).where(User.id == rival.id).first())["is_active"] is True


async def test_a_weak_first_password_is_shown_beside_the_field(client, tenant_admin):
    await sign_in(client, tenant_admin.email)
    listing = await client.get("/my-firm/users")
    response = await client.post(
        "/my-firm/users",
        data={"name": "Li", "email": "li@firm.test", "password": "short", "role": "member", "_csrf_token": csrf_from(listing.text)},
    )
    assert response.status_code == 422 and 'id="new-password-error"' in response.text
    assert "short" not in response.text.split('id="new-password"')[1].split(">")[0]
