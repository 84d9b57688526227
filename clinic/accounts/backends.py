"""Authentication backends."""

from __future__ import annotations

from typing import Any

from axes.backends import AxesBackend
from django.contrib.auth import backends, get_user_model
from django.http import HttpRequest


class _UserWithRecord:
    """``get_user`` (once per request, for the session's user) reads the user's clinician
    record with its clinic, or patient record, in the same query: every page asks which one
    the user is, and a clinician's pages which clinic."""

    def get_user(self, user_id: Any) -> Any:
        user_model = get_user_model()
        try:
            user = user_model._default_manager.select_related("clinician__clinic", "patient").get(
                pk=user_id
            )
        except user_model.DoesNotExist:
            return None
        return user if self.user_can_authenticate(user) else None  # type: ignore[attr-defined]


class ModelBackend(_UserWithRecord, backends.ModelBackend):
    """Django's password check; the session's user read with their record."""


class AuthenticationBackend(_UserWithRecord, AxesBackend):
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
