"""Authentication classes of the API (a module of its own: DRF's settings import it)."""

from __future__ import annotations

from typing import Any

from django.utils.translation import gettext_lazy as _
from drf_spectacular.authentication import SessionScheme
from drf_spectacular.contrib.knox_auth_token import KnoxTokenScheme
from knox import auth as knox_auth
from knox.models import AuthToken
from rest_framework import exceptions
from rest_framework.authentication import SessionAuthentication
from rest_framework.request import Request

from clinic.accounts import mfa
from clinic.models import TokenSecondFactor

SECOND_FACTOR_NOW_REQUIRED = _(
    "Two-factor sign-in is now required for your account, and this device signed in without "
    "it. Sign in again with your password and a code from your authenticator app."
)


class TokenAuthentication(knox_auth.TokenAuthentication):
    """knox's per-device token, refused (401) once two-factor sign-in is required of its user
    (``MFA_REQUIRED`` on, and their role, their clinic or their own set-up calls for it) if it
    was issued without a verified second factor. The browser session of the same user is asked
    for a code within a minute (``mfa.session_requires_mfa``); a token has no session to ask, so
    it must be replaced by one issued with the code."""

    def validate_user(self, auth_token: AuthToken) -> tuple[Any, AuthToken]:
        user, token = super().validate_user(auth_token)
        if (
            mfa.mfa_required(user)
            and not TokenSecondFactor.objects.filter(token_id=token.digest).exists()
        ):
            raise exceptions.AuthenticationFailed(SECOND_FACTOR_NOW_REQUIRED)
        return user, token


class TokenScheme(KnoxTokenScheme):
    """The OpenAPI schema's name for ``TokenAuthentication`` (knox's own)."""

    target_class = "clinic.api.authentication.TokenAuthentication"


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
