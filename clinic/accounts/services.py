"""Writes about a person's account: their browser sessions (``UserSession`` rows and the
session store behind them) and their API tokens (one per device)."""

from __future__ import annotations

import logging
from collections.abc import Iterable, Mapping
from importlib import import_module
from typing import Any

from django.conf import settings
from django.contrib.auth import BACKEND_SESSION_KEY, HASH_SESSION_KEY, SESSION_KEY
from django.contrib.sessions.models import Session
from django.db import transaction
from django.db.models import Exists, OuterRef, Q
from django.http import HttpRequest
from django.utils import timezone
from django.utils.crypto import constant_time_compare
from knox.models import AuthToken
from knox.settings import knox_settings

from clinic.accounts.sessions import record_user_session
from clinic.models import TokenSecondFactor, User, UserSession

logger = logging.getLogger(__name__)


def _session_store() -> Any:
    return import_module(settings.SESSION_ENGINE).SessionStore()


def user_sessions_end(user: User, *, keep_key: str | None = None, pk: int | None = None) -> int:
    """Sign out the user's browser sessions (all, all but ``keep_key``, or the one row ``pk``):
    delete each from the session store, then its row. Returns how many were ended."""
    rows = UserSession.objects.filter(user=user)
    if keep_key is not None:
        rows = rows.exclude(session_key=keep_key)
    if pk is not None:
        rows = rows.filter(pk=pk)
    store = _session_store()
    count = 0
    for row in rows:
        store.delete(row.session_key)
        row.delete()
        count += 1
    return count


def user_sessions_signed_in(request: HttpRequest, user: User) -> list[UserSession]:
    """The browsers where ``user`` is signed in, as the account pages list and count them (most
    recently seen first): this request's session, its row added if missing (e.g. its key changed
    with the password), and the others that still sign the user in. Forgets the rows of the
    rest (``user_sessions_prune``)."""
    key = request.session.session_key
    rows = user_sessions_prune(user, keep_key=key)
    if key is None or all(row.session_key != key for row in rows):
        row = record_user_session(request, user)
        if row is not None:
            rows = sorted([*rows, row], key=lambda r: (r.last_seen_at, r.pk), reverse=True)
    return rows


def user_sessions_prune(user: User, *, keep_key: str | None) -> list[UserSession]:
    """Forget the rows of sessions that no longer sign the user in, and return the others
    (``UserSession``'s order); ``keep_key``'s row (this request's session) always stays.

    A session is signed out when it has expired, has gone from the store (ended, flushed, its
    key cycled), or no longer verifies: Django keeps the hash of the user's password in the
    session (``HASH_SESSION_KEY``) and, at that browser's next request, drops a session whose
    hash no longer matches ``user.get_session_auth_hash()`` (``django.contrib.auth.get_user``),
    so a password change signs out every other browser; until then the session and its row
    are still stored. ``session_signs_in`` asks the same of the stored data.

    Three queries whatever the number of rows (sessions live in the database,
    ``SESSION_ENGINE``): the rows, their unexpired sessions, and one DELETE."""
    now = timezone.now()
    rows = list(UserSession.objects.filter(user=user))
    stored = Session.objects.filter(
        session_key__in=[row.session_key for row in rows], expire_date__gt=now
    )
    signed_in = {s.session_key for s in stored if session_signs_in(s.get_decoded(), user)}
    kept = [row for row in rows if row.session_key in signed_in or row.session_key == keep_key]
    kept_keys = {row.session_key for row in kept}
    unverified = [row.pk for row in rows if row.session_key not in kept_keys]
    live = Session.objects.filter(session_key=OuterRef("session_key"), expire_date__gt=now)
    # ``~Exists(live)`` also forgets a row whose session went after the rows were read (and
    # keeps this one DELETE whether or not a row failed the check); a row made since then stays.
    UserSession.objects.filter(user=user).exclude(session_key=keep_key).filter(
        Q(pk__in=unverified) | ~Exists(live)
    ).delete()
    return kept


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


# --- API tokens ------------------------------------------------------------------------------


@transaction.atomic
def api_token_create(*, user: User, second_factor: bool) -> tuple[AuthToken, str]:
    """A new API token for one of the user's devices, expiring after ``API_TOKEN_TTL_DAYS``;
    ``second_factor``: issued after a verified code (so it stays valid when two-factor
    sign-in is required of the user). Returns ``(token row, the token itself)``: the token is
    shown once, only its hash is stored."""
    instance, token = AuthToken.objects.create(user=user, expiry=knox_settings.TOKEN_TTL)
    if second_factor:
        TokenSecondFactor.objects.create(token=instance)
    return instance, token


def security_policy_changed(*, users: Iterable[User]) -> int:
    """The two-factor policy now asks more of ``users`` (a role became clinic admin, the clinic
    started to require it, they became staff, they set it up): end their API tokens issued
    without a verified second factor, so that those devices sign in again with a code; tokens
    issued with a code stay. Such a token is refused anyway from then on
    (``clinic.api.authentication``); their browser sessions re-check the policy within a
    minute (``clinic.accounts.mfa.session_requires_mfa``).

    The one call point for that change (team and clinic settings pages, the admin, setting two-
    factor up). Returns how many ended."""
    ended, _rows = AuthToken.objects.filter(user__in=users, second_factor__isnull=True).delete()
    if ended:
        logger.info("Ended %s API tokens issued without a second factor", ended)
    return int(ended)


def api_tokens_end(*, user: User) -> int:
    """End every API token of ``user``, those issued with a code too (their two-factor device
    was reset: the lost phone's tokens must stop). Returns how many ended."""
    ended, _rows = AuthToken.objects.filter(user=user).delete()
    return int(ended)
