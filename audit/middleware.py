"""Record who read or changed which patient's data: one INSERT per request at most.

The patients come from the access helpers (``core.touched.touch``: the API's lists touch each
row's patient, a write each patient its body names), from the rows an admin change list
showed, else from the route: an admin or API object route (``admin:rehab_exerciselog_change
42``, ``api:log-detail 42``) looks the patient up in a subquery of the same INSERT; a list that
shows no patient's rows (an empty list, the patient list and alerts pages) records one event
without a patient.

Reads are recorded for 2xx answers to GET/HEAD; changes for 2xx/3xx answers to other methods.
Errors, refusals and redirects of reads are not recorded.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from typing import Any

from django.db import DatabaseError
from django.http import HttpRequest, HttpResponse
from django.urls import ResolverMatch

from audit import routes, services
from core import touched as touched_patients

logger = logging.getLogger(__name__)

READ_METHODS = frozenset({"GET", "HEAD"})


class AuditMiddleware:
    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        token = touched_patients.start()
        try:
            response = self.get_response(request)
        finally:
            touched = touched_patients.stop(token)
        try:
            self.record(request, response, touched)
        except DatabaseError:  # never turn a served answer into an error page
            logger.exception("audit: could not record an access event")
        return response

    def record(self, request: HttpRequest, response: HttpResponse, touched: set[int]) -> None:
        method = (request.method or "").upper()
        status = response.status_code
        if method in READ_METHODS:
            if not 200 <= status < 300:
                return
            action = "read"
        else:
            if not 200 <= status < 400:
                return
            action = "change"
        match: ResolverMatch | None = getattr(request, "resolver_match", None)
        if match is None:
            return
        user: Any = getattr(request, "user", None)
        what = routes.describe(match)
        targets = routes.targets(match, touched | routes.listed_patients(match, response))
        if not targets:
            return
        services.record(
            user=user,
            action=action,
            what=what,
            method=method,
            path=routes.safe_path(request.path, match),
            meta=request.META,
            targets=targets,
        )
