"""Where a ``next`` may send the browser (core.redirects): this site, by a path from the root
or a whole address, never a bare word (``redirect()`` would look it up as a URL name)."""

from __future__ import annotations

import pytest
from django.test import RequestFactory

from core.redirects import is_safe_redirect, safe_next_url


@pytest.mark.parametrize(
    ("url", "safe"),
    [
        ("/clinic/alerts/", True),
        ("/clinic/patients/?q=ann#list", True),
        ("http://testserver/clinic/", True),
        ("", False),
        ("abc", False),
        ("-1", False),
        ("²", False),
        ("rehab:dashboard", False),
        ("clinic/alerts/", False),
        ("//evil.example/", False),
        ("https://evil.example/", False),
        ("javascript:alert(1)", False),
    ],
)
def test_only_paths_and_addresses_of_this_site_are_safe(url: str, safe: bool) -> None:
    assert is_safe_redirect(RequestFactory().get("/"), url) is safe


def test_an_unsafe_next_falls_back_to_the_default() -> None:
    request = RequestFactory().post("/", {"next": "abc"})
    assert safe_next_url(request, "/clinic/") == "/clinic/"
