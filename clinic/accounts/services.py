"""Writes about a person's account: their browser sessions (``UserSession`` rows and the
session store behind them)."""

from __future__ import annotations

from importlib import import_module
from typing import Any

from django.conf import settings
from django.contrib.sessions.models import Session
from django.db.models import Exists, OuterRef
from django.utils import timezone
from knox.models import AuthToken

from clinic.models import User, UserSession


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


def user_sessions_prune(user: User, *, keep_key: str | None) -> None:
    """Forget rows whose session has already gone (expired, flushed, cycled): one query,
    whatever the number of rows (sessions live in the database, ``SESSION_ENGINE``)."""
    live = Session.objects.filter(
        session_key=OuterRef("session_key"), expire_date__gt=timezone.now()
    )
    UserSession.objects.filter(user=user).exclude(session_key=keep_key).exclude(
        Exists(live)
    ).delete()


def security_policy_changed(*, users: list[User]) -> int:
    """The two-factor policy now asks more of ``users`` (a role became clinic admin, the clinic
    started to require it, their device was reset): end their API tokens, which were issued
    under the old policy, so that they sign in again (with a code). Their browser sessions
    re-check the policy within a minute (``clinic.accounts.mfa.session_requires_mfa``).

    The one call point for that change (team and clinic settings pages); a finer rule (keep
    the tokens issued with a verified second factor) belongs here. Returns how many ended."""
    deleted, _by_model = AuthToken.objects.filter(user__in=users).delete()
    return int(deleted)
