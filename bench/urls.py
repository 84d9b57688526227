"""The project's URLs plus ``/bench/baseline/``: a trivial page for a signed-in user.

The baseline runs through the same middleware (sessions, CSRF, authentication, CSP, …) and
loads the session and the user, and nothing else: each page's throughput is reported as a
ratio to it. If the project's URLconf cannot be imported (a part still being written), each of
its parts is included on its own and the ones that fail are listed in ``SKIPPED``, so the
benchmark reports those pages as missing instead of failing altogether.
"""

from __future__ import annotations

import importlib
from typing import Any

from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.urls import URLPattern, URLResolver, include, path

SKIPPED: list[str] = []


@login_required
def baseline(request: HttpRequest) -> HttpResponse:
    return HttpResponse(f"ok {request.user.pk}\n", content_type="text/plain")


def _project_urls() -> list[URLPattern | URLResolver]:
    try:
        module = importlib.import_module("config.urls")
    except Exception as exc:
        SKIPPED.append(f"config.urls ({type(exc).__name__}: {exc})")
    else:
        return list(module.urlpatterns)
    patterns: list[URLPattern | URLResolver] = []
    parts: list[tuple[str, Any]] = [
        ("api/v1/", "rehab.api.urls"),
        ("", "clinic.urls:auth_urlpatterns"),
        ("", "clinic.urls"),
        ("", "rehab.urls"),
    ]
    for prefix, target in parts:
        try:
            if ":" in target:
                name, attribute = target.split(":")
                patterns.append(
                    path(prefix, include(getattr(importlib.import_module(name), attribute)))
                )
            else:
                patterns.append(path(prefix, include(target)))
        except Exception as exc:
            SKIPPED.append(f"{target} ({type(exc).__name__}: {exc})")
    return patterns


urlpatterns: list[URLPattern | URLResolver] = [
    path("bench/baseline/", baseline, name="bench_baseline"),
    *_project_urls(),
]
