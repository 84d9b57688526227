"""Signing in to the API: one expiring, revocable knox token per device.

``POST auth/login/`` (email + password, throttled) answers the token once; only its hash is
stored. ``auth/logout/`` revokes the token the request was made with, ``auth/logoutall/`` all of
the user's tokens, ``auth/devices/`` lists them and ``DELETE auth/devices/<id>/`` revokes one.
"""

from __future__ import annotations

import re
from typing import Any

from django.contrib.auth import authenticate
from django.contrib.auth.signals import user_logged_in, user_logged_out
from django.db.models import Q, QuerySet
from django.utils import timezone
from django.utils.translation import gettext as _
from drf_spectacular.utils import OpenApiParameter, extend_schema
from knox.models import AuthToken
from rest_framework import exceptions, generics, status
from rest_framework.permissions import AllowAny, IsAuthenticated
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.throttling import ScopedRateThrottle
from rest_framework.views import APIView

from clinic.accounts import mfa
from clinic.accounts import services as account_services
from clinic.accounts.lockout import lockout_message
from clinic.api.authentication import TokenAuthentication
from clinic.api.serializers import DeviceSerializer, MeSerializer, TokenSerializer
from clinic.api.serializers import LoginSerializer as PasswordLoginSerializer
from core.api import fields
from core.api.schema import errors
from core.cache import CACHE_ERRORS, cache_unavailable
from core.client import client_ip

TOKEN_KEY_RE = re.compile(r"^[A-Za-z0-9_-]{1,25}$")


class LoginSerializer(PasswordLoginSerializer):
    otp = fields.CharField(
        required=False,
        allow_blank=True,
        max_length=32,
        write_only=True,
        help_text=(
            "A code from the user's authenticator app, or one of their recovery codes. Required "
            "when two-factor sign-in applies to the user (staff, clinic admins, therapists of "
            "clinics that require it, and anyone who has set it up)."
        ),
    )


class ClientRateThrottle(ScopedRateThrottle):
    """DRF's scoped throttle, counting per client under ``core.client``'s one policy; with the
    shared cache down, the request goes through uncounted (``core.cache``)."""

    def allow_request(self, request: Request, view: APIView) -> bool:
        try:
            return super().allow_request(request, view)
        except CACHE_ERRORS as error:
            cache_unavailable(f"API throttle {self.scope}", error)
            return True

    def get_ident(self, request: Request) -> str:
        return client_ip(request.META) or "unknown"


def _check_otp(user: Any, otp: str) -> None:
    """Two-factor sign-in: a code from the user's app or a recovery code (used up)."""
    if not mfa.has_confirmed_device(user):
        raise exceptions.ValidationError(
            {"otp": [_("Set up two-factor sign-in on the website first.")]}, code="mfa_not_set_up"
        )
    if not otp.strip():
        raise exceptions.ValidationError(
            {"otp": [_("A two-factor code is required.")]}, code="otp_required"
        )
    if mfa.match_code(user, otp) is None:
        raise exceptions.ValidationError(
            {"otp": [_("That code is not right, or has been used already.")]}, code="otp_wrong"
        )


class LoginView(APIView):
    authentication_classes: list[Any] = []
    permission_classes = [AllowAny]
    throttle_classes = [ClientRateThrottle]
    throttle_scope = "login"

    @extend_schema(
        summary="Sign in and get a token for this device",
        description=(
            "Checks the email and password and answers a new token for this device, shown "
            "only this once. Send it as `Authorization: Token <token>`. It expires after the "
            "`expiry` time (30 days by default) and can be revoked. At most 10 attempts a "
            "minute from one address; after 5 failed attempts for one email from one address, "
            "that email is locked there for 15 minutes (429). When two-factor sign-in applies to "
            "the user, `otp` is required too (400 without it or when it is wrong)."
        ),
        request=LoginSerializer,
        responses={
            200: TokenSerializer,
            **errors(
                400,
                429,
                rules={
                    "invalid_credentials": "the email and password do not match an account",
                    "mfa_not_set_up": "two-factor sign-in applies, and is not set up yet",
                    "otp_required": "two-factor sign-in applies, and `otp` is empty",
                    "otp_wrong": "`otp` is not right, or was used already",
                },
            ),
        },
        auth=[],
        tags=["auth"],
    )
    def post(self, request: Request) -> Response:
        serializer = LoginSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        # With the request, so django-axes sees the address and can lock the account+address
        # (DRF's request reads and writes through to Django's).
        user = authenticate(
            request=request,
            username=serializer.validated_data["email"],
            password=serializer.validated_data["password"],
        )
        if getattr(request, "axes_locked_out", False):
            return Response({"detail": lockout_message()}, status=status.HTTP_429_TOO_MANY_REQUESTS)
        if user is None:
            raise exceptions.ValidationError(
                {"non_field_errors": [_("Enter a correct email address and password.")]},
                code="invalid_credentials",
            )
        second_factor = mfa.mfa_required(user)
        if second_factor:
            _check_otp(user, serializer.validated_data.get("otp", ""))
        instance, token = account_services.api_token_create(user=user, second_factor=second_factor)
        user_logged_in.send(sender=user.__class__, request=request, user=user)
        data = {"token": token, "expiry": instance.expiry, "user": user}
        return Response(TokenSerializer(data, context={"request": request}).data)


class LogoutView(APIView):
    authentication_classes = [TokenAuthentication]
    permission_classes = [IsAuthenticated]

    @extend_schema(
        summary="Sign this device out (revoke the token used)",
        request=None,
        responses={204: None, **errors(401)},
        tags=["auth"],
    )
    def post(self, request: Request) -> Response:
        request.auth.delete()
        user_logged_out.send(sender=request.user.__class__, request=request, user=None)
        return Response(status=status.HTTP_204_NO_CONTENT)


class LogoutAllView(APIView):
    permission_classes = [IsAuthenticated]

    @extend_schema(
        summary="Sign every device out (revoke all your tokens)",
        request=None,
        responses={204: None, **errors(401)},
        tags=["auth"],
    )
    def post(self, request: Request) -> Response:
        AuthToken.objects.filter(user=request.user).delete()
        user_logged_out.send(sender=request.user.__class__, request=request, user=None)
        return Response(status=status.HTTP_204_NO_CONTENT)


def _live_tokens(user: Any) -> QuerySet[AuthToken]:
    return AuthToken.objects.filter(user=user).filter(
        Q(expiry__isnull=True) | Q(expiry__gt=timezone.now())
    )


class DeviceListView(generics.ListAPIView[AuthToken]):
    permission_classes = [IsAuthenticated]
    serializer_class = DeviceSerializer
    filter_backends: list[Any] = []

    def get_queryset(self) -> QuerySet[AuthToken]:
        return _live_tokens(self.request.user).order_by("-created", "token_key")

    @extend_schema(
        summary="List your signed-in devices (tokens)",
        responses={200: DeviceSerializer(many=True), **errors(400, 401, 404)},
        tags=["auth"],
    )
    def get(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        return super().get(request, *args, **kwargs)


class DeviceDetailView(APIView):
    permission_classes = [IsAuthenticated]

    @extend_schema(
        summary="Sign one device out (revoke its token)",
        parameters=[
            OpenApiParameter(
                "token_key",
                str,
                OpenApiParameter.PATH,
                description="The device's `id` from the device list.",
                pattern=r"^[A-Za-z0-9_-]{1,25}$",
            )
        ],
        responses={204: None, **errors(401, 404)},
        tags=["auth"],
    )
    def delete(self, request: Request, token_key: str) -> Response:
        if not TOKEN_KEY_RE.match(token_key):
            raise exceptions.NotFound
        deleted, _rows = _live_tokens(request.user).filter(token_key=token_key).delete()
        if not deleted:
            raise exceptions.NotFound
        return Response(status=status.HTTP_204_NO_CONTENT)


class MeView(APIView):
    permission_classes = [IsAuthenticated]

    @extend_schema(
        summary="Who is signed in, and in which role",
        responses={200: MeSerializer, **errors(401)},
        tags=["me"],
    )
    def get(self, request: Request) -> Response:
        return Response(MeSerializer(request.user, context={"request": request}).data)
