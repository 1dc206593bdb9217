"""The README's pictures of the first screen come from here: run this test to refresh them.

park/static/screenshots/first-screen-en.png: a first visit on a 1366 px desktop, in English;
park/static/screenshots/first-screen-member-zh-phone.png: a member just signed in on a 360 px phone, in Chinese.
"""

from __future__ import annotations

from pathlib import Path

from tests.browser.steps import MEMBER, html_lang, scrolls_sideways, sign_in, visible_text

ROOT = Path(__file__).resolve().parents[2]
PICTURES = ROOT / "park" / "static" / "screenshots"


def test_the_readme_shows_the_first_screen_and_what_to_try_first(browser):
    PICTURES.mkdir(parents=True, exist_ok=True)
    visitor = browser.open("/", viewport="wide", language="en")
    assert html_lang(visitor) == "en" and "Book labs, studios and rooms of the base" in visible_text(visitor, "h1")
    assert scrolls_sideways(visitor) == []
    visitor.screenshot(path=str(PICTURES / "first-screen-en.png"))  # what the screen shows, not the whole page

    member = browser.open("/", viewport="narrow")
    sign_in(member, MEMBER)
    assert member.locator(".quick-links a[href='/find']").is_visible(), "a member is shown where to start"
    assert scrolls_sideways(member) == []
    member.screenshot(path=str(PICTURES / "first-screen-member-zh-phone.png"))

    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    for picture in ("first-screen-en.png", "first-screen-member-zh-phone.png"):
        assert f"park/static/screenshots/{picture}" in readme
    assert "## What to try first" in readme
