"""Facility photo pages: a manager's photo list with upload and removal, and the photos themselves (cached for good)."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Annotated, Any

import anyio
from litestar import Controller, Request, Response, get, post
from litestar.datastructures import UploadFile
from litestar.enums import RequestEncodingType
from litestar.params import Body, FromPath
from litestar.response import Redirect, Template

from park.facilities import photos, queries
from park.shared.api import caller
from park.shared.clock import utc_now
from park.shared.errors import NotFound, ValidationFailed
from park.shared.guards import manager_only
from park.shared.web import flash, form_errors, gettext_for, page, page_lang, redirect, settings_of

UPLOAD_BODY_LIMIT = 52 * 1_048_576 + 65_536
"""The upload route's body limit: above the largest photo_max_bytes Park accepts, so the page can say the
configured limit in words (the form's own check); beyond this the request is refused with 413."""
CACHED_FOR_GOOD = "public, max-age=31536000, immutable"


@dataclass
class PhotoForm:
    photo: UploadFile | None = None


async def _facility(facility_id: int) -> dict[str, Any]:
    row = await queries.get_facility(facility_id)
    if row is None:
        raise NotFound("There is no facility %(id)s.", params={"id": facility_id})
    return row


class PhotoPages(Controller):
    path = "/facilities/{facility_id:int}/photos"
    include_in_schema = False
    guards = [manager_only]

    async def _page(self, request: Request, facility: dict[str, Any], status_code: int = 200,
                    errors: dict[str, str] | None = None) -> Template:
        settings = settings_of(request)
        return page(request, "facilities/photos.html", status_code=status_code, facility=facility,
                    photos=await photos.photos_of(facility["id"]), errors=errors or {},
                    limit_mb=f"{settings.photo_max_bytes / 1_048_576:g}", max_photos=photos.MAX_PHOTOS)

    @get("")
    async def list_photos(self, request: Request, facility_id: FromPath[int]) -> Template:
        return await self._page(request, await _facility(facility_id))

    @post("", request_max_body_size=UPLOAD_BODY_LIMIT)
    async def upload(self, request: Request, facility_id: FromPath[int],
                     data: Annotated[PhotoForm, Body(media_type=RequestEncodingType.MULTI_PART)]) -> Template | Redirect:
        _ = gettext_for(page_lang(request))
        facility = await _facility(facility_id)
        try:
            if not isinstance(data.photo, UploadFile):
                raise ValidationFailed.on("photo", photos.EMPTY)
            content = await data.photo.read()
            await photos.add_photo(caller(request), facility_id, content, settings_of(request), utc_now())
        except ValidationFailed as error:
            return await self._page(request, facility, 422, form_errors(error, _, "photo"))
        flash(request, _("The photo was added."), "success")
        return redirect(f"/facilities/{facility_id}/photos")

    @post("/{photo_id:int}/delete")
    async def remove(self, request: Request, facility_id: FromPath[int], photo_id: FromPath[int]) -> Redirect:
        _ = gettext_for(page_lang(request))
        await photos.remove_photo(caller(request), facility_id, photo_id, settings_of(request), utc_now())
        flash(request, _("The photo was removed."), "success")
        return redirect(f"/facilities/{facility_id}/photos")


@get("/facility-photos/{file_name:str}", include_in_schema=False)
async def photo_file(request: Request, file_name: FromPath[str]) -> Response[bytes]:
    """A photo's bytes: its name is new for each upload, so browsers and proxies may keep it for good."""
    name, dot, extension = file_name.partition(".")
    size = "small" if name.endswith("-small") else "large"
    name = name.removesuffix("-small")
    row = await photos.photo_named(name) if dot and extension == "webp" else None
    if row is None:
        raise NotFound("There is no such photo.")
    etag = f'"{name}-{size}"'
    headers = {"Cache-Control": CACHED_FOR_GOOD, "ETag": etag}
    if request.headers.get("if-none-match") == etag:
        return Response(b"", status_code=304, headers=headers)
    path = photos.file_of(settings_of(request), name, size)
    try:
        content = await anyio.Path(path).read_bytes()
    except FileNotFoundError:
        raise NotFound("There is no such photo.") from None
    return Response(content, media_type="image/webp", headers=headers)


ROUTES: list[Any] = [PhotoPages, photo_file]
