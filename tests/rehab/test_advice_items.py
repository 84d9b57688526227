"""Education items are advice to read, not exercises with a dose (``Exercise.is_advice``): never
due on Today, no session prescribed nor done in adherence (the patient's own and the clinic's
totals), no streak, and no tick stored for one."""

from __future__ import annotations

import datetime as dt
import uuid

import pytest
from django.core.exceptions import ValidationError

from clinic.models import Patient
from rehab.models import Exercise, ExerciseLog, Plan, Prescription, ProtocolItem
from rehab.models.plans import COUNTS_AS_SESSION
from rehab.selectors.adherence import adherence_for_patient, judged_adherence_for_patient
from rehab.selectors.adherence_totals import adherence_totals, judged_adherence_totals
from rehab.selectors.progress import streak
from rehab.selectors.today import today_for_patient
from rehab.services import log_record
from tests import factories

NOW = dt.datetime(2025, 3, 10, 12, 0, tzinfo=dt.UTC)
pytestmark = [pytest.mark.django_db, pytest.mark.time_machine(NOW, tick=False)]
TODAY = dt.date(2025, 3, 10)


def _advice() -> Exercise:
    return factories.ExerciseFactory(
        category=Exercise.Category.EDUCATION,
        patient_name="Keep your boot on, at night too",
        patient_summary="Wear the boot in bed until your physiotherapist says otherwise.",
        steps=["Sleep with the boot on.", "Loosen the straps a little if your foot swells."],
        default_sets=1,
        default_reps=1,
    )


def _plan_with_advice(*, logged_back: int = 10) -> tuple[Patient, Plan, Prescription, Prescription]:
    """A patient whose phase has a daily exercise and an advice item (stored as a template
    ships it: 1 rep, 1 day a week), both prescribed ``logged_back`` days ago."""
    patient = factories.PatientFactory(injury_date=TODAY - dt.timedelta(weeks=4))
    plan, (phase,) = factories.active_plan(patient)
    made = NOW - dt.timedelta(days=logged_back)
    exercise = factories.PrescriptionFactory(phase=phase, sets=1, reps=10, days_per_week=7)
    advice = factories.PrescriptionFactory(
        phase=phase, exercise=_advice(), sets=1, reps=1, days_per_week=1
    )
    Prescription.objects.filter(pk__in=[exercise.pk, advice.pk]).update(created_at=made)
    exercise.refresh_from_db()
    advice.refresh_from_db()
    return patient, plan, exercise, advice


def _log(rx: Prescription, day: dt.date) -> None:
    """A log stored before ticks of advice were refused (or written by hand): it still never
    counts."""
    factories.ExerciseLogFactory(
        patient=rx.phase.plan.patient, prescription=rx, date=day, sets_done=rx.sets
    )


def test_an_education_exercise_and_its_prescriptions_and_template_items_are_advice() -> None:
    advice, exercise = _advice(), factories.ExerciseFactory()
    assert advice.is_advice
    assert not exercise.is_advice
    assert factories.PrescriptionFactory(exercise=advice).is_advice
    assert not factories.PrescriptionFactory(exercise=exercise).is_advice
    item = factories.ProtocolItemFactory(exercise=advice)
    assert ProtocolItem.objects.get(pk=item.pk).is_advice
    assert Prescription.objects.filter(COUNTS_AS_SESSION).count() == 1


def test_advice_has_no_dose_in_words_but_keeps_its_stored_dose() -> None:
    rx = factories.PrescriptionFactory(exercise=_advice(), sets=1, reps=1, days_per_week=1)
    assert rx.dose_text() == "Advice to read"
    assert (rx.sets, rx.reps, rx.days_per_week) == (1, 1, 1)  # as stored: the builder edits it
    assert "day a week" not in str(rx)


def test_today_lists_advice_apart_never_due_and_never_counted() -> None:
    patient, _plan, exercise, advice = _plan_with_advice()
    today = today_for_patient(patient)
    assert [item.prescription for item in today.due_items] == [exercise]
    assert [item.prescription for item in today.advice_items] == [advice]
    assert today.other_items == []  # not a rest day's exercise either
    [item] = today.advice_items
    assert (item.due, item.sessions_expected, item.done) == (False, 0, False)


def test_an_advice_item_prescribes_no_session_and_its_logs_count_for_nothing() -> None:
    patient, plan, exercise, advice = _plan_with_advice()
    for back in range(1, 8):
        _log(advice, TODAY - dt.timedelta(days=back))
    for back in (1, 2):
        _log(exercise, TODAY - dt.timedelta(days=back))
    start, end = TODAY - dt.timedelta(days=7), TODAY - dt.timedelta(days=1)
    # The daily exercise alone: 7 sessions prescribed, 2 done (advice added neither).
    mine = adherence_for_patient(patient, start=start, end=end)
    assert (mine.expected, mine.done) == (7, 2)
    [total] = adherence_totals(Plan.objects.filter(pk=plan.pk), start=start, end=end).values()
    assert (total.expected, total.done) == (7, 2)
    _log(advice, TODAY)
    judged = judged_adherence_for_patient(patient, today=TODAY, days=7)
    assert (judged.expected, judged.done) == (6, 2)
    [clinic] = judged_adherence_totals(Plan.objects.filter(pk=plan.pk), days=7).values()
    assert (clinic.expected, clinic.done) == (6, 2)


def test_a_plan_of_advice_only_prescribes_nothing() -> None:
    patient, _plan, exercise, advice = _plan_with_advice()
    Prescription.objects.filter(pk=exercise.pk).update(retired_at=NOW - dt.timedelta(days=9))
    _log(advice, TODAY - dt.timedelta(days=3))
    mine = adherence_for_patient(
        patient, start=TODAY - dt.timedelta(days=7), end=TODAY - dt.timedelta(days=1)
    )
    assert (mine.expected, mine.done, mine.percent) == (0, 0, None)


def test_a_day_with_only_advice_logged_is_no_day_of_exercise_in_the_streak() -> None:
    patient, _plan, _exercise, advice = _plan_with_advice()
    _log(advice, TODAY)
    _log(advice, TODAY - dt.timedelta(days=1))
    assert streak(patient, today=TODAY) == 0


def test_a_tick_of_advice_is_refused_in_plain_words() -> None:
    patient, _plan, _exercise, advice = _plan_with_advice()
    with pytest.raises(ValidationError) as refused:
        log_record(patient=patient, prescription=advice, client_uuid=uuid.uuid4(), sets_done=1)
    assert refused.value.message_dict == {
        "prescription": ["This is advice to read: there is nothing to tick."]
    }
    assert refused.value.error_dict["prescription"][0].code == "advice"
    assert not ExerciseLog.objects.exists()
