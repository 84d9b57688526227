"""rehab.guardrails: the earliest safe week compared with the week the patient will be in."""

from __future__ import annotations

import datetime as dt

import pytest

from clinic.models import Clinician, Patient
from rehab import guardrails
from rehab.models import Plan, PlanPhase
from tests import factories
from tests.rehab.clinical_loop import week3_non_operative

pytestmark = pytest.mark.django_db


def test_earliest_safe_week_is_the_exercise_default_for_the_patient_pathway(
    clinician: Clinician,
) -> None:
    scene = week3_non_operative(clinician)
    exercise = scene.week4_rx.exercise
    exercise.earliest_week_operative = 2
    exercise.earliest_week_non_operative = 4
    assert guardrails.earliest_safe_week(exercise, scene.patient) == 4


def test_the_current_phase_starts_for_the_patient_now_a_later_one_at_its_week(
    clinician: Clinician,
) -> None:
    scene = week3_non_operative(clinician)
    assert scene.plan.week_on(scene.patient.local_today()) == 3
    assert guardrails.patient_week_for_phase(scene.early) == 3
    assert guardrails.patient_week_for_phase(scene.later) == 6
    assert guardrails.patient_week_for_phase(scene.later, starting_now=True) == 3


def test_a_phase_moved_to_now_warns_against_the_patients_week_not_the_phase_start(
    clinician: Clinician,
) -> None:
    """Problem 1: the old check compared with the phase's start week (6) and let both pass."""
    scene = week3_non_operative(clinician)
    for rx in (scene.week4_rx, scene.week6_rx):
        assert guardrails.guardrail_warning(exercise=rx.exercise, phase=scene.later) is None
        warning = guardrails.guardrail_warning(exercise=rx.exercise, phase=scene.later, week=3)
        assert warning is not None
        assert warning.patient_week == 3
        assert "week 3" in warning.message
    assert (
        guardrails.guardrail_warning(exercise=scene.safe_rx.exercise, phase=scene.later, week=3)
        is None
    )


def test_a_draft_plan_compares_its_first_phase_with_the_patients_week(
    clinician: Clinician,
) -> None:
    scene = week3_non_operative(clinician)
    Plan.objects.filter(pk=scene.plan.pk).update(status=Plan.Status.DRAFT, current_phase=None)
    scene.plan.refresh_from_db()
    scene.early.plan = scene.plan
    # Weeks 0–6 would start for the patient in week 3, not week 0.
    assert guardrails.patient_week_for_phase(scene.early) == 3


def test_a_drafts_first_phase_planned_later_starts_now_at_activation(
    clinician: Clinician,
) -> None:
    """A patient in week 3; a draft whose phases start in weeks 5 and 9: activation starts the
    first now (in week 3), so it is compared with week 3; the second with its week 9. A start
    week edited later still starts now; one edited to week 3 or before, too."""
    scene = week3_non_operative(clinician)
    draft = factories.PlanFactory(patient=scene.patient, status=Plan.Status.DRAFT)
    first = factories.PlanPhaseFactory(plan=draft, order=1, start_week=5, end_week=9)
    second = factories.PlanPhaseFactory(plan=draft, order=2, start_week=9, end_week=12)
    assert guardrails.patient_week_for_phase(first) == 3
    assert guardrails.patient_week_for_phase(second) == 9
    phases = draft.ordered_phases()
    assert guardrails.patient_week_for_phase(phases[0], phases=phases) == 3
    assert guardrails.patient_week_for_phase(phases[1], phases=phases) == 9
    moved = PlanPhase(pk=first.pk, plan=draft, start_week=7, end_week=9)
    assert guardrails.patient_week_for_phase(moved) == 3


def test_templates_keep_comparing_with_the_phase_start(clinician: Clinician) -> None:
    scene = week3_non_operative(clinician)
    warning = guardrails.earliest_week_warning(
        exercise=scene.week6_rx.exercise, pathway="non_operative", start_week=2
    )
    assert warning is not None
    assert warning.patient_week is None
    assert "this phase starts in week 2" in warning.message


HEEL_RISE_AND_TOES = {"heel_rise_reps_injured", "heel_rise_reps_uninjured", "toe_walk_5m"}


@pytest.mark.parametrize(
    ("week", "rerupture", "asked"),
    [(11, False, False), (12, False, True), (13, True, False), (14, True, True)],
)
def test_home_tests_wait_for_the_patients_own_earliest_safe_week(
    clinician: Clinician, week: int, rerupture: bool, asked: bool
) -> None:
    """Single-leg heel raises and walking on the toes from week 12, two weeks later after a
    re-rupture (its risk modifier, clinical.md §7), as ``earliest_safe_week`` moves the
    exercises; the girth from the start."""
    day = dt.date(2026, 6, 1)
    patient = factories.PatientFactory.create(
        clinic=clinician.clinic,
        pathway=Patient.Pathway.NON_OPERATIVE,
        injury_date=day - dt.timedelta(weeks=week, days=1),
        risk_rerupture_or_revision=rerupture,
    )
    assert patient.week_on(day) == week
    fields = set(guardrails.home_measure_fields(patient, day=day))
    assert {"calf_cm_injured", "calf_cm_uninjured"} <= fields
    assert HEEL_RISE_AND_TOES & fields == (HEEL_RISE_AND_TOES if asked else set())
