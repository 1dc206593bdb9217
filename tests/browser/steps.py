"""What a person does in the browser, in a few words each: open Park, sign in, switch language, take a picture."""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

DEMO_PASSWORD = "park-demo-2026"
MEMBER = "member@dragonlight.demo"
TENANT_ADMIN = "admin@dragonlight.demo"
MANAGER = "manager@park.demo"

VIEWPORTS = {
    "desktop": {"width": 1280, "height": 860},
    "phone": {"width": 390, "height": 844},
    "narrow": {"width": 360, "height": 780},
    "wide": {"width": 1366, "height": 900},
}
LANGUAGE_HEADERS = {"zh_Hans": "zh-CN,zh;q=0.9", "en": "en-GB,en;q=0.9"}
CJK = re.compile(r"[\u4e00-\u9fff]")


@dataclass
class Browser:
    """Fresh browser profiles against one served Park; collects script errors and CSP violations."""

    chromium: Any
    base_url: str
    screenshots: Path
    contexts: list[Any] = field(default_factory=list)
    problems: list[str] = field(default_factory=list)

    def open(self, path: str = "/", *, viewport: str = "desktop", language: str = "zh_Hans",
             javascript: bool = True, touch: bool = False) -> Any:
        """A new visitor (no cookies) whose browser asks for `language`, on `path`; `touch`: a touch screen."""
        context = self.chromium.new_context(
            base_url=self.base_url,
            viewport=VIEWPORTS[viewport],
            extra_http_headers={"Accept-Language": LANGUAGE_HEADERS[language]},
            locale="zh-CN" if language == "zh_Hans" else "en-GB",
            timezone_id="Asia/Shanghai",
            java_script_enabled=javascript,
            accept_downloads=True,
            has_touch=touch,
        )
        context.set_default_timeout(10_000)
        self.contexts.append(context)
        page = context.new_page()
        page.on("pageerror", lambda error: self.problems.append(f"script error: {error}"))
        page.on("response", lambda response: self.problems.append(f"{response.status} for {response.url}")
                if response.status >= 400 and response.request.resource_type != "document" else None)
        page.on("console", lambda message: self.problems.append(f"console {message.type}: {message.text}")
                if message.type == "error" and "Failed to load resource" not in message.text else None)
        page.goto(path)
        return page

    def shot(self, page: Any, name: str, *, full_page: bool = True) -> Path:
        """A screenshot in tests/screenshots/ (git-ignored), named for the step: the full page, or what the screen shows."""
        path = self.screenshots / f"{name}.png"
        page.screenshot(path=str(path), full_page=full_page)
        return path

    def close(self) -> None:
        for context in self.contexts:
            context.close()


def sign_in(page: Any, email: str, password: str = DEMO_PASSWORD) -> None:
    """Use the header's sign-in link and the form, as a person would."""
    open_menu(page)
    page.locator("header a[href^='/login']").click()
    page.locator("#email").fill(email)
    page.locator("#password").fill(password)
    with page.expect_navigation():
        page.locator("main form button[type=submit]").click()


def zh(text: str) -> str:
    """The Chinese a page shows for an English text (from the catalogs), so tests follow translation edits."""
    from park.shared.i18n import translate

    return translate("zh_Hans", text)


def words_of(language: str):
    """What a page in `language` shows for an English text: `zh` for Chinese, the text itself for English."""
    return zh if language == "zh_Hans" else (lambda text: text)


def open_menu(page: Any) -> None:
    """On a phone-width screen the navigation folds behind the menu button."""
    toggle = page.locator(".menu-toggle")
    if toggle.is_visible() and toggle.get_attribute("aria-expanded") != "true":
        toggle.click()


def follow_nav(page: Any, path: str) -> None:
    """Click the header's link to `path`, opening the phone menu and the link's header menu first."""
    open_menu(page)
    link = page.locator(f"header a[href='{path}']").first
    menu = page.locator("header details.menu").filter(has=page.locator(f"a[href='{path}']")).first
    if menu.count() and menu.get_attribute("open") is None:
        menu.locator("summary").click()
    with page.expect_navigation():
        link.click()


def say_yes(page: Any) -> None:
    """Answer "Yes" on the confirmation step of an act hard to undo: its dialog (JavaScript) or its page (without)."""
    yes = page.locator("[data-confirm-summary] button[type=submit]").first
    yes.wait_for(state="visible")
    with page.expect_navigation():
        yes.click()


def switch_language(page: Any, language_name: str) -> None:
    open_menu(page)
    with page.expect_navigation():
        page.get_by_role("button", name=language_name).click()


def html_lang(page: Any) -> str:
    return page.evaluate("document.documentElement.lang")


def visible_text(page: Any, selector: str = "body") -> str:
    return page.locator(selector).first.inner_text()


def scrolls_sideways(page: Any) -> list[str]:
    """What scrolls sideways: elements sticking out past the screen's right edge, and boxes (a `.table-wrap`)
    whose content is wider than they are, so the reader would have to scroll them. Empty when nothing does.

    Only the booking grid (`.grid-scroll`) and a facility's photo strip (`.facility-photos`) pan sideways by
    design: a day of slots is wider than a phone, and photos are swiped through one after another.
    """
    page.wait_for_load_state()  # a click may have started a navigation: measure the page it leads to
    return page.evaluate("""() => {
      const out = [];
      const name = el => `${el.tagName.toLowerCase()}.${[...el.classList].join(".")}`;
      const ignored = el => el.closest(".visually-hidden, .skip-link, .grid-scroll, .facility-photos");
      if (document.documentElement.scrollWidth > window.innerWidth + 1) {
        for (const el of document.querySelectorAll("body *")) {
          const box = el.getBoundingClientRect();
          if (box.right > window.innerWidth + 1 && !ignored(el))
            out.push(`${name(el)} (${Math.round(box.right)}px)`);
        }
        if (!out.length) out.push(`page ${document.documentElement.scrollWidth}px wide`);
      }
      for (const el of document.querySelectorAll("body *")) {
        const style = getComputedStyle(el);
        if (!["auto", "scroll"].includes(style.overflowX) || ignored(el) || !el.getClientRects().length) continue;
        if (el.scrollWidth > el.clientWidth + 1)
          out.push(`${name(el)} scrolls its content (${el.scrollWidth}px in ${el.clientWidth}px)`);
      }
      return out.slice(0, 10);
    }""")


# WCAG 2 contrast of every visible text against the colour behind it; text over an image or gradient is skipped.
_CONTRAST_JS = """() => {
  const rgba = value => { const m = value.match(/rgba?\\(([^)]+)\\)/); if (!m) return null;
    const p = m[1].split(/[ ,\\/]+/).filter(Boolean).map(Number); return [p[0], p[1], p[2], p.length > 3 ? p[3] : 1]; };
  const lum = c => { const f = v => { v /= 255; return v <= 0.03928 ? v / 12.92 : Math.pow((v + 0.055) / 1.055, 2.4); };
    return 0.2126 * f(c[0]) + 0.7152 * f(c[1]) + 0.0722 * f(c[2]); };
  const behind = element => { for (let e = element; e; e = e.parentElement) { const s = getComputedStyle(e);
      if (s.backgroundImage !== "none") return null; const c = rgba(s.backgroundColor); if (c && c[3] > 0.5) return c; }
    return [255, 255, 255, 1]; };
  const out = [];
  for (const element of document.querySelectorAll("body *")) {
    if (element.closest("svg, .visually-hidden, .skip-link")) continue;
    const own = [...element.childNodes].some(n => n.nodeType === 3 && n.textContent.trim());
    if (!own || !element.getClientRects().length) continue;
    const style = getComputedStyle(element);
    if (style.visibility === "hidden" || Number(style.opacity) < 0.5) continue;
    const back = behind(element); const fore = rgba(style.color); if (!back || !fore) continue;
    const [a, b] = [lum(fore), lum(back)]; const ratio = (Math.max(a, b) + 0.05) / (Math.min(a, b) + 0.05);
    const size = parseFloat(style.fontSize); const bold = Number(style.fontWeight) >= 700;
    const needed = size >= 24 || (bold && size >= 18.66) ? 3 : 4.5;
    if (ratio < needed) out.push(`${element.tagName.toLowerCase()} "${element.textContent.trim().slice(0, 30)}" ${ratio.toFixed(2)}:1`);
  }
  return out.slice(0, 10);
}"""


def low_contrast(page: Any) -> list[str]:
    """Texts whose contrast with their background is below WCAG AA (4.5:1, or 3:1 for large text)."""
    return page.evaluate(_CONTRAST_JS)


def box_of(element) -> dict:
    """The element's box on screen, asked again while a live re-read swaps the grid under it."""
    for _ in range(20):
        box = element.bounding_box()
        if box is not None:
            return box
        element.page.wait_for_timeout(100)
    raise AssertionError(f"{element} is not on screen")
