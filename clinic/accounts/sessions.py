"""Session limits and the list of a user's browser sessions.

- ``SessionLimitsMiddleware`` ends a signed-in session after an idle time and an absolute time,
  shorter for clinicians and staff than for patients (``SESSION_LIMITS`` in settings).
- ``record_user_session`` / ``touch_user_session`` keep the user's ``UserSession`` rows.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from typing import Any

from django.conf import settings
from django.contrib import messages
from django.contrib.auth import SESSION_KEY, logout
from django.contrib.auth.views import redirect_to_login
from django.http import HttpRequest, HttpResponse
from django.utils import timezone
from django.utils.translation import gettext as _

from clinic.models import Patient, UserSession
from core.client import client_ip

# Session keys (set at sign-in by ``clinic.accounts.signals``).
STARTED_AT = "started_at"
SEEN_AT = "seen_at"
SESSION_CLASS = "session_class"  # "patient" or "staff" (clinicians and admins)

# ``seen_at`` is written at most this often, so most requests do not re-save the session.
SEEN_AT_GRANULARITY = 60


def session_class_for(user: Any) -> str:
    """Patients get the longer limits; everyone else (clinicians, admins) the shorter ones."""
    return "patient" if Patient.objects.filter(user_id=user.pk).exists() else "staff"


def start_session_clock(request: HttpRequest, user: Any) -> None:
    now = int(time.time())
    request.session[STARTED_AT] = now
    request.session[SEEN_AT] = now
    request.session[SESSION_CLASS] = session_class_for(user)
    _set_expiry(request, now)


def _limits(request: HttpRequest) -> tuple[int, int]:
    limits = settings.SESSION_LIMITS.get(
        request.session.get(SESSION_CLASS, "staff"), settings.SESSION_LIMITS["staff"]
    )
    return int(limits["idle"]), int(limits["absolute"])


def _set_expiry(request: HttpRequest, now: int) -> None:
    """The cookie (and the stored session) lives until the sooner of the two limits."""
    idle, absolute = _limits(request)
    left = absolute - (now - int(request.session.get(STARTED_AT, now)))
    request.session.set_expiry(max(1, min(idle, left)))


def _expired(request: HttpRequest, now: int) -> bool:
    idle, absolute = _limits(request)
    session = request.session
    return (
        now - int(session.get(SEEN_AT, 0)) > idle
        or now - int(session.get(STARTED_AT, 0)) > absolute
    )


class SessionLimitsMiddleware:
    """End a signed-in session once it has been idle, or open, for too long.

    Goes after ``AuthenticationMiddleware`` and ``MessageMiddleware``. Pages redirect to the
    sign-in page with a message; ``/api/`` requests carry on signed out (and get a 401/403).
    """

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        session = getattr(request, "session", None)
        if session is not None and SESSION_KEY in session:
            now = int(time.time())
            user = getattr(request, "user", None)
            if user is not None and not user.is_authenticated:
                # Deactivated (or deleted) since sign-in: end the session, not just ignore it.
                session.flush()
            elif STARTED_AT not in session:  # a session from before these limits
                start_session_clock(request, user)
                touch_user_session(request, user)
            elif _expired(request, now):
                logout(request)
                if not request.path.startswith("/api/"):
                    messages.info(
                        request,
                        _("Your session has ended for your security. Please sign in again."),
                    )
                    return redirect_to_login(request.get_full_path())
            elif now - int(session.get(SEEN_AT, 0)) >= SEEN_AT_GRANULARITY:
                session[SEEN_AT] = now
                _set_expiry(request, now)
                touch_user_session(request, user)
        return self.get_response(request)


# --- The user's list of sessions (``clinic.UserSession``) ------------------------------------


def record_user_session(request: HttpRequest, user: Any) -> UserSession | None:
    """Create (or refresh) the row for this request's session; at sign-in, and when missing."""
    session = getattr(request, "session", None)
    if session is None or user is None or not getattr(user, "pk", None):
        return None
    if not session.session_key:
        session.save()
    now = timezone.now()
    meta = getattr(request, "META", {})
    row, _created = UserSession.objects.update_or_create(
        session_key=session.session_key,
        defaults={
            "user_id": user.pk,
            "last_seen_at": now,
            "ip": client_ip(meta),
            "user_agent": str(meta.get("HTTP_USER_AGENT", ""))[: UserSession.USER_AGENT_LENGTH],
        },
        create_defaults={
            "user_id": user.pk,
            "created_at": now,
            "last_seen_at": now,
            "ip": client_ip(meta),
            "user_agent": str(meta.get("HTTP_USER_AGENT", ""))[: UserSession.USER_AGENT_LENGTH],
        },
    )
    return row


def touch_user_session(request: HttpRequest, user: Any) -> None:
    """``last_seen_at`` now (called at most once a minute per session); the row if missing."""
    key = request.session.session_key
    if not key or user is None or not getattr(user, "pk", None):
        return
    updated = UserSession.objects.filter(session_key=key, user_id=user.pk).update(
        last_seen_at=timezone.now(), ip=client_ip(request.META)
    )
    if not updated:
        record_user_session(request, user)
