"""A member books from the day timeline and a facility's week: drag, keyboard, no JavaScript, phone and desktop."""

from __future__ import annotations

from datetime import datetime, timedelta
from urllib.parse import parse_qs, urlparse
from zoneinfo import ZoneInfo

import pytest

from park.shared import live
from tests.browser.steps import MEMBER, box_of, scrolls_sideways, sign_in, words_of

SHANGHAI = ZoneInfo("Asia/Shanghai")

# The first run of `count` touching free cells in one row: its row's facility and the cells' indexes and times.
FREE_RUN_JS = """([count, exclude]) => {
  const rows = [...document.querySelectorAll('#live-grid tr.grid-row')];
  for (const [r, row] of rows.entries()) {
    if (row.dataset.facility === exclude) continue;
    const cells = [...row.querySelectorAll('td.cell')];
    for (let i = 0; i + count <= cells.length; i++) {
      const run = cells.slice(i, i + count);
      const free = run.every(c => c.dataset.bookable === 'true');
      const touching = run.every((c, k) => k === 0 || run[k - 1].dataset.end === c.dataset.start);
      if (free && touching && Number(row.dataset.min) <= 30 * count)
        return {row: r, first: i, facility: row.dataset.facility, name: row.dataset.name,
                start: run[0].dataset.start, end: run[count - 1].dataset.end};
    }
  }
  return null;
}"""


def next_weekday(days_ahead: int) -> str:
    """The `days_ahead`-th working day from today, so that each test has a day of its own
    (counting calendar days and skipping weekends sent up to three tests to the same Monday)."""
    day = datetime.now(SHANGHAI).date()
    while days_ahead > 0:
        day += timedelta(days=1)
        days_ahead -= day.weekday() < 5
    return day.isoformat()


def cell_at(page, run, offset):
    return page.locator("#live-grid tr.grid-row").nth(run["row"]).locator("td.cell").nth(run["first"] + offset)


def in_view(cell) -> None:
    """Scroll the hours (and the page) so the cell sits mid-screen, clear of the sticky names column."""
    cell.evaluate("""c => {
      c.scrollIntoView({block: 'center'});
      const scroller = c.closest('.grid-scroll'), head = c.closest('tr').querySelector('th');
      scroller.scrollLeft = c.offsetLeft - head.offsetWidth - 8;
    }""")


def booked_form_times(page) -> tuple[str, str]:
    query = parse_qs(urlparse(page.url).query)
    return query["start"][0], query["end"][0]


def book_and_see_it(page, say, room: str) -> None:
    page.get_by_role("button", name=say("Book"), exact=True).click()
    page.wait_for_url("**/bookings")
    assert room in page.locator("main").inner_text()
    heard_by_open_pages(page)


def heard_by_open_pages(page) -> None:
    """Open pages hear of a change within a poll; a grid opened sooner may hear of it after it has loaded
    and re-read itself under the test's next gesture (harmless to a person, whose hand waits for the eye)."""
    page.wait_for_timeout(2000 * live.POLL_S)


@pytest.mark.parametrize(("viewport", "language", "days_ahead"), [("wide", "zh_Hans", 15), ("narrow", "en", 16)])
def test_a_member_drags_across_free_cells_of_the_timeline_and_books_them(browser, viewport, language, days_ahead):
    say = words_of(language)
    page = browser.open("/", viewport=viewport, language=language)
    sign_in(page, MEMBER)
    page.locator("main a[href='/timeline']").click()
    assert page.locator("#live-grid").is_visible()
    page.goto(f"/timeline?date={next_weekday(days_ahead)}&kind=meeting_room")
    assert scrolls_sideways(page) == [], "the page never scrolls sideways; the hours scroll inside the grid"
    browser.shot(page, f"timeline-{language}-{viewport}")

    run = page.evaluate(FREE_RUN_JS, [3, None])
    assert run, "the demo base has a free hour and a half in some meeting room"
    first, last = cell_at(page, run, 0), cell_at(page, run, 2)
    in_view(first)
    start_box, end_box = box_of(first), box_of(last)
    page.mouse.move(start_box["x"] + start_box["width"] / 2, start_box["y"] + start_box["height"] / 2)
    page.mouse.down()
    page.mouse.move(start_box["x"] + start_box["width"] * 1.5, start_box["y"] + start_box["height"] / 2, steps=3)
    page.mouse.move(end_box["x"] + end_box["width"] / 2, end_box["y"] + end_box["height"] / 2, steps=3)
    assert page.locator("#live-grid td.is-selected").count() == 3, "the dragged cells show as chosen"
    browser.shot(page, f"timeline-dragging-{language}-{viewport}")
    with page.expect_navigation():
        page.mouse.up()
    assert f"/facilities/{run['facility']}/book" in page.url
    assert booked_form_times(page) == (run["start"], run["end"])
    assert page.get_by_label(say("Start")).input_value() == run["start"]
    assert page.get_by_label(say("End")).input_value() == run["end"], "the form opens with the dragged end"
    book_and_see_it(page, say, run["name"])

    # The booking now shows as the member's own on the timeline.
    page.goto(f"/timeline?date={next_weekday(days_ahead)}&kind=meeting_room")
    own = page.locator(f"#live-grid tr[data-facility='{run['facility']}'] td.cell-own")
    assert own.count() == 3
    assert own.first.locator("a").get_attribute("aria-label").endswith(say("your booking"))
    browser.shot(page, f"timeline-own-booking-{language}-{viewport}")


@pytest.mark.parametrize(("viewport", "language", "days_ahead"), [("wide", "en", 17), ("narrow", "zh_Hans", 18)])
def test_a_keyboard_user_moves_through_the_cells_and_books_with_enter(browser, viewport, language, days_ahead):
    say = words_of(language)
    page = browser.open("/", viewport=viewport, language=language)
    sign_in(page, MEMBER)
    page.goto(f"/timeline?date={next_weekday(days_ahead)}&kind=meeting_room")
    run = page.evaluate(FREE_RUN_JS, [2, None])
    assert run
    tab_stops = page.locator("#live-grid [tabindex='0']")
    assert tab_stops.count() == 1, "the grid is one tab stop; arrow keys move inside it"
    start = cell_at(page, run, 0).locator(".cell-focus")
    start.focus()
    page.keyboard.press("ArrowRight")
    focused = page.evaluate("document.activeElement.getAttribute('aria-label')")
    assert focused.startswith(run["name"]) and run["end"][11:] in focused
    page.keyboard.press("ArrowLeft")
    page.keyboard.press("ArrowDown")
    page.keyboard.press("ArrowUp")
    assert page.evaluate("document.activeElement.getAttribute('aria-label')") == start.get_attribute("aria-label")
    page.keyboard.press("Shift+ArrowRight")
    status = page.locator("#live-grid [data-grid-status]")
    assert run["start"][11:] in status.inner_text() and run["end"][11:] in status.inner_text()
    browser.shot(page, f"timeline-keyboard-{language}-{viewport}")
    with page.expect_navigation():
        page.keyboard.press("Enter")
    assert booked_form_times(page) == (run["start"], run["end"])
    book_and_see_it(page, say, run["name"])


@pytest.mark.parametrize(("viewport", "language", "days_ahead"), [("narrow", "zh_Hans", 19), ("wide", "en", 20)])
def test_without_javascript_a_free_cell_leads_to_a_choice_of_length_then_the_form(browser, viewport, language, days_ahead):
    say = words_of(language)
    page = browser.open("/", viewport=viewport, language=language, javascript=False)
    sign_in(page, MEMBER)
    page.goto(f"/timeline?date={next_weekday(days_ahead)}&kind=meeting_room")
    assert scrolls_sideways(page) == []
    link = page.locator("#live-grid td[data-bookable] a").first
    room = link.get_attribute("aria-label").split(", " if language == "en" else "，")[0]
    link.click()
    assert page.get_by_role("heading", name=say("How long?")).is_visible()
    assert scrolls_sideways(page) == []
    browser.shot(page, f"timeline-choose-length-{language}-{viewport}")
    page.locator(".duration-choices a").first.click()
    assert page.get_by_label(say("Start")).input_value() and page.get_by_label(say("End")).input_value()
    book_and_see_it(page, say, room)


@pytest.mark.parametrize(("viewport", "language"), [("narrow", "en"), ("wide", "zh_Hans")])
def test_the_facility_week_starts_today_and_swipes_through_hours_on_a_phone(browser, viewport, language):
    say = words_of(language)
    page = browser.open("/", viewport=viewport, language=language)
    sign_in(page, MEMBER)
    page.goto("/facilities")
    page.locator("main a[href^='/facilities/']").first.click()
    rows = page.locator("#live-grid tr.grid-row")
    assert rows.count() == 7
    today = datetime.now(SHANGHAI).date().isoformat()
    assert rows.first.get_attribute("data-day") == today, "the week starts today"
    assert page.get_by_role("heading", name=say("Opening hours")).is_visible()
    assert page.get_by_text(say("Check-in"), exact=True).is_visible()
    assert scrolls_sideways(page) == []
    scroller = page.locator("#live-grid .grid-scroll")
    head = rows.nth(1).locator("th")
    before = head.bounding_box()["x"]
    if viewport == "narrow":
        assert scroller.evaluate("s => s.scrollWidth > s.clientWidth"), "the hours scroll inside the grid"
        scroller.evaluate("s => { s.scrollLeft = s.scrollWidth; }")
        assert scroller.evaluate("s => s.scrollLeft > 0")
        assert abs(head.bounding_box()["x"] - before) < 2, "the day stays in view while the hours move"
        assert scrolls_sideways(page) == []
    browser.shot(page, f"facility-week-{language}-{viewport}")


def test_the_phone_timeline_keeps_each_facility_on_one_row_and_the_page_still(browser):
    page = browser.open("/", viewport="narrow", language="zh_Hans")
    sign_in(page, MEMBER)
    page.goto(f"/timeline?date={next_weekday(21)}")
    rows = page.locator("#live-grid tr.grid-row")
    assert rows.count() > 20
    first = rows.first.bounding_box()
    heads = rows.first.locator("th").bounding_box()
    assert heads["width"] < 140 and first["height"] < 120, "a narrow name column, one facility per row"
    scroller = page.locator("#live-grid .grid-scroll")
    scroller.evaluate("s => { s.scrollLeft = 0; }")
    page.mouse.wheel(400, 0)
    assert scrolls_sideways(page) == []
    browser.shot(page, "timeline-zh_Hans-narrow-whole-park")


# The first full cell (another firm's booking) in any row: where a move is refused.
FULL_CELL_JS = """() => {
  const rows = [...document.querySelectorAll('#live-grid tr.grid-row')];
  for (const [r, row] of rows.entries()) {
    const cells = [...row.querySelectorAll('td.cell')];
    const i = cells.findIndex(c => c.classList.contains('cell-full'));
    if (i >= 0) return {row: r, first: i, facility: row.dataset.facility};
  }
  return null;
}"""


def drag(page, source, target) -> None:
    in_view(source)
    box = box_of(source)
    page.mouse.move(box["x"] + box["width"] / 2, box["y"] + box["height"] / 2)
    page.mouse.down()
    box = box_of(target)
    page.mouse.move(box["x"] + box["width"] / 2, box["y"] + box["height"] / 2, steps=4)
    with page.expect_navigation():
        page.mouse.up()


@pytest.mark.parametrize(("viewport", "language", "days_ahead"), [("wide", "en", 22)])
def test_a_member_drags_an_own_booking_to_another_room_and_a_taken_time_offers_alternatives(browser, viewport, language, days_ahead):
    say = words_of(language)
    page = browser.open("/", viewport=viewport, language=language)
    sign_in(page, MEMBER)
    timeline = f"/timeline?date={next_weekday(days_ahead)}&kind=meeting_room"
    page.goto(timeline)
    run = page.evaluate(FREE_RUN_JS, [2, None])
    page.goto(f"/facilities/{run['facility']}/book?start={run['start']}&end={run['end']}")
    book_and_see_it(page, say, run["name"])

    # Drop it on a free time of another room: moved, the same length.
    page.goto(timeline)
    own = page.locator(f"#live-grid tr[data-facility='{run['facility']}'] td.cell-own").first
    booking_path = own.locator("a").get_attribute("href")
    # The cell's link is not dragged as a link (dropped, the browser would open the booking instead of moving it).
    assert own.locator("a").evaluate("""a => {
      const event = new DragEvent('dragstart', {bubbles: true, cancelable: true});
      a.dispatchEvent(event);
      return event.defaultPrevented && !a.draggable;
    }""")
    target = page.evaluate(FREE_RUN_JS, [2, run["facility"]])
    drop = page.locator("#live-grid tr.grid-row").nth(target["row"]).locator("td.cell").nth(target["first"])
    drag(page, own, drop)
    assert page.url.endswith(booking_path)
    assert say("The booking was moved.") in page.locator("main").inner_text()
    assert page.get_by_label(say("Start")).input_value() == target["start"]
    browser.shot(page, f"timeline-moved-{language}-{viewport}")
    heard_by_open_pages(page)

    # Drop it on another firm's booking: refused, with free times to choose from, as on the booking page.
    page.goto(timeline)
    own = page.locator(f"#live-grid tr[data-facility='{target['facility']}'] td.cell-own").first
    full = page.evaluate(FULL_CELL_JS)
    assert full, "the demo base has taken meeting-room times"
    drag(page, own, page.locator("#live-grid tr.grid-row").nth(full["row"]).locator("td.cell").nth(full["first"]))
    assert page.get_by_role("heading", name=say("That time is taken. Free instead:")).is_visible()
    browser.shot(page, f"timeline-move-refused-{language}-{viewport}")
