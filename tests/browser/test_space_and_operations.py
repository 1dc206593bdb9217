"""A firm applies for office space and reads its outcome; a manager allocates, closes a lab, downloads a month."""

from __future__ import annotations

from datetime import date, datetime, timedelta
from zoneinfo import ZoneInfo

from tests.browser.steps import MANAGER, TENANT_ADMIN, follow_nav, html_lang, say_yes, scrolls_sideways, sign_in, switch_language, zh

SHANGHAI = ZoneInfo("Asia/Shanghai")


def first_of_next_month(today: date) -> date:
    return (today.replace(day=1) + timedelta(days=32)).replace(day=1)


def nav_link(page, path: str) -> None:
    follow_nav(page, path)


def test_a_firm_applies_for_200_m2_of_office_and_reads_its_rank_and_explanation_after_a_round(browser):
    # The firm's administrator, in English.
    firm = browser.open("/", language="en")
    sign_in(firm, TENANT_ADMIN)
    switch_language(firm, "English")
    nav_link(firm, "/space")
    firm.locator("main a[href='/space/apply']").first.click()
    firm.get_by_label("Unit kind").select_option(label="Office")
    firm.get_by_label("Smallest area (m²)").fill("180")
    firm.get_by_label("Largest area (m²)").fill("150")  # a slip: smaller than the smallest
    start = first_of_next_month(datetime.now(SHANGHAI).date())
    firm.get_by_label("Start date").fill(start.isoformat())
    firm.get_by_label("Term (months)").fill("24")
    firm.get_by_label("Why you need the space").fill("Our motion-capture team grows from 12 to 30 people.")
    with firm.expect_navigation():
        firm.get_by_role("button", name="Apply", exact=True).click()
    assert "/space/apply" in firm.url, "a wrong form is shown again"
    assert firm.get_by_label("Why you need the space").input_value().startswith("Our motion-capture team"), "input is kept"
    assert firm.locator(".field-error").first.is_visible()
    browser.shot(firm, "space-apply-error-en-desktop")
    firm.get_by_label("Largest area (m²)").fill("220")
    firm.get_by_role("button", name="Apply", exact=True).click()
    firm.wait_for_url("**/space/applications/*")
    application_url = firm.url
    assert "How the score was reached" in firm.locator("main").inner_text()
    browser.shot(firm, "space-application-en-desktop")

    # The manager runs a round and confirms it, in Chinese.
    manager = browser.open("/")
    sign_in(manager, MANAGER)
    nav_link(manager, "/allocation")
    manager.get_by_role("button", name=zh("Run a round")).click()
    manager.wait_for_url("**/allocation/rounds/*")
    browser.shot(manager, "allocation-round-proposed-zh-desktop")
    manager.get_by_role("button", name=zh("Confirm the round")).click()
    assert zh("Leases to sign") in manager.locator("dialog [data-confirm-summary]").inner_text()
    say_yes(manager)
    assert manager.locator("form[action$='/confirm']").count() == 0, "a confirmed round offers no second confirmation"
    browser.shot(manager, "allocation-round-confirmed-zh-desktop")

    # Later, the firm reads its rank and the reason in plain words.
    firm.goto(application_url)
    text = firm.locator("main").inner_text()
    assert "Rank" in text
    outcome = firm.locator("section", has=firm.get_by_role("heading", name="Outcome"))
    assert outcome.is_visible()
    assert len(outcome.inner_text()) > 40, "the explanation is a sentence, not a code"
    browser.shot(firm, "space-application-outcome-en-desktop")
    assert browser.problems == []


def test_a_manager_blacks_out_a_lab_for_maintenance_on_a_phone(browser):
    page = browser.open("/", viewport="phone")
    sign_in(page, MANAGER)
    nav_link(page, "/facilities")
    page.get_by_label(zh("Kind")).select_option(value="lab")
    page.get_by_role("button", name=zh("Filter")).click()
    page.get_by_role("link", name="交互设计实验室").click()
    page.get_by_role("link", name=zh("Blackouts")).click()
    day = datetime.now(SHANGHAI).date() + timedelta(days=20)
    page.get_by_label(zh("From")).fill(f"{day.isoformat()}T09:00")
    page.get_by_label(zh("Until")).fill(f"{day.isoformat()}T18:00")
    page.get_by_label(zh("Reason")).fill("空调检修")
    page.get_by_role("button", name=zh("Close for this period")).click()
    dialog = page.locator("dialog.confirm-dialog")  # what the blackout cancels, asked first
    dialog.wait_for(state="visible")
    with page.expect_navigation():
        dialog.locator("button[type=submit]").click()
    assert page.locator("table", has_text="空调检修").is_visible()
    assert scrolls_sideways(page) == []
    browser.shot(page, "blackout-zh-phone")


def test_a_manager_downloads_last_months_occupancy_as_a_workbook(browser):
    page = browser.open("/")
    sign_in(page, MANAGER)
    nav_link(page, "/reports")
    this_month = datetime.now(SHANGHAI).date().replace(day=1)
    last_month = (this_month - timedelta(days=1)).replace(day=1)
    page.get_by_label(zh("From")).fill(last_month.isoformat())
    page.get_by_label(zh("To (exclusive)")).fill(this_month.isoformat())
    with page.expect_navigation():
        page.get_by_role("button", name=zh("Show"), exact=True).click()
    browser.shot(page, "reports-month-zh-desktop")
    with page.expect_download() as arrival:
        page.get_by_role("link", name=zh("Download Excel")).click()
    download = arrival.value
    path = download.path()
    assert download.suggested_filename.endswith(".xlsx")
    with open(path, "rb") as workbook:
        assert workbook.read(2) == b"PK", "an XLSX file is a zip archive"


def test_registering_a_firm_with_a_wrong_credit_code_keeps_everything_typed(browser):
    page = browser.open("/")
    sign_in(page, MANAGER)
    page.goto("/tenants/new")
    page.get_by_label(zh("Registered name (Chinese)")).fill("深圳湾光年互动科技有限公司")
    page.get_by_label(zh("English name")).fill("Bay Lightyear Interactive")
    page.get_by_label(zh("Unified social credit code")).fill("91440300MA5ABCDE1X")  # wrong check character
    page.get_by_label(zh("Staff")).fill("42")
    with page.expect_navigation():
        page.locator("main form button[type=submit]").last.click()
    code = page.get_by_label(zh("Unified social credit code"))
    assert code.get_attribute("aria-invalid") == "true"
    assert code.input_value() == "91440300MA5ABCDE1X"
    assert page.get_by_label(zh("Registered name (Chinese)")).input_value() == "深圳湾光年互动科技有限公司"
    assert page.get_by_label(zh("Staff")).input_value() == "42"
    browser.shot(page, "tenant-form-error-zh-desktop")
