"""Reads for the clinician's dashboard: the patients falling behind, those with unread
messages, and the clinician's own patients (the alerts: ``alerts``).

Every function here keeps its query count independent of the number of rows it reads.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Any, cast

from django.db.models import (
    Case,
    Count,
    Max,
    Min,
    OuterRef,
    Prefetch,
    QuerySet,
    Subquery,
    When,
)

from clinic.models import Patient
from rehab.guardrails import PLANS_IN_CARE
from rehab.models.alerts import Alert
from rehab.models.plans import Plan, PlanPhase
from rehab.selectors.adherence_totals import judged_adherence_totals
from rehab.selectors.clinician.patients import ADHERENCE_WINDOW_DAYS, PatientRow

FALLING_BEHIND_PERCENT = 50


@dataclass(frozen=True)
class FallingBehind:
    """The patients falling behind, the furthest first (at most the number asked for), and how
    many more there are."""

    rows: list[PatientRow]
    more: int


def falling_behind(*, clinic_id: int, today: dt.date, limit: int | None = None) -> FallingBehind:
    """Active patients with an active plan whose adherence over the last seven days is below
    50 %, the lowest first (then by name), judged as the patient's own progress is (from the
    plan's start, today in progress: no one is behind on day one): the first ``limit`` (all by
    default) with their plans and phases. Counted for every active plan of the clinic
    (``judged_adherence_totals``: four queries), each patient up to their own today (``today``,
    the clinic's, is not the window's end), then the rows shown are read (one query): five
    queries whatever the number of patients and logs."""
    plans = Plan.objects.filter(
        patient__clinic_id=clinic_id,
        patient__status=Patient.Status.ACTIVE,
        status=Plan.Status.ACTIVE,
    )
    # Each patient's last seven days up to their own today (their time zone, not the clinic's
    # ``today``: at 03:00 in London a patient in Los Angeles is still in yesterday).
    totals = judged_adherence_totals(plans, days=ADHERENCE_WINDOW_DAYS)
    # Each percent worked out once (a decimal rounding): hundreds of patients, a few shown.
    behind = {
        pk: percent
        for pk, total in totals.items()
        if (percent := total.percent) is not None and percent < FALLING_BEHIND_PERCENT
    }
    if not behind:
        return FallingBehind(rows=[], more=0)
    shown = len(behind) if limit is None else min(limit, len(behind))
    # Those shown are the lowest percents: every one below the last one shown's, then those at
    # it (often many, at 0 %) by name. Only the rows shown are read.
    cutoff = sorted(behind.values())[shown - 1]
    below = [pk for pk, percent in behind.items() if percent < cutoff]
    at_cutoff = [pk for pk, percent in behind.items() if percent == cutoff]
    rows = [
        PatientRow(
            patient=plan.patient,
            plan=plan,
            week=plan.week_on(plan.patient.local_today()),
            adherence=totals[plan.patient_id],
        )
        for plan in plans.filter(patient_id__in=below + at_cutoff)
        .select_related("patient", "current_phase")
        .only(  # what the rows show
            "anchor_date",
            "patient_id",
            "current_phase_id",
            "patient__first_name",
            "patient__last_name",
            "patient__timezone",
            "current_phase__name",
        )
        .order_by(Case(When(patient_id__in=below, then=0), default=1), "patient__last_name")[:shown]
    ]
    rows.sort(key=lambda row: (behind[row.patient.pk], row.patient.last_name))
    return FallingBehind(rows=rows, more=len(behind) - shown)


def patients_falling_behind(*, clinic_id: int, today: dt.date) -> list[PatientRow]:
    """Every patient ``falling_behind``, the furthest first."""
    return falling_behind(clinic_id=clinic_id, today=today).rows


def patients_with_unread_messages(clinic_id: int) -> QuerySet[Patient]:
    """Patients whose messages to the clinic are unread, annotated with ``unread_count`` and
    ``last_unread_at``; the longest-waiting first. One query, which reads only the unread
    messages (the condition is on the join the counts use, served by the index of unread
    messages from patients)."""
    return (
        Patient.objects.filter(
            clinic_id=clinic_id, messages__from_patient=True, messages__read_at__isnull=True
        )
        .annotate(
            unread_count=Count("messages"),
            last_unread_at=Max("messages__created_at"),
            first_unread_at=Min("messages__created_at"),
        )
        .order_by("first_unread_at", "pk")
    )


MY_PATIENTS_SHOWN = 50


@dataclass(frozen=True)
class MyPatientRow:
    """One of the clinician's own patients as the dashboard shows them."""

    patient: Patient
    plan: Plan | None
    week: int | None
    open_alerts: int

    @property
    def phase(self) -> PlanPhase | None:
        return self.plan.current_phase if self.plan is not None else None


def my_patients(*, clinician_id: int) -> list[MyPatientRow]:
    """The clinician's own active patients (``Patient.therapist``), by name, with what the
    dashboard shows of them: the plan in care with its current phase and week, and the open
    alerts (the patient list has the rest). Two queries whatever their number: the patients
    with their open alert counts, their plans in care with the phases."""
    open_alerts = (
        Alert.objects.filter(patient=OuterRef("pk"), acknowledged_at__isnull=True)
        .order_by()
        .values("patient")
        .annotate(n=Count("pk"))
        .values("n")[:1]
    )
    in_care = Plan.objects.filter(status__in=PLANS_IN_CARE).select_related("current_phase")
    patients = (
        Patient.objects.filter(therapist_id=clinician_id, status=Patient.Status.ACTIVE)
        .annotate(open_alerts=Subquery(open_alerts))
        .prefetch_related(Prefetch("plans", queryset=in_care, to_attr="in_care"))
        .order_by("last_name", "first_name", "pk")[:MY_PATIENTS_SHOWN]
    )
    rows = []
    for patient in patients:
        read = cast("Any", patient)  # the annotation and the prefetched plans
        plan = next(iter(read.in_care), None)
        rows.append(
            MyPatientRow(
                patient=patient,
                plan=plan,
                week=plan.week_on(patient.local_today()) if plan is not None else None,
                open_alerts=read.open_alerts or 0,
            )
        )
    return rows
