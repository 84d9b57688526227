"""Receivers that keep sign-ins honest (connected in ``ClinicConfig.ready``, or here with
``@receiver``: this module is imported there).

- At sign-in, start the session clock that ``SessionLimitsMiddleware`` checks, record the
  session in the user's list (``UserSession``, ``/account/sessions/``) and forget the rows of
  the user's sessions signed out since; forget this session's row at sign-out, and tell the
  apps that keep something per browser (``clinic.events.sessions_signed_out``).
- When a user's password changes or the account is deactivated, delete all of their API
  (knox) tokens. Their browser sessions end by themselves: Django stores a hash of the password
  in each session and drops a session whose hash no longer matches (the session that changed
  the password keeps going through ``update_session_auth_hash``), and an inactive user's
  session no longer loads a user. The account pages stop listing a browser that a password
  change signed out at once (``clinic.accounts.selectors.user_sessions_listed``); its row is
  forgotten by the password change page, or at the next sign-in.
"""

from __future__ import annotations

from typing import Any

from django.contrib.auth import SESSION_KEY
from django.contrib.auth.signals import user_logged_out
from django.dispatch import receiver
from django.http import HttpRequest
from knox.models import AuthToken

from clinic.accounts.services import sessions_signed_out, user_session_renewed
from clinic.accounts.sessions import start_session_clock
from clinic.models import User, UserSession

# What the instance held when it was loaded: (password hash, is_active).
_SNAPSHOT = "security_snapshot_on_load"


def on_user_logged_in(sender: Any, request: HttpRequest | None, user: Any, **kwargs: Any) -> None:
    session = getattr(request, "session", None)
    if request is not None and session is not None and SESSION_KEY in session:
        start_session_clock(request, user)
        user_session_renewed(request, user)


@receiver(user_logged_out, dispatch_uid="clinic.user_session_logout")
def on_user_logged_out(sender: Any, request: HttpRequest | None, user: Any, **kwargs: Any) -> None:
    """Forget this browser session in the user's list (the session itself is flushed next),
    and what is kept for this browser (``sessions_signed_out``: its push notifications)."""
    key = getattr(getattr(request, "session", None), "session_key", None)
    if key:
        UserSession.objects.filter(session_key=key).delete()
        if isinstance(user, User):
            sessions_signed_out(user=user, session_keys=[key])


def _snapshot(instance: User) -> tuple[str | None, bool | None]:
    # A deferred field is never fetched just for this: it reads as not known (None).
    deferred = instance.get_deferred_fields()
    return (
        None if "password" in deferred else instance.password,
        None if "is_active" in deferred else instance.is_active,
    )


def remember_credentials(sender: Any, instance: User, **kwargs: Any) -> None:
    setattr(instance, _SNAPSHOT, _snapshot(instance))


def end_tokens_on_credential_change(
    sender: Any, instance: User, created: bool, update_fields: Any = None, **kwargs: Any
) -> None:
    before = getattr(instance, _SNAPSHOT, (None, None))
    after = _snapshot(instance)
    setattr(instance, _SNAPSHOT, after)
    if created:
        return
    old_password, old_active = before
    new_password, new_active = after
    password_changed = old_password is not None and new_password != old_password
    deactivated = new_active is False and old_active is not False
    if password_changed or deactivated:
        AuthToken.objects.filter(user_id=instance.pk).delete()
