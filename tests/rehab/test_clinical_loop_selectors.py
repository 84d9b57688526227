"""Issue 16 part A, reads: an unanswered score is no point on a chart and no "last pain"."""

from __future__ import annotations

import datetime as dt

import pytest
from django.utils import timezone

from clinic.models import Clinician, Patient
from rehab.models import Plan
from rehab.models.alerts import PlanHold
from rehab.models.plans import dose_on
from rehab.selectors import clinician as clinician_selectors
from rehab.selectors import progress as progress_selectors
from rehab.selectors.adherence import judged_adherence_for_patient
from rehab.selectors.adherence_totals import adherence_totals
from rehab.selectors.clinician import falling_behind
from tests import factories
from tests.rehab.clinical_loop import daily_plan, new_dose

pytestmark = pytest.mark.django_db


def test_charts_skip_an_unanswered_pain_at_rest(patient: Patient) -> None:
    today = patient.local_today()
    factories.CheckInFactory.create(patient=patient, date=today, pain_at_rest=None)
    factories.CheckInFactory.create(
        patient=patient, date=today - dt.timedelta(days=1), pain_at_rest=4
    )
    points = progress_selectors.pain_series(patient, start=today - dt.timedelta(days=7), end=today)
    assert [(p.day, p.pain) for p in points] == [(today - dt.timedelta(days=1), 4)]
    last = clinician_selectors.last_pain_for_patients([patient])[patient.pk]
    assert last.pain == 4


# --- A red flag's pause is no missed session ------------------------------------------------


def _paused_for_six_days() -> tuple[Clinician, Patient, Plan, dt.date]:
    """A week done every day, then a red flag paused the plan six days ago; a clinician
    resumed it this morning."""
    clinician, patient, plan, _phase, rx, today = daily_plan(started_days_ago=13)
    # Done every day for a week (days 13..7 back).
    for back in range(7, 14):
        factories.ExerciseLogFactory.create(prescription=rx, date=today - dt.timedelta(days=back))
    # Then a red flag six days ago: paused; a clinician resumed the plan this morning.
    now = timezone.now()
    PlanHold.objects.create(
        plan=plan,
        flags=["calf"],
        started_at=now - dt.timedelta(days=6),
        resumed_at=now - dt.timedelta(minutes=5),
        resumed_by=clinician.user,
        resume_note="Reviewed: no clot.",
    )
    return clinician, patient, plan, today


def test_days_of_a_red_flag_pause_are_not_counted_as_missed_sessions() -> None:
    """The pause told the patient not to exercise (Today offered nothing to tick): those days
    prescribe what was done, as the day in progress does, never a debt."""
    _clinician, patient, plan, today = _paused_for_six_days()
    adherence = judged_adherence_for_patient(patient, today=today, days=14, plan=plan)
    # Every session the patient could do, they did (7 of 7 before the pause).
    assert adherence.percent == 100, (adherence.expected, adherence.done)


def test_a_patient_resumed_after_a_pause_is_not_listed_as_falling_behind() -> None:
    clinician, _patient, _plan, today = _paused_for_six_days()
    behind = falling_behind(clinic_id=clinician.clinic_id, today=today)
    assert [row.patient.pk for row in behind.rows] == []


# --- A new daily dose does not rewrite the past ---------------------------------------------


def test_raising_a_dose_today_leaves_past_days_judged_by_their_own_dose() -> None:
    """Thirteen days at one session a day, every one done; the clinician raises it to three a
    day. The past days stay 13 of 13 (they were not 39 sessions owed), on the patient's
    progress and on the dashboard; from today the new dose counts."""
    clinician, patient, plan, _phase, rx, today = daily_plan(started_days_ago=20)
    for back in range(1, 14):
        factories.ExerciseLogFactory.create(prescription=rx, date=today - dt.timedelta(back))
    rx = new_dose(rx, times=3, per_week=7)
    assert rx.earlier_doses == [
        {"until": today.isoformat(), "times_per_day": 1, "days_per_week": 7, "sets": 3}
    ]
    assert judged_adherence_for_patient(patient, today=today, days=14, plan=plan).percent == 100
    assert falling_behind(clinic_id=clinician.clinic_id, today=today).rows == []
    # Tomorrow, with today's three sessions not done: today owes the new dose.
    tomorrow = today + dt.timedelta(1)
    adherence = judged_adherence_for_patient(patient, today=tomorrow, days=14, plan=plan)
    (today_row,) = [d for d in adherence.days if d.day == today]
    assert (today_row.expected, today_row.done) == (3, 0)
    totals = adherence_totals(
        Plan.objects.filter(pk=plan.pk),
        start=tomorrow - dt.timedelta(13),
        end=tomorrow,
        in_progress=tomorrow,
    )
    assert (totals[patient.pk].expected, totals[patient.pk].done) == (12 + 3, 12)


def test_a_second_change_the_same_day_keeps_the_dose_of_the_days_before() -> None:
    rx = factories.PrescriptionFactory.create(sets=2, times_per_day=1, days_per_week=7)
    day = dt.date(2026, 12, 4)
    rx.record_dose_change(sets=2, times_per_day=2, days_per_week=7, on=day)
    rx.times_per_day = 2
    rx.record_dose_change(sets=4, times_per_day=3, days_per_week=5, on=day)
    rx.sets, rx.times_per_day, rx.days_per_week = 4, 3, 5
    assert rx.earlier_doses == [
        {"until": "2026-12-04", "times_per_day": 1, "days_per_week": 7, "sets": 2}
    ]
    assert dose_on(day - dt.timedelta(1), 3, 5, rx.earlier_doses) == (1, 7)
    assert dose_on(day, 3, 5, rx.earlier_doses) == (3, 5)
    assert (rx.sets_on(day - dt.timedelta(1)), rx.sets_on(day)) == (2, 4)


def test_a_change_of_sets_alone_keeps_the_sets_of_the_days_before() -> None:
    """2 sets raised to 3, the daily dose as it was: the days before keep their 2 sets (a late
    tick of one is judged by them) and their daily dose reads the same as before."""
    rx = factories.PrescriptionFactory.create(sets=2, times_per_day=1, days_per_week=7)
    day = dt.date(2026, 12, 4)
    rx.record_dose_change(sets=3, times_per_day=1, days_per_week=7, on=day)
    rx.sets = 3
    assert rx.earlier_doses == [
        {"until": "2026-12-04", "times_per_day": 1, "days_per_week": 7, "sets": 2}
    ]
    assert (
        rx.sets_on(day - dt.timedelta(30)),
        rx.sets_on(day),
        rx.sets_on(day + dt.timedelta(1)),
    ) == (2, 3, 3)
    assert dose_on(day - dt.timedelta(1), 1, 7, rx.earlier_doses) == (1, 7)
    # The same dose again changes nothing.
    rx.record_dose_change(sets=3, times_per_day=1, days_per_week=7, on=day + dt.timedelta(1))
    assert len(rx.earlier_doses) == 1


def test_an_earlier_dose_stored_without_its_sets_falls_back_to_the_sets_known_after_it() -> None:
    """Doses kept before the sets were kept with them: the sets of that day are not known. The
    nearest known are those in force when sets began to be kept: a later entry's, else the
    current ones."""
    old = {"until": "2026-11-20", "times_per_day": 2, "days_per_week": 5}
    rx = factories.PrescriptionFactory.create(sets=3, earlier_doses=[old])
    assert rx.sets_on(dt.date(2026, 11, 19)) == 3
    assert rx.sets_on(dt.date(2026, 11, 20)) == 3
    later = {"until": "2026-12-01", "times_per_day": 1, "days_per_week": 7, "sets": 2}
    rx = factories.PrescriptionFactory.create(sets=3, earlier_doses=[old, later])
    assert rx.sets_on(dt.date(2026, 11, 19)) == 2
    assert rx.sets_on(dt.date(2026, 11, 30)) == 2
    assert rx.sets_on(dt.date(2026, 12, 1)) == 3


def test_raising_the_sets_alone_today_leaves_adherence_as_it_was() -> None:
    """A change of sets alone keeps an earlier dose of the same daily dose: what adherence
    counts as due on each day, on both paths, is what it was before the change."""
    clinician, patient, plan, _phase, rx, today = daily_plan(started_days_ago=20)
    for back in range(1, 14):
        factories.ExerciseLogFactory.create(prescription=rx, date=today - dt.timedelta(back))
    start, tomorrow = today - dt.timedelta(12), today + dt.timedelta(1)

    def counted() -> tuple[list[tuple[int, int]], tuple[int, int]]:
        days = judged_adherence_for_patient(patient, today=tomorrow, days=14, plan=plan).days
        totals = adherence_totals(
            Plan.objects.filter(pk=plan.pk), start=start, end=tomorrow, in_progress=tomorrow
        )[patient.pk]
        return [(d.expected, d.done) for d in days], (totals.expected, totals.done)

    before = counted()
    new_dose(rx, sets=rx.sets + 1)
    assert rx.earlier_doses == [
        {"until": today.isoformat(), "times_per_day": 1, "days_per_week": 7, "sets": 3}
    ]
    assert counted() == before
    assert falling_behind(clinic_id=clinician.clinic_id, today=today).rows == []
