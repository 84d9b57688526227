"""The patient's progress page: the streak, adherence, milestones, charts against their own
past and the recent days; and measuring at home, whose form is on it.

As every patient page: the patient's own record (``patient_required``) → a form → one service
call → a page or a redirect.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_POST

from clinic.access import own_patient, patient_required
from clinic.models import Patient, User
from core.forms import add_service_errors
from core.users import signed_in_user
from rehab import charts
from rehab.forms.logbook import HomeMeasurementForm
from rehab.selectors import notices as notice_selectors
from rehab.selectors import progress as progress_selectors
from rehab.services import outcomes as outcome_services
from rehab.services.logbook.rules import care_ended_error

HISTORY_DAYS = 28
CHART_WEEKS = 8


@patient_required
@require_GET
def progress(request: HttpRequest) -> HttpResponse:
    """A welcome for a new patient; then the streak (rest days do not break it), adherence from
    the plan's start with today in progress, milestones, charts against their own past, the
    days since the plan started (4 weeks at most), and measuring at home (its form when
    asked for)."""
    # The home measurements' form when asked for (its link, ``?measure=1``): most visits
    # read the progress, few record.
    asked = request.GET.get("measure") == "1"
    patient = own_patient(request)
    return _progress_page(
        request, patient, measurement_form=_home_measurement_form(patient) if asked else None
    )


def _home_measurement_form(patient: Patient, data: Any = None) -> HomeMeasurementForm:
    """The home measurements' form, asking only what the patient's week (and risk modifiers)
    allow: the page's form and the POST's validation are the same."""
    return HomeMeasurementForm(data, patient=patient)


@patient_required
@require_POST
def home_measurement(request: HttpRequest) -> HttpResponse:
    """Record what the patient measured at home (the home measures only, marked as recorded
    at home; a double submit stores one row); refused once care has ended."""
    patient = own_patient(request)
    form = _home_measurement_form(patient, request.POST)
    if patient.status != Patient.Status.ACTIVE:
        add_service_errors(form, care_ended_error())
    elif form.is_valid():
        try:
            outcome_services.measurement_record(
                patient=patient,
                recorded_by=signed_in_user(request, User),
                at_home=True,
                **form.service_kwargs(),
            )
        except ValidationError as error:
            add_service_errors(form, error)
        else:
            messages.success(request, _("Saved. Your physiotherapist will see it."))
            return redirect(reverse("rehab:progress") + "#home-measurements-heading")
    return _progress_page(request, patient, measurement_form=form, status=400)


def _progress_page(
    request: HttpRequest,
    patient: Patient,
    *,
    measurement_form: HomeMeasurementForm | None,
    status: int = 200,
) -> HttpResponse:
    day = patient.local_today()
    encouraged = progress_selectors.encouragement(patient, today=day)
    since = encouraged.plan_start or patient.anchor_date
    chart_start = min(max(since, day - dt.timedelta(weeks=CHART_WEEKS) + dt.timedelta(1)), day)
    history_start = min(max(since, day - dt.timedelta(days=HISTORY_DAYS - 1)), day)
    recent = encouraged.recent(CHART_WEEKS)
    atrs = progress_selectors.atrs_series(patient)
    measurements = progress_selectors.measurement_series(patient)
    return render(
        request,
        "rehab/me/progress.html",
        {
            "title": _("My progress"),
            "patient": patient,
            "encouraged": encouraged,
            "streak": encouraged.streak,
            "adherence": recent,
            "milestones": progress_selectors.add_milestones(
                encouraged, atrs=atrs, measurements=measurements
            ),
            "history": progress_selectors.history_by_day(patient, start=history_start, end=day),
            "charts": charts.patient_charts(
                patient=patient,
                adherence_weeks=recent.by_week(patient.anchor_date),
                # The logs adherence counted cover the chart's weeks: one query fewer.
                pain=progress_selectors.pain_series(
                    patient,
                    start=chart_start,
                    end=day,
                    logs=encouraged.log_counts_from(chart_start),
                ),
                pain_start=chart_start,
                pain_end=day,
                atrs=atrs,
                measurements=measurements,
            ),
            "measurement_form": measurement_form,
            # The questionnaire's offer when due, which the bottom bar's Progress marks on a
            # phone (``rehab_patient.atrs_due`` reads it: no query more); none once care ended.
            "atrs_offer": (
                notice_selectors.atrs_offer(patient, day=day)
                if patient.status == Patient.Status.ACTIVE
                else None
            ),
            "atrs": atrs,  # the recovery chart's (``_recovery.html``)
            "care_ended": patient.status != Patient.Status.ACTIVE,
        },
        status=status,
    )
