"""The scene of issue 16's browser journey, for the clinical-loop tests: a non-operative
patient in week 3 whose plan's next phase (weeks 6–9) holds exercises whose earliest safe weeks
are 4 and 6."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import NamedTuple

from django.utils import timezone

from clinic.models import Clinician, Patient
from rehab.guardrails import earliest_week_warning
from rehab.models import Exercise, PhaseChange, Plan, PlanPhase, Prescription, ProtocolItem
from rehab.services import builder as builder_services
from tests import factories


@dataclass
class Scene:
    patient: Patient
    plan: Plan
    early: PlanPhase  # weeks 0–6, current
    later: PlanPhase  # weeks 6–9
    current_rx: Prescription  # safe now
    week4_rx: Prescription  # earliest safe week 4
    week6_rx: Prescription  # earliest safe week 6
    safe_rx: Prescription  # in the later phase, safe from week 0


def exercise(name: str, week: int) -> Exercise:
    return factories.ExerciseFactory.create(
        name=name,
        earliest_week_operative=week,
        earliest_week_non_operative=week,
        earliest_week_reason=f"Not before week {week}.",
        earliest_week_source="Test protocol",
    )


def week3_non_operative(clinician: Clinician, **patient: object) -> Scene:
    injury = timezone.localdate() - dt.timedelta(weeks=3, days=2)
    person = factories.PatientFactory.create(
        clinic=clinician.clinic,
        therapist=clinician,
        pathway=Patient.Pathway.NON_OPERATIVE,
        injury_date=injury,
        first_name="Noah",
        **patient,
    )
    plan = factories.PlanFactory.create(patient=person, name="Non-operative plan")
    early = factories.PlanPhaseFactory.create(
        plan=plan, order=1, name="Weeks 0–6", start_week=0, end_week=6
    )
    later = factories.PlanPhaseFactory.create(
        plan=plan, order=2, name="Weeks 6–9", start_week=6, end_week=9
    )
    plan.current_phase = early
    plan.save()
    PhaseChange.objects.create(plan=plan, to_phase=early, effective_on=injury)
    rx = factories.PrescriptionFactory
    return Scene(
        patient=person,
        plan=plan,
        early=early,
        later=later,
        current_rx=rx.create(phase=early, exercise=exercise("Toe curls", 0), order=1),
        week4_rx=rx.create(phase=later, exercise=exercise("Seated heel raise", 4), order=1),
        week6_rx=rx.create(phase=later, exercise=exercise("Two-leg bike", 6), order=2),
        safe_rx=rx.create(phase=later, exercise=exercise("Hip bridges", 0), order=3),
    )


def from_week_2_now(scene: Scene) -> Prescription:
    """Resisted ankle pumps, safe from week 2, in the current phase: early once the patient
    turns out to be in week 1 (a later injury date)."""
    return factories.PrescriptionFactory.create(
        phase=scene.early,
        exercise=factories.ExerciseFactory.create(
            name="Resisted ankle pumps", earliest_week_non_operative=2
        ),
        order=3,
    )


class DailyPlan(NamedTuple):
    clinician: Clinician
    patient: Patient
    plan: Plan
    phase: PlanPhase
    rx: Prescription
    today: dt.date


def daily_plan(
    tz: str = "UTC",
    *,
    times: int = 1,
    per_week: int = 7,
    started_days_ago: int = 30,
    prescribed_days_ago: int = 35,
) -> DailyPlan:
    """An active plan of one phase (weeks 0–52) with one exercise, for the adherence rules: the
    phase in force from ``started_days_ago`` (its phase change), the exercise prescribed
    ``prescribed_days_ago`` at ``times`` a day, ``per_week`` days a week; no logs."""
    clinician = factories.ClinicianFactory.create()
    patient = factories.PatientFactory.create(clinic=clinician.clinic, timezone=tz)
    today = patient.local_today()
    plan = factories.PlanFactory.create(patient=patient, status=Plan.Status.ACTIVE)
    phase = factories.PlanPhaseFactory.create(plan=plan, order=1, start_week=0, end_week=52)
    plan.current_phase = phase
    plan.save(update_fields=["current_phase"])
    PhaseChange.objects.create(
        plan=plan, to_phase=phase, effective_on=today - dt.timedelta(started_days_ago)
    )
    rx = factories.PrescriptionFactory.create(
        phase=phase, times_per_day=times, days_per_week=per_week
    )
    Prescription.objects.filter(pk=rx.pk).update(
        created_at=timezone.now() - dt.timedelta(prescribed_days_ago)
    )
    rx.refresh_from_db()
    return DailyPlan(clinician, patient, plan, phase, rx, today)


def new_dose(
    rx: Prescription,
    *,
    sets: int | None = None,
    times: int | None = None,
    per_week: int | None = None,
) -> Prescription:
    """The clinician changes ``rx``'s sets or daily dose in the builder (what is not given, as
    it was); ``rx`` read again."""
    builder_services.prescription_update(
        prescription=rx,
        sets=rx.sets if sets is None else sets,
        reps=rx.reps,
        hold_seconds=rx.hold_seconds,
        times_per_day=rx.times_per_day if times is None else times,
        days_per_week=rx.days_per_week if per_week is None else per_week,
        side=rx.side,
        expected_version=None,
    )
    rx.refresh_from_db()
    return rx


def published_early_items() -> list[ProtocolItem]:
    """The items of published templates placed before their exercise's earliest safe week
    (none, while the guardrails hold)."""
    return [
        item
        for item in ProtocolItem.objects.filter(phase__protocol__is_published=True).select_related(
            "exercise", "phase__protocol"
        )
        if earliest_week_warning(
            exercise=item.exercise,
            pathway=item.phase.protocol.pathway,
            start_week=item.phase.start_week,
        )
        is not None
    ]
