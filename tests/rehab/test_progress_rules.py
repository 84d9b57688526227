"""Progress that encourages (issue 18): adherence from the plan's start with today in
progress, rest days that do not break a streak, a welcome for a new patient, milestones; and the
clinician's "falling behind" judged by the same rule."""

from __future__ import annotations

import datetime as dt
import uuid

import pytest
import time_machine
from django.urls import reverse

from clinic.models import Patient
from rehab import selectors
from rehab.models import PhaseChange, Plan, PlanPhase, Prescription
from rehab.selectors import outcomes
from rehab.selectors.adherence import percent_of
from rehab.selectors.adherence_totals import judged_adherence_totals
from rehab.services.logbook import ticks as tick_services
from tests import factories
from tests.conftest import client_for
from tests.rehab.clinical_loop import new_dose

UTC = dt.UTC
NOW = dt.datetime(2025, 3, 10, 12, 0, tzinfo=UTC)
pytestmark = [pytest.mark.django_db, pytest.mark.time_machine(NOW, tick=False)]
TODAY = dt.date(2025, 3, 10)


def _patient(started: dt.date, *, phases: int = 1) -> tuple[Patient, Plan, list[PlanPhase]]:
    """A patient injured five weeks before today whose plan started on ``started``."""
    patient = factories.PatientFactory(
        pathway=Patient.Pathway.NON_OPERATIVE,
        injury_date=TODAY - dt.timedelta(weeks=5),
        timezone="UTC",
    )
    plan, made = factories.active_plan(patient, phases=phases, changed_on=started)
    return patient, plan, made


def _rx(phase: PlanPhase, **dose: int) -> Prescription:
    rx = factories.PrescriptionFactory(phase=phase, **dose)
    Prescription.objects.filter(pk=rx.pk).update(created_at=dt.datetime(2025, 1, 1, tzinfo=UTC))
    return rx


def _six_of_six_everywhere(patient: Patient, plan: Plan) -> None:
    """Six sessions due in the last seven days and six done, read alike by the patient's
    progress (and streak), the patient list, the clinic's totals and the builder's evidence."""
    judged = selectors.judged_adherence_for_patient(patient, today=TODAY, days=7)
    assert (judged.expected, judged.done) == (6, 6)
    assert selectors.encouragement(patient, today=TODAY).streak == 6
    (row,) = selectors.patient_rows([patient], today=TODAY)
    assert (row.adherence.expected, row.adherence.done) == (6, 6)
    (total,) = judged_adherence_totals(Plan.objects.filter(pk=plan.pk), days=7).values()
    assert (total.expected, total.done) == (6, 6)
    rxs = list(Prescription.objects.filter(phase__plan=plan))
    evidence = selectors.progression_evidence(plan, prescriptions=rxs, today=TODAY)
    assert evidence.adherence.done == 6


def test_on_day_one_no_one_is_behind_and_the_patient_is_welcomed() -> None:
    patient, _plan, (phase,) = _patient(TODAY)
    _rx(phase, times_per_day=2)
    judged = selectors.judged_adherence_for_patient(patient, today=TODAY, days=7)
    assert (judged.expected, judged.done, judged.percent) == (0, 0, None)
    behind = selectors.patients_falling_behind(clinic_id=patient.clinic_id, today=TODAY)
    assert behind == []
    response = client_for(patient.user).get(reverse("rehab:progress"))
    html = response.content.decode()
    assert "Welcome to your recovery plan" in html
    assert " %" not in html.split('id="charts-heading"')[0]  # no grade before the charts
    assert "1 days" not in html
    # Days before the plan (and the injury) are not listed as "Nothing logged".
    assert [entry.day for entry in response.context["history"]] == [TODAY]


def test_no_one_is_behind_on_their_own_day_one_whatever_the_clinics_day() -> None:
    """03:00 in London (the clinic's 10 March) is still the evening of 9 March in Los Angeles,
    the day a patient there started their plan: their day is in progress, nothing is owed yet
    (not 0 %, "falling behind"), on the dashboard and in the clinic's outcomes alike."""
    with time_machine.travel(dt.datetime(2025, 3, 10, 3, 0, tzinfo=UTC), tick=False):
        patient = factories.PatientFactory(
            pathway=Patient.Pathway.NON_OPERATIVE,
            injury_date=TODAY - dt.timedelta(weeks=5),
            timezone="America/Los_Angeles",
        )
        their_today = patient.local_today()
        assert their_today == TODAY - dt.timedelta(days=1)
        _plan, (phase,) = factories.active_plan(patient, phases=1, changed_on=their_today)
        _rx(phase, times_per_day=2)
        clinic_today = patient.clinic.local_today()
        assert clinic_today == TODAY
        assert (
            selectors.patients_falling_behind(clinic_id=patient.clinic_id, today=clinic_today) == []
        )
        (row,) = [
            r for r in outcomes.clinic_outcomes(patient.clinic_id, today=clinic_today) if r.patients
        ]
        assert [band.patients for band in row.adherence] == [0, 0, 0]
        assert row.adherence_unknown == 1


def test_the_patient_list_judges_each_patient_up_to_their_own_today() -> None:
    """The patient list's 7-day adherence, at 03:00 in London, of a patient in Los Angeles on
    the evening of their first day: nothing owed yet (no percent), not 0 of 2 sessions."""
    with time_machine.travel(dt.datetime(2025, 3, 10, 3, 0, tzinfo=UTC), tick=False):
        patient = factories.PatientFactory.create(
            pathway=Patient.Pathway.NON_OPERATIVE,
            injury_date=TODAY - dt.timedelta(weeks=5),
            timezone="America/Los_Angeles",
        )
        _plan, (phase,) = factories.active_plan(patient, phases=1, changed_on=patient.local_today())
        _rx(phase, times_per_day=2)
        (row,) = selectors.patient_rows([patient], today=patient.clinic.local_today())
        assert (row.adherence.expected, row.adherence.done, row.adherence.percent) == (0, 0, None)


def test_today_counts_what_is_done_and_never_what_is_not_done_yet() -> None:
    patient, _plan, (phase,) = _patient(TODAY - dt.timedelta(days=20))
    rx = _rx(phase, times_per_day=2)
    for back in range(1, 7):  # the six days before today: all done
        for _ in range(2):
            factories.ExerciseLogFactory(prescription=rx, date=TODAY - dt.timedelta(days=back))
    judged = selectors.judged_adherence_for_patient(patient, today=TODAY, days=7)
    assert (judged.expected, judged.done) == (12, 12)
    factories.ExerciseLogFactory(prescription=rx, date=TODAY)
    judged = selectors.judged_adherence_for_patient(patient, today=TODAY, days=7)
    assert (judged.expected, judged.done) == (13, 13)


def test_a_patient_who_missed_the_past_days_is_falling_behind() -> None:
    patient, _plan, (phase,) = _patient(TODAY - dt.timedelta(days=20))
    rx = _rx(phase)
    factories.ExerciseLogFactory(prescription=rx, date=TODAY - dt.timedelta(days=6))
    behind = selectors.patients_falling_behind(clinic_id=patient.clinic_id, today=TODAY)
    assert [row.patient for row in behind] == [patient]
    assert behind[0].adherence.percent == 17  # 1 of the 6 past days; today not judged


def test_moving_on_to_a_new_phase_today_keeps_todays_credit() -> None:
    patient, plan, (first, second) = _patient(TODAY - dt.timedelta(days=10), phases=2)
    old = _rx(first)
    _rx(second)
    factories.ExerciseLogFactory(prescription=old, date=TODAY)
    PhaseChange.objects.create(plan=plan, from_phase=first, to_phase=second, effective_on=TODAY)
    Plan.objects.filter(pk=plan.pk).update(current_phase=second)
    judged = selectors.judged_adherence_for_patient(patient, today=TODAY, days=7)
    assert judged.days[-1].done == 1
    assert judged.days[-1].expected == 1


def test_rest_days_do_not_break_the_streak() -> None:
    started = TODAY - dt.timedelta(days=13)
    patient, _plan, (phase,) = _patient(started)
    # Three days a week from the anchor date (the injury, a Monday five weeks ago): days 0, 3
    # and 5 of each week.
    rx = _rx(phase, days_per_week=3)
    due = [
        day
        for day in (started + dt.timedelta(days=n) for n in range(14))
        if selectors.is_due_on(days_per_week=3, anchor=patient.anchor_date, day=day) and day < TODAY
    ]
    for day in due[-3:]:
        factories.ExerciseLogFactory(prescription=rx, date=day)
    encouraged = selectors.encouragement(patient, today=TODAY)
    assert encouraged.streak == 3
    # A due day missed breaks it.
    factories.ExerciseLogFactory(prescription=rx, date=due[0])
    assert selectors.encouragement(patient, today=TODAY).streak == 3


def test_milestones_celebrate_a_new_phase_an_atrs_gain_and_the_first_heel_rise() -> None:
    patient, plan, (first, second) = _patient(TODAY - dt.timedelta(days=30), phases=2)
    PhaseChange.objects.create(
        plan=plan, from_phase=first, to_phase=second, effective_on=TODAY - dt.timedelta(days=2)
    )
    Plan.objects.filter(pk=plan.pk).update(current_phase=second)
    low = {**{f"item_{n}": 4 for n in range(1, 11)}, "total": 40}
    high = {**{f"item_{n}": 6 for n in range(1, 11)}, "total": 60}
    factories.AtrsResponseFactory(patient=patient, date=TODAY - dt.timedelta(days=20), **low)
    factories.AtrsResponseFactory(patient=patient, date=TODAY - dt.timedelta(days=1), **high)
    factories.MeasurementFactory(
        patient=patient, date=TODAY, heel_rise_reps_injured=1, heel_rise_reps_uninjured=25
    )
    html = client_for(patient.user).get(reverse("rehab:progress")).content.decode()
    assert "Welcome to your recovery plan" not in html
    assert "You moved on to a new stage: Stage 1." in html
    assert "Your first heel rise on your injured leg alone." in html
    assert "rose from 40 to 60 out of 100" in html


def test_a_session_with_fewer_sets_than_prescribed_is_not_done() -> None:
    """Today's rule everywhere: a session is done when it has all its prescribed sets. A log
    of 1 of 3 sets is not a session done on the progress page, in the streak, in the patient
    list's adherence, the clinic's totals or the plan builder's evidence."""
    patient, plan, (phase,) = _patient(TODAY - dt.timedelta(days=20))
    rx = _rx(phase, sets=3, times_per_day=1)
    for back in range(1, 7):  # the six days before today: a full session on three of them
        sets_done = 3 if back % 2 else 1
        factories.ExerciseLogFactory(
            prescription=rx, date=TODAY - dt.timedelta(days=back), sets_done=sets_done
        )
    factories.ExerciseLogFactory(prescription=rx, date=TODAY, sets_done=2)  # still ticking
    judged = selectors.judged_adherence_for_patient(patient, today=TODAY, days=7)
    assert (judged.expected, judged.done, judged.percent) == (6, 3, 50)
    encouraged = selectors.encouragement(patient, today=TODAY)
    assert (encouraged.this_week.expected, encouraged.this_week.done) == (6, 3)
    # Yesterday's session was full, the day before's was not: the streak is one day.
    assert encouraged.streak == 1
    (row,) = selectors.patient_rows([patient], today=TODAY)
    assert (row.adherence.expected, row.adherence.done) == (6, 3)
    (total,) = judged_adherence_totals(Plan.objects.filter(pk=plan.pk), days=7).values()
    assert (total.expected, total.done) == (6, 3)
    context = client_for(patient.user).get(reverse("rehab:progress")).context
    assert (context["encouraged"].adherence.done, context["streak"]) == (3, 1)
    therapist = factories.ClinicianFactory(clinic=patient.clinic)
    page = client_for(therapist.user).get(reverse("rehab:patient_detail", args=[patient.pk]))
    # From the plan's start, 20 days ago.
    assert (page.context["adherence"].expected, page.context["adherence"].done) == (20, 3)
    rxs = list(Prescription.objects.filter(phase__plan=plan))
    evidence = selectors.progression_evidence(plan, prescriptions=rxs, today=TODAY)
    assert (evidence.adherence.expected, evidence.adherence.done) == (13, 3)  # 14 days


def test_a_dose_raised_later_does_not_undo_the_sessions_done_before() -> None:
    """A session is judged by the sets prescribed when it was logged: the physiotherapist
    raising 2 sets to 3 today leaves last week's full sessions of 2 sets done (on the patient's
    progress, the patient list, the clinic's totals and the builder's evidence), and today's
    session is then one set short on Today."""
    patient, plan, (phase,) = _patient(TODAY - dt.timedelta(days=20))
    rx = _rx(phase, sets=2, times_per_day=1)
    rx.refresh_from_db()
    for back in range(1, 7):  # the six days before today, each a full session of 2 sets
        log, _made = tick_services.log_record(
            patient=patient,
            prescription=rx,
            client_uuid=uuid.uuid4(),
            date=TODAY - dt.timedelta(days=back),
            sets_done=2,
        )
        assert log.sets_prescribed == 2
    tick_services.log_record(
        patient=patient, prescription=rx, client_uuid=uuid.uuid4(), date=TODAY, sets_done=2
    )

    new_dose(rx, sets=3, times=1)

    # The six days before: done. Today (in progress, credit only): 3 sets from today, so
    # today's 2 are a session still being ticked, on Today and in the counts alike.
    _six_of_six_everywhere(patient, plan)
    (item,) = selectors.today_for_patient(patient, day=TODAY).items
    assert item.open_log is not None


def test_a_late_tick_of_yesterday_sent_after_todays_raise_is_judged_by_yesterdays_sets() -> None:
    """The phone was offline yesterday: its tick of yesterday's full session of 2 sets reaches
    the server today, after the physiotherapist raised the dose to 3 sets. It is judged by the
    2 sets in force yesterday (``Prescription.sets_on``), not today's 3: a session done, on the
    patient's progress, the patient list, the dashboard, the clinic's totals and the builder's
    evidence alike."""
    patient, plan, (phase,) = _patient(TODAY - dt.timedelta(days=20))
    rx = _rx(phase, sets=2, times_per_day=1)
    rx.refresh_from_db()
    for back in range(2, 7):  # the days before yesterday, each a full session of 2 sets
        factories.ExerciseLogFactory(
            prescription=rx, date=TODAY - dt.timedelta(days=back), sets_done=2
        )
    new_dose(rx, sets=3, times=1)
    rx.refresh_from_db()
    yesterday = TODAY - dt.timedelta(days=1)
    sent = uuid.uuid4()
    log, made = tick_services.log_record(
        patient=patient, prescription=rx, client_uuid=sent, date=yesterday, sets_done=2
    )
    assert (made, log.sets_prescribed) == (True, 2)
    # Today's tick is judged by today's dose.
    today_log, _made = tick_services.log_record(
        patient=patient, prescription=rx, client_uuid=uuid.uuid4(), date=TODAY, sets_done=2
    )
    assert today_log.sets_prescribed == 3

    _six_of_six_everywhere(patient, plan)
    assert selectors.patients_falling_behind(clinic_id=patient.clinic_id, today=TODAY) == []
    # Sent again after another raise, the tick answers the row stored, its stamp as it was.
    new_dose(rx, sets=4, times=1)
    again, made = tick_services.log_record(
        patient=patient, prescription=rx, client_uuid=sent, date=yesterday, sets_done=2
    )
    assert (again.pk, made, again.sets_prescribed) == (log.pk, False, 2)
    log.refresh_from_db()
    assert log.sets_prescribed == 2


def test_a_half_percent_of_adherence_rounds_up() -> None:
    """5 of the 8 sessions due is 62.5 %: the patient and the clinician read 63 %, not 62."""
    patient, _plan, (phase,) = _patient(TODAY - dt.timedelta(days=20))
    rx = _rx(phase, times_per_day=2)
    for back in range(1, 5):  # 8 sessions due over the four days before today, 5 done
        for _ in range(2 if back in (1, 2) else (1 if back == 3 else 0)):
            factories.ExerciseLogFactory(prescription=rx, date=TODAY - dt.timedelta(days=back))
    judged = selectors.judged_adherence_for_patient(patient, today=TODAY, days=5)
    assert (judged.expected, judged.done, judged.percent) == (8, 5, 63)
    assert percent_of(1, 200) == 1


@pytest.mark.parametrize("status", [Plan.Status.ACTIVE, Plan.Status.PAUSED])
def test_a_second_plan_is_judged_from_its_own_start_not_the_completed_ones(
    status: str,
) -> None:
    """A patient whose first plan was completed on the day a second started (active, or paused
    by a red flag) sees the second's numbers only: its start (day 4, still welcomed), its
    sessions, no milestone of the old plan's phase moves, and a streak of the second plan's
    days: the old plan's session done that morning is not a day of this plan done (it made
    the streak 3 when the plan's own first day was missed)."""
    patient = factories.PatientFactory(
        pathway=Patient.Pathway.NON_OPERATIVE,
        injury_date=TODAY - dt.timedelta(weeks=5),
        timezone="UTC",
    )
    started = TODAY - dt.timedelta(days=3)
    old, (first, second) = factories.active_plan(
        patient, phases=2, changed_on=TODAY - dt.timedelta(days=30)
    )
    PhaseChange.objects.create(
        plan=old, from_phase=first, to_phase=second, effective_on=TODAY - dt.timedelta(days=10)
    )
    old_rx = _rx(second)
    for back in range(3, 11):  # up to the morning of the day it was completed
        factories.ExerciseLogFactory(prescription=old_rx, date=TODAY - dt.timedelta(days=back))
    Plan.objects.filter(pk=old.pk).update(status=Plan.Status.COMPLETED)
    new, (phase,) = factories.active_plan(patient, changed_on=started)
    rx = _rx(phase)
    for back in (1, 2):
        factories.ExerciseLogFactory(prescription=rx, date=TODAY - dt.timedelta(days=back))
    Plan.objects.filter(pk=new.pk).update(status=status)
    encouraged = selectors.encouragement(patient, today=TODAY)
    assert encouraged.plan is not None
    assert encouraged.plan.pk == new.pk
    assert encouraged.plan_start == started
    assert (encouraged.day_in_plan, encouraged.welcome) == (4, True)
    assert encouraged.milestones == []
    assert len(encouraged.adherence.days) == 4
    # Three past days due and two done (today in progress: nothing done yet, nothing due).
    assert (encouraged.adherence.expected, encouraged.adherence.done) == (3, 2)
    assert encouraged.streak == 2  # the plan's first day was missed
