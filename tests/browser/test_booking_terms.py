"""Before booking, the form's "what applies" panel follows the chosen times: with JavaScript as they change, without it on "Check"."""

from __future__ import annotations

from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

import pytest

from tests.browser.steps import MEMBER, scrolls_sideways, sign_in, words_of

SHANGHAI = ZoneInfo("Asia/Shanghai")
PRINTER = "工业级 3D 打印机（光固化）"  # the demo's SLA printer: ¥120 an hour, training required


def a_weekday_ahead() -> str:
    day = datetime.now(SHANGHAI).date() + timedelta(days=8)
    while day.weekday() >= 5:
        day += timedelta(days=1)
    return day.isoformat()


def open_printer_form(page, search: str, filter_button: str) -> str:
    """From the catalogue to the printer's booking form, as a member would; returns the form's path."""
    page.goto("/facilities")
    page.get_by_label(search).fill("光固化")
    page.get_by_role("button", name=filter_button).click()
    page.locator(f"main a:has-text('{PRINTER}'), main a:has-text('Industrial 3D Printer (SLA)')").first.click()
    with page.expect_navigation():
        page.locator("main a[href$='/book']").first.click()
    return page.url


def price_line(page) -> str:
    return page.locator("[data-term=price]").inner_text().replace("\u202f", " ")


@pytest.mark.parametrize("language, viewport", [("zh_Hans", "narrow"), ("en", "wide"), ("zh_Hans", "wide"), ("en", "narrow")])
def test_the_panel_follows_the_times_as_they_change(browser, language, viewport):
    say = words_of(language)
    page = browser.open("/", viewport=viewport, language=language)
    sign_in(page, MEMBER)
    form_url = open_printer_form(page, say("Search"), say("Filter"))
    assert "120.00" in price_line(page) and "=" not in price_line(page), "the rate alone until the times are chosen"
    day = a_weekday_ahead()

    page.get_by_label(say("Start")).fill(f"{day}T10:00")
    page.get_by_label(say("End")).fill(f"{day}T11:00")
    expected = "¥120.00" if language == "zh_Hans" else "CN¥120.00"
    page.locator("[data-term=price]", has_text=f"= {expected}").wait_for()
    assert page.locator("[data-term=check_in]").inner_text().replace("\u202f", " ").count(":") == 2
    assert page.locator("[data-term=training]").is_visible()

    page.get_by_label(say("End")).fill(f"{day}T12:30")  # off the printer's 60-minute slots: the panel says so
    page.locator("[data-term=time]").wait_for()
    page.get_by_label(say("End")).fill(f"{day}T13:00")
    total = "¥360.00" if language == "zh_Hans" else "CN¥360.00"
    page.locator("[data-term=price]", has_text=f"= {total}").wait_for()

    assert page.url == form_url, "the panel changed in place; nothing was submitted"
    assert "× 3 " in price_line(page) and page.locator("[data-term=time]").count() == 0
    assert page.locator("[data-term=no_show]", has_text=total.lstrip("CN")).count() == 1
    assert page.locator(".opening-hours dt").count() == 7
    assert scrolls_sideways(page) == []
    browser.shot(page, f"booking-terms-{language}-{viewport}")


@pytest.mark.parametrize("language, viewport", [("zh_Hans", "narrow"), ("en", "wide")])
def test_without_javascript_check_shows_the_panel_and_books_nothing(browser, language, viewport):
    say = words_of(language)
    page = browser.open("/", viewport=viewport, language=language, javascript=False)
    sign_in(page, MEMBER)
    open_printer_form(page, say("Search"), say("Filter"))
    day = a_weekday_ahead()
    page.get_by_label(say("Start")).fill(f"{day}T14:00")
    page.get_by_label(say("End")).fill(f"{day}T15:00")

    with page.expect_navigation():
        page.get_by_role("button", name=say("Check what applies")).click()

    assert "/book" in page.url and page.get_by_label(say("Start")).input_value() == f"{day}T14:00"
    assert ("¥120.00 × 1 " if language == "zh_Hans" else "CN¥120.00 an hour × 1 h") in price_line(page)
    assert page.get_by_role("status").count() == 0, "nothing was booked, so no message"
    assert scrolls_sideways(page) == []
    browser.shot(page, f"booking-terms-nojs-{language}-{viewport}")


@pytest.mark.parametrize("language, viewport", [("zh_Hans", "narrow"), ("en", "wide")])
def test_after_booking_the_message_says_what_where_when_and_what_comes_next(browser, language, viewport):
    say = words_of(language)
    page = browser.open("/", viewport=viewport, language=language)
    sign_in(page, MEMBER)
    page.goto("/facilities")
    page.get_by_label(say("Search")).fill("桌面 3D")
    page.get_by_role("button", name=say("Filter")).click()
    page.locator("main a:has-text('桌面 3D 打印机组'), main a:has-text('Desktop 3D Printer Bank')").first.click()
    with page.expect_navigation():
        page.locator("main a[href$='/book']").first.click()
    day = a_weekday_ahead()
    hour = 15 if language == "en" else 16
    page.get_by_label(say("Start")).fill(f"{day}T{hour}:00")
    page.get_by_label(say("End")).fill(f"{day}T{hour + 1}:00")
    page.locator("[data-term=price]", has_text="20.00").wait_for()

    with page.expect_navigation():
        page.get_by_role("button", name=say("Book"), exact=True).click()

    status = page.get_by_role("status").first
    text = status.inner_text().replace("\u202f", " ")
    name = "桌面 3D 打印机组" if language == "zh_Hans" else "Desktop 3D Printer Bank"
    assert name in text and say("Confirmed") in text, text
    assert status.locator(".flash-details li").count() >= 1, "what comes next: the check-in times"
    assert scrolls_sideways(page) == []
    browser.shot(page, f"booked-message-{language}-{viewport}", full_page=False)
