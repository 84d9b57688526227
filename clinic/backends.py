"""Authentication backends."""

from __future__ import annotations

from typing import Any

from axes.backends import AxesBackend
from django.http import HttpRequest


class AuthenticationBackend(AxesBackend):
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
