"""Sign-in pages: sessions, CSRF, language choice."""

import re

from tests.builders import TEST_PASSWORD


def csrf_from(html: str) -> str:
    match = re.search(r'name="_csrf_token" value="([^"]+)"', html)
    assert match, "the page has no CSRF field"
    return match.group(1)


async def sign_in(client, email: str, password: str = TEST_PASSWORD):
    form = await client.get("/login")
    return await client.post(
        "/login",
        data={"email": email, "password": password, "next": "/", "_csrf_token": csrf_from(form.text)},
    )


async def test_signing_in_through_the_page_starts_a_new_session(client, member):
    await client.get("/login")
    before = client.cookies.get("park_session")
    response = await sign_in(client, member.email)
    assert response.status_code == 303
    after = client.cookies.get("park_session")
    assert after and after != before
    home = await client.get("/")
    assert "Test member" in home.text


async def test_a_form_post_without_the_csrf_token_is_refused(client, member):
    await client.get("/login")
    response = await client.post("/login", data={"email": member.email, "password": TEST_PASSWORD})
    assert response.status_code == 403
    assert client.cookies.get("park_session") is None


async def test_a_wrong_password_shows_the_form_again_with_the_email_kept(client, member):
    response = await sign_in(client, member.email, "wrong-password")
    assert response.status_code == 401
    assert member.email in response.text
    assert 'role="alert"' in response.text


async def test_signing_out_ends_the_session(client, member):
    await sign_in(client, member.email)
    home = await client.get("/")
    response = await client.post("/logout", data={"_csrf_token": csrf_from(home.text)})
    assert response.status_code == 303
    assert "Test member" not in (await client.get("/")).text


async def test_the_home_page_speaks_chinese_by_default_and_english_on_request(client):
    chinese = await client.get("/")
    assert 'lang="zh-Hans"' in chinese.text
    english = await client.get("/", headers={"accept-language": "en-GB,en;q=0.9"})
    assert 'lang="en"' in english.text
    assert "Book labs, studios and rooms of the base" in english.text


async def test_the_language_choice_is_remembered(client):
    home = await client.get("/")
    response = await client.post("/lang", data={"lang": "en", "next": "/", "_csrf_token": csrf_from(home.text)})
    assert response.status_code == 303
    assert 'lang="en"' in (await client.get("/")).text


async def test_a_redirect_after_sign_in_stays_on_this_site(client, member):
    form = await client.get("/login")
    response = await client.post(
        "/login",
        data={"email": member.email, "password": TEST_PASSWORD, "next": "//evil.example/x", "_csrf_token": csrf_from(form.text)},
    )
    assert response.headers["location"] == "/"


async def test_a_bearer_token_request_does_no_session_work_even_with_a_session_cookie(client, member):
    await sign_in(client, member.email)
    assert client.cookies.get("park_session")
    answer = await client.get("/api/v1/facilities", headers=member.headers)
    assert answer.status_code == 200
    assert "set-cookie" not in answer.headers  # the session is neither loaded, renewed nor stored
