"""A first visit in a real browser: the home page, signing in, the language switch, the password, errors."""

from __future__ import annotations

from tests.browser.steps import MEMBER, html_lang, scrolls_sideways, sign_in, switch_language, visible_text, zh


def test_a_visitor_sees_the_home_page_in_chinese_by_default_on_desktop_and_phone(browser):
    for viewport in ("desktop", "phone"):
        page = browser.open("/", viewport=viewport)
        assert html_lang(page) == "zh-Hans"
        assert "预订" in visible_text(page, "h1")
        assert not scrolls_sideways(page), f"the home page scrolls sideways on a {viewport}"
        browser.shot(page, f"home-zh-{viewport}")
    assert browser.problems == []


def test_a_member_signs_in_and_returns_to_the_page_they_came_from(browser):
    page = browser.open("/account/password")
    assert "/login?next=" in page.url
    assert page.locator("h1").inner_text() == "登录"
    page.locator("#email").fill(MEMBER)
    page.locator("#password").fill("park-demo-2026")
    page.locator("main form button[type=submit]").click()
    page.wait_for_url("**/account/password")
    assert "龙光成员" in visible_text(page, "header")
    browser.shot(page, "password-form-zh-desktop")


def test_a_wrong_password_keeps_the_email_and_says_what_went_wrong(browser):
    page = browser.open("/login")
    page.locator("#email").fill(MEMBER)
    page.locator("#password").fill("not-the-password")
    with page.expect_navigation():
        page.locator("main form button[type=submit]").click()
    assert page.locator("#email").input_value() == MEMBER
    assert page.get_by_role("alert").is_visible()
    browser.shot(page, "sign-in-error-zh-desktop")


def test_english_chosen_by_the_switch_is_remembered_on_every_page_and_the_next_sign_in(browser):
    page = browser.open("/")
    sign_in(page, MEMBER)
    switch_language(page, "English")
    assert html_lang(page) == "en"
    assert "Book labs, studios and rooms of the base" in visible_text(page, "h1")
    page.goto("/account/password")
    assert html_lang(page) == "en"
    assert page.get_by_label("Current password").is_visible()
    browser.shot(page, "password-form-en-desktop")
    # A new browser whose language is Chinese: the member's choice still wins once signed in.
    later = browser.open("/")
    assert html_lang(later) == "zh-Hans"
    sign_in(later, MEMBER)
    assert html_lang(later) == "en"
    switch_language(later, "简体中文")
    assert html_lang(later) == "zh-Hans"


def test_changing_the_password_with_a_wrong_current_one_marks_the_field_and_a_right_one_works(browser):
    email = "member@bayside.demo"
    page = browser.open("/", viewport="phone")
    sign_in(page, email)
    page.goto("/account/password")
    page.get_by_label("当前密码").fill("wrong-current-password")
    page.get_by_label("新密码", exact=True).fill("a-fresh-password-for-2027")
    page.get_by_label("再次输入新密码").fill("a-fresh-password-for-2027")
    with page.expect_navigation():
        page.locator("main form button[type=submit]").click()
    current = page.get_by_label("当前密码")
    assert current.get_attribute("aria-invalid") == "true"
    assert page.locator("#current_password-error").is_visible()
    browser.shot(page, "password-error-zh-phone")
    page.get_by_label("当前密码").fill("park-demo-2026")
    page.get_by_label("新密码", exact=True).fill("a-fresh-password-for-2027")
    page.get_by_label("再次输入新密码").fill("a-fresh-password-for-2027")
    page.locator("main form button[type=submit]").click()
    page.wait_for_url(browser.base_url + "/")
    assert page.get_by_role("status").first.is_visible()
    again = browser.open("/")
    sign_in(again, email, "a-fresh-password-for-2027")
    assert again.locator("header .who").is_visible()


def test_an_address_that_does_not_exist_gets_a_friendly_page_in_the_reader_language(browser):
    chinese = browser.open("/no-such-page")
    assert html_lang(chinese) == "zh-Hans"
    assert chinese.locator("h1").inner_text() != "Not found"
    chinese.get_by_role("link", name="返回首页").is_visible()
    browser.shot(chinese, "not-found-zh-desktop")
    english = browser.open("/no-such-page", language="en", viewport="phone")
    assert english.locator("h1").inner_text() == "Not found"
    english.get_by_role("link", name="Back to the home page").click()
    assert english.url == browser.base_url + "/"
    browser.shot(english, "home-en-phone")


def test_a_member_who_opens_a_managers_page_is_told_it_is_not_allowed(browser):
    page = browser.open("/")
    sign_in(page, MEMBER)
    response = page.goto("/dashboard")
    assert response.status in (403, 404)
    assert page.locator("h1").is_visible()


def test_switching_language_keeps_the_page_and_its_filters(browser):
    page = browser.open("/facilities?kind=lab")
    chosen = page.get_by_label(zh("Kind"), exact=True).input_value()
    switch_language(page, "English")
    assert html_lang(page) == "en"
    assert page.url.endswith("/facilities?kind=lab")
    assert page.get_by_label("Kind", exact=True).input_value() == chosen == "lab"
