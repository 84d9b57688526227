"""The clinician's page for one patient: details, plan, charts, alerts, messages.

Clinicians of the patient's clinic only (``get_patient_for_clinician``: anyone else 404).
"""

from __future__ import annotations

import datetime as dt
import uuid
from typing import Any

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy as _lazy
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from clinic.access import clinician_required, get_patient_for_clinician
from clinic.models import Patient, User
from core.forms import add_service_errors
from core.users import signed_in_user
from rehab import charts, guardrails, measures, recovery, risk
from rehab.forms.criteria import CriterionForm
from rehab.forms.logbook import MeasurementForm, PlanResumeForm
from rehab.forms.risk import RiskForm
from rehab.models.plans import Plan
from rehab.selectors import adherence as adherence_selectors
from rehab.selectors import clinician as clinician_selectors
from rehab.selectors import criteria as criteria_selectors
from rehab.selectors import progress as progress_selectors
from rehab.selectors import recovery as recovery_selectors
from rehab.selectors import timeline as timeline_selectors
from rehab.selectors import today as today_selectors
from rehab.services import holds as hold_services
from rehab.services import outcomes as outcome_services
from rehab.services import plans as plan_services

CHART_WEEKS = 8
# The page's tabs (``?tab=``; with JavaScript they switch in place).
TABS = (
    ("plan", _lazy("Plan")),
    ("outcomes", _lazy("Outcomes")),
    ("messages", _lazy("Messages")),
    ("timeline", _lazy("Timeline")),
)


def _tab(request: HttpRequest, *, measurement_form: MeasurementForm | None) -> str:
    """The tab to show: the one asked for; the timeline when paging through it; the outcomes
    when a measurement was refused."""
    if measurement_form is not None and measurement_form.errors:
        return "outcomes"
    if "timeline_page" in request.GET:
        return "timeline"
    asked = request.GET.get("tab", "")
    return asked if asked in dict(TABS) else "plan"


def _page(
    request: HttpRequest,
    patient: Patient,
    *,
    measurement_form: MeasurementForm | None = None,
    risk_form: RiskForm | None = None,
    status: int = 200,
) -> HttpResponse:
    """Render the page. Its query count does not grow with the plan or the history."""
    today = patient.local_today()
    start = today - dt.timedelta(weeks=CHART_WEEKS) + dt.timedelta(days=1)
    plans = clinician_selectors.plans_of_patient(patient)
    active = next((p for p in plans if p.in_care), None)  # active, or paused by a red flag
    # The active plan is already read: adherence needs three queries, not four.
    adherence = adherence_selectors.adherence_for_patients(
        [patient], start=start, end=today, plans=[active] if active is not None else []
    )[patient.pk]
    measurements = progress_selectors.measurement_series(patient)
    atrs = progress_selectors.atrs_series(patient)
    current_phase = today_selectors.phase_on(active, today) if active is not None else None
    evaluated = (
        criteria_selectors.evaluate_phases(
            [(patient, active, current_phase)],
            read=criteria_selectors.AlreadyRead(
                measurements=measurements, atrs=atrs, adherence=adherence
            ),
        )
        if active is not None and current_phase is not None
        else []
    )
    context: dict[str, Any] = {
        "tabs": TABS,
        "tab": _tab(request, measurement_form=measurement_form),
        "patient": patient,
        "today": today,
        "week": patient.week_on(today),
        "active_plan": active,
        "current_phase": current_phase,
        "drafts": [p for p in plans if p.status == Plan.Status.DRAFT],
        "completed": [p for p in plans if p.status == Plan.Status.COMPLETED],
        "adherence": adherence,
        "charts": charts.patient_charts(
            patient=patient,
            adherence_weeks=adherence.by_week(patient.anchor_date),
            pain=progress_selectors.pain_series(patient, start=start, end=today),
            pain_start=start,
            pain_end=today,
            atrs=atrs,
            measurements=measurements,
        ),
        "latest_measurement": measurements[-1] if measurements else None,
        "latest_atrs": atrs[-1] if atrs else None,
        "atrs_request": today_selectors.open_atrs_request(patient),
        "alerts": clinician_selectors.open_alerts(patient),
        "recent_messages": clinician_selectors.recent_messages(patient, limit=5),
        "timeline": timeline_selectors.patient_timeline(
            patient, page=request.GET.get("timeline_page", 1)
        ),
        "measurement_form": measurement_form
        or MeasurementForm(patient=patient, initial={"client_uuid": uuid.uuid4()}),
        "measure_rows": measures.measure_rows(measurements[-1] if measurements else None),
        # The current phase's exit criteria, evaluated (``_criteria.html``).
        "phase_criteria": evaluated[0] if evaluated else None,
        "criterion_form": CriterionForm(),
        # Risk modifiers and what they move (``_risk.html``).
        "risk_form": risk_form or RiskForm(patient=patient),
        "risk_modifiers": risk.modifiers_of(patient, today=today),
        "risk_reasons": guardrails.risk_reasons(patient),
        "risk_basis": risk.BASIS,
        "risk_source": risk.SOURCE,
        # The ATRS and heel-rise LSI against the published cohorts (``_recovery.html``).
        "recovery": recovery.recovery(
            patient,
            atrs=atrs,
            measurements=measurements,
            references=recovery_selectors.references_for(patient.pathway),
        ),
    }
    return render(request, "rehab/patient_page/detail.html", context, status=status)


@clinician_required
@require_GET
def patient_detail(request: HttpRequest, pk: int) -> HttpResponse:
    return _page(request, get_patient_for_clinician(request.user, pk))


@clinician_required
@require_POST
def atrs_request(request: HttpRequest, pk: int) -> HttpResponse:
    """Ask the patient to fill in the ATRS; it shows on their Today page until answered."""
    patient = get_patient_for_clinician(request.user, pk)
    _request, created = outcome_services.atrs_request_create(
        patient=patient, requested_by=signed_in_user(request, User)
    )
    if created:
        messages.success(
            request,
            _("%(name)s will be asked to fill in the ATRS.") % {"name": patient.full_name},
        )
    else:
        messages.info(request, _("The ATRS has already been requested and not yet answered."))
    return redirect("rehab:patient_detail", pk=patient.pk)


@clinician_required
@require_POST
def measurement_create(request: HttpRequest, pk: int) -> HttpResponse:
    """Record the session's measurements: heel rise (reps, height), ATRA, knee-to-wall, calf
    circumference, the 5 m toe walk; any may be left out (a double submit stores one row)."""
    patient = get_patient_for_clinician(request.user, pk)
    form = MeasurementForm(request.POST, patient=patient)
    if form.is_valid():
        try:
            outcome_services.measurement_record(
                recorded_by=signed_in_user(request, User), **form.service_kwargs()
            )
        except ValidationError as error:
            add_service_errors(form, error)
        else:
            messages.success(request, _("Measurement saved."))
            return redirect("rehab:patient_detail", pk=patient.pk)
    return _page(request, patient, measurement_form=form, status=400)


@clinician_required
@require_POST
def risk_update(request: HttpRequest, pk: int) -> HttpResponse:
    """Record the patient's risk modifiers; refused (nothing changed) if an exercise of their
    plan would then start before its earliest safe week without a reason."""
    patient = get_patient_for_clinician(request.user, pk)
    form = RiskForm(request.POST, patient=patient)
    if form.is_valid():
        try:
            plan_services.patient_risk_update(patient=patient, values=form.values())
        except ValidationError as error:
            add_service_errors(form, error)
        else:
            messages.success(request, _("Risk factors saved."))
            return redirect("rehab:patient_detail", pk=patient.pk)
    return _page(request, patient, risk_form=form, status=400)


@clinician_required
@require_http_methods(["GET", "POST"])
def plan_resume(request: HttpRequest, pk: int) -> HttpResponse:
    """Review what the patient reported and resume their paused plan (a note is required)."""
    patient = get_patient_for_clinician(request.user, pk)
    review = clinician_selectors.paused_plan_review(patient)
    form = PlanResumeForm(request.POST or None)
    if review is not None and request.method == "POST" and form.is_valid():
        try:
            hold_services.plan_resume(
                plan=review.plan, by=signed_in_user(request, User), note=form.cleaned_data["note"]
            )
        except ValidationError as error:
            add_service_errors(form, error)
        else:
            messages.success(
                request,
                _(
                    "Plan resumed: %(name)s sees their exercises again, with a note that you "
                    "have reviewed what they reported."
                )
                % {"name": patient.full_name},
            )
            return redirect("rehab:patient_detail", pk=patient.pk)
    return render(
        request,
        "rehab/patient_page/resume.html",
        {"patient": patient, "review": review, "form": form},
        status=400 if form.errors else 200,
    )
