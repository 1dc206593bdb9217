"""The header's count of bookings waiting for approval follows bookings made elsewhere while a manager
watches the dashboard, without a reload (the dashboard's live re-read carries the header's counts)."""

from __future__ import annotations

import re
from datetime import datetime, timedelta

import httpx
from playwright.sync_api import expect

from tests.browser.steps import MANAGER, MEMBER, open_menu, scrolls_sideways, sign_in
from tests.browser.test_live_updates import LIVE_WITHIN_MS, SHANGHAI, note_when_live, token, watching


def book_something_that_needs_approval(site: str) -> dict:
    facilities = httpx.get(f"{site}/api/v1/facilities", params={"limit": 100}).json()["items"]
    approval = [f for f in facilities if f["requires_approval"] and f["booking_mode"] == "instant"
                and not f["requires_authorization"]]
    member = token(site, MEMBER)
    for facility in approval:
        for days_ahead in range(3, 20):
            day = datetime.now(SHANGHAI).date() + timedelta(days=days_ahead)
            if day.weekday() >= 5:
                continue
            starts_at = datetime(day.year, day.month, day.day, 10, tzinfo=SHANGHAI)
            response = httpx.post(f"{site}/api/v1/bookings", headers={"Authorization": f"Bearer {member}"}, json={
                "facility_id": facility["id"], "starts_at": starts_at.isoformat(),
                "ends_at": (starts_at + timedelta(hours=1)).isoformat()})
            if response.status_code == 201:
                return response.json()
    raise AssertionError("no facility that needs approval had a free hour")


def count_of(page, element_id: str) -> int:
    return int(re.findall(r"\d+", page.locator(f"#{element_id}").text_content().replace(",", ""))[-1])


def test_the_headers_approvals_count_follows_a_booking_made_elsewhere(browser, site):
    for language, viewport in (("zh_Hans", "wide"), ("en", "narrow")):
        dashboard = browser.open("/", viewport=viewport, language=language)
        note_when_live(dashboard)
        sign_in(dashboard, MANAGER)
        dashboard.goto("/dashboard")
        watching(dashboard)
        dashboard.evaluate("window.__sameDocument = true")
        before = count_of(dashboard, "nav-count-approvals")
        assert count_of(dashboard, "menu-count-all") == before
        booked = book_something_that_needs_approval(site)
        assert booked["status"] == "pending"
        for element_id in ("nav-count-approvals", "menu-count-booking", "menu-count-all"):
            expect(dashboard.locator(f"#{element_id}")).to_have_text(re.compile(rf"\D{before + 1}$"), timeout=LIVE_WITHIN_MS)
        assert dashboard.evaluate("window.__sameDocument === true"), "no reload"
        open_menu(dashboard)
        assert scrolls_sideways(dashboard) == []
        browser.shot(dashboard, f"live-header-count-{language}-{viewport}")


def test_on_any_other_page_the_count_catches_up_within_half_a_minute_and_when_the_tab_returns(browser, site):
    page = browser.open("/", viewport="wide", language="en")
    sign_in(page, MANAGER)
    page.clock.install()
    page.goto("/facilities")
    page.evaluate("window.__sameDocument = true")
    before = count_of(page, "nav-count-approvals")
    book_something_that_needs_approval(site)
    page.clock.run_for(31_000)
    expect(page.locator("#nav-count-approvals")).to_have_text(re.compile(rf"\D{before + 1}$"), timeout=5_000)
    book_something_that_needs_approval(site)
    page.evaluate("document.dispatchEvent(new Event('visibilitychange'))")  # the tab comes back into view
    expect(page.locator("#menu-count-all")).to_have_text(re.compile(rf"\D{before + 2}$"), timeout=5_000)
    assert page.evaluate("window.__sameDocument === true"), "no reload"
