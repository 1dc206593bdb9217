"""Where sign-in leads and what the header offers each reader."""

import re

from tests.accounts.test_pages import csrf_from, sign_in
from tests.builders import TEST_PASSWORD

EN = {"Accept-Language": "en"}


def _header(html: str) -> str:
    return html.split("<header", 1)[1].split("</header>", 1)[0]


async def test_a_manager_lands_on_the_dashboard_and_a_member_on_the_home_page(client, manager, member, app):
    import httpx

    assert (await sign_in(client, manager.email)).headers["location"] == "/dashboard"
    async with httpx.AsyncClient(transport=httpx.ASGITransport(app=app), base_url="http://testserver") as other:
        assert (await sign_in(other, member.email)).headers["location"] == "/"


async def test_a_manager_asking_for_a_page_still_gets_that_page(client, manager):
    form = await client.get("/login?next=/tenants")
    response = await client.post("/login", data={"email": manager.email, "password": TEST_PASSWORD, "next": "/tenants",
                                                  "_csrf_token": csrf_from(form.text)})
    assert response.headers["location"] == "/tenants"


async def test_the_managers_header_groups_its_links_into_translated_menus(client, manager):
    await sign_in(client, manager.email)
    header = _header((await client.get("/", headers=EN)).text)
    summaries = re.findall(r"<summary[^>]*>(.*?)</summary>", header, re.S)
    assert [re.sub(r"<span.*", "", s, flags=re.S).strip() for s in summaries[:4]] == ["Booking", "Space", "Reports", "Administration"]
    top_level = re.findall(r'<ul class="menus">(.*)</ul>\s*</nav>', header, re.S)[0]
    assert top_level.count("<details") == 4
    zh_header = _header((await client.get("/", headers={"Accept-Language": "zh-CN"})).text)
    assert "Booking" not in zh_header and "Administration" not in zh_header


async def test_api_tokens_sit_in_the_account_menu_not_in_the_main_navigation(client, member):
    await sign_in(client, member.email)
    header = _header((await client.get("/", headers=EN)).text)
    navigation = header.split('<nav class="site-nav"', 1)[1].split("</nav>", 1)[0]
    account = header.split('class="menu account-menu"', 1)[1]
    assert "/account/tokens" not in navigation
    assert "/account/tokens" in account and "/account/password" in account and 'action="/logout"' in account
    assert "/approvals" not in header and "/tenants" not in header
