"""Reads about a person's account: the browsers where they are still signed in, as the account
page counts them and the sessions page lists them. Nothing here writes: the rows of sessions
signed out are left out, and forgotten by a write (``clinic.accounts.services``: at sign-in, a
password change, "sign out everywhere else", and the scheduler's hourly tick)."""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping
from typing import Any

from django.conf import settings
from django.contrib.auth import BACKEND_SESSION_KEY, HASH_SESSION_KEY, SESSION_KEY
from django.contrib.sessions.models import Session
from django.http import HttpRequest
from django.utils import timezone
from django.utils.crypto import constant_time_compare

from clinic.accounts.sessions import STARTED_AT
from clinic.models import User, UserSession
from core.client import client_ip


def user_sessions_split(
    user: User, *, keep_key: str | None
) -> tuple[list[UserSession], list[UserSession]]:
    """The user's rows as ``(live, signed out)``, each in ``UserSession``'s order; ``keep_key``'s
    row (this request's session) is live.

    A session is signed out when it has expired, has gone from the store (ended, flushed, its
    key cycled), or no longer verifies: Django keeps the hash of the user's password in the
    session (``HASH_SESSION_KEY``) and, at that browser's next request, drops a session whose
    hash no longer matches ``user.get_session_auth_hash()`` (``django.contrib.auth.get_user``),
    so a password change signs out every other browser; until then the session and its row
    are still stored. ``session_signs_in`` asks the same of the stored data.

    Two queries whatever the number of rows (sessions live in the database,
    ``SESSION_ENGINE``): the rows, and their unexpired sessions."""
    rows = list(UserSession.objects.filter(user=user))
    stored = Session.objects.filter(
        session_key__in=[row.session_key for row in rows], expire_date__gt=timezone.now()
    )
    signed_in = {s.session_key for s in stored if session_signs_in(s.get_decoded(), user)}
    live: list[UserSession] = []
    signed_out: list[UserSession] = []
    for row in rows:
        is_live = row.session_key in signed_in or row.session_key == keep_key
        (live if is_live else signed_out).append(row)
    return live, signed_out


def user_sessions_listed(request: HttpRequest, user: User) -> list[UserSession]:
    """The browsers where ``user`` is signed in, as the account pages list and count them (most
    recently seen first): the others that still sign the user in, and this request's session.

    When this session has no row yet (e.g. its key was cycled by the two-factor check), it is
    listed from the request, unsaved (no ``pk``): ``SessionLimitsMiddleware`` records its row
    within a minute (``touch_user_session``)."""
    key = request.session.session_key
    rows, _signed_out = user_sessions_split(user, keep_key=key)
    if key is not None and all(row.session_key != key for row in rows):
        rows = [_this_session(request, user, key), *rows]
    return rows


def _this_session(request: HttpRequest, user: User, key: str) -> UserSession:
    now = timezone.now()
    started = request.session.get(STARTED_AT)
    return UserSession(
        user=user,
        session_key=key,
        created_at=dt.datetime.fromtimestamp(int(started), tz=dt.UTC) if started else now,
        last_seen_at=now,
        ip=client_ip(request.META),
        user_agent=str(request.META.get("HTTP_USER_AGENT", ""))[: UserSession.USER_AGENT_LENGTH],
    )


def session_signs_in(data: Mapping[str, Any], user: User) -> bool:
    """Whether a stored session's data (``Session.get_decoded()``) still signs ``user`` in, as
    ``django.contrib.auth.get_user`` decides at that browser's next request: the session names
    the user and an authentication backend still configured, and holds the hash of the user's
    current password (or one made under a ``SECRET_KEY_FALLBACKS`` key, which Django renews
    then)."""
    if str(data.get(SESSION_KEY)) != str(user.pk):
        return False
    if data.get(BACKEND_SESSION_KEY) not in settings.AUTHENTICATION_BACKENDS:
        return False
    session_hash = data.get(HASH_SESSION_KEY)
    if not session_hash or not isinstance(session_hash, str):
        return False
    return constant_time_compare(session_hash, user.get_session_auth_hash()) or any(
        constant_time_compare(session_hash, fallback)
        for fallback in user.get_session_auth_fallback_hash()
    )
