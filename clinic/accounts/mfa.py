"""Two-factor sign-in (django-otp): who must use it, checking codes, and the middleware.

A user *must* use two-factor sign-in when ``MFA_REQUIRED`` is on (production) and they are
site staff, a clinic admin, a therapist of a clinic that requires it (``Clinic.requires_mfa``),
or anyone (a patient) who has set it up. With ``MFA_REQUIRED`` off (development, tests by
default) nobody is asked.

Devices: one TOTP authenticator app (``otp_totp``) and one set of single-use recovery codes
(``otp_static``) per user.
"""

from __future__ import annotations

import functools
import time
from collections.abc import Callable
from typing import Any

from django.conf import settings
from django.db import transaction
from django.db.models import Exists, OuterRef, Q
from django.http import HttpRequest, HttpResponse, HttpResponseRedirect
from django.urls import reverse
from django.utils.http import urlencode
from django_otp import devices_for_user
from django_otp.models import Device
from django_otp.plugins.otp_static.models import StaticDevice, StaticToken
from django_otp.plugins.otp_totp.models import TOTPDevice
from rest_framework.request import Request

from clinic.models import Clinician, User

TOTP_NAME = "Authenticator app"
RECOVERY_NAME = "Recovery codes"


def role_requires_mfa(user: Any) -> bool:
    """Whether the user's role calls for a second factor (they may not turn it off)."""
    if not getattr(user, "is_authenticated", False):
        return False
    if user.is_staff:
        return True
    try:
        clinician: Clinician = user.clinician
    except Clinician.DoesNotExist:
        return False
    return bool(clinician.is_clinic_admin or clinician.clinic.requires_mfa)


def policy_requires_mfa(user: Any) -> bool:
    """Whether the user's role, or their own choice (a device set up), calls for a code.

    One query (asked on each request of a session not yet verified): a clinician record that
    is an admin or belongs to a clinic that requires it, or a confirmed device."""
    if not getattr(user, "is_authenticated", False):
        return False
    if user.is_staff:
        return True
    by_role = Clinician.objects.filter(user_id=OuterRef("pk")).filter(
        Q(role=Clinician.Role.ADMIN) | Q(clinic__requires_mfa=True)
    )
    return User.objects.filter(
        Q(Exists(by_role))
        | Q(Exists(TOTPDevice.objects.filter(user_id=OuterRef("pk"), confirmed=True)))
        | Q(Exists(StaticDevice.objects.filter(user_id=OuterRef("pk"), confirmed=True))),
        pk=user.pk,
    ).exists()


def mfa_required(user: Any) -> bool:
    """Whether the user must confirm a code now: ``MFA_REQUIRED`` on, and the policy says so."""
    return bool(settings.MFA_REQUIRED) and policy_requires_mfa(user)


POLICY_SESSION_KEY = "mfa_policy"
POLICY_TTL_SECONDS = 60


def session_requires_mfa(request: HttpRequest | Request, user: Any) -> bool:
    """``mfa_required(user)`` for a request's session, asked of the database at most once a
    minute per session (the answer is kept in the session with the time and the user's id).

    A change (a clinic starts to require it, a role becomes admin, a device is set up in
    another browser) reaches an open session within ``POLICY_TTL_SECONDS``; the browser that
    sets a device up is verified at once."""
    if not settings.MFA_REQUIRED:
        return False
    session = getattr(request, "session", None)
    if session is None:
        return mfa_required(user)
    now = int(time.time())
    kept = session.get(POLICY_SESSION_KEY)
    if (
        isinstance(kept, list)
        and len(kept) == 3  # [answer, when, user id]
        and kept[2] == user.pk
        and 0 <= now - int(kept[1]) < POLICY_TTL_SECONDS
    ):
        return bool(kept[0])
    required = mfa_required(user)
    session[POLICY_SESSION_KEY] = [required, now, user.pk]
    return required


def has_confirmed_device(user: Any) -> bool:
    return TOTPDevice.objects.devices_for_user(user, confirmed=True).exists()


def normalise_code(code: str) -> str:
    return "".join(str(code).split()).replace("-", "").lower()


def match_code(user: Any, code: str) -> Device | None:
    """The user's confirmed device that accepts ``code`` (TOTP, or a recovery code, which is
    then used up), else ``None``. django-otp refuses a TOTP code already used (``last_t``) and
    throttles each device after failures."""
    code = normalise_code(code)
    if not code or len(code) > 16:
        return None
    with transaction.atomic():
        for device in devices_for_user(user, confirmed=True, for_verify=True):
            if isinstance(device, TOTPDevice) and not code.isdigit():
                continue
            if device.verify_token(code):
                return device
    return None


def is_throttled(device: Device) -> bool:
    """Whether django-otp refuses every code of ``device`` for now (after wrong ones: longer
    after each), the right one too. A read."""
    allowed, _details = device.verify_is_allowed()
    return not allowed


def app_throttled(user: Any) -> bool:
    """Whether the user's confirmed authenticator app refuses every code for now."""
    return any(
        is_throttled(device) for device in TOTPDevice.objects.devices_for_user(user, confirmed=True)
    )


def pending_device(user: Any) -> TOTPDevice | None:
    """The user's authenticator device being set up, if they have started (a read)."""
    return TOTPDevice.objects.devices_for_user(user, confirmed=False).order_by("pk").first()


@transaction.atomic
def start_device(user: Any) -> TOTPDevice:
    """Start setting up an authenticator: the device being set up, made when there is none
    (django-otp gives it a random key). Starting again keeps the one already scanned."""
    # The user's row locked first: two clicks at once make one device, not two.
    list(User.objects.select_for_update().filter(pk=user.pk).values_list("pk", flat=True))
    return pending_device(user) or TOTPDevice.objects.create(
        user=user, name=TOTP_NAME, confirmed=False
    )


@transaction.atomic
def confirm_device(user: Any, device: TOTPDevice, code: str) -> list[str] | None:
    """Confirm ``device`` with a code from the app: it replaces any other authenticator of the
    user, and new recovery codes are made and returned. A wrong code: ``None``, no change."""
    code = normalise_code(code)
    device = TOTPDevice.objects.select_for_update().get(pk=device.pk, user=user)
    if not (code.isdigit() and device.verify_token(code)):
        return None
    TOTPDevice.objects.filter(user=user).exclude(pk=device.pk).delete()
    device.confirmed = True
    device.save(update_fields=["confirmed"])
    return create_recovery_codes(user)


def create_recovery_codes(user: Any) -> list[str]:
    """Replace the user's recovery codes with ``MFA_RECOVERY_CODES`` new single-use ones."""
    StaticDevice.objects.filter(user=user).delete()
    device = StaticDevice.objects.create(user=user, name=RECOVERY_NAME, confirmed=True)
    codes: list[str] = []
    while len(codes) < settings.MFA_RECOVERY_CODES:
        code = StaticToken.random_token()
        if code not in codes:
            codes.append(code)
    StaticToken.objects.bulk_create(StaticToken(device=device, token=code) for code in codes)
    return codes


def recovery_codes_left(user: Any) -> int:
    return StaticToken.objects.filter(device__user=user, device__confirmed=True).count()


def delete_devices(user: Any) -> None:
    """Remove the user's authenticator app and recovery codes."""
    TOTPDevice.objects.filter(user=user).delete()
    StaticDevice.objects.filter(user=user).delete()


def turn_off(request: HttpRequest, user: Any) -> None:
    """Turn two-factor sign-in off (only when the user's role allows; the view checks), and
    forget this session's kept answer, so that it is not asked for a code any more."""
    delete_devices(user)
    request.session.pop(POLICY_SESSION_KEY, None)


@functools.cache
def _exempt_paths() -> tuple[str, ...]:
    return (
        reverse("mfa:setup"),
        reverse("mfa:verify"),
        reverse("logout"),
        reverse("admin:logout"),
        reverse("clinic:health"),
        "/" + settings.STATIC_URL.lstrip("/"),
        "/api/",  # token sign-in asks for its own code (rehab.api.auth)
    )


class MfaRequiredMiddleware:
    """Send a signed-in user who must use two-factor sign-in, and whose session is not yet
    verified, to set it up (no device yet) or to enter a code. Goes after django-otp's
    ``OTPMiddleware`` (which gives ``request.user.is_verified()``)."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        if settings.MFA_REQUIRED:
            user = getattr(request, "user", None)
            if (
                user is not None
                and user.is_authenticated
                and not user.is_verified()
                and not request.path.startswith(_exempt_paths())
                and session_requires_mfa(request, user)
            ):
                return _to_mfa(request, user)
        return self.get_response(request)


def _to_mfa(request: HttpRequest, user: Any) -> HttpResponse:
    """The two-factor page this user needs: set-up (no device yet) or the code."""
    name = "mfa:verify" if has_confirmed_device(user) else "mfa:setup"
    url = f"{reverse(name)}?{urlencode({'next': request.get_full_path()})}"
    if request.headers.get("HX-Request"):
        response = HttpResponse(status=204)
        response["HX-Redirect"] = url
        return response
    return HttpResponseRedirect(url)
