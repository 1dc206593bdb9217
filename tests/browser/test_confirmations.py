"""A manager closing a facility first sees the bookings it cancels and the firms it tells: a page without
JavaScript, a dialog with it; at phone and desktop widths, in both languages."""

from __future__ import annotations

from datetime import timedelta
from zoneinfo import ZoneInfo

from tests.browser.conftest import _run
from tests.browser.steps import MANAGER, scrolls_sideways, sign_in, visible_text, zh

SHANGHAI = ZoneInfo("Asia/Shanghai")


def _latest_booked_day() -> dict:
    """The demo's last confirmed booking (the one other journeys are least likely to need), with its firm."""
    found: dict = {}

    async def work() -> None:
        from park.bookings.tables import Booking
        from park.shared.clock import utc_now

        row = await Booking.select(
            Booking.facility, Booking.starts_at, Booking.tenant.name.as_alias("firm"),
            Booking.tenant.name_en.as_alias("firm_en"),
        ).where((Booking.status == "confirmed") & (Booking.starts_at > utc_now() + timedelta(days=2))).order_by(
            Booking.starts_at, ascending=False
        ).first()
        found.update(row)

    _run(work)
    return found


def _booking_statuses(facility_id: int) -> dict[int, str]:
    found: dict[int, str] = {}

    async def work() -> None:
        from park.bookings.tables import Booking

        rows = await Booking.select(Booking.id, Booking.status).where(Booking.facility == facility_id)
        found.update({row["id"]: row["status"] for row in rows})

    _run(work)
    return found


def _fill_blackout(page, day, language: str) -> None:
    t = zh if language == "zh_Hans" else (lambda text: text)
    page.get_by_label(t("From")).fill(f"{day.isoformat()}T00:00")
    page.get_by_label(t("Until")).fill(f"{day.isoformat()}T23:59")
    page.get_by_label(t("Reason")).fill("电力检修" if language == "zh_Hans" else "Power works")


def test_closing_a_facility_shows_what_it_cancels_first_with_and_without_javascript(browser):
    booked = _latest_booked_day()
    day = booked["starts_at"].astimezone(SHANGHAI).date()
    editor = f"/facilities/{booked['facility']}/blackouts"
    before = _booking_statuses(booked["facility"])
    journeys = [  # (javascript, viewport, language)
        (False, "narrow", "zh_Hans"), (False, "wide", "en"), (True, "narrow", "en"), (True, "wide", "zh_Hans"),
    ]
    for javascript, viewport, language in journeys:
        t = zh if language == "zh_Hans" else (lambda text: text)
        firm = booked["firm"] if language == "zh_Hans" else booked["firm_en"] or booked["firm"]
        name = f"blackout-confirm-{'js' if javascript else 'nojs'}-{language}-{viewport}"
        page = browser.open("/", viewport=viewport, language=language, javascript=javascript)
        sign_in(page, MANAGER)
        page.goto(editor)
        _fill_blackout(page, day, language)
        if not javascript:
            with page.expect_navigation():
                page.get_by_role("button", name=t("Close for this period")).click()
            summary = visible_text(page, "[data-confirm-summary]")
            assert t("Bookings to cancel") in summary and t("Firms to notify") in summary and firm in summary
            assert scrolls_sideways(page) == []
            browser.shot(page, name)
            with page.expect_navigation():
                page.get_by_role("link", name=t("No, go back")).click()
            assert page.url.endswith(editor)
        else:
            page.get_by_role("button", name=t("Close for this period")).click()
            dialog = page.locator("dialog.confirm-dialog")
            dialog.wait_for(state="visible")
            summary = dialog.inner_text()
            assert t("Bookings to cancel") in summary and firm in summary
            box = dialog.bounding_box()
            width = 360 if viewport == "narrow" else 1366
            assert box["x"] >= 0 and box["x"] + box["width"] <= width, "the dialog fits the screen"
            assert page.evaluate("document.activeElement.closest('dialog') !== null"), "focus moves into the dialog"
            browser.shot(page, name, full_page=False)
            if viewport == "narrow":
                dialog.get_by_role("link", name=t("No, go back")).click()
                dialog.wait_for(state="detached")
                assert page.url.endswith(editor)
        assert _booking_statuses(booked["facility"]) == before, "nothing is cancelled before the confirmation"
    # The last journey says yes, in the dialog.
    with page.expect_navigation():
        page.locator("dialog.confirm-dialog button[type=submit]").click()
    assert "电力检修" in visible_text(page, "main")
    after = _booking_statuses(booked["facility"])
    assert "cancelled" in after.values() and after != before
    browser.shot(page, "blackout-confirmed-zh-wide")
