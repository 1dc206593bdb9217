"""A park manager adds photos to a facility; visitors see them on its page and in the catalogue; a wrong file is refused."""

from __future__ import annotations

import io

from PIL import Image

from tests.browser.steps import MANAGER, html_lang, scrolls_sideways, sign_in, switch_language


def jpeg(colour: tuple[int, int, int], size=(2000, 1300)) -> bytes:
    out = io.BytesIO()
    Image.new("RGB", size, colour).save(out, "JPEG", quality=90)
    return out.getvalue()


def first_facility(page) -> str:
    page.goto("/facilities/manage")
    # An active one: only those have a page of their own (other tests may have added inactive ones).
    link = page.locator("tr:has(.badge:not(.badge-muted)) a[href$='/photos']").first
    return link.get_attribute("href").removesuffix("/photos")


def test_a_manager_adds_photos_that_show_on_the_facility_page_and_in_the_catalogue(browser, site):
    page = browser.open("/", viewport="wide")
    sign_in(page, MANAGER)
    facility = first_facility(page)
    page.goto(f"{facility}/photos")
    assert page.locator("h1").inner_text().startswith("照片")
    page.get_by_label("照片", exact=True).set_input_files(
        files=[{"name": "notes.jpg", "mimeType": "image/jpeg", "buffer": b"not a photo at all"}])
    with page.expect_navigation():
        page.get_by_role("button", name="上传照片").click()
    assert "此文件不是照片。请上传 JPEG、PNG 或 WebP 图片。" in page.locator(".field-error").inner_text()
    browser.shot(page, "facility-photos-refused-zh-wide")
    for colour in ((200, 80, 40), (40, 120, 200)):
        page.get_by_label("照片", exact=True).set_input_files(
            files=[{"name": "room.jpg", "mimeType": "image/jpeg", "buffer": jpeg(colour)}])
        with page.expect_navigation():
            page.get_by_role("button", name="上传照片").click()
        assert "照片已添加。" in page.locator(".flash-success").inner_text()
    assert page.locator(".photo-grid img").count() >= 2
    browser.shot(page, "facility-photos-zh-wide")
    page.goto(facility)
    photos = page.locator(".facility-photos img")
    assert photos.count() >= 2
    assert photos.first.evaluate("img => img.complete && img.naturalWidth > 0"), "the photo loads"
    browser.shot(page, "facility-page-with-photos-zh-wide", full_page=False)
    page.goto("/facilities")
    assert page.locator(".card-photo").count() >= 1
    browser.shot(page, "catalogue-with-photos-zh-wide", full_page=False)
    # Removing one takes it away.
    page.goto(f"{facility}/photos")
    before = page.locator(".photo-grid img").count()
    with page.expect_navigation():
        page.get_by_role("button", name="删除第 1 张照片").click()
    assert page.locator(".photo-grid img").count() == before - 1


def test_in_english_on_a_phone_the_photo_page_fits_the_screen(browser, site):
    page = browser.open("/", viewport="narrow", language="en")
    sign_in(page, MANAGER)
    switch_language(page, "English")
    facility = first_facility(page)
    page.goto(f"{facility}/photos")
    assert html_lang(page) == "en" and page.locator("h1").inner_text().startswith("Photos")
    page.get_by_label("Photo", exact=True).set_input_files(
        files=[{"name": "hall.jpg", "mimeType": "image/jpeg", "buffer": jpeg((90, 160, 90), (1200, 1800))}])
    with page.expect_navigation():
        page.get_by_role("button", name="Upload the photo").click()
    assert "The photo was added." in page.locator(".flash-success").inner_text()
    assert scrolls_sideways(page) == []
    browser.shot(page, "facility-photos-en-narrow")
    page.goto(facility)
    assert page.locator(".facility-photos img").count() >= 1 and scrolls_sideways(page) == []
    browser.shot(page, "facility-page-with-photos-en-narrow", full_page=False)
