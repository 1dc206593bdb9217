"""Facility photos: managers upload (re-encoded, resized, metadata stripped) and remove them; everyone sees them
on the facility page and in the catalogue, served with caching headers; nobody else may add or remove one."""

import io
from pathlib import Path

import pytest
from PIL import Image

from park.facilities.tables import FacilityPhoto
from park.settings import load_settings
from tests.accounts.test_pages import csrf_from, sign_in
from tests.builders import create_facility

HTML = {"accept": "text/html"}
EN = {"accept": "text/html", "accept-language": "en"}


def photo_bytes(fmt: str = "JPEG", size=(2400, 1600), *, with_exif: bool = True) -> bytes:
    image = Image.new("RGB", size, (30, 120, 200))
    out = io.BytesIO()
    if with_exif and fmt in ("JPEG", "WEBP"):
        exif = Image.Exif()
        exif[0x010F] = "SecretCam"  # Make
        exif[0x0132] = "2026:01:02 03:04:05"  # DateTime
        image.save(out, fmt, exif=exif.tobytes())
    else:
        image.save(out, fmt)
    return out.getvalue()


async def upload(client, facility_id, content, filename="room.jpg", content_type="image/jpeg", headers=HTML, token=None):
    if token is None:
        token = csrf_from((await client.get(f"/facilities/{facility_id}/photos", headers=HTML)).text)
    return await client.post(f"/facilities/{facility_id}/photos", headers=headers, data={"_csrf_token": token},
                             files={"photo": (filename, content, content_type)})


def data_dir() -> Path:
    settings = load_settings()
    return settings.resolve_path(settings.data_dir) / "photos"


async def test_a_manager_uploads_a_photo_that_is_resized_stripped_and_shown_everywhere(client, manager):
    facility = await create_facility(name="路演厅", name_en="Roadshow Hall")
    await sign_in(client, manager.email)
    response = await upload(client, facility["id"], photo_bytes())
    assert response.status_code == 303, response.text
    photo = await FacilityPhoto.select().first()
    assert photo["facility"] == facility["id"] and (photo["width"], photo["height"]) == (1600, 1067)
    assert (data_dir() / f"{photo['name']}.webp").exists() and (data_dir() / f"{photo['name']}-small.webp").exists()

    served = await client.get(f"/facility-photos/{photo['name']}.webp")
    assert served.status_code == 200 and served.headers["content-type"] == "image/webp"
    assert "immutable" in served.headers["cache-control"] and "max-age=31536000" in served.headers["cache-control"]
    assert "set-cookie" not in served.headers, "a cached answer carries no cookie"
    kept = Image.open(io.BytesIO(served.content))
    assert kept.format == "WEBP" and kept.size == (1600, 1067)
    assert not kept.getexif() and "exif" not in kept.info and "icc_profile" not in kept.info
    assert b"SecretCam" not in served.content and b"SecretCam" not in (await client.get(f"/facility-photos/{photo['name']}-small.webp")).content
    again = await client.get(f"/facility-photos/{photo['name']}.webp", headers={"if-none-match": served.headers["etag"]})
    assert again.status_code == 304

    page = (await client.get(f"/facilities/{facility['id']}", headers=HTML)).text
    assert f"/facility-photos/{photo['name']}-small.webp" in page and "路演厅的第 1 张照片" in page
    catalogue = (await client.get("/facilities", headers=HTML)).text
    assert f"/facility-photos/{photo['name']}-small.webp" in catalogue


@pytest.mark.parametrize("fmt", ["PNG", "WEBP"])
async def test_png_and_webp_are_accepted_too(client, manager, fmt):
    facility = await create_facility()
    await sign_in(client, manager.email)
    response = await upload(client, facility["id"], photo_bytes(fmt, (800, 600)), f"x.{fmt.lower()}", f"image/{fmt.lower()}")
    assert response.status_code == 303
    assert (await FacilityPhoto.select(FacilityPhoto.width, FacilityPhoto.height).first()) == {"width": 800, "height": 600}


@pytest.mark.parametrize("content, filename", [
    (b"#!/bin/sh\necho not a photo\n", "room.jpg"),
    (photo_bytes("GIF", (50, 50)), "room.gif"),
    (photo_bytes()[:2000], "cut-short.jpg"),
    (b"<svg xmlns='http://www.w3.org/2000/svg'><script>alert(1)</script></svg>", "room.svg"),
])
async def test_a_file_that_is_not_a_fit_photo_is_refused_with_a_clear_message_and_nothing_kept(client, manager, content, filename):
    facility = await create_facility()
    await sign_in(client, manager.email)
    before = sorted(data_dir().glob("*")) if data_dir().exists() else []
    response = await upload(client, facility["id"], content, filename)
    assert response.status_code == 422
    assert "此文件不是照片。请上传 JPEG、PNG 或 WebP 图片。" in response.text
    assert await FacilityPhoto.count() == 0
    assert (sorted(data_dir().glob("*")) if data_dir().exists() else []) == before


async def test_a_small_file_holding_a_huge_image_is_refused_before_it_is_decoded(client, manager):
    facility = await create_facility()
    await sign_in(client, manager.email)
    bomb = io.BytesIO()
    Image.new("1", (8000, 6000)).save(bomb, "PNG")  # 48 million pixels in a few kilobytes
    assert len(bomb.getvalue()) < 100_000
    response = await upload(client, facility["id"], bomb.getvalue(), "bomb.png", "image/png")
    assert response.status_code == 422 and "照片像素过多（最多 40 百万像素）" in response.text
    assert await FacilityPhoto.count() == 0


async def test_an_empty_form_asks_for_a_photo_in_english(client, manager):
    facility = await create_facility()
    await sign_in(client, manager.email)
    token = csrf_from((await client.get(f"/facilities/{facility['id']}/photos", headers=HTML)).text)
    response = await client.post(f"/facilities/{facility['id']}/photos", headers=EN, data={"_csrf_token": token},
                                 files={"other": ("a.txt", b"x", "text/plain")})
    assert response.status_code == 422 and "Choose a photo to upload." in response.text


class TestOversize:
    @pytest.fixture
    def settings(self):
        return load_settings().replace(photo_max_bytes=20_000)

    async def test_a_photo_over_the_limit_is_refused_saying_the_limit(self, client, manager):
        facility = await create_facility()
        await sign_in(client, manager.email)
        noisy = Image.effect_noise((400, 400), 80).convert("RGB")
        out = io.BytesIO()
        noisy.save(out, "PNG")
        assert len(out.getvalue()) > 20_000
        response = await upload(client, facility["id"], out.getvalue(), "big.png", "image/png", headers=EN)
        assert response.status_code == 422
        assert f"The photo is larger than {20_000 / 1_048_576:g} MB. Upload a smaller one." in response.text
        assert await FacilityPhoto.count() == 0


async def test_a_manager_removes_a_photo_and_it_is_gone_everywhere(client, manager):
    facility = await create_facility()
    await sign_in(client, manager.email)
    await upload(client, facility["id"], photo_bytes())
    photo = await FacilityPhoto.select().first()
    listing = await client.get(f"/facilities/{facility['id']}/photos", headers=HTML)
    response = await client.post(f"/facilities/{facility['id']}/photos/{photo['id']}/delete", headers=HTML,
                                 data={"_csrf_token": csrf_from(listing.text)})
    assert response.status_code == 303
    assert await FacilityPhoto.count() == 0
    assert not (data_dir() / f"{photo['name']}.webp").exists() and not (data_dir() / f"{photo['name']}-small.webp").exists()
    assert (await client.get(f"/facility-photos/{photo['name']}.webp")).status_code == 404
    assert "照片已删除。" in (await client.get(f"/facilities/{facility['id']}/photos", headers=HTML)).text


async def test_a_photo_of_another_facility_or_a_made_up_id_is_not_found_and_stays(client, manager):
    mine, other = await create_facility(), await create_facility()
    await sign_in(client, manager.email)
    await upload(client, other["id"], photo_bytes())
    photo = await FacilityPhoto.select().first()
    token = csrf_from((await client.get(f"/facilities/{mine['id']}/photos", headers=HTML)).text)
    for path in (f"/facilities/{mine['id']}/photos/{photo['id']}/delete", f"/facilities/{mine['id']}/photos/0/delete",
                 f"/facilities/999999/photos/{photo['id']}/delete"):
        assert (await client.post(path, headers=HTML, data={"_csrf_token": token})).status_code == 404, path
    assert (await client.post("/facilities/999999/photos", headers=HTML, data={"_csrf_token": token},
                              files={"photo": ("a.jpg", photo_bytes(), "image/jpeg")})).status_code == 404
    assert await FacilityPhoto.count() == 1
    for name in ("../../etc/passwd", f"{photo['name']}.jpg", "0" * 32 + ".webp", f"{photo['name']}-big.webp", "x"):
        assert (await client.get(f"/facility-photos/{name}")).status_code == 404, name


async def test_firm_users_may_neither_add_nor_remove_photos(client, manager, tenant_admin, member):
    facility = await create_facility()
    await sign_in(client, manager.email)
    await upload(client, facility["id"], photo_bytes())
    photo = await FacilityPhoto.select().first()
    for login in (tenant_admin, member):
        await sign_in(client, login.email)
        page = await client.get(f"/facilities/{facility['id']}", headers=HTML)
        assert page.status_code == 200 and f"/facilities/{facility['id']}/photos" not in page.text
        assert (await client.get(f"/facilities/{facility['id']}/photos", headers=HTML)).status_code == 403
        token = csrf_from(page.text)
        assert (await upload(client, facility["id"], photo_bytes(), token=token)).status_code == 403
        assert (await client.post(f"/facilities/{facility['id']}/photos/{photo['id']}/delete", headers=HTML,
                                  data={"_csrf_token": token})).status_code == 403
    assert await FacilityPhoto.count() == 1
    assert (await client.get(f"/facility-photos/{photo['name']}-small.webp")).status_code == 200, "anyone sees it"


async def test_an_upload_without_the_forms_token_is_refused(client, manager):
    facility = await create_facility()
    await sign_in(client, manager.email)
    response = await upload(client, facility["id"], photo_bytes(), token="forged")
    assert response.status_code == 403 and await FacilityPhoto.count() == 0
