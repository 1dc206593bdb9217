"""The manager's unit page, the staff page and a firm's quota balance: no sideways scrolling at 360 px, in both languages."""

from __future__ import annotations

import re

import pytest

from tests.browser.steps import MANAGER, MEMBER, scrolls_sideways, sign_in, words_of


@pytest.mark.parametrize("language", ["zh_Hans", "en"])
def test_a_units_page_and_the_quota_balance_fit_a_phone(browser, language):
    page = browser.open("/", viewport="narrow", language=language)
    sign_in(page, MANAGER)
    page.goto("/allocation/units")
    with page.expect_navigation():
        page.locator("table.stack-on-phone a[href^='/allocation/units/']").first.click()
    assert page.locator("form[action$='/leases'] select[name='tenant_id']").count() == 1
    assert scrolls_sideways(page) == []
    browser.shot(page, f"unit-page-{language}-narrow")
    member = browser.open("/", viewport="narrow", language=language)
    sign_in(member, MEMBER)
    member.goto("/my-firm")
    assert member.locator(".quota-balance tbody tr").count() >= 1
    assert scrolls_sideways(member) == []
    browser.shot(member, f"my-firm-quota-{language}-narrow")


@pytest.mark.parametrize(("language", "viewport"), [("zh_Hans", "narrow"), ("en", "wide")])
def test_a_manager_gives_a_building_an_english_address_and_a_tenant_reads_it_on_the_facility_page(browser, language, viewport):
    say = words_of(language)
    page = browser.open("/", viewport=viewport, language=language)
    sign_in(page, MANAGER)
    page.goto("/buildings")
    assert scrolls_sideways(page) == []
    row = page.locator("tbody tr").filter(has=page.locator("td:first-child", has_text=re.compile("^C$")))
    row.get_by_label(say("English address")).fill("Building 11, Shenzhen Bay Eco-Technology Park (north gate)")
    with page.expect_navigation():
        row.get_by_role("button", name=say("Save")).click()
    assert page.locator(".flash-success").is_visible()
    browser.shot(page, f"buildings-{language}-{viewport}")
    tenant = browser.open("/", viewport=viewport, language="en")
    sign_in(tenant, MEMBER)
    tenant.goto("/facilities?q=Recording")
    with tenant.expect_navigation():
        tenant.locator("main a[href^='/facilities/']").filter(has_text="Recording Studio A").first.click()
    meta = tenant.locator("main .meta").all_inner_texts()
    assert "Address: Building 11, Shenzhen Bay Eco-Technology Park (north gate)" in meta
    assert any("Sound Engineering Centre" in line for line in meta), "the platform is named in English"
    browser.shot(tenant, f"facility-address-en-{viewport}", full_page=False)
