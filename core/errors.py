"""Answers when the database cannot be reached: 503 with ``Retry-After``, never a 500.

A PostgreSQL restart, a failover or a full connection pool raise ``OperationalError``
(psycopg's pool timeout is one) wherever the request happens to touch the database: in a view,
in the middleware that loads the session, in the audit trail. Nothing was written (each write
is one transaction, rolled back), so the client may send the same request again: a phone retries
a log with the same ``client_uuid`` and gets it stored once. Under ``/api/`` the answer is JSON
like every other API error; elsewhere a short page that needs no database to render.

``server_error`` is the project's ``handler500`` (used when ``DEBUG`` is off); the API's
exception handler answers the same for its own views (``core.api.exceptions``).
"""

from __future__ import annotations

import sys

from django.db import InterfaceError, OperationalError
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.template.loader import render_to_string
from django.utils.cache import patch_cache_control
from django.utils.translation import gettext as _
from django.views import defaults

RETRY_AFTER_SECONDS = 10
OUTAGE_ERRORS = (OperationalError, InterfaceError)


def is_outage(exc: BaseException | None) -> bool:
    """Whether ``exc`` says the database is unreachable (not that a query was wrong)."""
    return isinstance(exc, OUTAGE_ERRORS)


def outage_message() -> str:
    return _("The service is briefly unavailable. Please try again in a moment.")


def outage_response(request: HttpRequest) -> HttpResponse:
    """503 with ``Retry-After``: JSON under ``/api/``, else a page rendered without the
    database (no session, no user, no context processors)."""
    response: HttpResponse
    if request.path.startswith("/api/"):
        response = JsonResponse({"detail": outage_message()}, status=503)
    else:
        page = render_to_string("503.html", {"message": outage_message()})
        response = HttpResponse(page, status=503)
    response["Retry-After"] = str(RETRY_AFTER_SECONDS)
    patch_cache_control(response, no_store=True)
    return response


def server_error(request: HttpRequest) -> HttpResponse:
    """``handler500``: a database outage answers 503; any other error Django's 500 (as JSON
    under ``/api/``). Django calls it while it handles the exception, which is therefore
    ``sys.exception()``."""
    if is_outage(sys.exception()):
        return outage_response(request)
    if request.path.startswith("/api/"):
        return JsonResponse({"detail": _("Server error.")}, status=500)
    return defaults.server_error(request)
