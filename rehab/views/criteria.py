"""Exit criteria on the clinician's pages: add one to a plan phase, remove one, judge a yes/no
one. Each is a small POST that comes back to the page it was sent from (``next``), else the
patient's page. Clinicians of the patient's clinic only (anyone else: 404)."""

from __future__ import annotations

from collections.abc import Callable

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from clinic.access import clinician_required
from clinic.models import User
from core.forms import add_service_errors, message_service_errors
from core.redirects import is_safe_redirect
from core.users import signed_in_user
from rehab.access import get_phase_for_clinician, get_plan_criterion_for_clinician
from rehab.forms.criteria import CriterionForm, DismissForm, JudgeForm
from rehab.services import criteria as criteria_services
from rehab.views import patient_page


def _back(request: HttpRequest, patient_id: int) -> HttpResponse:
    return _next_or(request, reverse("rehab:patient_detail", kwargs={"pk": patient_id}))


def _next_or(request: HttpRequest, fallback: str) -> HttpResponse:
    """To the form's ``next`` if it is safe, else to ``fallback`` (a URL or a URL's name)."""
    next_url = request.POST.get("next", "")
    return redirect(next_url if is_safe_redirect(request, next_url) else fallback)


def _run(request: HttpRequest, action: Callable[[], object], success: str) -> None:
    """Run a service; its refusal, or ``success``, as the page's message."""
    try:
        action()
    except ValidationError as error:
        message_service_errors(request, error)
    else:
        messages.success(request, success)


@clinician_required
@require_POST
def criterion_add(request: HttpRequest, pk: int) -> HttpResponse:
    """Add an exit criterion to plan phase ``pk``; refused, the patient page again with the
    form open, its reason on it and what was typed kept."""
    phase = get_phase_for_clinician(signed_in_user(request, User), pk)
    form = CriterionForm(request.POST)
    if form.is_valid():
        try:
            criteria_services.criterion_add(phase=phase, **form.service_kwargs())
        except ValidationError as error:
            add_service_errors(form, error)
        else:
            messages.success(request, _("Exit criterion added."))
            return _back(request, phase.plan.patient_id)
    return patient_page.render_page(request, phase.plan.patient, criterion_form=form, status=400)


@clinician_required
@require_POST
def criterion_remove(request: HttpRequest, pk: int) -> HttpResponse:
    criterion = get_plan_criterion_for_clinician(signed_in_user(request, User), pk)
    patient_id = criterion.phase.plan.patient_id
    _run(
        request,
        lambda: criteria_services.criterion_remove(criterion=criterion),
        _("Exit criterion removed."),
    )
    return _back(request, patient_id)


@clinician_required
@require_POST
def criterion_judge(request: HttpRequest, pk: int) -> HttpResponse:
    """Record the clinician's yes/no on a criterion they judge."""
    user = signed_in_user(request, User)
    criterion = get_plan_criterion_for_clinician(user, pk)
    form = JudgeForm(request.POST)
    if not form.is_valid():
        messages.error(request, _("Choose met, not met or not judged."))
    else:
        _run(
            request,
            lambda: criteria_services.criterion_judge(
                criterion=criterion, met=form.cleaned_data["met"], by=user
            ),
            _("Judgement saved."),
        )
    return _back(request, criterion.phase.plan.patient_id)


@clinician_required
@require_POST
def proposal_dismiss(request: HttpRequest, pk: int) -> HttpResponse:
    """Dismiss the dashboard's proposal of the next phase for plan phase ``pk``, with a note."""
    user = signed_in_user(request, User)
    phase = get_phase_for_clinician(user, pk)
    form = DismissForm(request.POST)
    if not form.is_valid():
        messages.error(request, _("Say why the patient is not moving on yet."))
    else:
        criteria_services.proposal_dismiss(phase=phase, note=form.cleaned_data["note"], by=user)
        messages.success(request, _("Proposal dismissed."))
    return _next_or(request, "rehab:dashboard")
