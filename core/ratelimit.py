"""A small per-address limit (Django's cache) for the password-reset and invitation forms;
django-axes throttles the sign-in forms themselves."""

from __future__ import annotations

from collections.abc import Callable
from functools import wraps
from typing import Any

from django.conf import settings
from django.core.cache import caches
from django.http import HttpRequest, HttpResponseBase
from django.shortcuts import render
from django.utils.translation import gettext as _

from core.cache import CACHE_ERRORS, cache_unavailable
from core.client import client_ip


def client_address(request: HttpRequest) -> str:
    """The key a client's requests are counted under (``core.client``'s policy)."""
    return client_ip(request.META) or "unknown"


def _count(key: str, period: int) -> int:
    """This request's number in its window (the first counts 1)."""
    cache = caches[settings.RATE_LIMIT_CACHE]
    cache.add(key, 0, timeout=period)
    try:
        return cache.incr(key)
    except ValueError:  # expired between add and incr
        cache.set(key, 1, timeout=period)
        return 1


def rate_limit[V: Callable[..., HttpResponseBase]](scope: str) -> Callable[[V], V]:
    """At most ``RATE_LIMITS[scope]`` = (count, seconds) POSTs per address; then a 429 page.

    Counts live in Django's cache (``RATE_LIMIT_CACHE``); a fixed window per address. Should
    the cache be down, the request goes through uncounted (``core.cache``).
    """

    def decorator(view: V) -> V:
        @wraps(view)
        def wrapper(request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponseBase:
            if request.method == "POST" and settings.RATE_LIMIT_ENABLED:
                limit, period = settings.RATE_LIMITS[scope]
                try:
                    count = _count(f"rate-limit:{scope}:{client_address(request)}", period)
                except CACHE_ERRORS as error:  # fail open: Redis down must not lock people out
                    cache_unavailable(f"rate limit {scope}", error)
                    count = 0
                if count > limit:
                    return render(
                        request,
                        "registration/rate_limited.html",
                        {"title": _("Too many attempts"), "minutes": max(1, period // 60)},
                        status=429,
                    )
            return view(request, *args, **kwargs)

        return wrapper  # type: ignore[return-value]

    return decorator
