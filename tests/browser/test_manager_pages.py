"""The manager's unit page, the staff page and a firm's quota balance: no sideways scrolling at 360 px, in both languages."""

from __future__ import annotations

import pytest

from tests.browser.steps import MANAGER, MEMBER, scrolls_sideways, sign_in


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
