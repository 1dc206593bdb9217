"""The manager's facility form: every setting on one page, at phone and desktop widths, in both languages."""

from __future__ import annotations

import pytest

from tests.browser.steps import MANAGER, scrolls_sideways, sign_in


@pytest.mark.parametrize("language", ["zh_Hans", "en"])
@pytest.mark.parametrize("viewport", ["narrow", "wide"])
def test_the_facility_form_shows_every_setting_and_a_refused_hours_field_in_place(browser, language, viewport):
    page = browser.open("/", viewport=viewport, language=language)
    sign_in(page, MANAGER)
    page.goto("/facilities/new")
    for name in ("name", "name_en", "code", "kind", "building_id", "platform", "description", "capacity", "booking_mode",
                 "hourly_rate_yuan", "requires_approval", "requires_authorization", "is_active", "hours_mon", "hours_sun",
                 "slot_minutes", "min_duration_minutes", "max_duration_minutes", "max_advance_days", "buffer_minutes",
                 "cancel_cutoff_minutes"):
        assert page.locator(f"[name='{name}']").count() == 1, name
    assert scrolls_sideways(page) == []
    browser.shot(page, f"facility-form-{language}-{viewport}")
    page.fill("[name='name']", "声学实验室" if language == "zh_Hans" else "Acoustics lab")
    page.fill("[name='hours_mon']", "12:00-09:00")
    with page.expect_navigation():
        page.locator("form.facility-form button[type='submit']").click()
    error = page.locator("#f-hours_mon ~ .field-error")
    assert error.is_visible()
    assert ("不晚于开始时间" if language == "zh_Hans" else "not after its start") in error.inner_text()
    assert scrolls_sideways(page) == []
    browser.shot(page, f"facility-form-refused-{language}-{viewport}")
