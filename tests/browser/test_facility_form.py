"""The manager's facility form: every setting on one page, at phone and desktop widths, in both languages;
opening hours as time pickers, a range added and removed with and without JavaScript."""

from __future__ import annotations

import pytest

from tests.browser.steps import MANAGER, scrolls_sideways, sign_in

SETTINGS = ("name", "name_en", "code", "kind", "building_id", "platform", "description", "capacity", "booking_mode",
            "hourly_rate_yuan", "requires_approval", "requires_authorization", "is_active", "hours_mon_0_start",
            "hours_mon_0_end", "hours_sun_0_start", "slot_minutes", "min_duration_minutes", "max_duration_minutes",
            "max_advance_days", "buffer_minutes", "cancel_cutoff_minutes")


@pytest.mark.parametrize("language", ["zh_Hans", "en"])
@pytest.mark.parametrize("viewport", ["narrow", "wide"])
def test_the_facility_form_shows_every_setting_and_a_refused_hours_row_in_place(browser, language, viewport):
    page = browser.open("/", viewport=viewport, language=language)
    sign_in(page, MANAGER)
    page.goto("/facilities/new")
    for name in SETTINGS:
        assert page.locator(f"[name='{name}']").count() == 1, name
    assert page.locator("[name='hours_mon_0_start']").get_attribute("type") == "time"
    assert page.locator("[name='hours_mon_0_start']").get_attribute("step") == "1800"
    assert scrolls_sideways(page) == []
    browser.shot(page, f"facility-form-{language}-{viewport}")
    page.fill("[name='name']", "声学实验室" if language == "zh_Hans" else "Acoustics lab")
    page.fill("[name='hours_mon_0_start']", "12:00")
    page.fill("[name='hours_mon_0_end']", "09:00")
    with page.expect_navigation():
        page.locator("form.facility-form button[type='submit']").last.click()
    error = page.locator("#e-hours_mon_0")
    assert error.is_visible()
    assert ("不晚于开始时间" if language == "zh_Hans" else "not after its start") in error.inner_text()
    assert page.locator("[name='hours_mon_0_start']").input_value() == "12:00", "what was typed stays"
    assert scrolls_sideways(page) == []
    browser.shot(page, f"facility-form-refused-{language}-{viewport}")


@pytest.mark.parametrize(("language", "viewport"), [("zh_Hans", "wide"), ("en", "narrow")])
def test_a_manager_adds_a_second_range_in_place_and_saves_it_then_removes_it(browser, language, viewport):
    page = browser.open("/", viewport=viewport, language=language)
    sign_in(page, MANAGER)
    page.goto("/facilities/new")
    page.fill("[name='name']", "双时段录音棚" if language == "zh_Hans" else "Two-session studio")
    page.locator("[name='is_active']").uncheck()  # kept out of the catalogue the other journeys read
    monday = page.locator("[data-hours-day='mon']")
    slot = page.locator("#f-slot_minutes")
    slot.fill("60")
    slot.dispatch_event("change")  # the pickers step by the new slot at once
    assert monday.locator("input[type=time]").first.get_attribute("step") == "3600"
    slot.fill("30")
    slot.dispatch_event("change")
    assert monday.locator("input[type=time]").first.get_attribute("step") == "1800"
    url = page.url
    monday.locator("button.hours-add").click()  # with JavaScript: no page load, the new row has the focus
    assert page.url == url
    rows = monday.locator("[data-hours-row]")
    assert rows.count() == 2
    assert rows.nth(1).locator("input[type=time]").first.get_attribute("step") == "1800"
    new_start = rows.nth(1).locator("input[type=time]").first
    assert new_start.evaluate("input => input === document.activeElement")
    rows.nth(0).locator("input[type=time]").nth(1).fill("12:00")
    new_start.fill("13:30")
    rows.nth(1).locator("input[type=time]").nth(1).fill("18:00")
    assert scrolls_sideways(page) == []
    browser.shot(page, f"facility-form-two-ranges-{language}-{viewport}")
    with page.expect_navigation():
        page.locator("form.facility-form > button[type='submit']").last.click()
    assert page.locator(".flash-success").is_visible()
    assert page.locator("[name='hours_mon_1_start']").input_value() == "13:30"
    assert page.locator("[name='hours_mon_0_end']").input_value() == "12:00"
    # Remove the second range again, in place, and save: Monday is one range again.
    with page.expect_navigation():
        monday.locator("button.hours-remove").nth(1).click()
        page.locator("[name='hours_mon_0_end']").fill(page.locator("[name='hours_mon_0_end']").input_value())
        page.locator("form.facility-form > button[type='submit']").last.click()
    assert page.locator("[data-hours-day='mon'] [data-hours-row]").count() == 1


def test_without_javascript_add_a_range_shows_the_form_again_with_an_empty_row(browser):
    page = browser.open("/", viewport="narrow", language="en", javascript=False)
    sign_in(page, MANAGER)
    page.goto("/facilities/new")
    page.fill("[name='name']", "Sound booth")
    with page.expect_navigation():
        page.locator("[data-hours-day='sat'] button.hours-add").click()
    assert page.locator("[data-hours-day='sat'] [data-hours-row]").count() == 2
    assert page.locator("[name='name']").input_value() == "Sound booth", "what was typed stays"
    assert scrolls_sideways(page) == []
    browser.shot(page, "facility-form-added-row-no-js-en-narrow")
    with page.expect_navigation():
        page.locator("[data-hours-day='sat'] button.hours-remove").first.click()
    assert page.locator("[data-hours-day='sat'] [data-hours-row]").count() == 1
