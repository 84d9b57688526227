"""Two-factor sign-in pages: set up an authenticator app, and enter a code at sign-in."""

from __future__ import annotations

from base64 import b32encode

from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpRequest, HttpResponse, HttpResponseRedirect
from django.shortcuts import render, resolve_url
from django.urls import reverse
from django.utils.http import urlencode
from django.utils.safestring import SafeString
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.cache import never_cache
from django.views.decorators.debug import sensitive_post_parameters
from django.views.decorators.http import require_http_methods
from django_otp import login as otp_login
from django_otp.plugins.otp_totp.models import TOTPDevice

from clinic.accounts import mfa
from clinic.accounts import services as account_services
from clinic.accounts.forms import ConfirmWithCodeForm, SetupForm, VerifyForm
from core.qr import qr_svg
from core.redirects import safe_next_url

INVALID_CODE = gettext_lazy("That code is not right, or has been used already. Please try again.")
# After a wrong code django-otp refuses every code for a while (longer after each): a right
# one typed then is not "not right".
THROTTLED = gettext_lazy(
    "Too many wrong codes in a row: wait a minute, then try the code your app shows."
)


def _qr_svg(url: str) -> SafeString:
    """The authenticator link as a QR code."""
    return qr_svg(url, label=_("QR code to scan with your authenticator app"), css_class="mfa-qr")


def _next_url(request: HttpRequest) -> str:
    """Where to go once done: the safe ``next``, else the usual landing page."""
    return safe_next_url(request, resolve_url(settings.LOGIN_REDIRECT_URL))


def _secret(device: TOTPDevice) -> str:
    """The key in base32, in groups of four, for typing into an app by hand."""
    text = b32encode(device.bin_key).decode("ascii").rstrip("=")
    return " ".join(text[i : i + 4] for i in range(0, len(text), 4))


@never_cache
@sensitive_post_parameters("code")
@login_required
def setup(request: HttpRequest) -> HttpResponse:
    """Add an authenticator app: scan, confirm with a code, then see the recovery codes once."""
    user = request.user
    if mfa.has_confirmed_device(user):
        if not user.is_verified():  # type: ignore[union-attr]
            # Only a verified session may replace the app: an unverified one proves a code first.
            url = f"{reverse('mfa:verify')}?{urlencode({'next': request.get_full_path()})}"
            return HttpResponseRedirect(url)
        return render(
            request,
            "clinic/mfa/enabled.html",
            {
                "title": _("Two-factor sign-in"),
                "next": _next_url(request),
            },
        )
    if request.method == "POST" and "start" in request.POST:
        # Starting makes the device being set up (a GET only shows it): then its page.
        mfa.start_device(user)
        return HttpResponseRedirect(
            f"{reverse('mfa:setup')}?{urlencode({'next': _next_url(request)})}"
        )
    device = mfa.pending_device(user)
    context = {
        "title": _("Set up two-factor sign-in"),
        "next": _next_url(request),
        # Sent here before any other page opens: say why (a patient opting in is not).
        "required": settings.MFA_REQUIRED and mfa.role_requires_mfa(user),
    }
    if device is None:  # not started: the steps and a button that starts, nothing written
        return render(request, "clinic/mfa/setup.html", context)
    form = SetupForm(request.POST if request.method == "POST" else None)
    if form.is_bound and form.is_valid():
        throttled = mfa.is_throttled(device)  # before this try, which counts if it is wrong
        codes = mfa.confirm_device(user, device, form.cleaned_data["code"])
        if codes is not None:
            request.session.cycle_key()
            otp_login(request, device)
            # Two-factor sign-in now applies: devices signed in without it sign in again.
            account_services.security_policy_changed(users=[device.user])
            return render(
                request,
                "clinic/mfa/recovery_codes.html",
                {
                    "title": _("Your recovery codes"),
                    "codes": codes,
                    "next": _next_url(request),
                },
            )
        form.add_error("code", THROTTLED if throttled else INVALID_CODE)
    return render(
        request,
        "clinic/mfa/setup.html",
        {
            **context,
            "form": form,
            "qr_svg": _qr_svg(device.config_url),
            "secret": _secret(device),
        },
        status=400 if form.is_bound and form.errors else 200,
    )


@never_cache
@sensitive_post_parameters("code")
@login_required
def verify(request: HttpRequest) -> HttpResponse:
    """Enter a code (authenticator app or a recovery code) to finish signing in."""
    user = request.user
    next_url = _next_url(request)
    if user.is_verified():  # type: ignore[union-attr]
        return HttpResponseRedirect(next_url)
    if not mfa.has_confirmed_device(user):
        return HttpResponseRedirect(f"{reverse('mfa:setup')}?{urlencode({'next': next_url})}")
    form = VerifyForm(request.POST if request.method == "POST" else None)
    if form.is_bound and form.is_valid():
        throttled = mfa.app_throttled(user)  # before this try, which counts if it is wrong
        device = mfa.match_code(user, form.cleaned_data["code"])
        if device is not None:
            request.session.cycle_key()
            otp_login(request, device)
            return HttpResponseRedirect(next_url)
        form.add_error("code", THROTTLED if throttled else INVALID_CODE)
    return render(
        request,
        "clinic/mfa/verify.html",
        {"title": _("Enter your two-factor code"), "form": form, "next": next_url},
        status=400 if form.is_bound and form.errors else 200,
    )


def _confirmed_by_code(request: HttpRequest, form: ConfirmWithCodeForm) -> bool:
    if form.is_valid() and mfa.match_code(request.user, form.cleaned_data["code"]) is not None:
        return True
    if form.is_bound and "code" not in form.errors:
        form.add_error("code", INVALID_CODE)
    return False


@never_cache
@sensitive_post_parameters("code")
@login_required
@require_http_methods(["GET", "POST"])
def recovery_codes_new(request: HttpRequest) -> HttpResponse:
    """Replace the recovery codes (the old ones stop working), after a current code."""
    if not mfa.has_confirmed_device(request.user):
        return HttpResponseRedirect(reverse("mfa:setup"))
    form = ConfirmWithCodeForm(request.POST if request.method == "POST" else None)
    if request.method == "POST" and _confirmed_by_code(request, form):
        codes = mfa.create_recovery_codes(request.user)
        return render(
            request,
            "clinic/mfa/recovery_codes.html",
            {"title": _("Your recovery codes"), "codes": codes, "next": reverse("clinic:account")},
        )
    return render(
        request,
        "clinic/mfa/confirm.html",
        {
            "form": form,
            "title": _("New recovery codes"),
            "intro": _(
                "Your present recovery codes will stop working and ten new ones will be shown "
                "once. Enter a current code to confirm."
            ),
            "button": _("Make new recovery codes"),
            "danger": False,
        },
        status=400 if form.is_bound and form.errors else 200,
    )


@never_cache
@sensitive_post_parameters("code")
@login_required
@require_http_methods(["GET", "POST"])
def turn_off(request: HttpRequest) -> HttpResponse:
    """Turn two-factor sign-in off, after a current code; only for those whose role allows."""
    if mfa.role_requires_mfa(request.user):
        raise Http404
    if not mfa.has_confirmed_device(request.user):
        return HttpResponseRedirect(reverse("clinic:account"))
    form = ConfirmWithCodeForm(request.POST if request.method == "POST" else None)
    if request.method == "POST" and _confirmed_by_code(request, form):
        mfa.turn_off(request, request.user)
        messages.success(request, _("Two-factor sign-in is off."))
        return HttpResponseRedirect(reverse("clinic:account"))
    return render(
        request,
        "clinic/mfa/confirm.html",
        {
            "form": form,
            "title": _("Turn off two-factor sign-in"),
            "intro": _(
                "You will sign in with your password only. Your authenticator app and recovery "
                "codes will stop working. Enter a current code to confirm."
            ),
            "button": _("Turn off two-factor sign-in"),
            "danger": True,
        },
        status=400 if form.is_bound and form.errors else 200,
    )
