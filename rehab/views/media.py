"""Photos and videos, streamed from the storage to whoever may see them (``get_media``).

There is no public media URL: every file is read through Django's storage API (the file
system or an S3-compatible bucket) after the access check, and served with its checked
content type, ``nosniff`` and a sandboxing policy, never cached by a shared cache. A
``Range`` request (a phone's video player seeking) is answered with that part (206).
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from typing import IO, Any
from uuid import UUID

from django.contrib.auth.decorators import login_required
from django.http import FileResponse, Http404, HttpRequest, HttpResponse, StreamingHttpResponse
from django.views.decorators.http import require_safe

from rehab.access import get_media
from rehab.models.media import MediaFields

CHUNK = 64 * 1024
RANGE = re.compile(r"^bytes=(\d*)-(\d*)$")


def _secure(response: HttpResponse | StreamingHttpResponse, content_type: str) -> Any:
    response["Content-Type"] = content_type if response.status_code != 416 else "text/plain"
    response["X-Content-Type-Options"] = "nosniff"
    response["Content-Security-Policy"] = "default-src 'none'; sandbox"
    response["Content-Disposition"] = "inline"
    response["Accept-Ranges"] = "bytes"
    response["Cache-Control"] = "private, no-store"
    return response


def _part(handle: IO[bytes], start: int, length: int) -> Iterator[bytes]:
    try:
        handle.seek(start)
        left = length
        while left > 0:
            chunk = handle.read(min(CHUNK, left))
            if not chunk:
                break
            left -= len(chunk)
            yield chunk
    finally:
        handle.close()


def _serve(request: HttpRequest, media: MediaFields, name: str, content_type: str) -> Any:
    storage = media.file.storage
    try:
        size = storage.size(name)
        handle = storage.open(name, "rb")
    except (OSError, FileNotFoundError):
        raise Http404 from None
    match = RANGE.match(request.headers.get("Range", "").strip())
    if match and (match.group(1) or match.group(2)):
        first, last = match.group(1), match.group(2)
        if first:
            start = int(first)
            end = min(int(last), size - 1) if last else size - 1
        else:  # the last N bytes
            start = max(0, size - int(last))
            end = size - 1
        if start >= size or start > end:
            handle.close()
            response = HttpResponse(status=416)
            response["Content-Range"] = f"bytes */{size}"
            return _secure(response, content_type)
        length = end - start + 1
        streamed = StreamingHttpResponse(_part(handle, start, length), status=206)
        streamed["Content-Range"] = f"bytes {start}-{end}/{size}"
        streamed["Content-Length"] = str(length)
        return _secure(streamed, content_type)
    return _secure(FileResponse(handle, content_type=content_type), content_type)


@require_safe
@login_required
def media_file(request: HttpRequest, key: UUID) -> Any:
    media = get_media(request.user, key)
    return _serve(request, media, media.file.name or "", media.content_type)


@require_safe
@login_required
def media_thumbnail(request: HttpRequest, key: UUID) -> Any:
    """A photo's small copy, or a video's poster (404 when a video has none)."""
    media = get_media(request.user, key)
    if not media.thumbnail:
        raise Http404
    return _serve(request, media, media.thumbnail.name or "", "image/jpeg")
