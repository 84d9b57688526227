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
from django.urls import reverse
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy as _lazy
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from clinic.access import clinician_required, get_patient_for_clinician
from clinic.models import Patient, User
from core.forms import add_service_errors, message_service_errors
from core.users import signed_in_user
from rehab import charts, guardrails, measures, recovery, risk
from rehab.forms.criteria import CriterionForm
from rehab.forms.logbook import MeasurementForm, PlanResumeForm
from rehab.forms.risk import RiskForm
from rehab.models.plans import Plan
from rehab.selectors import adherence as adherence_selectors
from rehab.selectors import criteria as criteria_selectors
from rehab.selectors import notices as notice_selectors
from rehab.selectors import patient_page as patient_selectors
from rehab.selectors import progress as progress_selectors
from rehab.selectors import recovery as recovery_selectors
from rehab.selectors import timeline as timeline_selectors
from rehab.selectors import today as today_selectors
from rehab.services import holds as hold_services
from rehab.services import outcomes as outcome_services
from rehab.services import risk as risk_services

CHART_WEEKS = 8
# The page's tabs (``?tab=``): each is its own address, and only the chosen one is read and
# rendered (a clinician opens the plan far more often than the timeline).
TABS = (
    ("plan", _lazy("Plan")),
    ("outcomes", _lazy("Outcomes")),
    ("messages", _lazy("Messages")),
    ("timeline", _lazy("Timeline")),
)


def _tab(request: HttpRequest, *, measurement_form: MeasurementForm | None) -> str:
    """The tab to show: the one asked for; the timeline when paging through it; the outcomes
    when a measurement was refused."""
    if measurement_form is not None:
        return "outcomes"
    if "timeline_page" in request.GET:
        return "timeline"
    asked = request.GET.get("tab", "")
    return asked if asked in dict(TABS) else "plan"


def _plan_tab(
    request: HttpRequest,
    patient: Patient,
    head: dict[str, Any],
    *,
    risk_form: RiskForm | None,
    criterion_form: CriterionForm | None = None,
) -> dict[str, Any]:
    """The plan tab: the plans, open alerts, risk factors, the current phase's exit criteria,
    adherence and pain over the last weeks. The risk and criterion forms are built when asked
    for (``?edit=risk``, ``?edit=criterion``, from their links) or shown again with errors: the
    page is read far more often than they are filled in."""
    today, active, current_phase = head["today"], head["active_plan"], head["current_phase"]
    start = today - dt.timedelta(weeks=CHART_WEEKS) + dt.timedelta(days=1)
    # The logs counted per prescription and day, with their pain: adherence's and the pain
    # chart's in one query.
    logs = progress_selectors.log_counts(patient, start=start, end=today)
    # The active plan and its phase changes are already read: adherence needs two queries.
    # Today is not over: what is done counts, the rest is no debt yet (as the patient list
    # judges it).
    adherence = adherence_selectors.adherence_for_patients(
        [patient],
        start=start,
        end=today,
        plans=[active] if active is not None else [],
        in_progress=today,
        read=adherence_selectors.AdherenceRead(
            changes=head["phase_changes"],
            log_counts=[(c.prescription_id, c.day, c.done) for c in logs],
        ),
    )[patient.pk]
    pain = progress_selectors.pain_series(patient, start=start, end=today, logs=logs)
    evaluated = []
    if active is not None and current_phase is not None:
        evaluated = criteria_selectors.evaluate_phases(
            [(patient, active, current_phase)],
            # Measurements and ATRS are read only if a criterion needs them.
            read=criteria_selectors.AlreadyRead(adherence=adherence, pain=pain),
        )
    edit = request.GET.get("edit", "")
    if risk_form is None and edit == "risk":
        risk_form = RiskForm(patient=patient)
    plans = head["plans"]
    return {
        "drafts": [p for p in plans if p.status == Plan.Status.DRAFT],
        "completed": [p for p in plans if p.status == Plan.Status.COMPLETED],
        "adherence": adherence,
        "adherence_chart": charts.adherence_chart(
            adherence.by_week(patient.anchor_date), in_progress=True
        ),
        "pain_chart": charts.pain_chart(pain, start=start, end=today),
        # The current phase's exit criteria, evaluated (``_criteria.html``).
        "phase_criteria": evaluated[0] if evaluated else None,
        "criterion_form": criterion_form or (CriterionForm() if edit == "criterion" else None),
        # Risk modifiers and what they move (``_risk.html``); the form when asked for.
        "risk_form": risk_form,
        # Each with the weeks it adds in the patient's clinic.
        "risk_modifiers": risk.weighed(patient, today=today),
        "risk_reasons": guardrails.risk_reasons(patient),
        "risk_basis": risk.BASIS,
        "risk_source": risk.SOURCE,
    }


def _outcomes_tab(
    request: HttpRequest, patient: Patient, *, measurement_form: MeasurementForm | None
) -> dict[str, Any]:
    """The outcomes tab: the ATRS, the measurements and the recovery against published
    cohorts; the session's measurement form when asked for."""
    measurements = progress_selectors.measurement_series(patient)
    atrs = progress_selectors.atrs_series(patient)
    if measurement_form is None and request.GET.get("edit") == "measurement":
        measurement_form = MeasurementForm(patient=patient, initial={"client_uuid": uuid.uuid4()})
    return {
        "atrs_chart": charts.atrs_chart(atrs),
        "lsi_chart": charts.lsi_chart(measurements),
        "calf_chart": charts.calf_chart(measurements, injured_side=patient.injured_side),
        "latest_measurement": measurements[-1] if measurements else None,
        "latest_atrs": atrs[-1] if atrs else None,
        "atrs_request": notice_selectors.open_atrs_request(patient),
        "measurement_form": measurement_form,
        "measure_rows": measures.measure_rows(measurements[-1] if measurements else None),
        # The ATRS and heel-rise LSI against the published cohorts (``_recovery.html``).
        "recovery": recovery.recovery(
            patient,
            atrs=atrs,
            measurements=measurements,
            references=recovery_selectors.references_for(patient.pathway),
        ),
    }


def render_page(
    request: HttpRequest,
    patient: Patient,
    *,
    measurement_form: MeasurementForm | None = None,
    risk_form: RiskForm | None = None,
    criterion_form: CriterionForm | None = None,
    status: int = 200,
) -> HttpResponse:
    """Render the page with its chosen tab (a form refused is shown again on it, with its
    errors). The query count does not grow with the plan or the history, and the tabs not
    shown are not read."""
    tab = _tab(request, measurement_form=measurement_form)
    today = patient.local_today()
    plans = patient_selectors.plans_of_patient(patient)
    active = next((p for p in plans if p.in_care), None)  # active, or paused by a red flag
    # Its phase changes: the phase in force today, and the plan tab's adherence.
    changes = today_selectors.phase_changes(active) if active is not None else []
    context: dict[str, Any] = {
        "tabs": TABS,
        "tab": tab,
        "patient": patient,
        "today": today,
        "week": patient.week_on(today),
        "plans": plans,
        "active_plan": active,
        "current_phase": today_selectors.phase_on(active, today, changes=changes)
        if active is not None
        else None,
        "phase_changes": changes,
    }
    if tab == "plan":  # it lists the open alerts with what was reported; the header counts them
        context["alerts"] = patient_selectors.open_alerts(patient)
        context["open_alert_count"] = len(context["alerts"])
        context.update(
            _plan_tab(request, patient, context, risk_form=risk_form, criterion_form=criterion_form)
        )
        return render(request, "rehab/patient_page/detail.html", context, status=status)
    # The other tabs: the header's count only (the navigation's ``alert_count`` is the clinic's).
    context["open_alert_count"] = patient_selectors.open_alert_count(patient)
    if tab == "outcomes":
        context.update(_outcomes_tab(request, patient, measurement_form=measurement_form))
    elif tab == "messages":
        context["recent_messages"] = patient_selectors.recent_messages(patient, limit=5)
    else:
        context["timeline"] = timeline_selectors.patient_timeline(
            patient, page=request.GET.get("timeline_page", 1)
        )
    return render(request, "rehab/patient_page/detail.html", context, status=status)


def _outcomes_tab_url(patient: Patient) -> HttpResponse:
    return redirect(reverse("rehab:patient_detail", args=[patient.pk]) + "?tab=outcomes")


@clinician_required
@require_GET
def patient_detail(request: HttpRequest, pk: int) -> HttpResponse:
    return render_page(request, get_patient_for_clinician(request.user, pk))


@clinician_required
@require_POST
def atrs_request(request: HttpRequest, pk: int) -> HttpResponse:
    """Ask the patient to fill in the ATRS; it shows on their Today page until answered."""
    patient = get_patient_for_clinician(request.user, pk)
    try:
        _request, created = outcome_services.atrs_request_create(
            patient=patient, requested_by=signed_in_user(request, User)
        )
    except ValidationError as error:
        message_service_errors(request, error)
        return _outcomes_tab_url(patient)
    if created:
        messages.success(
            request,
            _("%(name)s will be asked to fill in the ATRS.") % {"name": patient.full_name},
        )
    else:
        messages.info(request, _("The ATRS has already been requested and not yet answered."))
    return _outcomes_tab_url(patient)


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
            return _outcomes_tab_url(patient)
    return render_page(request, patient, measurement_form=form, status=400)


@clinician_required
@require_POST
def risk_update(request: HttpRequest, pk: int) -> HttpResponse:
    """Record the patient's risk modifiers; refused (nothing changed) if an exercise of their
    plan would then start before its earliest safe week without a reason."""
    patient = get_patient_for_clinician(request.user, pk)
    form = RiskForm(request.POST, patient=patient)
    if form.is_valid():
        try:
            risk_services.patient_risk_update(patient=patient, values=form.values())
        except ValidationError as error:
            add_service_errors(form, error)
        else:
            messages.success(request, _("Risk factors saved."))
            return redirect("rehab:patient_detail", pk=patient.pk)
    return render_page(request, patient, risk_form=form, status=400)


@clinician_required
@require_http_methods(["GET", "POST"])
def plan_resume(request: HttpRequest, pk: int) -> HttpResponse:
    """Review what the patient reported and resume their paused plan (a note is required)."""
    patient = get_patient_for_clinician(request.user, pk)
    review = patient_selectors.paused_plan_review(patient)
    form = PlanResumeForm(request.POST or None)
    if review is not None and request.method == "POST" and form.is_valid():
        try:
            hold_services.plan_resume(
                plan=review.plan,
                by=signed_in_user(request, User),
                note=form.cleaned_data["note"],
                reviewed=form.cleaned_data["reviewed"],
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
