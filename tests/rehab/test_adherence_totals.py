"""The clinic-wide adherence totals (``rehab.selectors.adherence_totals``) agree with the
day-by-day rule of the patient's own pages (``adherence_for_patients``) on every case the rule
has: time zones, prescriptions made or retired during the days, doses, days a week, doses
changed during the days, logs beyond the dose or on a day off, phase changes during the days and
on the day in progress, a red flag's pause, plans not in care; both give the numbers pinned
here; and their query count does not grow with the patients and logs."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest

from clinic.models import Clinic, Patient
from rehab.guardrails import PLANS_IN_CARE
from rehab.models import ExerciseLog, PhaseChange, Plan, PlanPhase, Prescription
from rehab.models.alerts import PlanHold
from rehab.selectors.adherence import adherence_for_patients, judged_adherence_for_patients
from rehab.selectors.adherence_totals import (
    AdherenceTotal,
    adherence_totals,
    judged_adherence_totals,
)
from tests import factories

UTC = dt.UTC
# Late evening in London: already tomorrow in Auckland, still the afternoon in Los Angeles.
NOW = dt.datetime(2025, 3, 10, 22, 30, tzinfo=UTC)
pytestmark = [pytest.mark.django_db, pytest.mark.time_machine(NOW, tick=False)]
TODAY = dt.date(2025, 3, 10)


def _patient(clinic: Clinic, zone: str, started: dt.date, *, phases: int = 2) -> Any:
    patient = factories.PatientFactory(
        clinic=clinic,
        pathway=Patient.Pathway.NON_OPERATIVE,
        injury_date=TODAY - dt.timedelta(weeks=6, days=len(zone) % 7),  # anchors vary
        timezone=zone,
    )
    plan, made = factories.active_plan(patient, phases=phases, changed_on=started)
    return patient, plan, made


def _rx(phase: PlanPhase, made: dt.datetime, *, retired: dt.datetime | None = None, **dose: int):
    rx = factories.PrescriptionFactory(phase=phase, **dose)
    Prescription.objects.filter(pk=rx.pk).update(created_at=made, retired_at=retired)
    return rx


def _log(rx: Prescription, day: dt.date, times: int = 1) -> None:
    for _ in range(times):
        factories.ExerciseLogFactory(prescription=rx, date=day)


def _day(back: int) -> dt.date:
    return TODAY - dt.timedelta(days=back)


def _at(back: int, hour: int) -> dt.datetime:
    return dt.datetime.combine(_day(back), dt.time(hour), tzinfo=UTC)


def _clinic() -> Clinic:
    """Patients covering the rule's cases, in three time zones."""
    clinic = factories.ClinicFactory()
    for zone in ("Pacific/Auckland", "America/Los_Angeles", "Europe/London"):
        # Steady: three exercises (daily twice, 3 and 5 days a week), logs on most days, some
        # twice beyond a dose of one, some on a day off.
        _who, _plan, (first, _second) = _patient(clinic, zone, _day(40))
        daily = _rx(first, _at(60, 9), times_per_day=2, days_per_week=7)
        three = _rx(first, _at(60, 9), times_per_day=1, days_per_week=3)
        five = _rx(first, _at(60, 9), times_per_day=1, days_per_week=5)
        for back in range(15):
            _log(daily, _day(back), times=1 + back % 3)
            _log(three, _day(back), times=1 + back % 2)
            if back % 4:
                _log(five, _day(back))
        # Made and retired around the days, at hours that are another day in another zone.
        _who, _plan, (first, _second) = _patient(clinic, zone, _day(30))
        new = _rx(first, _at(5, 23), days_per_week=7)
        old = _rx(first, _at(50, 1), retired=_at(3, 11), times_per_day=2, days_per_week=7)
        late = _rx(first, _at(0, 23), days_per_week=7)  # tomorrow in Auckland
        # Made, or retired, on the first of 7 or 14 days in the evening: the next day in
        # Auckland.
        edges = [_rx(first, _at(back, 20), days_per_week=7) for back in (6, 13)] + [
            _rx(first, _at(50, 1), retired=_at(back, 20), times_per_day=2, days_per_week=7)
            for back in (6, 13)
        ]
        for back in range(15):
            _log(new, _day(back))
            _log(old, _day(back), times=2)
            _log(late, _day(back))
            for rx in edges:
                _log(rx, _day(back))
        # Moved on to the next phase four days ago, and again today (back to the first).
        _who, plan, (first, second) = _patient(clinic, zone, _day(20))
        before = _rx(first, _at(40, 8), days_per_week=7)
        after = _rx(second, _at(40, 8), times_per_day=3, days_per_week=5)
        PhaseChange.objects.create(
            plan=plan, from_phase=first, to_phase=second, effective_on=_day(4)
        )
        PhaseChange.objects.create(plan=plan, from_phase=second, to_phase=first, effective_on=TODAY)
        for back in range(12):
            _log(before, _day(back))
            _log(after, _day(back), times=1 + back % 3)  # today too: today's credit
        # Started during the days (nothing before), paused by a red flag (still in care).
        _who, plan, (first, _second) = _patient(clinic, zone, _day(3))
        fresh = _rx(first, _at(9, 8), days_per_week=7)
        for back in range(5):
            _log(fresh, _day(back))
        Plan.objects.filter(pk=plan.pk).update(status=Plan.Status.PAUSED)
        # Given other doses during the days (twice daily, then once 5 days a week, now once 3
        # days a week: ``earlier_doses``), done twice every day; paused by a red flag for two
        # days (resumed at noon UTC: another day in Auckland and Los Angeles) and again since
        # yesterday evening.
        _who, plan, (first, _second) = _patient(clinic, zone, _day(30))
        changed = _rx(first, _at(40, 8), times_per_day=1, days_per_week=3)
        Prescription.objects.filter(pk=changed.pk).update(
            earlier_doses=[
                {"until": _day(9).isoformat(), "times_per_day": 2, "days_per_week": 7, "sets": 3},
                {"until": _day(4).isoformat(), "times_per_day": 1, "days_per_week": 5, "sets": 3},
            ]
        )
        for back in range(15):
            _log(changed, _day(back), times=2)
        reviewer = factories.ClinicianFactory(clinic=clinic).user
        PlanHold.objects.create(
            plan=plan,
            flags=["calf"],
            started_at=_at(8, 12),
            resumed_at=_at(7, 12),
            resumed_by=reviewer,
            resume_note="ok",
        )
        PlanHold.objects.create(plan=plan, flags=["calf"], started_at=_at(1, 19))
        # Not in care: completed, or a draft.
        for status in (Plan.Status.COMPLETED, Plan.Status.DRAFT):
            _who, plan, (first, _second) = _patient(clinic, zone, _day(30))
            _log(_rx(first, _at(40, 8), days_per_week=7), _day(1))
            Plan.objects.filter(pk=plan.pk).update(status=status)
    factories.PatientFactory(clinic=clinic)  # no plan
    return clinic


def _by_rule(clinic: Clinic, *, start: dt.date, end: dt.date, in_progress: dt.date | None):
    patients = list(Patient.objects.filter(clinic=clinic))
    return {
        pk: AdherenceTotal(expected=adherence.expected, done=adherence.done)
        for pk, adherence in adherence_for_patients(
            patients, start=start, end=end, in_progress=in_progress
        ).items()
    }


@pytest.mark.parametrize("days", [7, 14])
@pytest.mark.parametrize("judged", [True, False])
def test_the_totals_are_the_rules(days: int, judged: bool) -> None:
    clinic = _clinic()
    start, in_progress = _day(days - 1), TODAY if judged else None
    totals = adherence_totals(
        Plan.objects.filter(patient__clinic=clinic),
        start=start,
        end=TODAY,
        in_progress=in_progress,
    )
    expected = _by_rule(clinic, start=start, end=TODAY, in_progress=in_progress)
    assert {pk: totals.get(pk, AdherenceTotal()) for pk in expected} == expected
    # The cases are there: patients with something prescribed and done, beyond their doses.
    assert sum(1 for total in totals.values() if total.expected) >= 9
    assert any(total.percent and total.percent < 100 for total in totals.values())


@pytest.mark.parametrize("days", [7, 14])
def test_the_judged_totals_are_each_patients_own_days(days: int) -> None:
    """At 22:30 in London it is already tomorrow in Auckland: each patient is judged over the
    days up to their own today, in progress, as their progress page judges them."""
    clinic = _clinic()
    plans = Plan.objects.filter(patient__clinic=clinic)
    totals = judged_adherence_totals(plans, days=days)
    patients = list(Patient.objects.filter(clinic=clinic))
    expected = {}
    for patient in patients:
        own = judged_adherence_for_patients([patient], today=patient.local_today(), days=days)
        expected[patient.pk] = AdherenceTotal(
            expected=own[patient.pk].expected, done=own[patient.pk].done
        )
    assert {pk: totals.get(pk, AdherenceTotal()) for pk in expected} == expected
    assert any(p.local_today() != TODAY for p in patients)
    assert sum(1 for total in totals.values() if total.expected) >= 9


# What the rule gives the patients of ``_clinic`` in care, in the order they are made (three
# time zones, each: steady, made and retired, moved on, started and paused, dose changed and
# held). Each day of the last 14, oldest first, as "prescribed/done", today in progress:
PINNED_DAYS = {
    0: "4/4 2/1 4/4 3/3 4/3 2/2 3/3 4/3 2/2 4/3 3/2 4/4 2/2 1/1",  # Pacific/Auckland
    1: "6/4 5/4 5/4 5/4 5/4 5/4 5/4 5/4 4/4 5/5 5/5 3/3 3/3 3/3",  # Pacific/Auckland
    2: "1/0 1/0 1/1 1/1 1/1 1/1 1/1 1/1 1/1 3/2 3/1 3/3 0/0 2/2",  # Pacific/Auckland
    3: "0/0 0/0 0/0 0/0 0/0 0/0 0/0 0/0 0/0 0/0 1/1 1/1 1/1 1/1",  # Pacific/Auckland
    4: "2/2 2/2 2/2 2/2 1/1 0/0 1/1 1/1 0/0 1/1 0/0 1/1 0/0 0/0",  # Pacific/Auckland
    5: "3/3 4/2 2/2 3/3 4/3 2/2 4/4 3/2 4/4 2/2 3/2 4/4 2/2 2/2",  # America/Los_Angeles
    6: "5/4 5/4 5/4 5/4 5/4 5/4 5/4 4/4 5/5 5/5 3/3 3/3 3/3 4/4",  # America/Los_Angeles
    7: "1/0 1/0 1/1 1/1 1/1 1/1 1/1 1/1 1/1 0/0 3/1 3/3 0/0 2/2",  # America/Los_Angeles
    8: "0/0 0/0 0/0 0/0 0/0 0/0 0/0 0/0 0/0 0/0 1/1 1/1 1/1 1/1",  # America/Los_Angeles
    9: "2/2 2/2 2/2 2/2 1/1 0/0 1/1 1/1 1/1 0/0 0/0 1/1 0/0 1/1",  # America/Los_Angeles
    10: "4/4 2/1 3/3 4/4 2/1 4/3 3/3 4/3 2/2 3/2 4/3 2/2 4/4 1/1",  # Europe/London
    11: "5/4 5/4 5/4 5/4 5/4 5/4 5/4 4/4 5/5 5/5 3/3 3/3 3/3 4/4",  # Europe/London
    12: "1/0 1/0 1/1 1/1 1/1 1/1 1/1 1/1 1/1 3/2 3/1 0/0 3/2 2/2",  # Europe/London
    13: "0/0 0/0 0/0 0/0 0/0 0/0 0/0 0/0 0/0 0/0 1/1 1/1 1/1 1/1",  # Europe/London
    14: "2/2 2/2 2/2 2/2 0/0 1/1 1/1 1/1 0/0 0/0 1/1 0/0 1/1 0/0",  # Europe/London
}
# ``judged_adherence_totals`` of each, (prescribed, done), over 7 and 14 days:
PINNED_TOTALS = {
    0: ((18, 14), (40, 33)),
    1: ((23, 23), (58, 51)),
    2: ((11, 8), (18, 14)),
    3: ((4, 4), (4, 4)),
    4: ((2, 2), (11, 11)),
    5: ((20, 18), (42, 37)),
    6: ((27, 27), (62, 55)),
    7: ((10, 8), (17, 13)),
    8: ((4, 4), (4, 4)),
    9: ((4, 4), (14, 14)),
    10: ((20, 17), (42, 36)),
    11: ((27, 27), (62, 55)),
    12: ((13, 9), (20, 14)),
    13: ((4, 4), (4, 4)),
    14: ((3, 3), (13, 13)),
}


def _in_care(clinic: Clinic) -> list[Patient]:
    return list(
        Patient.objects.filter(clinic=clinic, plans__status__in=PLANS_IN_CARE).order_by("pk")
    )


def test_the_rules_days_are_pinned() -> None:
    clinic = _clinic()
    patients = _in_care(clinic)
    by_patient = adherence_for_patients(patients, start=_day(13), end=TODAY, in_progress=TODAY)
    got = {
        n: " ".join(f"{d.expected}/{d.done}" for d in by_patient[patient.pk].days)
        for n, patient in enumerate(patients)
    }
    assert got == PINNED_DAYS


def test_the_judged_totals_are_pinned() -> None:
    clinic = _clinic()
    patients = _in_care(clinic)
    plans = Plan.objects.filter(patient__clinic=clinic)
    week, fortnight = (judged_adherence_totals(plans, days=days) for days in (7, 14))
    got = {
        n: tuple((t[p.pk].expected, t[p.pk].done) for t in (week, fortnight))
        for n, p in enumerate(patients)
    }
    assert got == PINNED_TOTALS


def test_a_patient_without_a_plan_in_care_has_no_total() -> None:
    clinic = factories.ClinicFactory()
    patient, plan, (first, _second) = _patient(clinic, "UTC", _day(20))
    _log(_rx(first, _at(40, 8), days_per_week=7), _day(1))
    Plan.objects.filter(pk=plan.pk).update(status=Plan.Status.COMPLETED)
    plans = Plan.objects.filter(patient__clinic=clinic)
    assert adherence_totals(plans, start=_day(6), end=TODAY, in_progress=TODAY) == {}
    assert ExerciseLog.objects.filter(patient=patient).exists()


@pytest.mark.parametrize("scale", [1, 5])
def test_four_queries_whatever_the_patients_and_logs(
    django_assert_num_queries: Any, scale: int
) -> None:
    clinic = factories.ClinicFactory()
    for n in range(2 * scale):
        _who, _plan, (first, _second) = _patient(clinic, "UTC", _day(20 + n))
        rx = _rx(first, _at(40, 8), days_per_week=7)
        for back in range(7):
            _log(rx, _day(back))
    plans = Plan.objects.filter(patient__clinic=clinic)
    # Plans in care with their phase changes, red flags' pauses, prescriptions, logs.
    with django_assert_num_queries(4):
        totals = adherence_totals(plans, start=_day(6), end=TODAY, in_progress=TODAY)
    assert len(totals) == 2 * scale
    with django_assert_num_queries(4):
        assert judged_adherence_totals(plans, days=7) == totals
