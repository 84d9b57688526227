"""Notification pages: the patient's reminders, a clinician's alert settings, the clinic's
notification settings, a browser's push subscription, one-click unsubscribe, and the site's
service worker.

Each view: an access check (patient, clinician, clinic admin; others 404, anonymous to sign in)
→ a form → one service → a page or a redirect. Only ``unsubscribe`` (the signed token is the
permission) and ``service_worker`` are for anyone.
"""

from __future__ import annotations

from collections.abc import Callable
from functools import wraps
from typing import Any

from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.http import Http404, HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import redirect, render
from django.template.loader import render_to_string
from django.templatetags.static import static
from django.urls import reverse
from django.utils.translation import get_language
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from clinic.access import clinician_of, clinician_required, patient_of, patient_required
from clinic.models import Patient, User
from core.forms import add_service_errors
from core.jsonbody import json_body
from core.users import signed_in_record, signed_in_user
from notify import channels, selectors, services, tokens
from notify.forms import (
    ClinicianPreferencesForm,
    PushEndpointForm,
    PushSubscriptionForm,
    ReminderSettingsForm,
)
from notify.models import ClinicianPreferences


def push_config(request: HttpRequest) -> dict[str, Any]:
    """What ``static/js/notify.js`` needs to turn notifications on in this browser."""
    return {
        "enabled": channels.push_enabled(),
        "publicKey": settings.VAPID_PUBLIC_KEY,
        "serviceWorker": reverse("notify:service_worker"),
        "subscribeUrl": reverse("notify:push_subscribe"),
        "unsubscribeUrl": reverse("notify:push_unsubscribe"),
        "strings": {
            "on": _("Notifications are on in this browser."),
            "off": _("Notifications are off in this browser."),
            "denied": _(
                "This browser blocks notifications from this site. Allow them in the "
                "browser's site settings, or choose email."
            ),
            "unsupported": _("This browser cannot show notifications from this site."),
            # The reminders page: why a notification on this phone cannot be chosen here.
            "blocked": _(
                "Notifications are blocked in this browser's settings, so this phone cannot "
                "show them. To get them, allow notifications for this site in the browser's "
                "settings and open this page again. Until then, choose email."
            ),
            "homeScreen": _(
                "On an iPhone or iPad, notifications work only in the app on your home "
                "screen. To get them, add this app to your home screen: tap the Share button, "
                "then “Add to Home Screen”. Open the app from there and come back to this "
                "page. Until then, choose email."
            ),
            "noPush": _(
                "This browser cannot show notifications from this site. Choose email, or "
                "open this page in another browser."
            ),
            "choiceOff": _("A notification is not possible in this browser: see the note above."),
            "choiceMoved": _(
                "A notification is not possible in this browser, so email is chosen instead. "
                "Press Save to keep it."
            ),
            "failed": _("Notifications could not be turned on. Please try again."),
        },
    }


# --- The patient ----------------------------------------------------------------------------


@patient_required
@require_http_methods(["GET", "POST"])
def reminders(request: HttpRequest) -> HttpResponse:
    """Reminders (off until the patient turns them on), reply notices, the time zone, and
    the patient's own history of what was sent."""
    patient = signed_in_record(request, patient_of)
    current = services.reminder_settings_for(patient)
    if request.method == "POST":
        form = ReminderSettingsForm(request.POST, instance=current, push=channels.push_enabled())
        if form.is_valid():
            try:
                saved = services.reminder_settings_save(patient=patient, **form.service_kwargs())
            except ValidationError as error:
                add_service_errors(form, error)
            else:
                if patient.status != Patient.Status.ACTIVE:  # no reminder is sent out of care
                    said = _(
                        "Your settings are saved. No reminders are sent now that your care "
                        "here has ended."
                    )
                elif saved.enabled:
                    said = _("Reminders are on.")
                else:
                    said = _("Your settings are saved.")
                messages.success(request, said)
                return redirect("notify:reminders")
    else:
        initial: dict[str, Any] = {"timezone": patient.timezone}
        if current.pk is None:  # suggestions for a first set-up (nights quiet: a reply
            # notice waits for their end)
            initial.update(morning="08:00", evening="18:00", quiet_start="21:00", quiet_end="07:00")
        form = ReminderSettingsForm(instance=current, initial=initial, push=channels.push_enabled())
    return render(
        request,
        "notify/reminders.html",
        {
            "patient": patient,
            "form": form,
            "settings": current,
            "history": selectors.reminder_history(patient),
            "push_config": push_config(request),
        },
        status=400 if form.errors else 200,
    )


# --- Clinicians -----------------------------------------------------------------------------


@clinician_required
@require_http_methods(["GET", "POST"])
def clinician_settings(request: HttpRequest) -> HttpResponse:
    """A clinician's alert emails, digest, and notifications in this browser."""
    clinician = signed_in_record(request, clinician_of)
    preferences = ClinicianPreferences.objects.filter(clinician=clinician).first()
    preferences = preferences or ClinicianPreferences(clinician=clinician)
    if request.method == "POST":
        form = ClinicianPreferencesForm(request.POST)
        if form.is_valid():
            services.clinician_preferences_save(clinician=clinician, **form.cleaned_data)
            messages.success(request, _("Your settings are saved."))
            return redirect("notify:clinician_settings")
    else:
        form = ClinicianPreferencesForm(
            initial={
                "alert_emails": preferences.alert_emails,
                "digest_emails": preferences.digest_emails,
            }
        )
    return render(
        request,
        "notify/clinician_settings.html",
        {"form": form, "clinician": clinician, "push_config": push_config(request)},
        status=400 if form.errors else 200,
    )


# --- A browser's push subscription ------------------------------------------------------------


def _patient_or_clinician(view: Callable[..., HttpResponse]) -> Callable[..., HttpResponse]:
    @login_required
    @wraps(view)
    def wrapper(request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        if clinician_of(request.user) is None and patient_of(request.user) is None:
            raise Http404
        return view(request, *args, **kwargs)

    return wrapper


def _errors(errors: Any) -> JsonResponse:
    return JsonResponse(
        {"errors": {field: [str(m) for m in msgs] for field, msgs in errors.items()}},
        status=400,
    )


@require_POST
@_patient_or_clinician
def push_subscribe(request: HttpRequest) -> HttpResponse:
    """Store this browser's push subscription (JSON, ``PushSubscription.toJSON()``)."""
    form = PushSubscriptionForm.from_json(json_body(request))
    if not form.is_valid():
        return _errors(form.errors)
    try:
        subscription = services.push_subscribe(
            user=signed_in_user(request, User),
            user_agent=request.headers.get("User-Agent", ""),
            session_key=request.session.session_key or "",
            **form.cleaned_data,
        )
    except ValidationError as error:
        return _errors(error.message_dict)
    return JsonResponse({"id": subscription.pk}, status=201)


@require_POST
@_patient_or_clinician
def push_unsubscribe(request: HttpRequest) -> HttpResponse:
    data = json_body(request)
    form = PushEndpointForm(data if isinstance(data, dict) else {})
    if not form.is_valid():
        return _errors(form.errors)
    removed = services.push_unsubscribe(user=signed_in_user(request, User), **form.cleaned_data)
    return JsonResponse({"removed": removed})


# --- For anyone -------------------------------------------------------------------------------


@csrf_exempt  # the signed token is the permission; RFC 8058 mail clients post without a form
@require_http_methods(["GET", "POST"])
@never_cache
def unsubscribe(request: HttpRequest, token: str) -> HttpResponse:
    """One-click unsubscribe: a mail client's POST (``List-Unsubscribe=One-Click``) or the
    button on this page stops the emails the token names; no sign-in needed."""
    target = tokens.read(token)
    if target is None:
        return render(request, "notify/unsubscribe.html", {"invalid": True}, status=404)
    done = None
    if request.method == "POST":
        done = services.unsubscribe(target)
    return render(request, "notify/unsubscribe.html", {"target": target, "done": done})


@require_GET
def service_worker(request: HttpRequest) -> HttpResponse:
    """The site's service worker, at the root so it may control every page. It imports the
    push handlers (``static/js/sw-push.js``); the installable app adds its own parts here."""
    body = render_to_string("notify/sw.js", request=request)
    response = HttpResponse(body, content_type="text/javascript; charset=utf-8")
    response["Cache-Control"] = "no-cache"
    return response


@require_GET
def manifest(request: HttpRequest) -> HttpResponse:
    """The installable app's web app manifest: the patient's Today as its start page, shown
    without the browser's bars, with its icons (static/icons). Anyone may read it."""
    data = {
        "name": settings.SITE_NAME,
        "short_name": settings.SITE_NAME,
        "description": _("Your exercises for today, your plan and your progress."),
        "lang": get_language(),
        "start_url": reverse("rehab:today"),
        "scope": "/",
        "display": "standalone",
        "background_color": "#ffffff",
        "theme_color": "#0a5c8a",
        "icons": [
            {
                "src": static(f"icons/icon-{size}.png"),
                "sizes": f"{size}x{size}",
                "type": "image/png",
                "purpose": "any maskable",
            }
            for size in (192, 512)
        ],
    }
    response = JsonResponse(data, content_type="application/manifest+json")
    response["Cache-Control"] = "no-cache"
    return response
