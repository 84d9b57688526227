"""Checking an uploaded photo or video before anything is stored.

A file is judged by its content, never by its name or the browser's content type, and its
name must agree with what it is (a JPEG named ``.png`` is refused). Refused: an empty file, a
file over the size limit, anything that is not a JPEG, PNG or WebP image or an MP4 or WebM
video (an SVG or HTML page named ``.jpg`` among them), an image of more pixels than
``MEDIA_PHOTO_MAX_PIXELS`` (a decompression bomb: checked from the header, before decoding),
a video longer than ``MEDIA_VIDEO_MAX_SECONDS`` or whose length the container does not say,
and a polyglot: a file that also carries markup or an archive a browser could be tricked into
opening (in its first or last bytes, where sniffers look and payloads are appended, or in an
image's text metadata).

A photo is decoded and encoded again with Pillow (EXIF, location and any other metadata or
trailing bytes are gone; turned upright; at most ``PHOTO_SIZE`` pixels on its long side, with
a ``THUMBNAIL_SIZE`` copy). A video is kept as sent (the container's length is read by
hachoir, pure Python, no ffmpeg); its poster is a placeholder unless a photo is given.

Every refusal is a ``ValidationError`` with a message for the person who uploaded the file.
"""

from __future__ import annotations

import io
import re
import warnings
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import PurePath
from typing import IO, Any

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.files.base import ContentFile, File
from django.template.defaultfilters import filesizeformat
from django.utils.translation import gettext as _
from PIL import Image, ImageOps, UnidentifiedImageError

PHOTO = "photo"
VIDEO = "video"
PHOTO_SIZE = (1600, 1600)
THUMBNAIL_SIZE = (480, 480)
JPEG_QUALITY = 85

# Pillow's format → the file name extensions that may carry it.
PHOTO_FORMATS = {"JPEG": {".jpg", ".jpeg"}, "PNG": {".png"}, "WEBP": {".webp"}}
# MP4's major brands (ISO base media; an iPhone's QuickTime ``.mov`` is the same container).
MP4_BRANDS = {
    b"isom",
    b"iso2",
    b"iso4",
    b"iso5",
    b"iso6",
    b"mp41",
    b"mp42",
    b"avc1",
    b"M4V ",
    b"MSNV",
    b"dash",
    b"qt  ",
}
VIDEO_EXTENSIONS = {"mp4": {".mp4", ".m4v", ".mov"}, "webm": {".webm"}}
VIDEO_TYPES = {"mp4": "video/mp4", "webm": "video/webm"}
VIDEO_NAMES = {"mp4": "MP4", "webm": "WebM"}
EBML_MAGIC = b"\x1a\x45\xdf\xa3"

SNIFF_BYTES = 4096
# Markup a browser would run, or an archive's end record (a "GIFAR"): never in a photo or video.
ACTIVE_CONTENT = re.compile(
    rb"<\s*(?:script|html|svg|iframe|body|object|embed|!doctype|\?php|\?xml)[\s>/]"
    rb"|javascript:|PK\x05\x06",
    re.IGNORECASE,
)


@dataclass(frozen=True)
class CleanMedia:
    """What may be stored: the file (and a thumbnail or ``None``) with what it is."""

    kind: str
    file: File[Any]
    content_type: str
    size: int
    width: int | None = None
    height: int | None = None
    duration_seconds: int | None = None
    thumbnail: File[Any] | None = None


def _refuse(message: str, code: str) -> ValidationError:
    return ValidationError(message, code=code)


def _accepted_kinds() -> str:
    return _("a photo (JPEG, PNG or WebP) or a video (MP4 or WebM)")


def _extension(name: str) -> str:
    return PurePath(name or "").suffix.lower()


def _read_ends(upload: IO[bytes], size: int) -> tuple[bytes, bytes]:
    upload.seek(0)
    head = upload.read(SNIFF_BYTES)
    upload.seek(max(0, size - SNIFF_BYTES))
    tail = upload.read(SNIFF_BYTES)
    upload.seek(0)
    return head, tail


def _has_active_content(*chunks: bytes | str) -> bool:
    for chunk in chunks:
        data = chunk.encode("utf-8", "replace") if isinstance(chunk, str) else chunk
        if ACTIVE_CONTENT.search(data):
            return True
    return False


def _polyglot() -> ValidationError:
    return _refuse(
        _(
            "This file carries something besides a picture or a video (such as web page code "
            "or an archive), so it was not stored. Save the photo or video again from the "
            "camera or gallery and upload that."
        ),
        "polyglot",
    )


def _wrong_name(name: str, what: str) -> ValidationError:
    return _refuse(
        _("The file is named “%(name)s” but it contains %(what)s. Rename it or export it again.")
        % {"name": PurePath(name).name, "what": what},
        "extension_mismatch",
    )


def clean_media(upload: File[Any]) -> CleanMedia:
    """The upload checked and, for a photo, re-encoded; else a ``ValidationError``."""
    size = int(upload.size or 0)
    if size <= 0:
        raise _refuse(_("The file is empty. Choose the photo or video again."), "empty")
    head, tail = _read_ends(upload, size)
    if head.lstrip()[:1] == b"<":
        raise _refuse(
            _("This file is a web page or a drawing (such as SVG), not %(kinds)s.")
            % {"kinds": _accepted_kinds()},
            "not_media",
        )
    if _has_active_content(head, tail):
        raise _polyglot()
    if (head[4:8] == b"ftyp" and head[8:12] in MP4_BRANDS) or head.startswith(EBML_MAGIC):
        return _clean_video(upload, size=size, head=head)
    return _clean_photo(upload, size=size)


# --- Photos ------------------------------------------------------------------------------------


def _image_texts(image: Image.Image) -> Iterable[bytes | str]:
    """The image's text metadata (comments, XMP, PNG text chunks, JPEG APP segments)."""
    for value in image.info.values():
        if isinstance(value, bytes | str):
            yield value
    for _marker, segment in getattr(image, "applist", []):
        yield segment


def _clean_photo(upload: File[Any], *, size: int) -> CleanMedia:
    name = upload.name or ""
    if size > settings.MEDIA_PHOTO_MAX_BYTES:
        raise _refuse(
            _("This photo is %(size)s; the most a photo may be is %(max)s.")
            % {
                "size": filesizeformat(size),
                "max": filesizeformat(settings.MEDIA_PHOTO_MAX_BYTES),
            },
            "too_big",
        )
    upload.seek(0)
    data = upload.read()
    not_accepted = _refuse(
        _("This file is not %(kinds)s.") % {"kinds": _accepted_kinds()}, "not_media"
    )
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("error", Image.DecompressionBombWarning)
            image = Image.open(io.BytesIO(data), formats=list(PHOTO_FORMATS))
            width, height = image.size
            if width * height > settings.MEDIA_PHOTO_MAX_PIXELS:
                raise Image.DecompressionBombError
            if _extension(name) not in PHOTO_FORMATS[str(image.format)]:
                raise _wrong_name(name, _("a %(format)s image") % {"format": image.format})
            image.load()
    except (Image.DecompressionBombError, Image.DecompressionBombWarning):
        raise _refuse(
            _(
                "This image is too large in pixels to be a photo (at most %(mp)s megapixels). "
                "Take or export it at a smaller size."
            )
            % {"mp": settings.MEDIA_PHOTO_MAX_PIXELS // 1_000_000},
            "too_many_pixels",
        ) from None
    except (UnidentifiedImageError, OSError, SyntaxError, ValueError):
        raise not_accepted from None
    if _has_active_content(*_image_texts(image)):
        raise _polyglot()
    upright = ImageOps.exif_transpose(image)
    if upright.mode in {"RGBA", "LA", "PA"} or "transparency" in upright.info:
        rgba = upright.convert("RGBA")
        upright = Image.new("RGB", rgba.size, "white")
        upright.paste(rgba, mask=rgba.getchannel("A"))
    else:
        upright = upright.convert("RGB")
    photo = _jpeg(upright, PHOTO_SIZE)
    return CleanMedia(
        kind=PHOTO,
        file=ContentFile(photo[0], name="photo.jpg"),
        content_type="image/jpeg",
        size=len(photo[0]),
        width=photo[1],
        height=photo[2],
        thumbnail=ContentFile(_jpeg(upright, THUMBNAIL_SIZE)[0], name="thumbnail.jpg"),
    )


def _jpeg(image: Image.Image, box: tuple[int, int]) -> tuple[bytes, int, int]:
    """A JPEG of ``image`` fitting in ``box``, with no metadata at all."""
    copy = image.copy()
    copy.thumbnail(box, Image.Resampling.LANCZOS)
    out = io.BytesIO()
    copy.save(out, format="JPEG", quality=JPEG_QUALITY, optimize=True, progressive=True)
    return out.getvalue(), copy.width, copy.height


def clean_poster(upload: File[Any]) -> File[Any]:
    """A video's poster: a photo, checked and re-encoded as any photo, at thumbnail size."""
    photo = clean_media(upload)
    if photo.kind != PHOTO or photo.thumbnail is None:
        raise _refuse(_("The poster must be a photo (JPEG, PNG or WebP)."), "poster_not_photo")
    return photo.thumbnail


# --- Videos ------------------------------------------------------------------------------------


def _video_metadata(upload: File[Any]) -> tuple[float | None, int | None, int | None]:
    """(seconds, width, height) from the container, each ``None`` where it says nothing."""
    from hachoir.core import config as hachoir_config  # noqa: PLC0415 (a heavy import, kept lazy)
    from hachoir.metadata import extractMetadata  # noqa: PLC0415
    from hachoir.parser import guessParser  # noqa: PLC0415
    from hachoir.stream import InputIOStream  # noqa: PLC0415

    hachoir_config.quiet = True  # its warnings would go to stderr
    upload.seek(0)
    try:
        parser = guessParser(InputIOStream(upload, source="upload", tags=[]))
        metadata = extractMetadata(parser) if parser else None
    except Exception:  # hachoir raises many kinds on a damaged file: all mean "cannot read"
        metadata = None
    finally:
        upload.seek(0)
    if metadata is None:
        return None, None, None

    def get(key: str) -> Any:
        try:
            return metadata.get(key) if metadata.has(key) else None
        except (ValueError, KeyError):
            return None

    duration = get("duration")
    seconds = duration.total_seconds() if duration is not None else None
    width, height = get("width"), get("height")
    if width is None:  # Matroska keeps them on the video stream
        for group in getattr(metadata, "iterGroups", list)():
            if group.has("width"):
                width, height = group.get("width"), group.get("height")
                break
    return seconds, width, height


def _clean_video(upload: File[Any], *, size: int, head: bytes) -> CleanMedia:
    name = upload.name or ""
    container = "webm" if head.startswith(EBML_MAGIC) else "mp4"
    if container == "webm" and b"webm" not in head[:64]:
        raise _refuse(_("This file is not %(kinds)s.") % {"kinds": _accepted_kinds()}, "not_media")
    if _extension(name) not in VIDEO_EXTENSIONS[container]:
        raise _wrong_name(
            name, _("a video in %(format)s format") % {"format": VIDEO_NAMES[container]}
        )
    limit = settings.MEDIA_VIDEO_MAX_BYTES
    if size > limit:
        raise _refuse(
            _(
                "This video is %(size)s; the most a video may be is %(max)s. Film a shorter "
                "clip, or choose a lower quality in the camera's settings."
            )
            % {"size": filesizeformat(size), "max": filesizeformat(limit)},
            "too_big",
        )
    seconds, width, height = _video_metadata(upload)
    if seconds is None or seconds <= 0:
        raise _refuse(
            _(
                "The length of this video cannot be read from the file, so it was not stored. "
                "Film it again with the phone's camera app, or save it as MP4."
            ),
            "no_duration",
        )
    longest = settings.MEDIA_VIDEO_MAX_SECONDS
    if seconds > longest:
        raise _refuse(
            _("This video lasts %(seconds)s seconds; a video may last at most %(max)s seconds.")
            % {"seconds": int(seconds + 0.999), "max": longest},
            "too_long",
        )
    upload.seek(0)
    return CleanMedia(
        kind=VIDEO,
        file=File(upload, name=f"video.{container}"),
        content_type=VIDEO_TYPES[container],
        size=size,
        width=width,
        height=height,
        duration_seconds=max(1, round(seconds)),
    )
