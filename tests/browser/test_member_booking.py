"""A tenant member books the motion-capture stage next Tuesday, once and weekly, then manages it."""

from __future__ import annotations

from datetime import date, datetime, timedelta
from urllib.parse import urlsplit
from zoneinfo import ZoneInfo

from tests.browser.steps import MEMBER, follow_nav, say_yes, sign_in, zh

SHANGHAI = ZoneInfo("Asia/Shanghai")


def next_tuesday() -> date:
    today = datetime.now(SHANGHAI).date()
    return today + timedelta(days=(1 - today.weekday()) % 7 or 7)


def open_stage_week(page, search: str, filter_button: str, stage_name: str, next_week: str) -> date:
    """Find the stage in the catalogue and show the week of next Tuesday; returns that Tuesday."""
    follow_nav(page, "/facilities")
    page.get_by_label(search).fill("动作捕捉")
    page.get_by_role("button", name=filter_button).click()
    page.get_by_role("link", name=stage_name).click()
    tuesday = next_tuesday()
    if not page.locator(f"a[href*='start={tuesday.isoformat()}T']").count():
        with page.expect_navigation():
            page.get_by_role("link", name=next_week).click()
    return tuesday


def free_two_hours(page, day: date) -> tuple[str, str]:
    """The first start on `day` whose slot and the next one are both free (the stage takes 2 hours at least)."""
    starts = [
        href.split("start=")[1].split("&")[0]
        for href in page.locator(f"a[href*='start={day.isoformat()}T']").evaluate_all("links => links.map(a => a.getAttribute('href'))")
    ]
    free = set(starts)

    def hour(start: str, offset: int) -> str:
        return (datetime.fromisoformat(start) + timedelta(hours=offset)).strftime("%Y-%m-%dT%H:%M")

    # Facilities keep a buffer between bookings: prefer two free hours with a free hour on each side.
    for wanted in ((-1, 0, 1, 2), (0, 1, 2), (0, 1)):
        for start in starts:
            if all(hour(start, offset) in free for offset in wanted):
                return start, hour(start, 2)
    raise AssertionError(f"no two free hours on {day}: {starts}")


def test_a_member_books_the_motion_capture_stage_next_tuesday_once_and_weekly_and_manages_it(browser):
    page = browser.open("/")
    sign_in(page, MEMBER)
    tuesday = open_stage_week(page, zh("Search"), zh("Filter"), "动作捕捉影棚", zh("Next seven days"))
    browser.shot(page, "stage-week-zh-desktop")
    stage_path = urlsplit(page.url).path
    start, end = free_two_hours(page, tuesday)
    page.locator(f"a[href*='start={start}']").first.click()
    assert page.get_by_label(zh("Start")).input_value() == start, "the chosen slot is filled in"
    page.get_by_label(zh("End")).fill(end)
    page.get_by_label(zh("Purpose")).fill("角色动作采集")
    page.get_by_role("button", name=zh("Book"), exact=True).click()
    page.wait_for_url("**/bookings")
    assert page.get_by_role("status").first.is_visible()
    browser.shot(page, "my-bookings-after-single-zh-desktop")

    # The same slot a week later, every week for four weeks: preview first, then book.
    series_start = (datetime.fromisoformat(start) + timedelta(days=7)).strftime("%Y-%m-%dT%H:%M")
    series_end = (datetime.fromisoformat(end) + timedelta(days=7)).strftime("%Y-%m-%dT%H:%M")
    page.goto(stage_path + "/book")
    page.get_by_label(zh("Start")).fill(series_start)
    page.get_by_label(zh("End")).fill(series_end)
    page.get_by_label(zh("Purpose")).fill("每周动作采集")
    page.get_by_label(zh("How often")).select_option("weekly")
    page.get_by_label(zh("How many times in all")).fill("4")
    with page.expect_navigation():
        page.get_by_role("button", name=zh("Preview the series")).click()
    assert page.get_by_label(zh("How often")).input_value() == "weekly", "the form keeps what was chosen"
    assert page.get_by_label(zh("How many times in all")).input_value() == "4"
    assert page.locator("#preview-heading").is_visible()
    browser.shot(page, "series-preview-zh-desktop")
    # Whatever the preview found, the member keeps the free dates and lets clashing ones go.
    page.get_by_label(zh("Book the series without the dates that clash")).check()
    page.get_by_role("button", name=zh("Book"), exact=True).click()
    page.wait_for_url("**/bookings")
    rows = page.locator("tbody tr", has_text="每周动作采集")
    assert rows.count() >= 2, "the series' occurrences are listed in my bookings"
    browser.shot(page, "my-bookings-series-zh-desktop")

    # The calendar feed, as a download.
    # The link carries PARK_BASE_URL (the public address); this test server listens elsewhere.
    feed = urlsplit(page.locator("a[href*='/calendar/']").first.get_attribute("href")).path
    assert feed.endswith(".ics")
    ics = page.context.request.get(feed)
    assert ics.ok
    assert ics.headers["content-type"].startswith("text/calendar")
    body = ics.text()
    assert "BEGIN:VCALENDAR" in body and body.count("BEGIN:VEVENT") >= 2

    # Cancel one occurrence: the second of the series.
    second = rows.nth(1)
    when = second.locator("td").nth(1).inner_text()
    second.get_by_role("button", name=zh("Cancel"), exact=True).click()
    say_yes(page)
    page.wait_for_url("**/bookings*")
    cancelled = page.locator("tbody tr", has_text="每周动作采集").filter(has_text=when)
    assert zh("Cancelled") in cancelled.inner_text() or cancelled.count() == 0
    remaining = page.locator("tbody tr", has_text="每周动作采集").filter(has_not_text=zh("Cancelled"))
    assert remaining.count() >= 1, "the other occurrences stay booked"
    browser.shot(page, "my-bookings-cancelled-one-zh-desktop")
    assert browser.problems == []


def test_a_trained_member_books_the_motion_capture_system_and_a_manager_approves_it(browser):
    member = browser.open("/")
    sign_in(member, "member2@dragonlight.demo")  # holds the system's training record in the demo
    follow_nav(member, "/facilities")
    member.get_by_label(zh("Search")).fill("动作捕捉")
    member.get_by_role("button", name=zh("Filter")).click()
    member.get_by_role("link", name="光学动作捕捉系统").click()
    tuesday = next_tuesday()
    if not member.locator(f"a[href*='start={tuesday.isoformat()}T']").count():
        with member.expect_navigation():
            member.get_by_role("link", name=zh("Next seven days")).click()
    start, end = free_two_hours(member, tuesday)
    member.locator(f"a[href*='start={start}']").first.click()
    member.get_by_label(zh("End")).fill(end)
    member.get_by_label(zh("Purpose")).fill("面部表情捕捉测试")
    member.get_by_role("button", name=zh("Book"), exact=True).click()
    member.wait_for_url("**/bookings")
    row = member.locator("tbody tr", has_text="面部表情捕捉测试")
    assert zh("Pending approval") in row.inner_text()

    manager = browser.open("/")
    sign_in(manager, "manager@park.demo")
    manager.goto("/dashboard")
    manager.locator("#approvals").get_by_role("link", name=zh("See them all")).click()
    waiting = manager.locator("tbody tr", has_text="面部表情捕捉测试")
    waiting.get_by_role("button", name=zh("Approve")).click()
    # The queue swaps in place and names the booking it decided.
    manager.locator("#decision-outcomes", has_text="已批准：").filter(has_text="光学动作捕捉系统").wait_for()
    assert manager.locator("tbody tr", has_text="面部表情捕捉测试").count() == 0

    member.reload()
    assert zh("Confirmed") in member.locator("tbody tr", has_text="面部表情捕捉测试").inner_text()
    browser.shot(member, "my-bookings-approved-zh-desktop")
