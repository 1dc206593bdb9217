"""On the day timeline a member moves a booking with the keyboard alone, and books on a touch screen with a long press."""

from __future__ import annotations

import pytest

from tests.browser.steps import MEMBER, box_of, sign_in, words_of
from tests.browser.test_timeline import FREE_RUN_JS, book_and_see_it, booked_form_times, cell_at, in_view, next_weekday

# A meeting room with four touching free half-hours and, later or earlier the same day, a time another firm holds.
ROOM_JS = """() => {
  const rows = [...document.querySelectorAll('#live-grid tr.grid-row')];
  for (const [r, row] of rows.entries()) {
    const cells = [...row.querySelectorAll('td.cell')];
    const full = cells.findIndex(c => c.classList.contains('cell-full'));
    if (full < 0 || Number(row.dataset.min) > 60) continue;
    for (let i = 0; i + 4 <= cells.length; i++) {
      const run = cells.slice(i, i + 4);
      const free = run.every(c => c.dataset.bookable === 'true' && c.colSpan === run[0].colSpan);
      const touching = run.every((c, k) => k === 0 || run[k - 1].dataset.end === c.dataset.start);
      if (free && touching)
        return {row: r, first: i, full, facility: row.dataset.facility, name: row.dataset.name,
                start: run[0].dataset.start, end: run[1].dataset.end, new_start: run[2].dataset.start,
                new_end: run[3].dataset.end};
    }
  }
  return null;
}"""


def words(say, text: str) -> str:
    """The part of a message before its first placeholder: what a test can look for whatever fills it."""
    return say(text).split("%(")[0].strip()


def own_starts(page, facility: str) -> list[str]:
    return page.locator(f"#live-grid tr[data-facility='{facility}'] td.cell-own").evaluate_all(
        "cells => cells.map(c => c.dataset.start)")


@pytest.mark.parametrize(("viewport", "language", "days_ahead"), [("wide", "zh_Hans", 23), ("narrow", "en", 24)])
def test_a_keyboard_user_moves_an_own_booking_and_a_taken_time_is_refused_with_the_reason(browser, viewport, language, days_ahead):
    say = words_of(language)
    page = browser.open("/", viewport=viewport, language=language)
    sign_in(page, MEMBER)
    timeline = f"/timeline?date={next_weekday(days_ahead)}&kind=meeting_room"
    page.goto(timeline)
    room = page.evaluate(ROOM_JS)
    assert room, "the demo base has a meeting room with a free two hours and a taken time on one day"
    page.goto(f"/facilities/{room['facility']}/book?start={room['start']}&end={room['end']}")
    book_and_see_it(page, say, room["name"])
    page.goto(timeline)
    assert say("To move one of your bookings, go to it and press M, choose the new time with the arrow keys "
               "and press Enter (Escape leaves it). On a touch screen, hold a cell still for a moment, then drag; "
               "a swipe scrolls the hours.") in page.locator("#live-grid .grid-help-move").inner_text(), "the keys are explained"
    row = page.locator(f"#live-grid tr[data-facility='{room['facility']}']")
    status = page.locator("#live-grid [data-grid-status]")
    row.locator("td.cell-own .cell-focus").first.focus()
    page.keyboard.press("m")
    assert words(say, "Moving your booking of %(facility)s, %(day)s %(start)s–%(end)s. Arrow keys choose the new time, "
                 "Enter moves it there, Escape leaves it where it is.") in status.inner_text()
    assert status.is_visible(), "while a booking is held its status shows on the screen too"
    page.keyboard.press("ArrowRight")
    page.keyboard.press("ArrowRight")
    drops = row.locator("td.is-drop")
    assert drops.count() == 2 and drops.first.get_attribute("data-start") == room["new_start"], "where it would land shows"
    assert room["new_start"][11:] in status.inner_text() and room["new_end"][11:] in status.inner_text()
    browser.shot(page, f"timeline-keyboard-move-{language}-{viewport}")
    with page.expect_navigation():
        page.keyboard.press("Enter")
    assert say("The booking was moved.") in page.locator("main").inner_text()
    assert page.get_by_label(say("Start")).input_value() == room["new_start"]

    page.goto(timeline)
    assert own_starts(page, room["facility"])[0] == room["new_start"], "it is at the new time"
    original = [cell_at(page, room, k) for k in (0, 1)]
    assert all(cell.get_attribute("data-bookable") == "true" for cell in original), "the original time is free again"

    # Onto another firm's booking: refused where it stands, with the reason; Escape leaves the booking as it was.
    row.locator("td.cell-own .cell-focus").first.focus()
    page.keyboard.press("m")
    presses = room["full"] - (room["first"] + 2)
    for _ in range(abs(presses)):
        page.keyboard.press("ArrowRight" if presses > 0 else "ArrowLeft")
    assert row.locator("td.is-refused").count() >= 1, "the taken cell shows as refused"
    refused = status.inner_text()
    assert words(say, "It cannot go to %(facility)s, %(day)s %(start)s–%(end)s: %(reason)s. "
                 "Choose another time with the arrow keys.") in refused
    assert say("full") in refused, "it says why: the time is full"
    browser.shot(page, f"timeline-keyboard-move-refused-{language}-{viewport}")
    page.keyboard.press("Enter")
    page.wait_for_timeout(300)
    assert page.url.endswith(timeline.split("/", 1)[1]) and row.locator("td.is-refused").count() >= 1, "Enter did not move it"
    page.keyboard.press("Escape")
    assert say("Not moved: the booking stays where it was.") in status.inner_text()
    assert row.locator("td.is-refused, td.is-drop").count() == 0
    page.reload()
    assert own_starts(page, room["facility"])[0] == room["new_start"], "the refused move changed nothing"


# Near an own booking (nearest rows first, within three cells of its start): a run of free cells as long as it.
NEAR_FREE_JS = """(facility) => {
  const rows = [...document.querySelectorAll('#live-grid tr.grid-row')];
  const home = rows.findIndex(r => r.dataset.facility === facility);
  const ownCells = [...rows[home].querySelectorAll('td.cell')].filter(c => c.classList.contains('cell-own'));
  const all = [...rows[home].querySelectorAll('td.cell')], start = all.indexOf(ownCells[0]), count = ownCells.length;
  const order = rows.map((r, i) => i).sort((a, b) => Math.abs(a - home) - Math.abs(b - home));
  for (const r of order) {
    const cells = [...rows[r].querySelectorAll('td.cell')];
    for (let i = Math.max(0, start - 3); i <= start + 3 && i + count <= cells.length; i++) {
      const run = cells.slice(i, i + count);
      if (run.every(c => c.dataset.bookable === 'true') && Number(rows[r].dataset.min) <= 30 * count)
        return {row: r, first: i, facility: rows[r].dataset.facility, start: run[0].dataset.start};
    }
  }
  return null;
}"""


def touch(cdp, kind: str, x: float | None = None, y: float | None = None) -> None:
    """One touch event as a touch screen sends it (Chromium's DevTools protocol)."""
    points = [] if x is None else [{"x": x, "y": y}]
    cdp.send("Input.dispatchTouchEvent", {"type": kind, "touchPoints": points})


def centre(locator) -> tuple[float, float]:
    box = box_of(locator)
    return box["x"] + box["width"] / 2, box["y"] + box["height"] / 2


@pytest.mark.parametrize(("viewport", "language", "days_ahead"), [("narrow", "zh_Hans", 25), ("wide", "en", 26)])
def test_on_a_touch_screen_a_swipe_scrolls_the_hours_and_a_long_press_books_or_moves(browser, viewport, language, days_ahead):
    say = words_of(language)
    page = browser.open("/", viewport=viewport, language=language, touch=True)
    sign_in(page, MEMBER)
    page.goto(f"/timeline?date={next_weekday(days_ahead)}&kind=meeting_room")
    run = page.evaluate(FREE_RUN_JS, [3, None])
    assert run
    first, last = cell_at(page, run, 0), cell_at(page, run, 2)
    cdp = page.context.new_cdp_session(page)
    scroller = page.locator("#live-grid .grid-scroll")

    # A plain swipe across free cells scrolls the hours and chooses nothing.
    in_view(first)
    before = scroller.evaluate("s => s.scrollLeft")
    x, y = centre(first)
    touch(cdp, "touchStart", x, y)
    for step in range(1, 9):
        touch(cdp, "touchMove", x - 15 * step, y)
    touch(cdp, "touchEnd")
    page.wait_for_timeout(400)
    assert page.locator("#live-grid td.is-selected").count() == 0, "a swipe chooses no time"
    assert "/timeline" in page.url
    if scroller.evaluate("s => s.scrollWidth > s.clientWidth"):
        assert scroller.evaluate("s => s.scrollLeft") > before, "the swipe scrolled the hours"

    # Hold the first cell still, then drag along the row: the cells are chosen, and lifting the finger books them.
    in_view(first)
    x, y = centre(first)
    touch(cdp, "touchStart", x, y)
    page.wait_for_timeout(600)
    assert page.locator("#live-grid td.is-selected").count() == 1, "the long press starts a choice"
    held_at = scroller.evaluate("s => s.scrollLeft")
    end_x, end_y = centre(last)
    for step in range(1, 7):
        touch(cdp, "touchMove", x + (end_x - x) * step / 6, y + (end_y - y) * step / 6)
    assert scroller.evaluate("s => s.scrollLeft") == held_at, "the drag does not scroll the hours"
    assert page.locator("#live-grid td.is-selected").count() == 3, "the dragged cells show as chosen"
    browser.shot(page, f"timeline-touch-long-press-{language}-{viewport}", full_page=False)
    with page.expect_navigation():
        touch(cdp, "touchEnd")
    assert f"/facilities/{run['facility']}/book" in page.url
    assert booked_form_times(page) == (run["start"], run["end"])
    book_and_see_it(page, say, run["name"])

    # Hold one's own booking, drag it to a free time nearby and lift the finger: it is moved there.
    page.goto(f"/timeline?date={next_weekday(days_ahead)}&kind=meeting_room")
    own = page.locator(f"#live-grid tr[data-facility='{run['facility']}'] td.cell-own").first
    target = page.evaluate(NEAR_FREE_JS, run["facility"])
    assert target, "a free time near the booking"
    drop = page.locator("#live-grid tr.grid-row").nth(target["row"]).locator("td.cell").nth(target["first"])
    in_view(own)
    cdp = page.context.new_cdp_session(page)
    x, y = centre(own)
    touch(cdp, "touchStart", x, y)
    page.wait_for_timeout(600)
    end_x, end_y = centre(drop)
    for step in range(1, 7):
        touch(cdp, "touchMove", x + (end_x - x) * step / 6, y + (end_y - y) * step / 6)
    assert page.locator("#live-grid td.is-drop").first.get_attribute("data-start") == target["start"], "where it lands shows"
    browser.shot(page, f"timeline-touch-move-{language}-{viewport}", full_page=False)
    with page.expect_navigation():
        touch(cdp, "touchEnd")
    assert say("The booking was moved.") in page.locator("main").inner_text()
    assert page.get_by_label(say("Start")).input_value() == target["start"]
