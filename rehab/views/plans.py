"""A plan's life in the builder: create it, rename it, activate it, move it between phases,
print its handout.
"""

from __future__ import annotations

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.db.models import F
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.http import urlencode
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from clinic.access import clinician_required, get_patient_for_clinician
from clinic.models import User
from core.forms import add_service_errors
from core.ids import from_opaque
from core.redirects import is_safe_redirect
from core.users import signed_in_user
from rehab import clinical
from rehab.access import (
    get_phase_for_clinician,
    get_plan_for_clinician,
    protocols_for,
)
from rehab.forms.builder import (
    PhaseChangeConfirmForm,
    PlanCreateForm,
    PlanRenameForm,
    VersionForm,
)
from rehab.models.plans import Plan, PlanPhase
from rehab.selectors import builder as builder_selectors
from rehab.services import builder as builder_services
from rehab.services import holds as hold_services
from rehab.services import plans as plan_services
from rehab.services import progression as progression_services
from rehab.views.builder import HtmxHttpRequest, builder_page_url
from rehab.views.edits import answer_edit


@clinician_required
@require_http_methods(["GET", "POST"])
def plan_create(request: HtmxHttpRequest, patient_pk: int) -> HttpResponse:
    patient = get_patient_for_clinician(signed_in_user(request, User), patient_pk)
    # The current version of each shared and clinic template (not drafts, old versions or
    # archived ones), shared first: the page shows them side by side.
    protocols = (
        protocols_for(signed_in_user(request, User))
        .filter(pathway=patient.pathway, is_published=True)
        .order_by(F("clinic").asc(nulls_first=True), "name", "version")
    )
    form = PlanCreateForm(
        request.POST or None,
        protocols=protocols,
        initial={"template": protocols.first() or ""},
    )
    if request.method == "POST" and form.is_valid():
        try:
            plan, _created = plan_services.plan_draft(
                patient=patient,
                protocol=form.cleaned_data["template"],
                created_by=signed_in_user(request, User),
                name=form.cleaned_data["name"],
                client_uuid=form.cleaned_data["client_uuid"],
            )
        except ValidationError as error:
            add_service_errors(form, error)
        else:
            messages.success(
                request, _("Draft plan created. Adjust it, then activate it for the patient.")
            )
            if plan.protocol is not None and (
                left_out := builder_selectors.protocol_exercises_not_offered(plan.protocol)
            ):
                messages.warning(
                    request,
                    _(
                        "Left out of the plan, archived in the exercise library (no longer "
                        "offered for new plans): %(names)s."
                    )
                    % {"names": ", ".join(exercise.name for exercise in left_out)},
                )
            return redirect("rehab:plan_builder", pk=plan.pk)
    return render(
        request,
        "rehab/builder/plan_create.html",
        {"patient": patient, "form": form, "protocols": protocols},
    )


@clinician_required
@require_POST
def plan_rename(request: HtmxHttpRequest, pk: int) -> HttpResponse:
    by = signed_in_user(request, User)
    plan = get_plan_for_clinician(by, pk)
    form = PlanRenameForm(request.POST, prefix="rename")
    return answer_edit(
        request,
        plan,
        form=form,
        key="rename",
        action=lambda data: builder_services.plan_rename(
            plan=plan, name=data["name"], expected_version=data["version"], by=by
        ),
        success=_("Plan renamed."),
    )


@clinician_required
@require_POST
def plan_activate(request: HtmxHttpRequest, pk: int) -> HttpResponse:
    plan = get_plan_for_clinician(signed_in_user(request, User), pk)
    return answer_edit(
        request,
        plan,
        form=VersionForm(request.POST),
        action=lambda data: hold_services.plan_activate(
            plan=plan, activated_by=signed_in_user(request, User), expected_version=data["version"]
        ),
        success=lambda activated: (
            _(
                "Plan activated and paused: the patient reported red flags that no one has "
                "reviewed yet. Review them on the patient's page to let them start."
            )
            if activated.status == Plan.Status.PAUSED
            else _("Plan activated: the patient sees it from today.")
        ),
    )


@clinician_required
@require_GET
def plan_overview(request: HttpRequest, pk: int) -> HttpResponse:
    """What the plan gives the patient: phases with their dates and exercises, every early
    placement with its reason, and what the patient sees first on Today. For a draft, the
    summary to read before activating it, with the button that does."""
    plan = get_plan_for_clinician(signed_in_user(request, User), pk)
    summary = builder_selectors.plan_summary(plan)
    return render(
        request,
        "rehab/builder/overview.html",
        {
            "plan": plan,
            "patient": plan.patient,
            "summary": summary,
            "today": plan.patient.local_today(),
        },
    )


def _after_phase_change(request: HttpRequest, pk: int, next_url: str) -> HttpResponse:
    if is_safe_redirect(request, next_url):
        return redirect(next_url)
    return redirect(builder_page_url(pk, anchor="progression"))


def _moved(request: HttpRequest, plan: Plan) -> None:
    phase = plan.current_phase
    messages.success(
        request,
        _("The plan is now in %(phase)s; the patient sees its exercises from today.")
        % {"phase": phase.name if phase else ""},
    )


def _phase_change(request: HtmxHttpRequest, pk: int, *, forward: bool) -> HttpResponse:
    """Move to the next (previous) phase; one whose exercises would start before their
    earliest safe week for the patient goes to the confirmation page first (nothing moved)."""
    plan = get_plan_for_clinician(signed_in_user(request, User), pk)
    form = VersionForm(request.POST)
    next_url = request.POST.get("next", "")
    if not form.is_valid():
        messages.error(request, _("This page is out of date; reload it and try again."))
        return _after_phase_change(request, pk, next_url)
    try:
        target = progression_services.plan_step_target(
            plan, step=1 if forward else -1, expected_version=form.cleaned_data["version"]
        )
        if progression_services.plan_phase_change_early_placements(plan, target):
            query = urlencode({"version": form.cleaned_data["version"], "next": next_url})
            return redirect(
                reverse("rehab:plan_phase_confirm", args=[plan.pk, target.pk]) + f"?{query}"
            )
        plan = progression_services.plan_set_phase(
            plan=plan,
            phase=target,
            changed_by=signed_in_user(request, User),
            expected_version=form.cleaned_data["version"],
        )
    except ValidationError as error:
        for message in error.messages:
            messages.error(request, message)
    else:
        _moved(request, plan)
    return _after_phase_change(request, pk, next_url)


@clinician_required
@require_http_methods(["GET", "POST"])
def plan_phase_confirm(request: HtmxHttpRequest, pk: int, phase_pk: int) -> HttpResponse:
    """Before a move to a phase whose exercises would start before their earliest safe week:
    the list of them, each with the reason to start it now; the move only once each has one."""
    user = signed_in_user(request, User)
    plan = get_plan_for_clinician(user, pk)
    phase = get_phase_for_clinician(user, phase_pk)
    if phase.plan_id != plan.pk:
        raise Http404
    if request.method == "GET":
        # Opened from a page of an older version (another tab has changed the plan since): its
        # reasons would be refused on submit, and the move may be one nobody chose now.
        opened_from = VersionForm(request.GET)
        try:
            plan_services.check_version(
                plan,
                expected_version=opened_from.cleaned_data["version"]
                if opened_from.is_valid()
                else None,
            )
        except ValidationError as error:
            messages.error(request, error.messages[0])
            return _after_phase_change(request, pk, request.GET.get("next", ""))
    placements = progression_services.plan_phase_change_early_placements(plan, phase)
    data = request.POST if request.method == "POST" else None
    form = PhaseChangeConfirmForm(
        data,
        placements=placements,
        initial={
            "version": request.GET.get("version", plan.version),
            "next": request.GET.get("next", ""),
        },
    )
    if form.is_valid():
        try:
            plan = progression_services.plan_set_phase(
                plan=plan,
                phase=phase,
                changed_by=user,
                expected_version=form.cleaned_data["version"],
                guardrail_reasons=form.guardrail_reasons(),
            )
        except ValidationError as error:
            add_service_errors(form, error)
        else:
            _moved(request, plan)
            return _after_phase_change(request, pk, form.cleaned_data["next"])
    forward = _is_forward(plan, phase)
    return render(
        request,
        "rehab/builder/advance_confirm.html",
        {
            "plan": plan,
            "patient": plan.patient,
            "phase": phase,
            "forward": forward,
            "week": plan.week_on(plan.patient.local_today()),
            "form": form,
            "cancel_url": form["next"].value()
            if is_safe_redirect(request, form["next"].value() or "")
            else builder_page_url(plan.pk, anchor="progression"),
        },
        status=400 if form.errors else 200,
    )


def _is_forward(plan: Plan, phase: PlanPhase) -> bool:
    ids = [p.pk for p in plan.ordered_phases()]
    current = ids.index(plan.current_phase_id) if plan.current_phase_id in ids else -1
    return ids.index(phase.pk) > current


@clinician_required
@require_POST
def plan_advance(request: HtmxHttpRequest, pk: int) -> HttpResponse:
    return _phase_change(request, pk, forward=True)


@clinician_required
@require_POST
def plan_back(request: HtmxHttpRequest, pk: int) -> HttpResponse:
    return _phase_change(request, pk, forward=False)


# --- The printable handout ------------------------------------------------------------------


@clinician_required
@require_GET
def plan_handout(request: HttpRequest, pk: int) -> HttpResponse:
    plan = get_plan_for_clinician(signed_in_user(request, User), pk)
    phases = plan.ordered_phases()
    by_id = {p.pk: p for p in phases}
    chosen = request.GET.get("phase")  # the phase's opaque id (core.ids)
    if chosen:
        phase = by_id.get(from_opaque(chosen) or 0)
        if phase is None:
            raise Http404
    else:
        phase = by_id.get(plan.current_phase_id or 0) or (phases[0] if phases else None)
    return render(
        request,
        "rehab/builder/handout.html",
        {
            "plan": plan,
            "patient": plan.patient,
            "clinic": plan.patient.clinic,
            "phases": phases,
            "phase": phase,
            "items": builder_selectors.handout_items(phase) if phase else [],
            "red_flags": clinical.red_flags_for(has_surgery=plan.patient.surgery_date is not None),
        },
    )
