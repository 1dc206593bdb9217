"""A facility photo as it is kept: checked, re-encoded and resized with Pillow, with no metadata.

Whatever arrives (JPEG, PNG or WebP, at most the configured size) is decoded and written anew as
WebP in two sizes, so nothing of the upload survives but its pixels: no EXIF (camera, place, time),
no ICC profile, no comments, and no file that only pretends to be an image. Works in memory only.
"""

from __future__ import annotations

import io
import warnings
from dataclasses import dataclass

from PIL import Image, ImageOps, UnidentifiedImageError

from park.shared.errors import ValidationFailed
from park.shared.labels import N_

ACCEPTED_FORMATS = frozenset({"JPEG", "PNG", "WEBP"})
LARGE_SIDE = 1600
"""The longest side of the photo shown on the facility page, in pixels."""
SMALL_SIDE = 480
"""The longest side of the one shown in the catalogue."""
MAX_PIXELS = 40_000_000
"""Larger images are refused before they are decoded: a small file may hold a huge image."""
QUALITY = 82

NOT_AN_IMAGE = N_("This file is not a photo. Upload a JPEG, PNG or WebP image.")
TOO_LARGE = N_("The photo is larger than %(limit)s MB. Upload a smaller one.")
TOO_MANY_PIXELS = N_("The photo has too many pixels (at most %(limit)s million). Upload a smaller one.")
EMPTY = N_("Choose a photo to upload.")


@dataclass(frozen=True)
class PreparedPhoto:
    large: bytes
    small: bytes
    width: int
    height: int


def _refuse(template: str, **params: object) -> ValidationFailed:
    return ValidationFailed.on("photo", template, **params)


def _encode(image: Image.Image, side: int) -> tuple[bytes, int, int]:
    """The image at most `side` pixels on its longest side, as WebP bytes, and its width and height."""
    copy = image.copy()
    copy.thumbnail((side, side), Image.Resampling.LANCZOS)
    out = io.BytesIO()
    copy.save(out, "WEBP", quality=QUALITY, method=4)  # no exif=, icc_profile=: none is written
    return out.getvalue(), copy.width, copy.height


def prepare_photo(content: bytes, max_bytes: int) -> PreparedPhoto:
    """The upload re-encoded in two sizes; `ValidationFailed` on the field `photo` when it is no fit photo."""
    if not content:
        raise _refuse(EMPTY)
    if len(content) > max_bytes:
        raise _refuse(TOO_LARGE, limit=f"{max_bytes / 1_048_576:g}")
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("error", Image.DecompressionBombWarning)
            with Image.open(io.BytesIO(content), formats=sorted(ACCEPTED_FORMATS)) as probe:
                if probe.width * probe.height > MAX_PIXELS:
                    raise _refuse(TOO_MANY_PIXELS, limit=MAX_PIXELS // 1_000_000)
                probe.verify()  # a truncated or damaged file stops here
            with Image.open(io.BytesIO(content), formats=sorted(ACCEPTED_FORMATS)) as source:
                source.load()
                image = ImageOps.exif_transpose(source)  # turned as the camera meant, then the EXIF is gone
    except ValidationFailed:
        raise
    except (Image.DecompressionBombError, Image.DecompressionBombWarning):
        raise _refuse(TOO_MANY_PIXELS, limit=MAX_PIXELS // 1_000_000) from None
    except (UnidentifiedImageError, OSError, ValueError, SyntaxError, EOFError):
        raise _refuse(NOT_AN_IMAGE) from None
    image = image.convert("RGBA" if image.mode in ("RGBA", "LA", "P", "PA") and _has_alpha(image) else "RGB")
    large, width, height = _encode(image, LARGE_SIDE)
    small, _width, _height = _encode(image, SMALL_SIDE)
    return PreparedPhoto(large=large, small=small, width=width, height=height)


def _has_alpha(image: Image.Image) -> bool:
    return image.mode in ("RGBA", "LA", "PA") or (image.mode == "P" and "transparency" in image.info)
