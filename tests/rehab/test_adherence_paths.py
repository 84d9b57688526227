"""The two adherence paths (day by day for a patient's pages, totals for the clinic's) judge a
red flag's pause and a changed daily dose alike, in the patient's days."""

from __future__ import annotations

import datetime as dt
import zoneinfo

import pytest
from django.utils import timezone

from clinic.models import Clinician, Patient
from rehab.models import Plan
from rehab.models.alerts import PlanHold
from rehab.models.plans import Prescription
from rehab.selectors.adherence import adherence_for_patients
from rehab.selectors.adherence_totals import adherence_totals
from rehab.selectors.plan_days import paused_days
from tests import factories
from tests.rehab.clinical_loop import daily_plan, new_dose

pytestmark = pytest.mark.django_db

LA = "America/Los_Angeles"


def _plan(
    tz: str, *, times: int = 1, per_week: int = 7
) -> tuple[Clinician, Patient, Plan, Prescription, dt.date]:
    scene = daily_plan(tz, times=times, per_week=per_week)
    return scene.clinician, scene.patient, scene.plan, scene.rx, scene.today


def _both(
    patient: Patient,
    plan: Plan,
    start: dt.date,
    end: dt.date,
    in_progress: dt.date | None = None,
) -> tuple[tuple[int, int], tuple[int, int]]:
    day = adherence_for_patients([patient], start=start, end=end, in_progress=in_progress)[
        patient.pk
    ]
    totals = adherence_totals(
        Plan.objects.filter(pk=plan.pk), start=start, end=end, in_progress=in_progress
    )[patient.pk]
    return (day.expected, day.done), (totals.expected, totals.done)


# --- Adherence: holds and dose changes, both paths -----------------------------------------


def test_open_hold_started_before_the_range_pauses_every_day_of_it_in_both_paths() -> None:
    _c, patient, plan, _rx, today = _plan(LA)
    PlanHold.objects.create(plan=plan, flags=["calf"], started_at=timezone.now() - dt.timedelta(20))
    start, end = today - dt.timedelta(6), today
    held = paused_days({plan.pk: patient.tz}, start=start, end=end)[plan.pk]
    assert held == {start + dt.timedelta(n) for n in range(7)}
    day, totals = _both(patient, plan, start, end, in_progress=end)
    assert day == totals == (0, 0)


def test_hold_started_late_evening_in_the_patients_zone_pauses_that_local_day() -> None:
    """23:30 in Los Angeles is already tomorrow in UTC: the paused day is the patient's."""
    _c, patient, plan, rx, today = _plan(LA)
    la = zoneinfo.ZoneInfo(LA)
    day_before = today - dt.timedelta(3)
    started = dt.datetime.combine(day_before, dt.time(23, 30), tzinfo=la)
    resumed = dt.datetime.combine(today - dt.timedelta(2), dt.time(0, 30), tzinfo=la)
    PlanHold.objects.create(
        plan=plan,
        flags=["calf"],
        started_at=started,
        resumed_at=resumed,
        resumed_by=_c.user,
        resume_note="ok",
    )
    held = paused_days({plan.pk: patient.tz}, start=today - dt.timedelta(6), end=today)[plan.pk]
    assert held == {day_before, today - dt.timedelta(2)}
    for back in range(1, 7):  # done every day but the paused ones
        d = today - dt.timedelta(back)
        if d not in held:
            factories.ExerciseLogFactory.create(prescription=rx, date=d)
    day, totals = _both(patient, plan, today - dt.timedelta(6), today, in_progress=today)
    assert day == totals == (4, 4)


def test_dose_and_days_change_then_a_pause_agree_in_both_paths() -> None:
    _c, patient, plan, rx, today = _plan("Pacific/Auckland", times=1, per_week=7)
    for back in range(1, 10):
        factories.ExerciseLogFactory.create(prescription=rx, date=today - dt.timedelta(back))
    rx = new_dose(rx, times=2, per_week=3)
    assert rx.earlier_doses[-1]["until"] == today.isoformat()
    for n in range(1, 4):  # the days to come, at the new dose
        later = today + dt.timedelta(n)
        day, totals = _both(patient, plan, later - dt.timedelta(13), later, in_progress=later)
        assert day == totals, (n, day, totals)
