"""Uploads are judged by their content (rehab.uploads): each bad file of issue 21 is refused
with a clear message and nothing is stored; a photo is re-encoded without its metadata."""

from __future__ import annotations

import io

import pytest
from django.core.exceptions import ValidationError
from django.test import override_settings
from PIL import Image

from rehab.uploads import PHOTO, VIDEO, clean_media
from tests import media


def refused(name: str, data: bytes) -> ValidationError:
    with pytest.raises(ValidationError) as caught:
        clean_media(media.upload(name, data))
    return caught.value


@pytest.mark.parametrize(
    ("name", "data", "code", "words"),
    [
        ("photo.jpg", b"", "empty", "empty"),
        ("photo.png", media.jpeg_bytes(), "extension_mismatch", "contains a JPEG image"),
        ("clip.webm", media.clip("clip.mp4"), "extension_mismatch", "MP4"),
        ("drawing.jpg", media.SVG, "not_media", "not a photo"),
        ("page.png", media.HTML, "not_media", "not a photo"),
        ("bomb.png", media.png_bomb_bytes(), "too_many_pixels", "too large in pixels"),
        ("notes.jpg", b"just some text, not a picture", "not_media", "not a photo"),
        ("photo.jpg", media.jpeg_bytes() + media.HTML, "polyglot", "web page code"),
        ("photo.jpg", media.jpeg_bytes() + b"PK\x05\x06" + bytes(18), "polyglot", "archive"),
    ],
)
def test_a_bad_file_is_refused_with_a_clear_message(
    name: str, data: bytes, code: str, words: str
) -> None:
    error = refused(name, data)
    assert error.code == code
    assert words in " ".join(error.messages)


def test_markup_hidden_in_a_photo_comment_is_refused() -> None:
    out = io.BytesIO()
    Image.new("RGB", (20, 20)).save(out, format="PNG", pnginfo=_png_text("<script>x</script>"))
    assert refused("photo.png", out.getvalue()).code == "polyglot"


def _png_text(text: str):
    from PIL.PngImagePlugin import PngInfo  # noqa: PLC0415

    info = PngInfo()
    info.add_text("Comment", text)
    return info


@override_settings(MEDIA_VIDEO_MAX_BYTES=1000)
def test_a_video_over_the_size_limit_is_refused() -> None:
    error = refused("clip.mp4", media.clip("clip.mp4"))
    assert error.code == "too_big"
    assert "the most a video may be is 1000" in error.messages[0]


@override_settings(MEDIA_VIDEO_MAX_SECONDS=1)
def test_a_video_over_the_length_limit_is_refused() -> None:
    error = refused("clip.webm", media.clip("clip.webm"))
    assert error.code == "too_long"
    assert "at most 1 seconds" in error.messages[0]


@override_settings(MEDIA_PHOTO_MAX_BYTES=1000)
def test_a_photo_over_the_size_limit_is_refused() -> None:
    assert refused("photo.jpg", media.jpeg_bytes()).code == "too_big"


def test_a_video_whose_length_cannot_be_read_is_refused() -> None:
    data = media.clip("clip.mp4")
    broken = data[:40]  # the header only: no movie box, so no length
    assert refused("clip.mp4", broken).code == "no_duration"


@pytest.mark.parametrize(("name", "container"), [("clip.mp4", "mp4"), ("clip.webm", "webm")])
def test_an_mp4_or_webm_is_kept_with_its_length(name: str, container: str) -> None:
    clean = clean_media(media.upload(name, media.clip(name)))
    assert clean.kind == VIDEO
    assert clean.content_type == f"video/{container}"
    assert (clean.width, clean.height, clean.duration_seconds) == (64, 48, 2)
    assert clean.file.name == f"video.{container}"
    assert clean.thumbnail is None


@pytest.mark.parametrize(
    ("name", "data"),
    [
        ("photo.JPG", media.jpeg_bytes((4000, 3000))),
        ("photo.png", media.png_bytes()),
        ("photo.webp", media.webp_bytes()),
    ],
)
def test_a_photo_is_re_encoded_upright_without_metadata_and_resized(name: str, data: bytes) -> None:
    clean = clean_media(media.upload(name, data))
    assert clean.kind == PHOTO
    assert clean.content_type == "image/jpeg"
    stored = clean.file.read()
    image = Image.open(io.BytesIO(stored))
    assert image.format == "JPEG"
    assert not image.getexif()  # no camera, no orientation, no location
    assert b"Test Camera" not in stored
    assert "exif" not in image.info
    assert max(image.size) <= 1600
    assert (clean.width, clean.height) == image.size
    thumbnail = Image.open(io.BytesIO(clean.thumbnail.read()))
    assert max(thumbnail.size) <= 480


def test_a_sideways_camera_photo_is_turned_upright() -> None:
    clean = clean_media(media.upload("photo.jpg", media.jpeg_bytes((800, 600))))
    assert (clean.width, clean.height) == (600, 800)  # orientation 6 applied, then dropped


def test_the_file_name_never_reaches_the_stored_name() -> None:
    clean = clean_media(media.upload("../../etc/passwd name.jpg", media.jpeg_bytes()))
    assert clean.file.name == "photo.jpg"
