"""Tiny photos and videos for the upload tests, made here (Pillow) or committed beside this file:
``clip.mp4`` (H.264) and ``clip.webm`` (VP9), each 2 seconds of 64×48 pixels, made once with
PyAV (not a dependency)."""

from __future__ import annotations

import io
import struct
import zlib
from pathlib import Path

from django.core.files.uploadedfile import SimpleUploadedFile
from PIL import Image

HERE = Path(__file__).resolve().parent
GPS_IFD = 0x8825


def jpeg_bytes(size: tuple[int, int] = (800, 600), *, with_location: bool = True) -> bytes:
    """A JPEG photo with EXIF: a camera model, an orientation and (by default) a GPS position."""
    image = Image.new("RGB", size, (200, 120, 40))
    exif = Image.Exif()
    exif[0x0110] = "Test Camera"  # Model
    exif[0x0112] = 6  # Orientation: rotate 90° to show upright
    if with_location:
        exif[GPS_IFD] = {1: "N", 2: (51.0, 30.0, 0.0), 3: "W", 4: (0.0, 7.0, 0.0)}
    out = io.BytesIO()
    image.save(out, format="JPEG", exif=exif)
    return out.getvalue()


def png_bytes(size: tuple[int, int] = (300, 200), mode: str = "RGBA") -> bytes:
    out = io.BytesIO()
    Image.new(mode, size, (10, 120, 200, 128) if mode == "RGBA" else (10, 120, 200)).save(
        out, format="PNG"
    )
    return out.getvalue()


def webp_bytes(size: tuple[int, int] = (300, 200)) -> bytes:
    out = io.BytesIO()
    Image.new("RGB", size, (30, 160, 90)).save(out, format="WEBP")
    return out.getvalue()


def png_bomb_bytes(width: int = 100_000, height: int = 100_000) -> bytes:
    """A small PNG file whose header claims a huge picture (a decompression bomb)."""

    def chunk(kind: bytes, data: bytes) -> bytes:
        body = kind + data
        return struct.pack(">I", len(data)) + body + struct.pack(">I", zlib.crc32(body))

    header = struct.pack(">IIBBBBB", width, height, 8, 0, 0, 0, 0)
    rows = zlib.compress(b"\x00" * 1024)
    return (
        b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", header) + chunk(b"IDAT", rows) + chunk(b"IEND", b"")
    )


SVG = (
    b'<svg xmlns="http://www.w3.org/2000/svg" onload="alert(1)"><rect width="9" height="9"/></svg>'
)
HTML = b"<!DOCTYPE html><html><body><script>alert(document.cookie)</script></body></html>"


def clip(name: str = "clip.mp4") -> bytes:
    return (HERE / name).read_bytes()


def upload(
    name: str, data: bytes, content_type: str = "application/octet-stream"
) -> SimpleUploadedFile:
    """A file as a browser would send it (the declared type is never trusted)."""
    return SimpleUploadedFile(name, data, content_type=content_type)
