"""The JSON body of a page's request (the pages' scripts post JSON; the API has its parser)."""

from __future__ import annotations

import json
from typing import Any

from django.http import HttpRequest


def json_body(request: HttpRequest) -> Any:
    """The request's body read as JSON (``{}`` when empty); ``None`` when it is not JSON, is
    nested too deeply for ``json`` to read (``[[[…]]]`` thousands deep), or holds a ``\\u``
    escape that is no character (``is_text``)."""
    try:
        data = json.loads(request.body or b"{}")
        text = is_text(data)
    except (ValueError, RecursionError):
        return None
    return data if text else None


def is_text(data: Any) -> bool:
    """Whether every string of read JSON (keys included) is text. ``json`` reads ``"\\ud800"``
    (half of a surrogate pair, alone) into a string that cannot be encoded: stored, looked
    for or quoted in an answer, it fails (a 500)."""
    try:
        json.dumps(data, ensure_ascii=False).encode()
    except UnicodeEncodeError:
        return False
    return True
