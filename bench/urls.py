"""The project's URLs plus ``/bench/baseline/``: a trivial page for a signed-in user.

The baseline runs through the same middleware (sessions, CSRF, authentication, CSP, …) and
loads the session and the user, and nothing else: the mix's throughput and each page's
in-process cost are reported as ratios to it.
"""

from __future__ import annotations

from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.urls import include, path


@login_required
def baseline(request: HttpRequest) -> HttpResponse:
    return HttpResponse(f"ok {request.user.pk}\n", content_type="text/plain")


urlpatterns = [
    path("bench/baseline/", baseline, name="bench_baseline"),
    path("", include("config.urls")),
]
