"""Writes about a person's account: their browser sessions (``UserSession`` rows and the
session store behind them) and their API tokens (one per device)."""

from __future__ import annotations

import logging
from collections.abc import Collection, Iterable
from importlib import import_module
from typing import Any

from django.conf import settings
from django.contrib.sessions.models import Session
from django.db import transaction
from django.db.models import Exists, OuterRef, Q
from django.http import HttpRequest
from django.utils import timezone
from knox.models import AuthToken
from knox.settings import knox_settings

from clinic import events
from clinic.accounts.selectors import user_sessions_split
from clinic.accounts.sessions import record_user_session
from clinic.models import TokenSecondFactor, User, UserSession

logger = logging.getLogger(__name__)


def _session_store() -> Any:
    return import_module(settings.SESSION_ENGINE).SessionStore()


def user_sessions_end(user: User, *, keep_key: str | None = None, pk: int | None = None) -> int:
    """Sign out the user's browser sessions (all, all but ``keep_key``, or the one row ``pk``):
    delete each from the session store, then its row, and tell the apps that keep something
    per browser (``events.sessions_signed_out``: its push notifications stop). Returns how
    many were ended."""
    rows = UserSession.objects.filter(user=user)
    if keep_key is not None:
        rows = rows.exclude(session_key=keep_key)
    if pk is not None:
        rows = rows.filter(pk=pk)
    store = _session_store()
    ended: list[str] = []
    for row in rows:
        store.delete(row.session_key)
        row.delete()
        ended.append(row.session_key)
    sessions_signed_out(user=user, session_keys=ended)
    return len(ended)


def sessions_signed_out(*, user: User, session_keys: Collection[str]) -> None:
    """``user`` was signed out of these browser sessions by a person (not by their expiry):
    the one place that says so (``events.sessions_signed_out``)."""
    keys = [key for key in session_keys if key]
    if keys:
        events.sessions_signed_out.send(sender=UserSession, user=user, session_keys=keys)


@transaction.atomic
def password_changed(request: HttpRequest, user: User, *, previous_key: str | None) -> None:
    """``user`` changed their password in this request's browser: every other browser is signed
    out (their sessions hold the old password's hash) and this session's key was cycled
    (``update_session_auth_hash``). What is kept per browser moves to this session's new key
    (``events.session_key_changed``) and ends for the others (``sessions_signed_out``, for the
    sessions that signed the user in until now; those that had expired are left as expiry
    leaves them); then this session's row is recorded and the others' forgotten
    (``user_session_renewed``)."""
    new_key = request.session.session_key
    if previous_key and new_key and previous_key != new_key:
        events.session_key_changed.send(
            sender=UserSession, user=user, old_key=previous_key, new_key=new_key
        )
    others = _stored_session_keys(user, but=[key for key in (previous_key, new_key) if key])
    sessions_signed_out(user=user, session_keys=others)
    user_session_renewed(request, user)


@transaction.atomic
def password_reset(*, user: User) -> None:
    """``user`` chose a new password from an emailed link: every browser where they were signed
    in is signed out (their sessions hold the old password's hash). What is kept per browser
    ends for them (``sessions_signed_out``, as for a password change) and their rows are
    forgotten now rather than at the next sign-in."""
    sessions_signed_out(user=user, session_keys=_stored_session_keys(user))
    user_sessions_prune(user, keep_key=None)


def _stored_session_keys(user: User, *, but: Collection[str] = ()) -> list[str]:
    """The keys of the user's sessions still in the store and unexpired (whether or not they
    still verify), ``but`` those. One query."""
    live = Session.objects.filter(
        session_key=OuterRef("session_key"), expire_date__gt=timezone.now()
    )
    rows = UserSession.objects.filter(Exists(live), user=user).exclude(session_key__in=but)
    return list(rows.values_list("session_key", flat=True))


@transaction.atomic
def user_session_renewed(request: HttpRequest, user: User) -> UserSession | None:
    """This request's session has just signed ``user`` in or had its key cycled (sign-in, a
    password change): record its row, and forget the rows of the user's sessions that no
    longer sign them in (``user_sessions_prune``). Returns its row."""
    row = record_user_session(request, user)
    user_sessions_prune(user, keep_key=request.session.session_key)
    return row


def user_sessions_prune(user: User, *, keep_key: str | None) -> list[UserSession]:
    """Forget the rows of sessions that no longer sign the user in (expired, gone from the
    store, or no longer verifying: ``clinic.accounts.selectors.user_sessions_split``), and
    return the others (``UserSession``'s order); ``keep_key``'s row (this request's session)
    always stays.

    Three queries whatever the number of rows (sessions live in the database,
    ``SESSION_ENGINE``): the rows, their unexpired sessions, and one DELETE."""
    kept, signed_out = user_sessions_split(user, keep_key=keep_key)
    live = Session.objects.filter(
        session_key=OuterRef("session_key"), expire_date__gt=timezone.now()
    )
    # ``~Exists(live)`` also forgets a row whose session went after the rows were read (and
    # keeps this one DELETE whether or not a row failed the check); a row made since then stays.
    UserSession.objects.filter(user=user).exclude(session_key=keep_key).filter(
        Q(pk__in=[row.pk for row in signed_out]) | ~Exists(live)
    ).delete()
    return kept


def user_sessions_forget_signed_out() -> int:
    """Forget the rows, all users', whose session has expired or gone from the store (the
    scheduler's hourly housekeeping, ``notify.tasks.every_minute``); one DELETE. A row whose
    session no longer verifies (a password change elsewhere) is left out of the lists
    (``clinic.accounts.selectors.user_sessions_listed``) and forgotten at its user's next
    sign-in. Returns how many."""
    live = Session.objects.filter(
        session_key=OuterRef("session_key"), expire_date__gt=timezone.now()
    )
    forgotten, _rows = UserSession.objects.filter(~Exists(live)).delete()
    return int(forgotten)


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
