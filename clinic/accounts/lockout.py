"""django-axes' sign-in lockout: its answer, the username it counts and the client's address.

``lockout_response`` is django-axes' answer when an account and address are locked out.
"""

from __future__ import annotations

from typing import Any

from axes.models import AccessAttempt
from django.conf import settings
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import render
from django.utils.translation import gettext as _

from core.client import client_ip


def lockout_message() -> str:
    """The same words whether or not the account exists."""
    minutes = int(settings.AXES_COOLOFF_TIME.total_seconds() // 60)
    return _(
        "Too many failed sign-in attempts. Please wait %(minutes)d minutes and try again, "
        "or reset your password."
    ) % {"minutes": minutes}


def lockout_response(
    request: HttpRequest, original_response: HttpResponse | None, credentials: Any = None
) -> HttpResponse:
    """``AXES_LOCKOUT_CALLABLE``: JSON for the API, a page for the site and the admin."""
    if request.path.startswith("/api/"):
        response: HttpResponse = JsonResponse({"detail": lockout_message()}, status=429)
    else:
        response = render(
            request,
            "registration/locked_out.html",
            {"title": _("Sign-in paused"), "message": lockout_message()},
            status=429,
        )
    response["Retry-After"] = str(int(settings.AXES_COOLOFF_TIME.total_seconds()))
    return response


# django-axes keeps the username of each failed attempt in a column this long (its field, read
# through the model's public field descriptor).
AXES_USERNAME_MAX = AccessAttempt.username.field.max_length or 255


def axes_username(request: HttpRequest, credentials: dict[str, Any] | None) -> str:
    """``AXES_USERNAME_CALLABLE``: the email as typed, trimmed and lower-cased, cut to the
    length django-axes stores. No account has an email that long (254 at most), so a longer
    one is a failed sign-in like any other, counted under its first characters (uncut, it
    overflowed the attempt record: a 500 on the sign-in page and the admin's)."""
    value = (credentials or {}).get("username") or (credentials or {}).get("email")
    if value is None:
        value = request.POST.get("username", "") if request.method == "POST" else ""
    return str(value).strip().lower()[:AXES_USERNAME_MAX]


def axes_client_ip(request: HttpRequest) -> str | None:
    """``AXES_CLIENT_IP_CALLABLE``: the client's address under ``core.client``'s one policy."""
    return client_ip(request.META)
