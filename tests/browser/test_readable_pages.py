"""Every page of the main journeys reads right on a 360 px phone and a 1366 px desktop, in Chinese and English:
nothing scrolls sideways, no chart lettering is under 11 px, no status badge breaks over two lines.

Each page is saved as `readable-<width>-<language>-<who>-<page>.png` in tests/screenshots/.
"""

from __future__ import annotations

import re
from typing import Any

import pytest

from tests.browser.steps import MANAGER, MEMBER, TENANT_ADMIN, scrolls_sideways, sign_in

ADMIN = "admin@park.demo"
# Fixed pages of each journey, then pages reached by the first link matching a pattern on a page already seen.
JOURNEYS: dict[str, list[str]] = {
    MEMBER: ["/", "/facilities", "/find", "/timeline", "/bookings", "/bookings?show=past", "/waitlist",
             "/space", "/policy", "/account/password"],
    TENANT_ADMIN: ["/my-firm", "/my-firm/users", "/space/apply", "/statements", "/bookings?show=firm"],
    MANAGER: ["/dashboard", "/approvals", "/bookings?show=firm", "/facilities/manage", "/buildings", "/allocation",
              "/allocation/units", "/allocation/what-if", "/reports", "/reports/space", "/reports/snapshots",
              "/tenants", "/audit", "/statements/summary", "/imports", "/policy/history"],
    ADMIN: ["/staff"],
}
FOLLOWED: dict[str, list[tuple[str, str]]] = {
    MEMBER: [("/facilities", r"^/facilities/\d+$"), ("/bookings?show=past", r"^/bookings/\d+$")],
    TENANT_ADMIN: [],
    ADMIN: [],
    MANAGER: [("/facilities/manage", r"^/facilities/\d+/edit$"), ("/facilities/manage", r"^/facilities/\d+/authorizations$"),
              ("/allocation", r"^/space/applications/\d+$"),
              ("/reports/snapshots", r"^/reports/snapshots/\d+$"), ("/tenants", r"^/tenants/\d+$")],
}
WHO = {MEMBER: "member", TENANT_ADMIN: "firm-admin", MANAGER: "manager", ADMIN: "admin"}

# Lettering of every shown chart in CSS pixels: its font size times the chart's scale on the screen.
_CHART_TEXT_JS = """() => {
  const out = [];
  for (const text of document.querySelectorAll("svg text")) {
    if (!text.getClientRects().length) continue;
    const matrix = text.getScreenCTM(); if (!matrix) continue;
    const size = parseFloat(getComputedStyle(text).fontSize) * Math.hypot(matrix.a, matrix.b);
    if (size < 11 - 0.05) out.push(`"${text.textContent.slice(0, 20)}" ${size.toFixed(1)}px`);
  }
  return out.slice(0, 5);
}"""

# A badge whose words run over more than one line.
_WRAPPED_BADGES_JS = """() => {
  const out = [];
  for (const badge of document.querySelectorAll(".badge")) {
    if (!badge.getClientRects().length) continue;
    const range = document.createRange(); range.selectNodeContents(badge);
    const tops = new Set([...range.getClientRects()].filter(r => r.width > 0).map(r => Math.round(r.top)));
    if (tops.size > 1) out.push(badge.textContent.trim());
  }
  return out.slice(0, 5);
}"""


def small_chart_text(page: Any) -> list[str]:
    return page.evaluate(_CHART_TEXT_JS)


def wrapped_badges(page: Any) -> list[str]:
    return page.evaluate(_WRAPPED_BADGES_JS)


def _slug(path: str) -> str:
    return re.sub(r"[^a-z0-9]+", "-", path.lower()).strip("-") or "home"


def _visit(browser: Any, page: Any, path: str, name: str, found: dict[str, list[str]]) -> None:
    response = page.goto(path)
    assert response is not None and response.status < 400, (path, response and response.status)
    problems = [*scrolls_sideways(page),
                *(f"chart text {item}" for item in small_chart_text(page)),
                *(f"badge wraps: {item}" for item in wrapped_badges(page))]
    if problems:
        found[path] = problems
    browser.shot(page, name)


@pytest.mark.parametrize("language", ["zh_Hans", "en"])
@pytest.mark.parametrize("viewport", ["narrow", "wide"])
def test_every_page_of_the_main_journeys_is_readable(browser, viewport, language):
    width = 360 if viewport == "narrow" else 1366
    lang = "zh" if language == "zh_Hans" else "en"
    found: dict[str, list[str]] = {}
    visited = 0
    for email, paths in JOURNEYS.items():
        page = browser.open("/login", viewport=viewport, language=language)
        sign_in(page, email)
        for path in paths:
            _visit(browser, page, path, f"readable-{width}-{lang}-{WHO[email]}-{_slug(path)}", found)
            visited += 1
        for listing, pattern in FOLLOWED[email]:
            page.goto(listing)
            hrefs = page.eval_on_selector_all("main a[href]", "links => links.map(a => a.getAttribute('href'))")
            target = next((href for href in hrefs if re.match(pattern, href)), None)
            assert target, f"no link like {pattern} on {listing}"
            _visit(browser, page, target, f"readable-{width}-{lang}-{WHO[email]}-{_slug(re.sub(r'[0-9]+', 'n', target))}", found)
            visited += 1
    assert visited >= 38
    assert found == {}, "\n".join(f"{path}: {items}" for path, items in found.items())


def test_the_checks_notice_a_page_that_scrolls_small_chart_text_and_a_wrapped_badge(browser):
    page = browser.open("/login", viewport="narrow")
    sign_in(page, MANAGER)
    page.goto("/reports")
    assert small_chart_text(page) == [] and wrapped_badges(page) == [] and scrolls_sideways(page) == []
    page.evaluate("""() => {
      document.querySelector('.chart-at:not([style]) svg, .chart svg').closest('.chart-layouts').style.width = '120px';
      const badge = document.createElement('span'); badge.className = 'badge'; badge.style.whiteSpace = 'normal';
      badge.style.width = '3em'; badge.textContent = 'Pending approval today'; document.querySelector('main').append(badge);
      const wrap = document.querySelector('.table-wrap'); wrap.querySelector('table').className = '';
      wrap.querySelector('table').style.minWidth = '900px';
    }""")
    assert small_chart_text(page), "a chart squeezed into 120 px has lettering under 11 px"
    assert wrapped_badges(page) == ["Pending approval today"]
    assert any("scrolls its content" in item for item in scrolls_sideways(page)), "a table scrolling inside its box"
