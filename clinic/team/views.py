"""The team pages, for clinic admins only (anyone else: 404): the team, one clinician, and
the actions on them. Each view: access-checked fetch → form → one service → redirect."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.db.models import Count, Exists, OuterRef, Q, QuerySet
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET, require_POST
from django_otp.plugins.otp_totp.models import TOTPDevice

from clinic.access import (
    clinic_admin_required,
    clinic_for,
    get_clinician_for_clinic_admin,
    team_for,
    touch_patients_of,
)
from clinic.accounts import mfa
from clinic.models import Clinician, Invitation, Patient, TeamEvent, User
from clinic.team import services
from clinic.team.forms import DeactivateForm, InviteForm, RoleForm
from clinic.views import invitation_page
from core.confirm import confirm_page
from core.forms import ConfirmForm, add_service_errors, message_service_errors
from core.users import signed_in_user

TEAM_EVENTS_SHOWN = 50


def _working_invitations() -> QuerySet[Invitation]:
    """Invitation links that still work: not used, not revoked (a new link, a deactivation),
    not expired. An invited clinician without one cannot join until they are sent a new one."""
    return Invitation.objects.unused().filter(expires_at__gt=timezone.now())


def _team_rows(request: HttpRequest) -> list[Clinician]:
    """The clinic's clinicians with their patient count, whether they set up two-factor
    sign-in, and whether an invitation link of theirs still works. One query."""
    now_pending = _working_invitations().filter(clinician=OuterRef("pk"))
    return list(
        team_for(request.user)
        .select_related("user")
        .annotate(
            patient_count=Count("patients", filter=Q(patients__status="active")),
            has_two_factor=Exists(
                TOTPDevice.objects.filter(user_id=OuterRef("user_id"), confirmed=True)
            ),
            invitation_pending=Exists(now_pending),
        )
        .order_by("-user__is_active", "user__full_name", "pk")
    )


@clinic_admin_required
@require_GET
def team(request: HttpRequest) -> HttpResponse:
    return _team_page(request)


def _team_page(request: HttpRequest, form: InviteForm | None = None) -> HttpResponse:
    """The team, the invitation form (with its errors after a refused invite: 400), and the
    latest changes."""
    clinic = clinic_for(request.user)
    return render(
        request,
        "clinic/team/team.html",
        {
            "clinic": clinic,
            "members": _team_rows(request),
            "form": form or InviteForm(),
            "events": TeamEvent.objects.filter(clinic=clinic)
            .select_related("actor", "clinician__user")
            .order_by("-at", "-pk")[:TEAM_EVENTS_SHOWN],
        },
        status=400 if form is not None else 200,
    )


@never_cache
@clinic_admin_required
@require_POST
def team_invite(request: HttpRequest) -> HttpResponse:
    form = InviteForm(request.POST)
    if form.is_valid():
        try:
            clinician, invitation, token = services.clinician_invite(
                clinic=clinic_for(request.user),
                invited_by=signed_in_user(request, User),
                **form.cleaned_data,
            )
        except ValidationError as error:
            add_service_errors(form, error)
        else:
            return invitation_page(request, invitation, token, clinician=clinician)
    return _team_page(request, form)


@clinic_admin_required
@require_GET
def team_member(request: HttpRequest, pk: int) -> HttpResponse:
    clinician = get_clinician_for_clinic_admin(request.user, pk)
    patients = list(clinician.patients.filter(status="active").order_by("last_name", "first_name"))
    touch_patients_of(patients)  # the audit trail: the page lists these patients by name
    return render(
        request,
        "clinic/team/member.html",
        {
            "member": clinician,
            "is_me": clinician.user_id == request.user.pk,
            "role_form": RoleForm(initial={"role": clinician.role}),
            "deactivate_form": DeactivateForm(clinician=clinician),
            "has_two_factor": mfa.has_confirmed_device(clinician.user),
            "invitation_pending": _working_invitations().filter(clinician=clinician).exists(),
            "patients": patients,
            "events": list(
                TeamEvent.objects.filter(clinician=clinician)
                .select_related("actor")
                .order_by("-at", "-pk")[:TEAM_EVENTS_SHOWN]
            ),
        },
    )


def _act(request: HttpRequest, pk: int, action: Callable[[Clinician, User], str]) -> HttpResponse:
    """Run ``action`` on the clinician; its answer, or the refusal's reason, as a message."""
    clinician = get_clinician_for_clinic_admin(request.user, pk)
    try:
        done = action(clinician, signed_in_user(request, User))
    except ValidationError as error:
        message_service_errors(request, error)
    else:
        messages.success(request, done)
    return redirect("clinic:team_member", pk=clinician.pk)


def _refused(request: HttpRequest, clinician: Clinician, error: ValidationError) -> HttpResponse:
    """Back to the clinician's page, saying why the action cannot be done."""
    message_service_errors(request, error)
    return redirect("clinic:team_member", pk=clinician.pk)


def _ask(
    request: HttpRequest,
    clinician: Clinician,
    template: str,
    *,
    question: str,
    yes: str,
    action: str,
    resend: dict[str, Any] | None = None,
    **context: Any,
) -> HttpResponse:
    """The question a team action is first answered with (``core.confirm``), ``question``
    naming the clinician where it says ``%(name)s``: its "Yes" posts again to the view named
    ``action``; Cancel goes back to the clinician's page."""
    return confirm_page(
        request,
        template,
        question=question % {"name": clinician.user.get_full_name()},
        yes=yes,
        action_url=reverse(action, args=[clinician.pk]),
        cancel_url=reverse("clinic:team_member", args=[clinician.pk]),
        back_label=_("Back to their page"),
        resend=resend,
        member=clinician,
        **context,
    )


@clinic_admin_required
@require_POST
def team_role(request: HttpRequest, pk: int) -> HttpResponse:
    """The role form; making someone a clinic admin (the team, export, erasure) is answered
    first with the question "Make … a clinic admin?", and only its "Yes" (``confirmed``)
    changes the role. Taking the role away is not asked."""
    form = RoleForm(request.POST)
    if (
        form.is_valid()
        and not form.cleaned_data["confirmed"]
        and form.cleaned_data["role"] == Clinician.Role.ADMIN
    ):
        clinician = get_clinician_for_clinic_admin(request.user, pk)
        if clinician.role != Clinician.Role.ADMIN:
            return _ask(
                request,
                clinician,
                "clinic/team/role_admin_confirm.html",
                question=_("Make %(name)s a clinic admin?"),
                yes=_("Yes, make them a clinic admin"),
                action="clinic:team_role",
                resend={"role": Clinician.Role.ADMIN},
            )

    def change(clinician: Clinician, by: User) -> str:
        if not form.is_valid():
            raise ValidationError(_("Choose a role."))
        changed = services.clinician_set_role(
            clinician=clinician, role=form.cleaned_data["role"], changed_by=by
        )
        return _("%(name)s is now: %(role)s.") % {
            "name": changed.user.get_full_name(),
            "role": changed.get_role_display(),
        }

    return _act(request, pk, change)


@clinic_admin_required
@require_POST
def team_deactivate(request: HttpRequest, pk: int) -> HttpResponse:
    """The member page's button: the question "Deactivate …?" with what it does (or the
    reason it cannot be done); its "Yes, deactivate" (``confirmed``): the deactivation."""
    clinician = get_clinician_for_clinic_admin(request.user, pk)
    form = DeactivateForm(request.POST, clinician=clinician)
    if form.is_valid() and not form.cleaned_data["confirmed"]:
        try:
            reassign_to = services.clinician_deactivate_check(
                clinician=clinician,
                deactivated_by=signed_in_user(request, User),
                reassign_to=form.cleaned_data["reassign_to"],
            )
        except ValidationError as error:
            return _refused(request, clinician, error)
        return _ask(
            request,
            clinician,
            "clinic/team/deactivate_confirm.html",
            question=_("Deactivate %(name)s?"),
            yes=_("Yes, deactivate"),
            action="clinic:team_deactivate",
            resend={"reassign_to": reassign_to.pk if reassign_to else None},
            reassign_to=reassign_to,
            patient_count=Patient.objects.filter(therapist=clinician).count(),
        )

    def deactivate(clinician: Clinician, by: User) -> str:
        form = DeactivateForm(request.POST, clinician=clinician)
        if not form.is_valid():  # the form's reasons, in its words
            raise ValidationError([e for errors in form.errors.values() for e in errors])
        services.clinician_deactivate(
            clinician=clinician, deactivated_by=by, reassign_to=form.cleaned_data["reassign_to"]
        )
        return _("%(name)s is deactivated: they are signed out everywhere.") % {
            "name": clinician.user.get_full_name()
        }

    return _act(request, pk, deactivate)


@clinic_admin_required
@require_POST
def team_reactivate(request: HttpRequest, pk: int) -> HttpResponse:
    """The member page's button: the question "Reactivate …?" with their role and what they
    will see again; its "Yes, reactivate" (``confirmed``): the reactivation."""
    form = ConfirmForm(request.POST)
    if not (form.is_valid() and form.cleaned_data["confirmed"]):
        clinician = get_clinician_for_clinic_admin(request.user, pk)
        if not clinician.user.is_active:
            return _ask(
                request,
                clinician,
                "clinic/team/reactivate_confirm.html",
                question=_("Reactivate %(name)s?"),
                yes=_("Yes, reactivate"),
                action="clinic:team_reactivate",
            )

    def reactivate(clinician: Clinician, by: User) -> str:
        services.clinician_reactivate(clinician=clinician, reactivated_by=by)
        return _("%(name)s can sign in again.") % {"name": clinician.user.get_full_name()}

    return _act(request, pk, reactivate)


@clinic_admin_required
@require_POST
def team_reset_two_factor(request: HttpRequest, pk: int) -> HttpResponse:
    """The member page's button: the question "Reset the two-factor sign-in of …?" with what
    it does (they are signed out everywhere), or the reason it cannot be done; its "Yes"
    (``confirmed``): the reset."""
    form = ConfirmForm(request.POST)
    if not (form.is_valid() and form.cleaned_data["confirmed"]):
        clinician = get_clinician_for_clinic_admin(request.user, pk)
        try:
            services.clinician_reset_two_factor_check(
                clinician=clinician, reset_by=signed_in_user(request, User)
            )
        except ValidationError as error:
            return _refused(request, clinician, error)
        return _ask(
            request,
            clinician,
            "clinic/team/reset_two_factor_confirm.html",
            question=_("Reset the two-factor sign-in of %(name)s?"),
            yes=_("Yes, reset two-factor sign-in"),
            action="clinic:team_reset_two_factor",
        )

    def reset(clinician: Clinician, by: User) -> str:
        services.clinician_reset_two_factor(clinician=clinician, reset_by=by)
        return _(
            "Two-factor sign-in of %(name)s is reset: they set it up again at their next sign-in."
        ) % {"name": clinician.user.get_full_name()}

    return _act(request, pk, reset)


@never_cache
@clinic_admin_required
@require_POST
def team_invite_again(request: HttpRequest, pk: int) -> HttpResponse:
    clinician = get_clinician_for_clinic_admin(request.user, pk)
    try:
        invitation, token = services.clinician_invite_again(
            clinician=clinician, invited_by=signed_in_user(request, User)
        )
    except ValidationError as error:
        return _refused(request, clinician, error)
    return invitation_page(request, invitation, token, clinician=clinician)
