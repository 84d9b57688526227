"""Clinic pages: the home redirect, adding and editing patients, their status, invitations.

Pages that show rehab data (dashboard, patient list, alerts, messages) live in
``rehab/views/``: ``clinic`` never imports ``rehab``.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from django.conf import settings
from django.contrib import messages
from django.contrib.auth import login, logout
from django.contrib.auth.decorators import login_required
from django.contrib.auth.forms import SetPasswordForm
from django.core.exceptions import ValidationError
from django.http import HttpRequest, HttpResponse, HttpResponseRedirect, JsonResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.safestring import SafeString
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django.views.decorators.debug import sensitive_post_parameters
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from clinic.access import (
    clinic_for,
    clinician_of,
    clinician_required,
    get_patient_for_clinician,
    patient_of,
)
from clinic.forms import PatientCreateForm, PatientForm
from clinic.models import Clinic, Clinician, Invitation, Patient, User
from clinic.services import invitations as invitation_services
from clinic.services import patients as patient_services
from core.confirm import confirm_page
from core.forms import ConfirmForm, message_service_errors
from core.qr import qr_svg
from core.redirects import safe_next_url
from core.users import signed_in_user


@require_GET
def health(request: HttpRequest) -> JsonResponse:
    """Liveness and database check for load balancers; reveals nothing else."""
    Clinic.objects.exists()  # the database answers a query
    return JsonResponse({"status": "ok"})


@login_required
def home(request: HttpRequest) -> HttpResponse:
    """Send each person to their own start page."""
    if clinician_of(request.user) is not None:
        return redirect("rehab:dashboard")
    if patient_of(request.user) is not None:
        return redirect("rehab:today")
    return render(request, "home.html")


# --- Patients --------------------------------------------------------------------------------


def patient_page_url(patient: Patient) -> str:
    """The patient's page (in rehab; reversed by name, not imported)."""
    return reverse("rehab:patient_detail", args=[patient.pk])


@clinician_required
@require_http_methods(["GET", "POST"])
def patient_create(request: HttpRequest) -> HttpResponse:
    clinic = clinic_for(request.user)
    # A physiotherapist registers their own patient: they start as its physiotherapist (to
    # change on the form), so it is among "My patients"; a clinic admin chooses.
    me = clinician_of(request.user)
    initial = {"therapist": me.pk} if me and me.role == Clinician.Role.THERAPIST else {}
    form = PatientCreateForm(request.POST or None, clinic=clinic, initial=initial)
    registered: Patient | None = None
    if request.method == "POST" and form.is_valid():
        try:
            patient = patient_services.patient_create(
                clinic=clinic, created_by=signed_in_user(request, User), **form.service_kwargs()
            )
        except ValidationError as error:
            if getattr(error, "code", None) == "possible_duplicate":
                form.ask_to_confirm_duplicate(error)
                registered = get_patient_for_clinician(request.user, error.params["patient_id"])  # type: ignore[index]
            else:
                form.add_error(None, error)
        else:
            messages.success(request, _("%(name)s has been added.") % {"name": patient.full_name})
            return redirect(patient_page_url(patient))
    return render(
        request,
        "clinic/patient_form.html",
        {"form": form, "patient": None, "registered": registered},
    )


@clinician_required
@require_http_methods(["GET", "POST"])
def patient_edit(request: HttpRequest, pk: int) -> HttpResponse:
    patient = get_patient_for_clinician(request.user, pk)
    form = PatientForm(request.POST or None, instance=patient, clinic=patient.clinic)
    if request.method == "POST" and form.is_valid():
        try:
            patient_services.patient_update(patient=patient, **form.cleaned_data)
        except ValidationError as error:
            form.add_error(None, error)
        else:
            messages.success(request, _("The details have been saved."))
            return redirect(patient_page_url(patient))
    if form.errors:
        # The bound form changed the instance in memory; show the stored record alongside.
        patient.refresh_from_db()
    return render(
        request,
        "clinic/patient_form.html",
        {"form": form, "patient": patient, "statuses": Patient.Status},
    )


def _status_change(
    request: HttpRequest,
    pk: int,
    change: Callable[..., Patient],
    done: str,
) -> HttpResponseRedirect:
    patient = get_patient_for_clinician(request.user, pk)
    try:
        change(patient=patient)
    except ValidationError as error:  # an erased record: its status is final
        message_service_errors(request, error)
    else:
        messages.success(request, done % {"name": patient.full_name})
    return redirect(safe_next_url(request, patient_page_url(patient)))


def _care_ending(
    request: HttpRequest,
    pk: int,
    change: Callable[..., Patient],
    done: str,
    *,
    question: str,
    yes: str,
    action: str,
) -> HttpResponse:
    """Discharge and archive end the patient's care (their plan, reminders, what they can
    record): the button's post is answered with the question ``question``, saying so (or the
    reason it cannot be done: an erased record); only its "Yes" (``confirmed``) changes the
    status. Cancel goes back where the button was (a safe ``next``, else the patient form)."""
    form = ConfirmForm(request.POST)
    if form.is_valid() and form.cleaned_data["confirmed"]:
        return _status_change(request, pk, change, done)
    patient = get_patient_for_clinician(request.user, pk)
    try:
        patient.check_not_erased()
    except ValidationError as error:
        message_service_errors(request, error)
        return redirect(safe_next_url(request, patient_page_url(patient)))
    back = safe_next_url(request, "")
    return confirm_page(
        request,
        "clinic/patient_status_confirm.html",
        question=question % {"name": patient.full_name},
        yes=yes,
        action_url=reverse(action, args=[patient.pk]),
        cancel_url=back or reverse("clinic:patient_edit", args=[patient.pk]),
        back_label=_("Back") if back else _("Back to the patient's details"),
        resend={"next": back},
        patient=patient,
        archive=action == "clinic:patient_archive",
    )


@clinician_required
@require_POST
def patient_discharge(request: HttpRequest, pk: int) -> HttpResponse:
    return _care_ending(
        request,
        pk,
        patient_services.patient_discharge,
        _("%(name)s has been discharged."),
        question=_("Discharge %(name)s?"),
        yes=_("Yes, discharge"),
        action="clinic:patient_discharge",
    )


@clinician_required
@require_POST
def patient_archive(request: HttpRequest, pk: int) -> HttpResponse:
    return _care_ending(
        request,
        pk,
        patient_services.patient_archive,
        _("%(name)s has been archived."),
        question=_("Archive %(name)s?"),
        yes=_("Yes, archive"),
        action="clinic:patient_archive",
    )


@clinician_required
@require_POST
def patient_reactivate(request: HttpRequest, pk: int) -> HttpResponseRedirect:
    return _status_change(
        request, pk, patient_services.patient_reactivate, _("%(name)s is active again.")
    )


# --- Invitations -----------------------------------------------------------------------------


def invitation_qr(url: str) -> SafeString:
    """The invitation link as a QR code."""
    return qr_svg(url, label=_("QR code of the invitation link"), css_class="invitation-qr")


def invitation_page(
    request: HttpRequest, invitation: Invitation, token: str, **about: Any
) -> HttpResponse:
    """The invitation just made: its link, as text and as a QR code (shown this once: only
    the token's hash is stored). ``about``: whom it is for (``patient`` or ``clinician``)."""
    url = invitation_services.invitation_url(token)
    return render(
        request,
        "clinic/invitation_created.html",
        {
            "title": _("Invitation sent"),
            "invitation": invitation,
            "url": url,
            "qr_svg": invitation_qr(url),
            **about,
        },
    )


@never_cache
@clinician_required
@require_POST
def patient_invite(request: HttpRequest, pk: int) -> HttpResponse:
    patient = get_patient_for_clinician(request.user, pk)
    try:
        invitation, token = invitation_services.invitation_create(
            patient=patient, created_by=signed_in_user(request, User)
        )
    except ValidationError as error:
        message_service_errors(request, error)
        return redirect(safe_next_url(request, reverse("clinic:patient_edit", args=[patient.pk])))
    return invitation_page(
        request, invitation, token, patient=patient, patient_url=patient_page_url(patient)
    )


# Why an invitation cannot be used → the HTTP status of the page that says so.
INVITATION_PROBLEM_STATUS = {
    "unknown": 404,
    "expired": 410,
    "used": 410,
    "revoked": 410,
    "no_email": 409,
    "email_taken": 409,
}


def _invitation_problem(request: HttpRequest, error: ValidationError) -> HttpResponse:
    code = getattr(error, "code", None) or "unknown"
    return render(
        request,
        "clinic/invitation_unusable.html",
        {"title": _("This link cannot be used"), "code": code, "reason": " ".join(error.messages)},
        status=INVITATION_PROBLEM_STATUS.get(code, 400),
    )


@never_cache
@sensitive_post_parameters("new_password1", "new_password2")
@require_http_methods(["GET", "POST"])
def invitation_accept(request: HttpRequest, token: str) -> HttpResponse:
    """Anyone holding the link may use it once, to set the patient's password."""
    try:
        invitation = invitation_services.invitation_check(token=token)
    except ValidationError as error:
        return _invitation_problem(request, error)
    form = SetPasswordForm(
        invitation_services.invitation_candidate_user(invitation), request.POST or None
    )
    if request.method == "POST" and form.is_valid():
        try:
            user = invitation_services.invitation_accept(
                token=token, password=form.cleaned_data["new_password1"]
            )
        except ValidationError as error:
            if getattr(error, "code", None) in INVITATION_PROBLEM_STATUS:
                return _invitation_problem(request, error)
            form.add_error("new_password1", error)
        else:
            if request.user.is_authenticated and request.user.pk != user.pk:
                # Someone else was signed in on this browser: signed out as by the button
                # (what is kept for them here, their notifications, ends), not just replaced.
                logout(request)
            login(request, user, backend=settings.AUTHENTICATION_BACKENDS[0])
            messages.success(request, _("Your password is set. Welcome!"))
            return redirect("clinic:home")
    return render(
        request,
        "clinic/invitation_accept.html",
        {"title": _("Set your password"), "form": form, "invitation": invitation},
    )
