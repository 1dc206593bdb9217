"""Keyboard use, phone-width screens and the booking flow without JavaScript."""

from __future__ import annotations

from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

import pytest

from tests.browser.steps import (
    MANAGER, MEMBER, TENANT_ADMIN, follow_nav, low_contrast, say_yes, scrolls_sideways, sign_in, zh,
)

SHANGHAI = ZoneInfo("Asia/Shanghai")
PAGES = {
    MEMBER: ["/", "/facilities", "/bookings", "/space", "/policy", "/account/password"],
    TENANT_ADMIN: ["/space/apply", "/my-firm", "/my-firm/users"],
    MANAGER: ["/dashboard", "/approvals", "/allocation", "/reports", "/reports/space", "/tenants", "/audit"],
}


def test_the_skip_link_is_the_first_stop_and_takes_the_keyboard_to_the_content(browser):
    page = browser.open("/")
    page.keyboard.press("Tab")
    focused = page.evaluate("document.activeElement.className")
    assert "skip-link" in focused
    box = page.locator(".skip-link").bounding_box()
    assert box and box["x"] >= 0, "the skip link shows itself when focused"
    page.keyboard.press("Enter")
    assert page.evaluate("document.activeElement.id") == "main"


def test_keyboard_focus_is_always_visible(browser):
    page = browser.open("/login")
    outlines = []
    for _ in range(6):
        page.keyboard.press("Tab")
        outlines.append(page.evaluate(
            "(() => { const s = getComputedStyle(document.activeElement); return s.outlineStyle + ' ' + s.outlineWidth; })()"))
    assert all(not outline.startswith("none") and not outline.endswith(" 0px") for outline in outlines), outlines


def test_the_sign_in_form_can_be_filled_and_sent_with_the_keyboard_alone(browser):
    page = browser.open("/login")
    page.locator("#email").focus()
    page.keyboard.type(MEMBER)
    page.keyboard.press("Tab")
    page.keyboard.type("park-demo-2026")
    page.keyboard.press("Enter")
    page.wait_for_url(browser.base_url + "/")
    assert page.locator("header .who").is_visible()


def test_the_phone_menu_opens_closes_and_tells_assistive_technology(browser):
    page = browser.open("/", viewport="phone")
    toggle = page.locator(".menu-toggle")
    assert toggle.is_visible()
    assert not page.locator("#site-nav").is_visible()
    toggle.click()
    assert toggle.get_attribute("aria-expanded") == "true"
    assert page.locator("#site-nav").is_visible()
    page.keyboard.press("Escape")
    assert toggle.get_attribute("aria-expanded") == "false"
    desktop = browser.open("/")
    assert not desktop.locator(".menu-toggle").is_visible()
    assert desktop.locator("#site-nav").is_visible()


def test_without_javascript_the_phone_navigation_is_simply_shown(browser):
    page = browser.open("/", viewport="phone", javascript=False)
    assert not page.locator(".menu-toggle").is_visible()
    assert page.locator("#site-nav").is_visible()


@pytest.mark.parametrize("email", list(PAGES), ids=["member", "firm-admin", "manager"])
def test_every_page_fits_a_phone_screen(browser, email):
    page = browser.open("/", viewport="phone")
    sign_in(page, email)
    wide = {}
    for path in PAGES[email]:
        response = page.goto(path)
        if response is None or response.status >= 400:
            continue
        if sticking_out := scrolls_sideways(page):
            wide[path] = sticking_out
        browser.shot(page, f"phone{path.replace('/', '-') if path != '/' else '-home'}-zh")
    assert wide == {}


def test_a_member_books_and_cancels_a_meeting_room_without_javascript(browser):
    page = browser.open("/", javascript=False)
    sign_in(page, MEMBER)
    page.goto("/facilities?q=A102")
    page.get_by_role("link", name="会议室 A102").click()
    with page.expect_navigation():
        page.get_by_role("link", name=zh("Next seven days")).click()
    free = page.locator("td.cell-free a").first
    free.click()
    page.locator(".duration-choices a").first.click()  # without JavaScript: how long, then the form
    page.get_by_label(zh("Purpose")).fill("无脚本预订")
    page.get_by_role("button", name=zh("Book"), exact=True).click()
    page.wait_for_url("**/bookings")
    row = page.locator("tbody tr", has_text="无脚本预订")
    assert zh("Confirmed") in row.inner_text()
    row.get_by_role("button", name=zh("Cancel"), exact=True).click()
    say_yes(page)
    page.wait_for_url("**/bookings*")
    assert page.locator("tbody tr", has_text="无脚本预订").filter(has_not_text=zh("Cancelled")).count() == 0
    browser.shot(page, "no-javascript-booking-cancelled-zh-desktop")


def test_a_clashing_booking_keeps_what_the_member_typed(browser):
    page = browser.open("/")
    sign_in(page, MEMBER)
    page.goto("/facilities?q=A101")
    page.get_by_role("link", name="会议室 A101").click()
    page.locator("main").get_by_role("link", name=zh("Book"), exact=True).click()
    day = datetime.now(SHANGHAI).date() + timedelta(days=7)
    while day.weekday() != 5:  # a Saturday: the room is closed
        day += timedelta(days=1)
    page.get_by_label(zh("Start")).fill(f"{day.isoformat()}T10:00")
    page.get_by_label(zh("End")).fill(f"{day.isoformat()}T11:00")
    page.get_by_label(zh("Purpose")).fill("周末客户来访")
    with page.expect_navigation():
        page.get_by_role("button", name=zh("Book"), exact=True).click()
    assert page.get_by_label(zh("Purpose")).input_value() == "周末客户来访"
    assert page.get_by_label(zh("Start")).input_value() == f"{day.isoformat()}T10:00"
    assert page.locator("[role=alert], .field-error").first.is_visible()
    browser.shot(page, "booking-refused-keeps-input-zh-desktop")


@pytest.mark.parametrize("email", list(PAGES), ids=["member", "firm-admin", "manager"])
def test_every_text_has_enough_contrast_with_its_background(browser, email):
    page = browser.open("/")
    sign_in(page, email)
    faint = {}
    for path in ["/login", "/no-such-page", *PAGES[email]]:
        response = page.goto(path)
        if response is None or (response.status >= 400 and path != "/no-such-page"):
            continue
        if found := low_contrast(page):
            faint[path] = found
    assert faint == {}


def test_the_contrast_check_notices_pale_text(browser):
    page = browser.open("/")
    page.evaluate("document.querySelector('h1').style.color = '#c8c8c8'")
    assert low_contrast(page) == [], "text over the home page's gradient is not measured"
    page.evaluate("document.querySelector('footer p').style.color = '#c8c8c8'")
    assert any(item.startswith("p ") for item in low_contrast(page))


def test_a_member_books_a_meeting_room_on_a_phone(browser):
    page = browser.open("/", viewport="phone")
    sign_in(page, MEMBER)
    follow_nav(page, "/facilities")
    page.get_by_label(zh("Search")).fill("B201")
    page.get_by_role("button", name=zh("Filter")).click()
    page.get_by_role("link", name="会议室 B201").click()
    assert scrolls_sideways(page) == []
    browser.shot(page, "phone-facility-zh")
    with page.expect_navigation():
        page.get_by_role("link", name=zh("Next seven days")).click()
    page.locator("td.cell-free a").first.click()
    assert scrolls_sideways(page) == []
    page.get_by_label(zh("Purpose")).fill("手机预订")
    browser.shot(page, "phone-booking-form-zh")
    page.get_by_role("button", name=zh("Book"), exact=True).click()
    page.wait_for_url("**/bookings")
    assert page.locator("tbody tr", has_text="手机预订").is_visible()
    assert scrolls_sideways(page) == []
    browser.shot(page, "phone-my-bookings-zh")
