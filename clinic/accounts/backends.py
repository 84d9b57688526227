"""Authentication backends."""

from __future__ import annotations

from typing import Any

from axes.backends import AxesBackend
from django.contrib.auth import backends
from django.http import HttpRequest

from clinic.models import User

EMAIL_MAX_LENGTH = User.email.field.max_length


class ModelBackend(backends.ModelBackend):
    """Django's password check. ``get_user`` (once per request, for the session's user) reads
    the user's clinician or patient record with its clinic in the same query: every page asks
    which one the user is, a clinician's pages which clinic, and a patient's its emergency
    number.

    An email longer than any account's is a failed sign-in, not looked for: the sign-in forms
    (page, admin) take any text, and SQLite refuses a case-insensitive look-up of 100,000
    characters (a 503)."""

    def authenticate(
        self,
        request: HttpRequest | None,
        username: str | None = None,
        password: str | None = None,
        **kwargs: Any,
    ) -> Any:
        if username is not None and EMAIL_MAX_LENGTH and len(username) > EMAIL_MAX_LENGTH:
            return None
        return super().authenticate(request, username=username, password=password, **kwargs)

    def get_user(self, user_id: Any) -> Any:
        user = (
            User.objects.select_related("clinician__clinic", "patient__clinic")
            .filter(pk=user_id)
            .first()
        )
        return user if user is not None and self.user_can_authenticate(user) else None


class AuthenticationBackend(ModelBackend, AxesBackend):
    """django-axes' backend (lockout check, then Django's ``ModelBackend``).

    Axes needs the request to know the address. Code that authenticates without one (the
    shell, management commands, seed checks) is not a web sign-in and is not throttled; every
    web sign-in (page, admin, API) passes the request.
    """

    def authenticate(
        self,
        request: HttpRequest | None,
        username: str | None = None,
        password: str | None = None,
        **kwargs: Any,
    ) -> Any:
        if request is None:
            return None
        return super().authenticate(request, username=username, password=password, **kwargs)
