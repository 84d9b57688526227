"""rehab.services.builder: a plan edit keeps what the patient was asked to do and did."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest
from django.core.exceptions import ValidationError

from clinic.models import Clinician, Patient
from rehab import selectors, services
from rehab.models import PhaseChange, Plan, PlanEdit, PlanPhase, Prescription
from rehab.models.protocols import PHASE_FIELD_NAMES
from rehab.services.builder import PhaseValues
from tests import factories
from tests.rehab.services.conftest import NOW

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("frozen_clock")]

TODAY = NOW.date()  # Monday 10 March 2025 (Europe/London: the same day)
WEEK_AGO = TODAY - dt.timedelta(days=7)


def _made(day: dt.date, **prescription: Any) -> Prescription:
    """A prescription of ``prescription``'s values, as if added on ``day`` (when the plan was
    built)."""
    rx = factories.PrescriptionFactory.create(**prescription)
    Prescription.objects.filter(pk=rx.pk).update(
        created_at=dt.datetime.combine(day, dt.time(9), tzinfo=dt.UTC)
    )
    rx.refresh_from_db()
    return rx


def _active_plan(patient: Patient) -> tuple[Plan, PlanPhase, PlanPhase]:
    """An active plan built and activated ten days ago: its first phase current since then,
    a later one not started; one exercise a day in the first."""
    plan = factories.PlanFactory.create(patient=patient)
    first = factories.PlanPhaseFactory.create(plan=plan, order=1, start_week=0, end_week=8)
    later = factories.PlanPhaseFactory.create(plan=plan, order=2, start_week=8, end_week=12)
    plan.current_phase = first
    plan.save()
    started = TODAY - dt.timedelta(days=10)
    PhaseChange.objects.create(plan=plan, to_phase=first, effective_on=started)
    _made(started, phase=first, times_per_day=1, days_per_week=7)
    return plan, first, later


def _expected_last_week(patient: Patient) -> int:
    """Sessions prescribed over the seven days before today."""
    return selectors.adherence_for_patient(
        patient, start=WEEK_AGO, end=TODAY - dt.timedelta(days=1)
    ).expected


def test_moving_an_exercise_into_the_current_phase_prescribes_it_from_today_only(
    patient: Patient,
) -> None:
    """An exercise of a phase not yet started, moved into the current one today, was not asked
    of the patient on the days before: they owe none of its sessions (adherence unchanged)."""
    plan, first, later = _active_plan(patient)
    waiting = _made(TODAY - dt.timedelta(days=10), phase=later, times_per_day=2, days_per_week=7)
    before = _expected_last_week(patient)
    assert before == 7
    moved = services.prescription_move_to_phase(
        prescription=waiting, phase=first, expected_version=plan.version
    )
    assert moved.phase_id == first.pk
    assert _expected_last_week(patient) == before
    today = selectors.adherence_for_patient(patient, start=TODAY, end=TODAY)
    assert today.expected == 1 + 2  # from today it is prescribed


def test_moving_an_unlogged_exercise_out_of_the_current_phase_keeps_the_days_it_was_due(
    patient: Patient,
) -> None:
    """An exercise prescribed for ten days, never ticked, moved on to a later phase: those days
    it was asked of the patient, and stay so (the record is not rewritten to look better)."""
    plan, first, later = _active_plan(patient)
    due = _made(TODAY - dt.timedelta(days=10), phase=first, times_per_day=1, days_per_week=7)
    before = _expected_last_week(patient)
    assert before == 14
    services.prescription_move_to_phase(
        prescription=due, phase=later, expected_version=plan.version
    )
    assert _expected_last_week(patient) == before


def test_removing_an_unlogged_exercise_the_patient_was_asked_to_do_retires_it(
    patient: Patient,
) -> None:
    """Removing an exercise prescribed for ten days but never ticked keeps the days it was due
    (it is retired, not deleted), and a tick of one of those days sent late by an offline
    phone can still be stored against it."""
    plan, first, _later = _active_plan(patient)
    due = _made(TODAY - dt.timedelta(days=10), phase=first, times_per_day=1, days_per_week=7)
    before = _expected_last_week(patient)
    deleted = services.prescription_remove(prescription=due, expected_version=plan.version)
    assert deleted is False
    due.refresh_from_db()
    assert due.retired_at is not None
    assert _expected_last_week(patient) == before


def test_removing_an_exercise_never_prescribed_yet_deletes_it(patient: Patient) -> None:
    """One of a phase not started (or added today by mistake) was never asked of the patient:
    it goes."""
    plan, first, later = _active_plan(patient)
    waiting = _made(WEEK_AGO, phase=later)
    just_added = factories.PrescriptionFactory.create(phase=first)
    assert services.prescription_remove(prescription=waiting, expected_version=plan.version)
    plan.refresh_from_db()
    assert services.prescription_remove(prescription=just_added, expected_version=plan.version)
    assert not Prescription.objects.filter(pk__in=[waiting.pk, just_added.pk]).exists()


# --- Each builder edit notes who did what (PlanEdit), for a save refused later ---------------


def test_each_edit_notes_its_version_who_what_and_where(
    patient: Patient, clinician: Clinician
) -> None:
    plan, first, later = _active_plan(patient)
    rx = Prescription.objects.get(phase=first)
    user = clinician.user
    version = plan.version
    services.prescription_update(
        prescription=rx,
        sets=4,
        reps=rx.reps,
        hold_seconds=rx.hold_seconds,
        times_per_day=rx.times_per_day,
        days_per_week=rx.days_per_week,
        side=rx.side,
        expected_version=version,
        by=user,
    )
    services.phase_remove(phase=later, expected_version=version + 1, by=user)
    edits = list(PlanEdit.objects.filter(plan=plan).order_by("version"))
    assert [(e.version, e.action, e.phase_name, e.exercise_name, e.by) for e in edits] == [
        (version + 1, PlanEdit.Action.RX_EDIT, first.name, rx.exercise.name, user),
        (version + 2, PlanEdit.Action.PHASE_REMOVE, later.name, "", user),
    ]
    assert edits[0].phase == first
    assert edits[1].phase is None  # the phase is gone; its name is kept


def test_a_refused_edit_notes_nothing(patient: Patient, clinician: Clinician) -> None:
    plan, first, _later = _active_plan(patient)
    with pytest.raises(ValidationError):  # stale
        services.phase_move(
            phase=first, direction="down", expected_version=plan.version - 1, by=clinician.user
        )
    with pytest.raises(ValidationError):  # already first
        services.phase_move(
            phase=first, direction="up", expected_version=plan.version, by=clinician.user
        )
    assert not PlanEdit.objects.filter(plan=plan).exists()


def test_changes_since_says_them_and_any_made_elsewhere(
    patient: Patient, clinician: Clinician, colleague: Clinician
) -> None:
    plan, first, _later = _active_plan(patient)
    colleague.user.full_name = "Anna Berg"
    colleague.user.save(update_fields=["full_name"])
    seen = plan.version
    services.plan_rename(plan=plan, name="Left", expected_version=seen, by=colleague.user)
    services.phase_move(phase=first, direction="down", expected_version=seen + 1, by=None)
    Plan.objects.filter(pk=plan.pk).update(version=seen + 3)  # say, the plan moved on a phase
    plan.refresh_from_db()
    lines = selectors.builder.changes_since(plan, version=seen, viewer=clinician.user)
    assert lines == [
        "Anna Berg renamed the plan (10 Mar 2025, noon).",
        f"Someone moved the phase {first.name} (10 Mar 2025, noon).",
        (
            "The plan also changed in other ways (for example it was activated, moved to "
            "another phase or its exit criteria changed)."
        ),
    ]
    assert selectors.builder.changes_since(plan, version=seen + 3, viewer=None) == []


def test_phase_values_name_every_phase_field_a_clinician_writes() -> None:
    """``phase_add`` and ``phase_update`` take the fields of ``PHASE_FIELD_NAMES``, no other."""
    assert tuple(PhaseValues.__annotations__) == PHASE_FIELD_NAMES
