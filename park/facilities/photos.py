"""Facility photos: park managers add and remove them; everyone sees them on the facility page and in the catalogue.

The files lie in `<data_dir>/photos/`, two per photo (`<name>.webp`, `<name>-small.webp`), written
under a random name that is new for each upload, so a photo's address never shows other pixels and
may be cached for good. The table row is the photo: a file without one is never served.
"""

from __future__ import annotations

import os
import re
import secrets
from datetime import datetime
from pathlib import Path
from typing import Any, Iterable

import anyio

from park.audit.service import record
from park.facilities import queries
from park.facilities.images import EMPTY, SMALL_SIDE, prepare_photo
from park.facilities.tables import FacilityPhoto
from park.settings import Settings
from park.shared import guards
from park.shared.actor import Actor
from park.shared.db import transaction
from park.shared.errors import NotFound, ValidationFailed
from park.shared.labels import N_

__all__ = ["EMPTY", "MAX_PHOTOS", "add_photo", "remove_photo", "photos_of", "first_photos", "photo_named", "file_of"]

MAX_PHOTOS = 12
"""Photos per facility."""
SIZES = ("large", "small")
_NAME = re.compile(r"^[0-9a-f]{32}$")


def folder(settings: Settings) -> Path:
    return settings.resolve_path(settings.data_dir) / "photos"


def file_of(settings: Settings, name: str, size: str) -> Path:
    return folder(settings) / (f"{name}.webp" if size == "large" else f"{name}-small.webp")


def plausible_name(name: str) -> bool:
    return bool(_NAME.match(name))


def _require_manager(actor: Actor) -> None:
    guards.require_manager(actor, N_("Only park managers may add or remove a facility's photos."))


async def _facility(facility_id: int) -> dict[str, Any]:
    row = await queries.get_facility(facility_id)
    if row is None:
        raise NotFound("There is no facility %(id)s.", params={"id": facility_id})
    return row


def _sized(row: dict[str, Any]) -> dict[str, Any]:
    """A photo row with the size of its small file (for the page's width and height attributes)."""
    scale = min(1.0, SMALL_SIDE / max(row["width"], row["height"], 1))
    return row | {"small_width": max(1, round(row["width"] * scale)), "small_height": max(1, round(row["height"] * scale))}


async def photos_of(facility_id: int) -> list[dict[str, Any]]:
    """A facility's photos, the first uploaded first."""
    if not 0 < facility_id < 2**31:
        return []
    rows = await FacilityPhoto.select().where(FacilityPhoto.facility == facility_id).order_by(FacilityPhoto.id)
    return [_sized(row) for row in rows]


async def first_photos(facility_ids: Iterable[int]) -> dict[int, dict[str, Any]]:
    """Each facility's first photo (for the catalogue), by facility id."""
    wanted = sorted(set(facility_ids))
    if not wanted:
        return {}
    first: dict[int, dict[str, Any]] = {}
    for row in await FacilityPhoto.select().where(FacilityPhoto.facility.is_in(wanted)).order_by(FacilityPhoto.id):
        first.setdefault(row["facility"], _sized(row))
    return first


async def photo_named(name: str) -> dict[str, Any] | None:
    if not plausible_name(name):
        return None
    return await FacilityPhoto.select().where(FacilityPhoto.name == name).first()


def _write(path: Path, content: bytes) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    partial = path.with_name(path.name + ".part")
    partial.write_bytes(content)
    os.replace(partial, path)


def _unlink(paths: Iterable[Path]) -> None:
    for path in paths:
        path.unlink(missing_ok=True)


async def add_photo(actor: Actor, facility_id: int, content: bytes, settings: Settings, now: datetime) -> dict[str, Any]:
    """Check, re-encode and keep one photo of a facility (refused: `ValidationFailed` on `photo`, nothing kept)."""
    _require_manager(actor)
    await _facility(facility_id)
    if await FacilityPhoto.count().where(FacilityPhoto.facility == facility_id) >= MAX_PHOTOS:
        raise ValidationFailed.on("photo", N_("A facility has at most %(count)s photos; remove one first."), count=MAX_PHOTOS)
    prepared = await anyio.to_thread.run_sync(prepare_photo, content, settings.photo_max_bytes)  # CPU-bound
    name = secrets.token_hex(16)
    paths = [file_of(settings, name, "large"), file_of(settings, name, "small")]
    _write(paths[0], prepared.large)
    _write(paths[1], prepared.small)
    try:
        async with transaction():
            photo = FacilityPhoto(facility=facility_id, name=name, width=prepared.width, height=prepared.height,
                                  byte_size=len(prepared.large), uploaded_by=actor.id, created_at=now)
            await photo.save()
            await record(actor, "facility.photo_add", "facility", facility_id, {"photo": name}, at=now)
    except BaseException:
        _unlink(paths)
        raise
    return photo.to_dict()


async def remove_photo(actor: Actor, facility_id: int, photo_id: int, settings: Settings, now: datetime) -> None:
    """Remove one of a facility's photos and its files; a photo of another facility is not found."""
    _require_manager(actor)
    await _facility(facility_id)
    if not 0 < photo_id < 2**31:
        raise NotFound("There is no photo %(id)s.", params={"id": photo_id})
    async with transaction():
        photo = await FacilityPhoto.select().where(
            (FacilityPhoto.id == photo_id) & (FacilityPhoto.facility == facility_id)
        ).first()
        if photo is None:
            raise NotFound("There is no photo %(id)s.", params={"id": photo_id})
        await FacilityPhoto.delete().where(FacilityPhoto.id == photo_id)
        await record(actor, "facility.photo_remove", "facility", facility_id, {"photo": photo["name"]}, at=now)
    _unlink(file_of(settings, photo["name"], size) for size in SIZES)
