"""Screenshots: accept only real images, and keep only their pixels.

Every upload is opened with Pillow whatever its name says, so a PDF or a script
renamed ``.png`` is refused. The pixels are copied into a brand-new image, so
EXIF (including GPS location), XMP, ICC profiles, comments and any data hidden
after the image are all dropped. Animated images keep their first frame.
"""

from __future__ import annotations

import io
import warnings
from dataclasses import dataclass
from pathlib import PurePath
from typing import IO

from PIL import Image, ImageOps, UnidentifiedImageError

MAX_BYTES = 8 * 1024 * 1024
MAX_FILES = 5
# Pillow's own decompression-bomb guard is ~89 megapixels; a screenshot is far smaller.
MAX_PIXELS = 40_000_000
ALLOWED_FORMATS = {"PNG", "JPEG", "WEBP", "GIF"}
ALLOWED_EXTENSIONS = {".png", ".jpg", ".jpeg", ".webp", ".gif"}


class ImageRejected(Exception):
    """The file is not an image we accept; the message says why in plain words."""


@dataclass(frozen=True)
class CleanImage:
    data: bytes
    content_type: str
    width: int
    height: int


def _refuse(name: str, why: str) -> ImageRejected:
    return ImageRejected(f"“{name}” {why}")


def _check_name_and_size(name: str, size: int) -> None:
    if PurePath(name.lower()).suffix not in ALLOWED_EXTENSIONS:
        raise _refuse(
            name, "is not a picture we can take. Send PNG, JPEG, WebP or GIF images."
        )
    if size > MAX_BYTES:
        raise _refuse(
            name,
            f"is too big ({size / 1024 / 1024:.1f} MB). Each picture must be "
            f"{MAX_BYTES // 1024 // 1024} MB or less.",
        )


def _open(name: str, raw: bytes) -> Image.Image:
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("error", Image.DecompressionBombWarning)
            probe = Image.open(io.BytesIO(raw))
            probe.verify()
            image = Image.open(io.BytesIO(raw))
            image.load()
    except (UnidentifiedImageError, OSError, SyntaxError, ValueError):
        raise _refuse(
            name,
            "is not really a picture (its contents are not a PNG, JPEG, WebP or GIF "
            "image), so we cannot take it.",
        ) from None
    except (Image.DecompressionBombError, Image.DecompressionBombWarning):
        raise _refuse(name, "is far too large a picture to take.") from None
    if image.format not in ALLOWED_FORMATS:
        raise _refuse(
            name, "is not a picture we can take. Send PNG, JPEG, WebP or GIF images."
        )
    if image.width * image.height > MAX_PIXELS:
        raise _refuse(name, "is far too large a picture to take.")
    return image


def clean_image(name: str, stream: IO[bytes], size: int) -> CleanImage:
    """Check one upload and return its pixels re-encoded with no metadata."""
    _check_name_and_size(name, size)
    raw = stream.read(MAX_BYTES + 1)
    if len(raw) > MAX_BYTES:
        _check_name_and_size(name, len(raw))
    image = _open(name, raw)
    fmt = image.format
    image = ImageOps.exif_transpose(image)  # keep how it looked, drop the tag
    has_alpha = image.mode in ("RGBA", "LA", "PA") or "transparency" in image.info
    mode = "RGBA" if has_alpha and fmt != "JPEG" else "RGB"
    pixels = image.convert(mode)
    fresh = Image.frombytes(mode, pixels.size, pixels.tobytes())
    out = io.BytesIO()
    if fmt == "JPEG":
        fresh.save(out, format="JPEG", quality=90)
        content_type = "image/jpeg"
    else:
        fresh.save(out, format="PNG", optimize=True)
        content_type = "image/png"
    return CleanImage(out.getvalue(), content_type, fresh.width, fresh.height)
