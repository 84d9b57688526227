"""Authentication classes of the API (a module of its own: DRF's settings import it)."""

from __future__ import annotations

from typing import Any

from drf_spectacular.authentication import SessionScheme
from rest_framework.authentication import SessionAuthentication
from rest_framework.request import Request

from clinic.accounts import mfa


class VerifiedSessionAuthentication(SessionAuthentication):
    """The site's session, for the API, once its two-factor step is done.

    A session that has passed the password but not yet the code (``MfaRequiredMiddleware``
    sends its pages to the code form) is not signed in for the API either: 401.
    """

    def authenticate(self, request: Request) -> tuple[Any, None] | None:
        result = super().authenticate(request)
        if result is None:
            return None
        user = result[0]
        verified = getattr(user, "is_verified", None)
        if not (callable(verified) and verified()) and mfa.session_requires_mfa(request, user):
            return None
        return result


class VerifiedSessionScheme(SessionScheme):
    """The session cookie scheme for ``VerifiedSessionAuthentication`` (the OpenAPI schema)."""

    target_class = "clinic.api.authentication.VerifiedSessionAuthentication"
