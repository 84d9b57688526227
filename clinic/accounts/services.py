"""Writes about a person's account: their browser sessions (``UserSession`` rows and the
session store behind them) and their API tokens (one per device)."""

from __future__ import annotations

import logging
from collections.abc import Iterable
from importlib import import_module
from typing import Any

from django.conf import settings
from django.contrib.sessions.models import Session
from django.db import transaction
from django.db.models import Exists, OuterRef
from django.utils import timezone
from knox.models import AuthToken
from knox.settings import knox_settings

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


def user_sessions_prune(user: User, *, keep_key: str | None) -> None:
    """Forget rows whose session has already gone (expired, flushed, cycled): one query,
    whatever the number of rows (sessions live in the database, ``SESSION_ENGINE``)."""
    live = Session.objects.filter(
        session_key=OuterRef("session_key"), expire_date__gt=timezone.now()
    )
    UserSession.objects.filter(user=user).exclude(session_key=keep_key).exclude(
        Exists(live)
    ).delete()


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
