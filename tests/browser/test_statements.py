"""A firm reads what it pays and why; a manager reads what the policy's support cost the park."""

from __future__ import annotations

from tests.browser.steps import MANAGER, MEMBER, scrolls_sideways, sign_in, visible_text


def test_a_member_reads_the_firms_statement_on_a_phone_in_chinese(browser):
    page = browser.open("/statements", viewport="narrow")
    sign_in(page, MEMBER)
    page.goto("/statements")
    text = visible_text(page, "main")
    assert "账单" in text and "截至目前" in text
    months = page.locator("select#month option")
    assert months.count() >= 2, "this month so far and the month that ended"
    page.locator("select#month").select_option(index=1)
    with page.expect_navigation():
        page.get_by_role("button", name="显示").click()
    assert "本账单已出具，不会再更改。" in visible_text(page, "main")
    assert scrolls_sideways(page) == []
    browser.shot(page, "statement-issued-zh-phone")


def test_a_manager_reads_the_park_summary_in_english_on_a_desktop(browser):
    page = browser.open("/statements/summary", viewport="wide", language="en")
    sign_in(page, MANAGER)
    page.goto("/statements/summary")
    text = visible_text(page, "main")
    assert "Park summary of subsidies" in text and "By sector" in text and "By facility kind" in text
    browser.shot(page, "statement-summary-en-wide")
    narrow = browser.open("/statements/summary", viewport="narrow", language="en")
    sign_in(narrow, MANAGER)
    narrow.goto("/statements/summary")
    assert scrolls_sideways(narrow) == []
    browser.shot(narrow, "statement-summary-en-narrow")
