"""The JSON body of a page's request (the pages' scripts post JSON; the API has its parser)."""

from __future__ import annotations

import json
from typing import Any

from django.http import HttpRequest


def json_body(request: HttpRequest) -> Any:
    """The request's body read as JSON (``{}`` when empty); ``None`` when it is not JSON, or
    is nested too deeply for ``json`` to read (``[[[…]]]`` thousands deep)."""
    try:
        return json.loads(request.body or b"{}")
    except (ValueError, RecursionError):
        return None
