"""Where a ``next`` parameter may send the browser: only to this site."""

from __future__ import annotations

from urllib.parse import urlsplit

from django.http import HttpRequest
from django.utils.http import url_has_allowed_host_and_scheme


def is_safe_redirect(request: HttpRequest, url: str) -> bool:
    """Whether ``url`` stays on this host (and on HTTPS if the request came over HTTPS), as a
    path from the root ("/...") or a whole address. A bare word ("abc", "rehab:dashboard") is
    neither: ``redirect()`` would take it for a URL name."""
    if not url or not (url.startswith("/") or urlsplit(url).scheme in {"http", "https"}):
        return False
    return url_has_allowed_host_and_scheme(
        url, allowed_hosts={request.get_host()}, require_https=request.is_secure()
    )


def safe_next_url(request: HttpRequest, default: str) -> str:
    """The ``next`` of the form or the query string if it is safe, else ``default``."""
    target = request.POST.get("next") or request.GET.get("next") or ""
    return target if is_safe_redirect(request, target) else default
