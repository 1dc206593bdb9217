"""A park manager works through the approval queue: several decided at once, each named by facility, firm and
time; the header's counts change in place; overdue and soon-starting requests flagged first."""

from __future__ import annotations

import re

import httpx
from playwright.sync_api import expect

from tests.browser.steps import DEMO_PASSWORD, MANAGER, follow_nav, html_lang, open_menu, scrolls_sideways, sign_in, switch_language


def statuses(base_url: str, booking_ids: list[int]) -> list[str]:
    token = httpx.post(f"{base_url}/api/v1/auth/token", json={"email": MANAGER, "password": DEMO_PASSWORD}).json()["token"]
    return [httpx.get(f"{base_url}/api/v1/bookings/{booking_id}", headers={"Authorization": f"Bearer {token}"}).json()["status"]
            for booking_id in booking_ids]


def waiting(page) -> int:
    """The count next to the header's Approvals link."""
    return int(re.sub(r"\D", "", page.locator("#nav-count-approvals").text_content()))


def decidable_rows(page, count: int):
    """The first `count` rows that can still be approved (not overdue), and their booking ids."""
    rows = page.locator("#approvals-queue tbody tr:not(.urgent-overdue)")
    assert rows.count() >= count, "the demo has requests waiting for approval"
    picked = [rows.nth(index) for index in range(count)]
    return picked, [int(row.get_attribute("id").removeprefix("approval-")) for row in picked]


def test_a_manager_approves_several_at_once_and_the_counts_change_in_place(browser, site):
    page = browser.open("/", viewport="wide")
    sign_in(page, MANAGER)
    follow_nav(page, "/approvals")
    assert page.locator("h1").inner_text() == "审批"
    before = waiting(page)
    assert before >= 2 and page.locator("#menu-count-booking").text_content().endswith(str(before))
    first = page.locator("#approvals-queue tbody tr").first
    if first.get_attribute("class") and "urgent" in first.get_attribute("class"):
        assert re.search("已逾期|即将开始", first.inner_text()), "an urgent request says so in words"
    browser.shot(page, "approvals-zh-wide")
    rows, ids = decidable_rows(page, 2)
    for row in rows:
        row.locator("input[type=checkbox]").check()
    page.evaluate("window.__sameDocument = true")
    page.get_by_role("button", name="批准已勾选的预订").click()
    outcomes = page.locator("#decision-outcomes li")
    expect(outcomes).to_have_count(2)
    for line in outcomes.all_inner_texts():
        assert line.startswith("已批准：") and "预订 " not in line, line
    expect(page.locator("#nav-count-approvals")).to_have_text(re.compile(f"{before - 2}$"))
    expect(page.locator("#menu-count-booking")).to_have_text(re.compile(f"{before - 2}$"))
    assert page.evaluate("window.__sameDocument === true"), "htmx swapped the queue; the page did not reload"
    assert statuses(site, ids) == ["confirmed", "confirmed"]
    for booking_id in ids:
        assert page.locator(f"#approval-{booking_id}").count() == 0
    open_menu(page)
    page.locator("header details.menu summary", has=page.locator("#menu-count-booking")).click()
    browser.shot(page, "approvals-approved-several-zh-wide")


def test_on_a_phone_in_english_several_are_rejected_with_a_reason(browser, site):
    page = browser.open("/", viewport="narrow", language="en")
    sign_in(page, MANAGER)
    switch_language(page, "English")
    page.goto("/approvals")
    assert html_lang(page) == "en"
    assert scrolls_sideways(page) == []
    browser.shot(page, "approvals-en-narrow")
    before = waiting(page)
    rows, ids = decidable_rows(page, 2)
    for row in rows:
        row.get_by_role("checkbox").check()
    page.get_by_label("Reason for rejecting, sent to each firm").fill("The rooms are kept for the park's own event.")
    page.get_by_role("button", name="Reject the ticked bookings").click()
    outcomes = page.locator("#decision-outcomes li")
    expect(outcomes).to_have_count(2)
    for line in outcomes.all_inner_texts():
        assert line.startswith("Rejected: ") and " for " in line and "The firm is told why." in line, line
        assert not re.search(r"[\u4e00-\u9fff]", line.split(" for ")[0]), "the facility's English name"
    expect(page.locator("#nav-count-approvals")).to_have_text(re.compile(f"{before - 2}$"))
    expect(page.locator(".menu-toggle #menu-count-all")).to_have_text(re.compile(f"{before - 2}$"))
    assert page.locator(".menu-toggle #menu-count-all").is_visible(), "the phone's menu button shows what waits"
    assert statuses(site, ids) == ["rejected", "rejected"]
    assert scrolls_sideways(page) == []
    browser.shot(page, "approvals-rejected-several-en-narrow")


def test_in_chinese_on_a_phone_and_in_english_on_a_desktop_the_queue_reads_in_one_language(browser, site):
    phone = browser.open("/", viewport="narrow")
    sign_in(phone, MANAGER)
    phone.goto("/approvals")
    assert html_lang(phone) == "zh-Hans"
    assert "批准已勾选的预订" in phone.locator("main").inner_text() and "Approve" not in phone.locator("main").inner_text()
    assert scrolls_sideways(phone) == []
    rows, ids = decidable_rows(phone, 1)
    rows[0].get_by_role("button", name=re.compile("^批准")).click()
    expect(phone.locator("#decision-outcomes li")).to_have_text(re.compile("^已批准："))
    assert statuses(site, ids) == ["confirmed"]
    browser.shot(phone, "approvals-approved-one-zh-narrow")
    page = browser.open("/", viewport="wide", language="en")
    sign_in(page, MANAGER)
    switch_language(page, "English")
    page.goto("/approvals")
    main = page.locator("main").inner_text()
    assert "Approve the ticked bookings" in main and not re.search(r"已逾期|即将开始|批准", main)
    browser.shot(page, "approvals-en-wide")


def urgent_requests() -> None:
    """Two pending requests on a facility that needs approval: one started a quarter of an hour ago, one starting in three hours."""
    from datetime import timedelta

    from park.bookings.tables import Booking
    from park.facilities.tables import Facility
    from park.shared.clock import utc_now
    from tests.browser.conftest import _run

    async def work() -> None:
        facility = await Facility.select(Facility.id).where(Facility.requires_approval == True).first()  # noqa: E712
        sample = await Booking.select(Booking.tenant, Booking.user).first()
        now = utc_now()
        for start in (now - timedelta(minutes=15), now + timedelta(hours=3)):
            await Booking(facility=facility["id"], tenant=sample["tenant"], user=sample["user"], starts_at=start,
                          ends_at=start + timedelta(hours=1), occupied_until=start + timedelta(hours=1), seats=1,
                          status="pending", purpose="加急评审 / Urgent review", created_at=now - timedelta(days=1)).save()

    _run(work)


def test_overdue_and_soon_starting_requests_come_first_flagged_in_words(browser, site):
    urgent_requests()
    for language, viewport, overdue, soon in (("zh_Hans", "wide", "已逾期", "即将开始"), ("en", "narrow", "Overdue", "Starts soon")):
        page = browser.open("/", viewport=viewport, language=language)
        sign_in(page, MANAGER)
        if language == "en":
            switch_language(page, "English")
        page.goto("/approvals")
        # Overdue requests first, then those starting soon, then the rest (the demo base may have its own overdue ones).
        order = page.locator("#approvals-queue tbody tr").evaluate_all(
            "rows => rows.map(r => r.classList.contains('urgent-overdue') ? 0 : r.classList.contains('urgent-soon') ? 1 : 2)")
        assert order == sorted(order)
        rows = page.locator("#approvals-queue tbody tr").filter(has_text="Urgent review")
        assert overdue in rows.nth(0).inner_text() and "urgent-overdue" in rows.nth(0).get_attribute("class")
        assert soon in rows.nth(1).inner_text() and "urgent-soon" in rows.nth(1).get_attribute("class")
        assert rows.nth(0).get_by_role("button", name=re.compile("^(Approve|批准)")).count() == 0, "an overdue request can only be rejected"
        assert page.locator(".badge-overdue").first.is_visible() and page.locator(".badge-soon").first.is_visible()
        assert scrolls_sideways(page) == []
        browser.shot(page, f"approvals-urgent-{language}-{viewport}", full_page=False)
    # Rejecting the overdue one works; its reason reaches the firm.
    rows.nth(0).get_by_placeholder("Reason").fill("It started before anyone could decide.")
    rows.nth(0).get_by_role("button", name=re.compile("^Reject")).click()
    expect(page.locator("#decision-outcomes li")).to_have_text(re.compile("^Rejected: "))


def test_without_javascript_the_queue_is_a_plain_form(browser, site):
    page = browser.open("/", javascript=False)
    sign_in(page, MANAGER)
    page.goto("/approvals")
    before = waiting(page)
    rows, ids = decidable_rows(page, 2)
    for row in rows:
        row.locator("input[type=checkbox]").check()
    with page.expect_navigation():
        page.get_by_role("button", name="批准已勾选的预订").click()
    page.wait_for_url("**/approvals")
    messages = page.locator(".flash-success").all_inner_texts()
    assert len(messages) == 2 and all(message.startswith("已批准：") for message in messages)
    assert waiting(page) == before - 2
    assert statuses(site, ids) == ["confirmed", "confirmed"]
    browser.shot(page, "approvals-no-javascript-zh-desktop")
