"""The pages of password reset and invitations: the sign-in page links to the reset, links work once."""

from datetime import timedelta

from park.accounts import links
from park.shared.clock import utc_now
from tests.accounts.test_links import NEW_PASSWORD, _mails_to, _token_in
from tests.accounts.test_pages import csrf_from, sign_in

EN = {"Accept-Language": "en"}


async def test_forgot_password_from_the_sign_in_page_to_a_new_password(client, member):
    login = await client.get("/login", headers=EN)
    assert 'href="/password-reset"' in login.text and "Forgot password?" in login.text
    form = await client.get("/password-reset", headers=EN)
    sent = await client.post("/password-reset", headers=EN, data={"email": member.email, "_csrf_token": csrf_from(form.text)})
    assert sent.status_code == 200 and "If an account uses this address" in sent.text
    token = _token_in((await _mails_to(member.email))[-1]["body"], "/password-reset")
    reset_form = await client.get(f"/password-reset/{token}", headers=EN)
    assert reset_form.status_code == 200 and 'name="confirm_password"' in reset_form.text
    done = await client.post(f"/password-reset/{token}", headers=EN, data={
        "password": NEW_PASSWORD, "confirm_password": NEW_PASSWORD, "_csrf_token": csrf_from(reset_form.text)})
    assert done.status_code == 303 and done.headers["location"].startswith("/login")
    assert (await sign_in(client, member.email, NEW_PASSWORD)).status_code == 303
    spent = await client.get(f"/password-reset/{token}", headers=EN)
    assert spent.status_code == 422 and "This link no longer works" in spent.text


async def test_the_reset_page_answers_the_same_for_an_unknown_address(client, member):
    answers = []
    for email in (member.email, "nobody@firm.test"):
        form = await client.get("/password-reset", headers=EN)
        answer = await client.post("/password-reset", headers=EN, data={"email": email, "_csrf_token": csrf_from(form.text)})
        answers.append((answer.status_code, answer.text.replace(email, "ADDRESS")))
    assert answers[0] == answers[1]


async def test_an_expired_reset_link_shows_a_page_that_offers_a_new_one(client, settings, member):
    await links.request_password_reset(settings, member.email, "10.0.0.8", utc_now() - timedelta(hours=2))
    token = _token_in((await _mails_to(member.email))[-1]["body"], "/password-reset")
    expired = await client.get(f"/password-reset/{token}", headers={"Accept-Language": "zh-CN"})
    assert expired.status_code == 422
    assert "链接" in expired.text and 'href="/password-reset"' in expired.text


async def test_a_firms_administrator_invites_from_the_users_page_and_the_colleague_joins(app, client, tenant, tenant_admin):
    import httpx

    await sign_in(client, tenant_admin.email)
    people = await client.get("/my-firm/users", headers=EN)
    assert 'action="/my-firm/users/invite"' in people.text
    sent = await client.post("/my-firm/users/invite", headers=EN, data={
        "email": "joiner@firm.test", "name": "", "role": "member", "_csrf_token": csrf_from(people.text)})
    assert sent.status_code == 303
    listed = await client.get("/my-firm/users", headers=EN)
    assert "An invitation has been mailed to joiner@firm.test" in listed.text
    assert "Invited, not yet joined" in listed.text and "joiner@firm.test" in listed.text
    mail = (await _mails_to("joiner@firm.test"))[-1]
    assert "Test tenant_admin" in mail["body"]
    token = _token_in(mail["body"], "/invitation")
    async with httpx.AsyncClient(transport=httpx.ASGITransport(app=app), base_url="http://testserver") as joiner:
        form = await joiner.get(f"/invitation/{token}", headers=EN)
        assert form.status_code == 200 and "joiner@firm.test" in form.text
        mismatch = await joiner.post(f"/invitation/{token}", headers=EN, data={
            "name": "Jo Iner", "password": NEW_PASSWORD, "confirm_password": "other", "_csrf_token": csrf_from(form.text)})
        assert mismatch.status_code == 422 and "The two new passwords differ." in mismatch.text
        joined = await joiner.post(f"/invitation/{token}", headers=EN, data={
            "name": "Jo Iner", "password": NEW_PASSWORD, "confirm_password": NEW_PASSWORD, "_csrf_token": csrf_from(form.text)})
        assert joined.status_code == 303
        assert (await sign_in(joiner, "joiner@firm.test", NEW_PASSWORD)).status_code == 303
        assert "Jo Iner" in (await joiner.get("/")).text
        again = await joiner.get(f"/invitation/{token}", headers=EN)
        assert again.status_code == 422 and "Ask the person who invited you" in again.text
    after = await client.get("/my-firm/users", headers=EN)
    assert "Invited, not yet joined" not in after.text and "Jo Iner" in after.text
