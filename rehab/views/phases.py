"""Editing a plan's phases and their prescriptions in the builder (htmx fragments, or the
whole page without JavaScript).
"""

from __future__ import annotations

from django.http import HttpResponse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from clinic.access import clinician_required
from clinic.models import User
from core.users import signed_in_user
from rehab import guardrails
from rehab.access import (
    exercises_for,
    get_phase_for_clinician,
    get_plan_for_clinician,
    get_prescription_for_clinician,
)
from rehab.forms.builder import (
    DirectionForm,
    DoseForm,
    PhaseForm,
    PrescriptionAddForm,
    PrescriptionMovePhaseForm,
    VersionForm,
)
from rehab.models.plans import PlanPhase
from rehab.services import builder as builder_services
from rehab.views.builder import SEARCH_FIELDS, HtmxHttpRequest
from rehab.views.builder.cards import phase_key, rx_key
from rehab.views.edits import answer_edit


@clinician_required
@require_POST
def phase_add(request: HtmxHttpRequest, pk: int) -> HttpResponse:
    by = signed_in_user(request, User)
    plan = get_plan_for_clinician(by, pk)
    form = PhaseForm(request.POST, prefix="new-phase", instance=PlanPhase(plan=plan), plan=plan)
    return answer_edit(
        request,
        plan,
        form=form,
        key="new-phase",
        action=lambda data: builder_services.phase_add(
            plan=plan, **form.phase_values(), expected_version=data["version"], by=by
        ),
        success=_("Phase added."),
    )


@clinician_required
@require_POST
def phase_edit(request: HtmxHttpRequest, pk: int) -> HttpResponse:
    by = signed_in_user(request, User)
    phase = get_phase_for_clinician(by, pk)
    plan = phase.plan
    key = phase_key(phase.pk)
    live = list(phase.prescriptions.live().select_related("exercise"))
    form = PhaseForm(request.POST, prefix=key, instance=phase, plan=plan, prescriptions=live)
    return answer_edit(
        request,
        plan,
        form=form,
        key=key,
        action=lambda data: builder_services.phase_update(
            phase=phase,
            **form.phase_values(),
            guardrail_reasons=form.guardrail_reasons(),
            expected_version=data["version"],
            by=by,
        ),
        success=_("Phase saved."),
        anchor=key,
    )


@clinician_required
@require_POST
def phase_remove(request: HtmxHttpRequest, pk: int) -> HttpResponse:
    by = signed_in_user(request, User)
    phase = get_phase_for_clinician(by, pk)
    return answer_edit(
        request,
        phase.plan,
        form=VersionForm(request.POST),
        action=lambda data: builder_services.phase_remove(
            phase=phase, expected_version=data["version"], by=by
        ),
        success=_("Phase removed."),
    )


@clinician_required
@require_POST
def phase_move(request: HtmxHttpRequest, pk: int) -> HttpResponse:
    by = signed_in_user(request, User)
    phase = get_phase_for_clinician(by, pk)
    return answer_edit(
        request,
        phase.plan,
        form=DirectionForm(request.POST),
        action=lambda data: builder_services.phase_move(
            phase=phase, direction=data["direction"], expected_version=data["version"], by=by
        ),
        success=_("Phase moved."),
        anchor=phase_key(phase.pk),
    )


@clinician_required
@require_POST
def prescription_add(request: HtmxHttpRequest, pk: int) -> HttpResponse:
    by = signed_in_user(request, User)
    plan = get_plan_for_clinician(by, pk)
    phases = plan.ordered_phases()
    form = PrescriptionAddForm(
        request.POST,
        auto_id="add-%s",
        # An archived clinic exercise is not offered for new prescriptions.
        exercises=exercises_for(by).filter(is_published=True),
        phases=phases,
    )
    # The library panel's search, kept across the add (validated again when the page is drawn).
    search = {name: request.POST.get(name, "")[:100] for name in SEARCH_FIELDS}
    return answer_edit(
        request,
        plan,
        form=form,
        key="add",
        action=lambda data: builder_services.prescription_add(
            phase=data["phase"],
            exercise=data["exercise"],
            guardrail_reason=data["guardrail_reason"],
            expected_version=data["version"],
            by=by,
        ),
        success=lambda rx: (
            _("%(exercise)s added to %(phase)s.")
            % {"exercise": rx.exercise.name, "phase": rx.phase.name}
        ),
        anchor=lambda rx: rx_key(rx.pk),
        search=search,
    )


@clinician_required
@require_POST
def prescription_edit(request: HtmxHttpRequest, pk: int) -> HttpResponse:
    by = signed_in_user(request, User)
    rx = get_prescription_for_clinician(by, pk)
    plan = rx.phase.plan
    key = rx_key(rx.pk)
    warning = guardrails.guardrail_warning(exercise=rx.exercise, phase=rx.phase)
    form = DoseForm(request.POST, prefix=key, instance=rx, warning=warning)
    return answer_edit(
        request,
        plan,
        form=form,
        key=key,
        action=lambda data: builder_services.prescription_update(
            prescription=rx, **form.dose_values(), expected_version=data["version"], by=by
        ),
        success=_("Note saved.") if rx.is_advice else _("Dose saved."),
        anchor=key,
    )


@clinician_required
@require_POST
def prescription_remove(request: HtmxHttpRequest, pk: int) -> HttpResponse:
    by = signed_in_user(request, User)
    rx = get_prescription_for_clinician(by, pk)
    return answer_edit(
        request,
        rx.phase.plan,
        form=VersionForm(request.POST),
        action=lambda data: builder_services.prescription_remove(
            prescription=rx, expected_version=data["version"], by=by
        ),
        success=lambda deleted: (
            _("Exercise removed.")
            if deleted
            else _("Exercise retired: the patient no longer sees it; their logs are kept.")
        ),
        anchor=phase_key(rx.phase_id),
    )


@clinician_required
@require_POST
def prescription_move(request: HtmxHttpRequest, pk: int) -> HttpResponse:
    by = signed_in_user(request, User)
    rx = get_prescription_for_clinician(by, pk)
    return answer_edit(
        request,
        rx.phase.plan,
        form=DirectionForm(request.POST),
        action=lambda data: builder_services.prescription_move(
            prescription=rx, direction=data["direction"], expected_version=data["version"], by=by
        ),
        success=_("Exercise moved."),
        anchor=rx_key(rx.pk),
    )


@clinician_required
@require_POST
def prescription_move_phase(request: HtmxHttpRequest, pk: int) -> HttpResponse:
    by = signed_in_user(request, User)
    rx = get_prescription_for_clinician(by, pk)
    plan = rx.phase.plan
    phases = plan.ordered_phases()
    key = rx_key(rx.pk, "rxmove")
    form = PrescriptionMovePhaseForm(request.POST, prefix=key, phases=phases)
    return answer_edit(
        request,
        plan,
        form=form,
        key=key,
        action=lambda data: builder_services.prescription_move_to_phase(
            prescription=rx,
            phase=data["phase"],
            guardrail_reason=data["guardrail_reason"],
            expected_version=data["version"],
            by=by,
        ),
        success=_("Exercise moved to another phase."),
        # The prescription in its new phase: the same one, or a copy of one the patient was
        # asked to do where it was (retired there).
        anchor=lambda moved: rx_key(moved.pk),
    )
