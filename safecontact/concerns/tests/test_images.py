from __future__ import annotations

import io

import pytest
from PIL import Image

from safecontact.concerns.images import MAX_BYTES, ImageRejected, clean_image

GPS_IFD = 0x8825


def _jpeg_with_gps() -> bytes:
    image = Image.new("RGB", (64, 48), "blue")
    exif = Image.Exif()
    exif[0x010F] = "PhoneMaker"  # Make
    exif[0x0132] = "2026:01:02 03:04:05"  # DateTime
    exif[GPS_IFD] = {1: "N", 2: (51.0, 30.0, 12.5), 3: "W", 4: (0.0, 7.0, 39.0)}
    buffer = io.BytesIO()
    image.save(buffer, format="JPEG", exif=exif)
    return buffer.getvalue()


def _clean(name: str, data: bytes):
    return clean_image(name, io.BytesIO(data), len(data))


def test_it_removes_gps_location_and_all_exif_from_a_jpeg():
    original = _jpeg_with_gps()
    assert Image.open(io.BytesIO(original)).getexif().get_ifd(GPS_IFD)  # really there

    cleaned = _clean("photo.jpg", original)

    image = Image.open(io.BytesIO(cleaned.data))
    assert cleaned.content_type == "image/jpeg"
    assert not image.getexif()
    assert "exif" not in image.info
    assert b"PhoneMaker" not in cleaned.data and b"Exif" not in cleaned.data
    assert (cleaned.width, cleaned.height) == (64, 48)


def test_it_drops_png_text_chunks():
    from PIL.PngImagePlugin import PngInfo

    info = PngInfo()
    info.add_text("Comment", "home address 1 Secret Street")
    buffer = io.BytesIO()
    Image.new("RGBA", (10, 10), (0, 0, 0, 0)).save(buffer, format="PNG", pnginfo=info)

    cleaned = _clean("shot.png", buffer.getvalue())

    assert b"Secret Street" not in cleaned.data
    assert Image.open(io.BytesIO(cleaned.data)).mode == "RGBA"


@pytest.mark.parametrize(
    "content",
    [
        b"%PDF-1.7\n1 0 obj << /Type /Catalog >> endobj\n%%EOF",
        b"#!/bin/sh\nrm -rf ~\n",
        b"<script>alert(1)</script>",
        b"\x89PNG\r\n\x1a\n" + b"\x00" * 40,  # a PNG header and nothing real
    ],
    ids=["pdf", "shell-script", "html", "truncated-png"],
)
def test_it_refuses_a_file_disguised_as_a_picture(content):
    with pytest.raises(ImageRejected, match="is not really a picture"):
        _clean("screenshot.png", content)


def test_it_refuses_a_file_that_is_too_big_before_reading_it():
    class Endless(io.BytesIO):
        def read(self, *args):  # pragma: no cover - must never be called
            raise AssertionError("read an oversized upload")

    with pytest.raises(ImageRejected, match=r"too big \(9\.0 MB\).*8 MB or less"):
        clean_image("big.png", Endless(), 9 * 1024 * 1024)


def test_it_refuses_a_stream_longer_than_it_claimed():
    data = b"\x00" * (MAX_BYTES + 10)
    with pytest.raises(ImageRejected, match="too big"):
        clean_image("liar.png", io.BytesIO(data), 100)


def test_it_refuses_other_kinds_of_file_by_name():
    with pytest.raises(ImageRejected, match="PNG, JPEG, WebP or GIF"):
        _clean("notes.pdf", b"%PDF-1.4")


def test_it_refuses_a_real_image_of_a_kind_we_do_not_take():
    buffer = io.BytesIO()
    Image.new("RGB", (5, 5)).save(buffer, format="BMP")
    with pytest.raises(ImageRejected, match="PNG, JPEG, WebP or GIF"):
        _clean("renamed.png", buffer.getvalue())


def test_it_keeps_the_first_frame_of_a_gif_as_png():
    frames = [Image.new("P", (8, 8), i) for i in (1, 2)]
    buffer = io.BytesIO()
    frames[0].save(buffer, format="GIF", save_all=True, append_images=frames[1:])
    cleaned = _clean("wave.gif", buffer.getvalue())
    assert cleaned.content_type == "image/png"


def test_it_accepts_webp():
    buffer = io.BytesIO()
    Image.new("RGB", (8, 8), "green").save(buffer, format="WEBP")
    assert _clean("pic.webp", buffer.getvalue()).content_type == "image/png"
