"""A member says when, for how long and how many, and books one of the free times found, on a phone and a desktop."""

from __future__ import annotations

from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

import pytest

from tests.browser.steps import MEMBER, scrolls_sideways, sign_in, words_of

SHANGHAI = ZoneInfo("Asia/Shanghai")


def next_weekday(days_ahead: int) -> str:
    day = datetime.now(SHANGHAI).date() + timedelta(days=days_ahead)
    while day.weekday() >= 5:
        day += timedelta(days=1)
    return day.isoformat()


@pytest.mark.parametrize(
    ("viewport", "language", "javascript", "days_ahead"),
    [("wide", "zh_Hans", True, 8), ("narrow", "en", False, 9)],
)
def test_a_member_finds_a_free_meeting_room_and_books_it_from_the_result(browser, viewport, language, javascript, days_ahead):
    say = words_of(language)
    page = browser.open("/", viewport=viewport, language=language, javascript=javascript)
    sign_in(page, MEMBER)
    page.locator("main a[href='/find']").click()
    day = next_weekday(days_ahead)
    page.get_by_label(say("From")).fill(f"{day}T09:00")
    page.get_by_label(say("Until"), exact=True).fill(f"{day}T18:00")
    page.get_by_label(say("For how long")).select_option("60")
    page.get_by_label(say("Kind")).select_option("meeting_room")
    with page.expect_navigation():
        page.get_by_role("button", name=say("Search"), exact=True).click()
    results = page.locator(".result")
    assert results.count() >= 1, "the demo base has free meeting rooms on a weekday"
    assert scrolls_sideways(page) == []
    browser.shot(page, f"search-results-{language}-{viewport}")

    room = results.first.locator("h3").inner_text()
    book_this = results.first.locator(".free-times a").first
    assert book_this.inner_text() == say("Book this")
    start = book_this.get_attribute("href").split("start=")[1].split("&")[0]
    book_this.click()
    assert page.get_by_label(say("Start")).input_value() == start, "the chosen free time is filled in"
    end = (datetime.fromisoformat(start) + timedelta(hours=1)).strftime("%Y-%m-%dT%H:%M")
    assert page.get_by_label(say("End")).input_value() == end, "the end follows from the duration asked"
    assert scrolls_sideways(page) == []
    browser.shot(page, f"search-book-form-{language}-{viewport}")
    page.get_by_role("button", name=say("Book"), exact=True).click()
    page.wait_for_url("**/bookings")
    assert room in page.locator("main").inner_text()
    browser.shot(page, f"search-booked-{language}-{viewport}")


@pytest.mark.parametrize(
    ("viewport", "language", "javascript", "days_ahead"),
    [("wide", "en", True, 12), ("narrow", "zh_Hans", False, 13)],
)
def test_a_member_moves_a_booking_into_a_taken_time_and_takes_an_offered_alternative(browser, viewport, language, javascript, days_ahead):
    say = words_of(language)
    page = browser.open("/", viewport=viewport, language=language, javascript=javascript)
    sign_in(page, MEMBER)
    day = next_weekday(days_ahead)
    page.goto(f"/find?starts={day}T09:00&ends={day}T18:00&duration=120&seats=1&kind=meeting_room&building=&q=")
    book_this = page.locator(".result .free-times a").first
    href = book_this.get_attribute("href")
    start = href.split("start=")[1].split("&")[0]
    hour = lambda offset: (datetime.fromisoformat(start) + timedelta(hours=offset)).strftime("%Y-%m-%dT%H:%M")  # noqa: E731
    facility_path = href.split("/book?")[0]

    # Two bookings back to back: the first hour and the second.
    book_this.click()
    page.get_by_label(say("End")).fill(hour(1))
    page.get_by_role("button", name=say("Book"), exact=True).click()
    page.wait_for_url("**/bookings")
    page.goto(f"{facility_path}/book?start={hour(1)}&end={hour(2)}")
    page.get_by_role("button", name=say("Book"), exact=True).click()
    page.wait_for_url("**/bookings")

    # Move the first into the second's time: refused, with free times offered and the waitlist.
    hrefs = page.locator("main table a[href^='/bookings/']").evaluate_all("links => links.map(a => a.getAttribute('href'))")
    first_booking = sorted(hrefs, key=lambda h: int(h.rsplit("/", 1)[1]))[-2]  # the two just made are the newest
    page.locator(f"main table a[href='{first_booking}']").click()
    assert page.get_by_label(say("Start")).input_value() == start
    page.get_by_label(say("Start")).fill(hour(1))
    page.get_by_label(say("End")).fill(hour(2))
    with page.expect_navigation():
        page.get_by_role("button", name=say("Move the booking")).click()
    assert page.get_by_role("heading", name=say("That time is taken. Free instead:")).is_visible()
    assert page.get_by_role("button", name=say("Wait for this time: book it for me if it frees up")).is_visible()
    assert page.get_by_label(say("Start")).input_value() == hour(1), "the form keeps what was typed"
    assert scrolls_sideways(page) == []
    browser.shot(page, f"move-refused-alternatives-{language}-{viewport}")

    choice = page.locator(".choice-list button").first
    chosen_start = page.locator(".choice-list input[name=starts_at]").first.get_attribute("value")
    with page.expect_navigation():
        choice.click()
    assert page.get_by_role("status").first.is_visible()
    assert page.get_by_label(say("Start")).input_value() == chosen_start, "the booking now starts at the chosen time"
    assert page.url.endswith(first_booking)
    browser.shot(page, f"move-done-{language}-{viewport}")
