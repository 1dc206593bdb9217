"""The header: a few menus instead of a row of links, at phone and desktop widths, with and without JavaScript."""

from __future__ import annotations

import re

import pytest

from tests.browser.steps import MANAGER, MEMBER, open_menu, scrolls_sideways, sign_in, zh

MENUS_EN = ["Booking", "Space", "Reports", "Administration"]


@pytest.mark.parametrize("language", ["zh_Hans", "en"])
@pytest.mark.parametrize("viewport", ["narrow", "wide"])
def test_a_managers_header_is_four_menus_that_open_and_lead_to_their_pages(browser, language, viewport):
    page = browser.open("/", viewport=viewport, language=language)
    sign_in(page, MANAGER)
    page.wait_for_url("**/dashboard")
    open_menu(page)
    summaries = page.locator("#site-nav details.menu > summary")
    words = MENUS_EN if language == "en" else [zh(word) for word in MENUS_EN]
    # A menu's label, then (Booking) the count of approvals waiting, "waiting:" said to screen readers.
    assert [text.split("\n")[0].strip() for text in summaries.all_inner_texts()] == words
    waiting = page.locator("#menu-count-booking")
    assert waiting.is_visible() and re.fullmatch(r"(Waiting:|待处理：)\s*\d+", waiting.inner_text().strip())
    assert not page.locator("#site-nav a[href='/tenants']").is_visible()
    page.locator("#site-nav details.menu > summary", has_text=words[3]).click()
    assert page.locator("#site-nav a[href='/tenants']").is_visible()
    page.locator("#site-nav details.menu > summary", has_text=words[0]).click()
    page.locator("#site-nav a[href='/tenants']").wait_for(state="hidden")  # opening one menu closes the other
    assert page.locator("#site-nav a[href='/approvals']").is_visible()
    assert scrolls_sideways(page) == []
    browser.shot(page, f"header-manager-{language}-{viewport}", full_page=False)
    with page.expect_navigation():
        page.locator("#site-nav a[href='/approvals']").click()
    assert page.url.endswith("/approvals")


@pytest.mark.parametrize("language", ["zh_Hans", "en"])
@pytest.mark.parametrize("viewport", ["narrow", "wide"])
def test_a_members_api_tokens_are_in_the_account_menu(browser, language, viewport):
    page = browser.open("/", viewport=viewport, language=language)
    sign_in(page, MEMBER)
    assert page.url.rstrip("/").endswith(page.url.split("/", 3)[2]), "a member lands on the home page"
    open_menu(page)
    assert not page.locator("header a[href='/account/tokens']").is_visible()
    page.locator("header details.account-menu > summary").click()
    assert page.locator("header a[href='/account/tokens']").is_visible()
    assert scrolls_sideways(page) == []
    browser.shot(page, f"header-member-account-{language}-{viewport}", full_page=False)


def test_without_javascript_the_menus_still_open(browser):
    page = browser.open("/", viewport="narrow", javascript=False)
    sign_in(page, MANAGER)
    page.locator("#site-nav details.menu > summary").first.click()
    assert page.locator("#site-nav a[href='/facilities']").is_visible()
    browser.shot(page, "header-manager-nojs-narrow", full_page=False)
