"""A park manager's day on the dashboard: figures at a glance, approving and rejecting bookings."""

from __future__ import annotations

import re
import subprocess
import sys
from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

import httpx

from tests.browser.steps import DEMO_PASSWORD, MANAGER, follow_nav, html_lang, open_menu, scrolls_sideways, sign_in, switch_language


def booking_status(base_url: str, booking_id: int) -> str:
    """What the public API says about a booking, asked as the manager."""
    token = httpx.post(f"{base_url}/api/v1/auth/token", json={"email": MANAGER, "password": DEMO_PASSWORD}).json()["token"]
    response = httpx.get(f"{base_url}/api/v1/bookings/{booking_id}", headers={"Authorization": f"Bearer {token}"})
    return response.json()["status"]


def first_pending_row(page):
    """The first booking in the dashboard's approval list, and its id."""
    row = page.locator("#approvals tbody tr").first
    return row, int(row.get_attribute("id").removeprefix("approval-"))


def test_a_manager_approves_a_booking_from_the_dashboard_without_a_page_reload(browser, site):
    page = browser.open("/")
    sign_in(page, MANAGER)
    page.wait_for_url("**/dashboard")  # a manager lands on the dashboard
    follow_nav(page, "/dashboard")
    assert page.locator("h1").inner_text() == "管理看板"
    row, booking_id = first_pending_row(page)
    assert booking_status(site, booking_id) == "pending"
    browser.shot(page, "dashboard-zh-desktop")
    page.evaluate("window.__sameDocument = true")
    row.get_by_role("button", name="批准").click()
    # The row says so, then leaves the list when it re-reads itself live; the status line keeps the message.
    page.locator("#decision-status", has_text="已批准：").wait_for()
    assert page.evaluate("window.__sameDocument === true"), "htmx swapped the row; the page did not reload"
    assert booking_status(site, booking_id) == "confirmed"
    browser.shot(page, "dashboard-approved-zh-desktop")
    assert browser.problems == []


def test_a_manager_on_a_phone_rejects_a_booking_with_a_reason_in_english(browser, site):
    page = browser.open("/", viewport="phone", language="en")
    sign_in(page, MANAGER)
    switch_language(page, "English")
    page.goto("/dashboard")
    assert html_lang(page) == "en"
    assert scrolls_sideways(page) == []
    browser.shot(page, "dashboard-en-phone")
    row, booking_id = first_pending_row(page)
    row.get_by_text("Reject…").click()
    row.get_by_label("Reason, sent to the firm").fill("The room is reserved for the park's own event.")
    row.get_by_role("button", name="Reject", exact=True).click()
    page.locator("#decision-status", has_text="Rejected: ").wait_for()
    assert booking_status(site, booking_id) == "rejected"
    browser.shot(page, "dashboard-rejected-en-phone")


def test_approving_works_without_javascript_too(browser, site):
    page = browser.open("/", javascript=False)
    sign_in(page, MANAGER)
    page.goto("/dashboard")
    row, booking_id = first_pending_row(page)
    row.get_by_role("button", name="批准").click()
    page.wait_for_url("**/dashboard*")
    assert page.get_by_role("status").first.inner_text().startswith("已批准：")
    assert page.locator(f"#approval-{booking_id}").count() == 0
    assert booking_status(site, booking_id) == "confirmed"
    browser.shot(page, "dashboard-no-javascript-zh-desktop")


def test_the_dashboard_figures_refresh_themselves_every_minute(browser, site):
    page = browser.open("/")
    sign_in(page, MANAGER)
    page.clock.install()
    page.goto("/dashboard")
    waiting = page.locator("#glance a[href='#approvals'] .stat-value")
    before = int(waiting.inner_text().replace(",", ""))
    _row, booking_id = first_pending_row(page)
    # Another manager decides a booking meanwhile.
    token = httpx.post(f"{site}/api/v1/auth/token", json={"email": MANAGER, "password": DEMO_PASSWORD}).json()["token"]
    decided = httpx.post(f"{site}/api/v1/bookings/{booking_id}/approve", headers={"Authorization": f"Bearer {token}"})
    assert decided.status_code == 200, decided.text
    page.evaluate("window.__sameDocument = true")
    page.clock.run_for(61_000)
    from playwright.sync_api import expect

    # expect() polls through Playwright's selector engine: the page's CSP forbids evaluating strings.
    expect(waiting).to_have_text(f"{before - 1:,}")
    assert page.evaluate("window.__sameDocument === true")


def test_the_dashboard_shows_the_latest_report_with_its_chart_and_leads_to_it(browser, site):
    today = datetime.now(ZoneInfo("Asia/Shanghai")).date()
    last_month = (today.replace(day=1) - timedelta(days=1)).strftime("%Y-%m")
    produced = subprocess.run([sys.executable, "-m", "park.cli", "report", "run", "--kind", "monthly", "--period", last_month],
                              capture_output=True, text=True, timeout=120)
    assert produced.returncode == 0, produced.stderr
    page = browser.open("/", language="en")
    sign_in(page, MANAGER)
    switch_language(page, "English")
    page.goto("/dashboard")
    latest = page.locator("section", has=page.get_by_role("heading", name="Latest report"))
    assert latest.get_by_role("img", name=re.compile("Utilization by facility kind")).is_visible()
    browser.shot(page, "dashboard-with-report-en-desktop")
    # The latest by period: last month's, unless the demo holds a newer daily or weekly one.
    latest.get_by_role("link", name=re.compile(r"(Daily|Weekly|Monthly) report for \d{4}-")).click()
    page.wait_for_url("**/reports/snapshots/*")
    assert page.locator("h1").is_visible()
    browser.shot(page, "snapshot-en-desktop")


def test_a_decision_someone_else_already_made_shows_a_clear_page_instead_of_nothing(browser, site):
    page = browser.open("/")
    sign_in(page, MANAGER)
    page.goto("/dashboard")
    row, booking_id = first_pending_row(page)
    token = httpx.post(f"{site}/api/v1/auth/token", json={"email": MANAGER, "password": DEMO_PASSWORD}).json()["token"]
    httpx.post(f"{site}/api/v1/bookings/{booking_id}/reject", headers={"Authorization": f"Bearer {token}"})
    # htmx gets 409; park.js then sends the form the ordinary way, and the error page explains.
    with page.expect_navigation():
        row.get_by_role("button", name="批准").click()
    assert page.locator(".error-status").inner_text() == "409"
    # The refused htmx request is expected here; any other problem still fails the test.
    assert any(" 409 " in f" {problem} " or problem.startswith("409 ") for problem in browser.problems)
    browser.problems[:] = [problem for problem in browser.problems if "409" not in problem]
    assert html_lang(page) == "zh-Hans"
    assert "Only pending" not in page.locator("main").inner_text()
    browser.shot(page, "dashboard-stale-decision-zh-desktop")
