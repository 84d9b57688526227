"""Whole answers of the hottest reads, cached until the data they show changes.

Key-based expiry, no guessing. Every patient has a *version token* in the cache, and the
exercise library has one. Any write to a patient's data (a log, a check-in, a plan edit, a
message, the patient's record; ``rehab.receivers`` connects the signals, and the services call
``patient_changed`` where they write with ``update()``) replaces that patient's token, at once
and again when the transaction commits. A cached answer is stored with the tokens it was
rendered under and served only while all of them are unchanged, so a write shows on the next
request. Reading the tokens and the answer is one cache round trip.

What is cached is the same for every request of one user: the per-request parts are rendered
as placeholders and filled in on the way out (the CSRF token, the CSP nonce, the fresh UUIDs of
no-JavaScript forms). An answer is not cached while flash messages are waiting (they would be
rendered into it), nor for any status but 200. The key holds the page, the scheme, host and
full path, the viewer (id, name, and a clinician's role and clinic), the language, the day the
caller passes and a digest of the code and templates (a deploy never serves the previous
release's markup). Clinicians' pages also carry their clinic's token, replaced when one of
its clinicians changes (their names show as authors of messages and measurements).

It is on only with a cache that all processes share (``PAGE_CACHE``, on with ``REDIS_URL``):
with a per-process cache, one process would not see another's writes. Entries also expire
after ``PAGE_TTL`` seconds, so nothing outlives a missed signal for long.
"""

from __future__ import annotations

import hashlib
import logging
import os
import re
import secrets
import uuid
from collections.abc import Callable, Iterable, Sequence
from functools import cache as memoize
from pathlib import Path
from typing import Any

from django.conf import settings
from django.contrib.messages import get_messages
from django.core.cache import cache
from django.db import transaction
from django.http import HttpRequest, HttpResponse
from django.middleware.csp import get_nonce
from django.middleware.csrf import get_token
from django.utils.translation import get_language

from clinic.access import clinician_of

logger = logging.getLogger(__name__)

PAGE_TTL = 15 * 60
TOKEN_TTL = 7 * 24 * 60 * 60
LIBRARY = "library"

# Placeholders rendered in place of per-request values (letters, digits and dashes only, so
# no escaping changes them).
CSRF_PLACEHOLDER = "rehab-placeholder-csrf-7d4e1b"
NONCE_PLACEHOLDER = "rehab-placeholder-nonce-7d4e1b"
UUID_PLACEHOLDER = "rehab-placeholder-uuid-7d4e1b"
_UUIDS = re.compile(re.escape(UUID_PLACEHOLDER))

# Where the code and templates that shape a page live (the release digest).
_RELEASE_DIRS = ("templates", "rehab", "clinic", "config", "audit", "locale", "static")


def enabled() -> bool:
    return bool(getattr(settings, "PAGE_CACHE", False))


def placeholders() -> dict[str, str]:
    """Template context that renders the per-request values as placeholders."""
    return {"csrf_token": CSRF_PLACEHOLDER, "csp_nonce": NONCE_PLACEHOLDER}


def fill(request: HttpRequest, body: str) -> str:
    """The placeholders replaced by this request's values (a new UUID for each)."""
    if CSRF_PLACEHOLDER in body:
        body = body.replace(CSRF_PLACEHOLDER, get_token(request))
    if NONCE_PLACEHOLDER in body:
        body = body.replace(NONCE_PLACEHOLDER, str(get_nonce(request)))
    if UUID_PLACEHOLDER in body:
        body = _UUIDS.sub(lambda _match: str(uuid.uuid4()), body)
    return body


# --- Version tokens --------------------------------------------------------------------------


def _token_key(name: object) -> str:
    return f"rehab:version:{name}"


def _new_token() -> str:
    return secrets.token_hex(8)


def _replace_tokens(names: Iterable[object]) -> None:
    tokens = {_token_key(n): _new_token() for n in names}
    try:
        if len(tokens) == 1:  # the usual write: one SET, not a MULTI/EXEC pipeline
            cache.set(*tokens.popitem(), TOKEN_TTL)
        else:
            cache.set_many(tokens, TOKEN_TTL)
    except Exception:  # the write stands; its pages may show the old data until PAGE_TTL
        logger.exception("pagecache: could not replace version tokens")


def _bump(names: set[object]) -> None:
    if not names:
        return
    _replace_tokens(names)
    # A request that read the new token before the commit may have rendered the old rows:
    # replacing the token again after the commit leaves its answer unused.
    if transaction.get_connection().in_atomic_block:
        transaction.on_commit(lambda: _replace_tokens(names))


def patient_changed(*patient_ids: int | None) -> None:
    """Something a patient's pages show has changed: their cached answers are not served again."""
    _bump({pid for pid in patient_ids if pid})


def clinic_changed(*clinic_ids: int | None) -> None:
    """Something every patient page of a clinic may show has changed (a clinician's name, as
    the author of a message or a measurement): the clinic's clinician pages are stale."""
    _bump({f"clinic-{cid}" for cid in clinic_ids if cid})


def library_changed() -> None:
    """The exercise library has changed (names, equipment): every cached answer is stale."""
    _bump({LIBRARY})


def _tokens(names: Sequence[object], got: dict[str, Any]) -> tuple[str, ...]:
    missing = [n for n in names if _token_key(n) not in got]
    if missing:
        # A new token for each that has none (first read, or evicted); ``add`` keeps a token
        # another process set meanwhile, and the read after it takes whichever won.
        for name in missing:
            cache.add(_token_key(name), _new_token(), TOKEN_TTL)
        got = {**got, **cache.get_many([_token_key(n) for n in missing])}
    return tuple(str(got.get(_token_key(n), "")) for n in names)


# --- Answers ---------------------------------------------------------------------------------


@memoize
def release() -> str:
    """A digest of the code and templates (paths, sizes, modification times), read once."""
    base = Path(settings.BASE_DIR)
    digest = hashlib.blake2b(digest_size=8)
    for folder in _RELEASE_DIRS:
        for root, dirs, files in os.walk(base / folder):
            dirs[:] = sorted(d for d in dirs if d != "__pycache__")
            for name in sorted(files):
                stat = (Path(root) / name).stat()
                digest.update(f"{root}/{name}:{stat.st_size}:{stat.st_mtime_ns}\n".encode())
    return digest.hexdigest()


def _viewer(request: HttpRequest) -> list[str]:
    """Who is asking, as the header shows them, and a clinician's role and clinic (what they
    may do on the page); the record comes with the user (clinic.accounts.backends), so no query."""
    user: Any = request.user
    clinician = clinician_of(user)
    return [
        str(user.pk),
        user.get_full_name() if hasattr(user, "get_full_name") else "",
        clinician.role if clinician else "",
        str(clinician.clinic_id) if clinician else "",
    ]


def _page_key(request: HttpRequest, page: str, vary: Sequence[object]) -> str:
    parts = [
        release(),
        page,
        request.scheme or "",
        request.get_host(),
        request.get_full_path(),
        get_language() or "",
        "htmx" if request.headers.get("HX-Request") else "",
        *_viewer(request),
        *(str(v) for v in vary),
    ]
    digest = hashlib.blake2b("\x1f".join(parts).encode(), digest_size=16).hexdigest()
    return f"rehab:page:{page}:{digest}"


def _has_messages(request: HttpRequest) -> bool:
    return hasattr(request, "_messages") and len(get_messages(request)) > 0


def respond(
    request: HttpRequest,
    *,
    page: str,
    patient_ids: Iterable[int],
    clinic_id: int | None = None,
    vary: Sequence[object],
    render: Callable[[], HttpResponse],
) -> HttpResponse:
    """The answer ``render`` gives (rendered with ``placeholders()``), from the cache while
    the patients' and the library's tokens are unchanged, with this request's values filled in.

    ``clinic_id``: the clinician's pages also show the clinic's clinicians (their names).
    ``vary``: whatever else the answer depends on beyond the key's usual parts (the day, the
    patients on a list page and their count)."""
    if not enabled() or _has_messages(request):
        return personal(request, render())
    names: list[object] = [*sorted(set(patient_ids)), LIBRARY]
    if clinic_id is not None:
        names.append(f"clinic-{clinic_id}")
    key = _page_key(request, page, vary)
    try:
        got = cache.get_many([key, *(_token_key(n) for n in names)])
        tokens = _tokens(names, got)
    except Exception:  # a cache that is down costs a render, never the page
        logger.warning("pagecache: cache unavailable", exc_info=True)
        return personal(request, render())
    entry = got.get(key)
    if entry is not None and entry[0] == tokens:
        _signature, body, content_type = entry
        return HttpResponse(fill(request, body), content_type=content_type)
    response = render()
    if response.status_code == 200 and not response.streaming:
        body = response.content.decode(response.charset)
        try:
            cache.set(key, (tokens, body, response["Content-Type"]), PAGE_TTL)
        except Exception:
            logger.warning("pagecache: cache unavailable", exc_info=True)
    return personal(request, response)


def personal(request: HttpRequest, response: HttpResponse) -> HttpResponse:
    """A response rendered with ``placeholders()`` (not from the cache), filled in."""
    if response.streaming:
        return response
    response.content = fill(request, response.content.decode(response.charset)).encode(
        response.charset
    )
    return response
