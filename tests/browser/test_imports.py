"""A manager moves firms in from a spreadsheet: sees the problem rows, corrects the file, imports it."""

from __future__ import annotations

from tests import support
from tests.browser.steps import MANAGER, scrolls_sideways, sign_in, visible_text

HEADINGS = "uscc,name,name_en,sector,staff_count"


def upload(page, name: str, text: str) -> None:
    page.locator("#kind").select_option("tenants")
    page.locator("#file").set_input_files(files=[{"name": name, "mimeType": "text/csv", "buffer": text.encode()}])
    with page.expect_navigation():
        page.locator("form[action='/imports/preview'] button[type=submit]").click()


def test_a_manager_previews_a_file_with_a_bad_row_then_imports_the_corrected_one(browser):
    phone = browser.open("/imports", viewport="narrow", language="en")
    sign_in(phone, MANAGER)
    phone.goto("/imports")
    good = f"{support.make_uscc(201)},云帆数字出版,Cloudsail Digital,digital_publishing,12"
    upload(phone, "firms.csv", "\n".join([HEADINGS, good, f"{support.make_uscc(202)},无名公司,,no_sector,5"]))
    text = visible_text(phone, "main")
    assert "Row 3, sector" in text and "Import these" not in text
    assert scrolls_sideways(phone) == []
    browser.shot(phone, "import-problems-en-narrow")

    desk = browser.open("/imports", viewport="wide")
    sign_in(desk, MANAGER)
    desk.goto("/imports")
    upload(desk, "firms.csv", "\n".join([HEADINGS, good]))
    browser.shot(desk, "import-preview-zh-wide")
    with desk.expect_navigation():
        desk.locator("form[action='/imports/confirm'] button").click()
    assert "新建 1 条" in visible_text(desk, "main")
