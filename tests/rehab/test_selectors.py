"""Reads: what is due today (time zones, days per week, phase changes), adherence, series."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator
from typing import Any

import pytest
import time_machine
from django.db import connection
from django.test.utils import CaptureQueriesContext

from clinic.models import Patient
from rehab import selectors, services
from rehab.models import PhaseChange, Plan, PlanPhase, Prescription
from rehab.selectors import notices as notice_selectors
from tests import factories

pytestmark = pytest.mark.django_db

UTC = dt.UTC


def _non_operative_in(tz: str, *, injured: dt.date) -> Patient:
    return factories.PatientFactory(
        timezone=tz, pathway=Patient.Pathway.NON_OPERATIVE, injury_date=injured
    )


def _plan(
    patient: Patient, *, phases: int = 1, changed_on: dt.date | None = None
) -> tuple[Plan, list[PlanPhase]]:
    """An active plan of two-week phases whose first is current since ``changed_on``."""
    return factories.active_plan(patient, phases=phases, weeks=2, changed_on=changed_on)


# --- is_due_on ------------------------------------------------------------------------------


@pytest.mark.parametrize("days_per_week", range(1, 8))
def test_is_due_on_spreads_n_days_over_every_week(days_per_week: int) -> None:
    anchor = dt.date(2025, 1, 6)
    for week in range(-2, 5):  # before the anchor too
        days = [anchor + dt.timedelta(days=week * 7 + d) for d in range(7)]
        due = [
            d
            for d in days
            if selectors.is_due_on(days_per_week=days_per_week, anchor=anchor, day=d)
        ]
        assert len(due) == days_per_week


def test_three_days_a_week_fall_on_days_0_3_and_5() -> None:
    anchor = dt.date(2025, 1, 6)
    due = [
        d
        for d in range(14)
        if selectors.is_due_on(days_per_week=3, anchor=anchor, day=anchor + dt.timedelta(days=d))
    ]
    assert due == [0, 3, 5, 7, 10, 12]


# --- today_for_patient ------------------------------------------------------------------------


def test_today_uses_the_patients_time_zone() -> None:
    # 23:30 UTC on Monday 10 March is Tuesday 11 March, 12:30, in Auckland.
    with time_machine.travel(dt.datetime(2025, 3, 10, 23, 30, tzinfo=UTC), tick=False):
        results = {}
        for tz in ("Pacific/Auckland", "Europe/London"):
            # Injured on a Tuesday: weekly exercises fall on Tuesdays.
            patient = _non_operative_in(tz, injured=dt.date(2025, 3, 4))
            _plan_obj, phases = _plan(patient)
            weekly = factories.PrescriptionFactory(phase=phases[0], days_per_week=1)
            daily = factories.PrescriptionFactory(phase=phases[0], days_per_week=7)
            today = selectors.today_for_patient(patient)
            results[tz] = today
            assert [i.prescription for i in today.items] == [weekly, daily]
        assert results["Pacific/Auckland"].day == dt.date(2025, 3, 11)
        assert [i.due for i in results["Pacific/Auckland"].items] == [True, True]
        assert results["Europe/London"].day == dt.date(2025, 3, 10)
        assert [i.due for i in results["Europe/London"].items] == [False, True]
        assert len(results["Europe/London"].due_items) == 1
        assert [i.prescription.days_per_week for i in results["Europe/London"].other_items] == [1]


def test_a_phase_change_effective_today_shows_the_new_phase_today(patient: Patient) -> None:
    plan, (first, second) = _plan(patient, phases=2)
    old = factories.PrescriptionFactory(phase=first)
    new = factories.PrescriptionFactory(phase=second)
    yesterday = patient.local_today() - dt.timedelta(days=1)
    assert [i.prescription for i in selectors.today_for_patient(patient).items] == [old]
    services.plan_set_phase(plan=plan, phase=second, changed_by=None)
    today = selectors.today_for_patient(patient)
    assert today.phase == second
    assert [i.prescription for i in today.items] == [new]
    # The day before the change still had the old phase.
    assert selectors.today_for_patient(patient, day=yesterday).phase == first


def test_a_phase_change_effective_tomorrow_is_not_shown_today(patient: Patient) -> None:
    plan, (first, second) = _plan(patient, phases=2)
    tomorrow = patient.local_today() + dt.timedelta(days=1)
    PhaseChange.objects.create(plan=plan, from_phase=first, to_phase=second, effective_on=tomorrow)
    Plan.objects.filter(pk=plan.pk).update(current_phase=second)
    assert selectors.today_for_patient(patient).phase == first
    assert selectors.today_for_patient(patient, day=tomorrow).phase == second


def test_phase_dates_come_from_the_anchor(patient: Patient) -> None:
    plan, (first, second) = _plan(patient, phases=2)
    assert first.start_date == plan.anchor_date
    assert first.end_date == plan.anchor_date + dt.timedelta(days=13)
    assert second.start_date == plan.anchor_date + dt.timedelta(weeks=2)


def test_today_without_a_plan_or_phase(patient: Patient) -> None:
    assert selectors.today_for_patient(patient).plan is None
    factories.PlanFactory(patient=patient)
    today = selectors.today_for_patient(patient)
    assert today.plan is not None
    assert today.phase is None
    assert today.items == []


def test_today_leaves_out_retired_prescriptions_and_other_days_logs(patient: Patient) -> None:
    _plan_obj, (phase,) = _plan(patient)
    rx = factories.PrescriptionFactory(phase=phase, sets=3, times_per_day=2)
    factories.PrescriptionFactory(phase=phase, retired_at=dt.datetime(2025, 1, 1, tzinfo=UTC))
    day = patient.local_today()
    factories.ExerciseLogFactory(prescription=rx, date=day - dt.timedelta(days=1))
    item = selectors.today_for_patient(patient).items[0]
    assert [i.prescription for i in selectors.today_for_patient(patient).items] == [rx]
    assert item.sessions_done == 0
    assert not item.done
    full = factories.ExerciseLogFactory(prescription=rx, date=day, sets_done=3)
    partial = factories.ExerciseLogFactory(prescription=rx, date=day, sets_done=1)
    item = selectors.today_for_patient(patient).items[0]
    assert item.logs == [full, partial]
    assert item.open_log == partial
    assert not item.done  # two sessions, but the second is not finished
    partial.sets_done = 3
    partial.save()
    item = selectors.today_for_patient(patient).items[0]
    assert item.open_log is None
    assert item.done


def _grow(patient: Patient, phase: PlanPhase, n: int) -> None:
    for _ in range(n):
        rx = factories.PrescriptionFactory(phase=phase)
        rx.exercise.equipment.add(factories.EquipmentFactory())
        factories.ExerciseLogFactory(prescription=rx, date=patient.local_today())
        factories.ExerciseLogFactory(
            prescription=rx, date=patient.local_today() - dt.timedelta(days=1)
        )


def test_today_query_count_does_not_grow(patient: Patient) -> None:
    _plan_obj, (phase,) = _plan(patient)
    _grow(patient, phase, 2)
    with CaptureQueriesContext(connection) as small:
        assert len(selectors.today_for_patient(patient).items) == 2
    _grow(patient, phase, 18)
    with CaptureQueriesContext(connection) as large:
        assert len(selectors.today_for_patient(patient).items) == 20
    # the plan with the phase in force (a subquery), prescriptions + exercises, equipment,
    # the exercises' photos and videos, the patient's own ones, today's logs
    assert len(small) == len(large) == 6


def test_today_reads_the_phase_in_force_when_the_plan_has_moved_on(
    patient: Patient, django_assert_num_queries: Any
) -> None:
    plan, (first, second) = _plan(patient, phases=2)
    rx = factories.PrescriptionFactory(phase=first)
    tomorrow = patient.local_today() + dt.timedelta(days=1)
    PhaseChange.objects.create(plan=plan, from_phase=first, to_phase=second, effective_on=tomorrow)
    Plan.objects.filter(pk=plan.pk).update(current_phase=second)
    # the phase in force comes with its phase change: no query more than any other day
    with django_assert_num_queries(6):
        today = selectors.today_for_patient(patient)
    assert today.phase == first
    assert today.phase.plan == plan
    assert [i.prescription for i in today.items] == [rx]


def test_today_without_a_phase_change_shows_the_current_phase(patient: Patient) -> None:
    rx = factories.prescribed(patient)
    today = selectors.today_for_patient(patient)
    assert today.phase == rx.phase
    assert [i.prescription for i in today.items] == [rx]


def test_today_logs_know_their_prescription(
    patient: Patient, django_assert_num_queries: Any
) -> None:
    _plan_obj, (phase,) = _plan(patient)
    rx = factories.PrescriptionFactory(phase=phase)
    factories.ExerciseLogFactory(prescription=rx, date=patient.local_today())
    with django_assert_num_queries(6):
        (item,) = selectors.today_for_patient(patient).items
        assert item.logs[0].prescription.exercise.name == rx.exercise.name  # no query


def test_today_without_the_patients_own_media_reads_one_query_fewer(
    patient: Patient, django_assert_num_queries: Any
) -> None:
    # The API's answer shows no prescription's own photos and videos: it leaves them unread.
    _plan_obj, (phase,) = _plan(patient)
    rx = factories.PrescriptionFactory(phase=phase)
    factories.ExerciseLogFactory(prescription=rx, date=patient.local_today())
    with django_assert_num_queries(5):
        (item,) = selectors.today_for_patient(patient, own_media=False).items
        assert item.prescription == rx
        assert item.logs[0].prescription.exercise.name == rx.exercise.name  # no query


# --- adherence ------------------------------------------------------------------------------


def test_adherence_counts_prescribed_and_done_sessions(db: None) -> None:
    with time_machine.travel(dt.datetime(2025, 3, 10, 12, 0, tzinfo=UTC), tick=False):
        patient = factories.PatientFactory(
            pathway=Patient.Pathway.NON_OPERATIVE, injury_date=dt.date(2025, 3, 3)
        )
        _plan_obj, (phase,) = _plan(patient)
        rx = factories.PrescriptionFactory(phase=phase, times_per_day=2, days_per_week=7)
        Prescription.objects.filter(pk=rx.pk).update(created_at=dt.datetime(2025, 3, 1, tzinfo=UTC))
        for day in (3, 4, 4, 4, 10):  # three logs on the 4th: only two count
            factories.ExerciseLogFactory(prescription=rx, date=dt.date(2025, 3, day))
        adherence = selectors.adherence_for_patient(
            patient, start=dt.date(2025, 3, 3), end=dt.date(2025, 3, 10)
        )
        assert adherence.expected == 16
        assert adherence.done == 4
        assert adherence.percent == 25
        assert adherence.by_week(patient.anchor_date) == [(0, 14, 3), (1, 2, 1)]


def test_adherence_judges_a_new_prescription_in_the_patients_local_day() -> None:
    # Created at 03:00 UTC on 11 March: still the evening of 10 March in Los Angeles,
    # already 11 March in Auckland.
    created = dt.datetime(2025, 3, 11, 3, 0, tzinfo=UTC)
    with time_machine.travel(dt.datetime(2025, 3, 12, 12, 0, tzinfo=UTC), tick=False):
        rows = {}
        for tz in ("America/Los_Angeles", "Pacific/Auckland"):
            patient = _non_operative_in(tz, injured=dt.date(2025, 3, 1))
            _plan_obj, (phase,) = _plan(patient)
            rx = factories.PrescriptionFactory(phase=phase)
            Prescription.objects.filter(pk=rx.pk).update(created_at=created)
            factories.ExerciseLogFactory(prescription=rx, date=dt.date(2025, 3, 10))
            rows[tz] = selectors.adherence_for_patient(
                patient, start=dt.date(2025, 3, 10), end=dt.date(2025, 3, 10)
            )
        assert (rows["America/Los_Angeles"].expected, rows["America/Los_Angeles"].done) == (1, 1)
        assert (rows["Pacific/Auckland"].expected, rows["Pacific/Auckland"].done) == (0, 0)


def test_adherence_for_patients_accepts_a_generator(patient: Patient) -> None:
    _plan(patient)
    day = patient.local_today()
    result = selectors.adherence_for_patients((p for p in [patient]), start=day, end=day)
    assert list(result) == [patient.pk]


# --- series, streak, offers, history -------------------------------------------------------


def test_pain_series_takes_the_days_highest_log_and_the_checkin(patient: Patient) -> None:
    _plan_obj, (phase,) = _plan(patient)
    rx = factories.PrescriptionFactory(phase=phase)
    day = patient.local_today()
    factories.ExerciseLogFactory(prescription=rx, date=day, pain=3)
    factories.ExerciseLogFactory(prescription=rx, date=day, pain=6)
    factories.ExerciseLogFactory(prescription=rx, date=day, pain=None)
    factories.CheckInFactory(patient=patient, date=day, pain_at_rest=2)
    points = selectors.pain_series(patient, start=day - dt.timedelta(days=7), end=day)
    assert [(p.pain, p.source) for p in points] == [(2, "checkin"), (6, "log")]


def test_streak_counts_consecutive_days_up_to_today_or_yesterday(patient: Patient) -> None:
    _plan_obj, (phase,) = _plan(patient)
    rx = factories.PrescriptionFactory(phase=phase)
    today = dt.date(2025, 3, 10)
    assert selectors.streak(patient, today=today) == 0
    for back in (1, 2, 3, 5):
        factories.ExerciseLogFactory(prescription=rx, date=today - dt.timedelta(days=back))
    assert selectors.streak(patient, today=today) == 3
    factories.ExerciseLogFactory(prescription=rx, date=today)
    assert selectors.streak(patient, today=today) == 4


def test_streak_reads_each_day_once(patient: Patient) -> None:
    """One row a day with a session, however many logs it has: the logs' ordering (date,
    then time) must not make the distinct rows each log's date and time."""
    _plan_obj, (phase,) = _plan(patient)
    today = dt.date(2025, 3, 10)
    for _ in range(3):
        rx = factories.PrescriptionFactory(phase=phase)
        factories.ExerciseLogFactory(prescription=rx, date=today - dt.timedelta(days=1))
    with CaptureQueriesContext(connection) as queries:
        assert selectors.streak(patient, today=today) == 1
    (query,) = queries.captured_queries
    assert "created_at" not in query["sql"]


@pytest.fixture
def week_patient() -> Iterator[Patient]:
    with time_machine.travel(dt.datetime(2025, 3, 10, 12, 0, tzinfo=UTC), tick=False):
        yield factories.PatientFactory(
            pathway=Patient.Pathway.NON_OPERATIVE, injury_date=dt.date(2025, 1, 1)
        )


@pytest.mark.parametrize(
    ("days", "offered_week"),
    [
        (41, None),
        (42, 6),
        (48, 6),
        # Open for three weeks: a patient who missed week 6 is still asked in weeks 7 and 8.
        (49, 6),
        (62, 6),
        (63, None),
        (84, 12),
        (100, 12),
        (105, None),
        (182, 26),
        # Nine months: UKSTAR's primary time point.
        (273, 39),
        (294, None),
        (364, 52),
        (385, None),
    ],
)
def test_atrs_is_offered_in_weeks_6_12_26_39_and_52(
    week_patient: Patient, days: int, offered_week: int | None
) -> None:
    day = week_patient.anchor_date + dt.timedelta(days=days)
    offer = selectors.atrs_offer(week_patient, day=day)
    assert (offer.week if offer else None) == offered_week


def test_atrs_is_not_offered_once_answered_in_that_week(week_patient: Patient) -> None:
    week_start = week_patient.anchor_date + dt.timedelta(weeks=6)
    factories.AtrsResponseFactory(patient=week_patient, date=week_start + dt.timedelta(days=1))
    assert selectors.atrs_offer(week_patient, day=week_start + dt.timedelta(days=3)) is None
    # An answer from the week before does not count for week 6.
    factories.AtrsResponseFactory.reset_sequence()
    other = factories.PatientFactory(
        pathway=Patient.Pathway.NON_OPERATIVE, injury_date=week_patient.injury_date
    )
    factories.AtrsResponseFactory(patient=other, date=week_start - dt.timedelta(days=1))
    assert selectors.atrs_offer(other, day=week_start).week == 6


def test_atrs_is_offered_when_the_clinic_asks(week_patient: Patient) -> None:
    request, _ = services.atrs_request_create(patient=week_patient, requested_by=None)
    day = week_patient.anchor_date + dt.timedelta(days=100)
    offer = selectors.atrs_offer(week_patient, day=day)
    assert offer is not None
    assert offer.request == request
    assert selectors.open_atrs_request(week_patient) == request


def _one_step_at_a_time(patient: Patient, day: dt.date, *steps: str) -> Iterator[str]:
    """ "nothing" first, then each of ``steps`` done on ``day`` in turn ("answered": the ATRS;
    "checked in"; "asked": the clinic's request for the ATRS), added to the ones before it:
    each step's name once it is done."""
    yield "nothing"
    for step in steps:
        if step == "answered":
            factories.AtrsResponseFactory(patient=patient, date=day)
        elif step == "checked in":
            factories.CheckInFactory(patient=patient, date=day)
        else:
            assert step == "asked", step
            services.atrs_request_create(patient=patient, requested_by=None)
        yield step


@pytest.mark.parametrize("days", [41, 42, 48, 49, 84, 100])
def test_today_notices_agree_with_checkin_on_and_atrs_offer(
    week_patient: Patient, days: int, django_assert_num_queries: Any
) -> None:
    day = week_patient.anchor_date + dt.timedelta(days=days)
    for step in _one_step_at_a_time(week_patient, day, "answered", "checked in", "asked"):
        with django_assert_num_queries(1):
            notices = selectors.today_notices(week_patient, day=day)
        offer = selectors.atrs_offer(week_patient, day=day)
        assert notices.checked_in == (selectors.checkin_on(week_patient, day) is not None)
        assert (notices.atrs_offer is None) == (offer is None), step
        if offer is not None and notices.atrs_offer is not None:
            assert notices.atrs_offer.week == offer.week
            assert notices.atrs_offer.requested == offer.requested
            assert notices.atrs_offer.request_id == offer.request_id


@pytest.mark.parametrize("days", [41, 42, 48, 49, 63, 84, 100])
def test_atrs_due_agrees_with_atrs_offer_in_one_query(
    week_patient: Patient, days: int, django_assert_num_queries: Any
) -> None:
    """The patient menus' mark (``atrs_due``): due exactly when ``atrs_offer`` offers, one
    query whether or not a scheduled offer is open."""
    day = week_patient.anchor_date + dt.timedelta(days=days)
    for step in _one_step_at_a_time(week_patient, day, "answered", "asked"):
        with django_assert_num_queries(1):
            due = selectors.atrs_due(week_patient, day=day)
        assert due == (selectors.atrs_offer(week_patient, day=day) is not None), step


def test_hold_notice_reads_the_waiting_red_flags_only_without_a_plan_in_care(
    patient: Patient, django_assert_num_queries: Any
) -> None:
    """Today's usual path (a plan in care, not paused) reads nothing more for a red flag; with
    no plan in care one query finds the red flags waiting for a clinician's review."""
    factories.AlertFactory(patient=patient, kind="red_flag", code="dvt")
    notices = selectors.TodayNotices(checked_in=False, atrs_offer=None)
    with django_assert_num_queries(1):
        notice = notice_selectors.hold_notice(patient, None, notices)
    assert notice is not None
    assert notice.advice
    assert not notice.paused
    assert [flag.code for flag in notice.red_flags] == ["dvt"]
    plan, _phases = _plan(patient)
    with django_assert_num_queries(0):
        assert notice_selectors.hold_notice(patient, plan, notices) is None


def test_history_by_day_lists_every_day_newest_first(patient: Patient) -> None:
    _plan_obj, (phase,) = _plan(patient)
    rx = factories.PrescriptionFactory(phase=phase)
    end = dt.date(2025, 3, 10)
    log = factories.ExerciseLogFactory(prescription=rx, date=dt.date(2025, 3, 8))
    factories.ExerciseLogFactory(prescription=rx, date=dt.date(2025, 2, 1))  # outside
    days = selectors.history_by_day(patient, start=end - dt.timedelta(days=27), end=end)
    assert len(days) == 28
    assert days[0].day == end
    assert days[-1].day == dt.date(2025, 2, 11)
    assert [[entry.pk for entry in d.logs] for d in days if d.logs] == [[log.pk]]
    assert days[2].logs[0].name == log.prescription.exercise.patient_display_name


def test_plan_phases_hold_live_prescriptions_in_order(
    patient: Patient, django_assert_num_queries: object
) -> None:
    plan, (first, second) = _plan(patient, phases=2)
    b = factories.PrescriptionFactory(phase=first, order=2)
    a = factories.PrescriptionFactory(phase=first, order=1)
    factories.PrescriptionFactory(phase=first, retired_at=dt.datetime(2025, 1, 1, tzinfo=UTC))
    # phases, live prescriptions with exercises, equipment, the exercises' photos and videos
    with django_assert_num_queries(4):  # type: ignore[operator]
        phases = selectors.plan_phases(plan)
        assert [p.pk for p in phases] == [first.pk, second.pk]
        assert phases[0].live_prescriptions == [a, b]
        assert phases[0].start_date == plan.anchor_date  # no query for the plan
    # phases, live prescriptions with exercises ("My plan" shows no equipment, photos or videos)
    with django_assert_num_queries(2):  # type: ignore[operator]
        phases = selectors.plan_phases(plan, equipment_and_media=False)
        assert phases[0].live_prescriptions == [a, b]


def test_plans_of_patient_put_the_active_plan_first(patient: Patient) -> None:
    draft = factories.PlanFactory(patient=patient, status=Plan.Status.DRAFT)
    active = factories.PlanFactory(patient=patient)
    done = factories.PlanFactory(patient=patient, status=Plan.Status.COMPLETED)
    assert selectors.plans_of_patient(patient) == [active, draft, done]


def test_prescription_to_log_reads_what_a_tick_needs_in_one_query(
    patient: Patient, django_assert_num_queries: Any
) -> None:
    plan, (phase,) = _plan(patient)
    retired = dt.datetime(2025, 2, 3, 4, 5, tzinfo=UTC)
    rx = factories.PrescriptionFactory(phase=phase, sets=4, retired_at=retired)
    with django_assert_num_queries(1):  # and no further query for what a tick reads
        got = selectors.prescription_to_log(patient, rx.pk)
        assert got is not None
        read = (
            got.pk,
            got.sets,
            got.retired_at,
            got.phase.pk,
            got.phase.plan.pk,
            got.phase.plan.patient_id,
            got.phase.plan.status,
            got.phase.plan.anchor_date,
            got.exercise_id,
            got.exercise.name,
        )
    assert read == (
        rx.pk,
        4,
        retired,
        phase.pk,
        plan.pk,
        patient.pk,
        plan.status,
        plan.anchor_date,
        rx.exercise_id,
        rx.exercise.name,
    )


def test_prescription_to_log_is_none_for_another_patients_or_a_missing_one(
    patient: Patient, other_patient: Patient
) -> None:
    _plan_obj, (phase,) = _plan(other_patient)
    theirs = factories.PrescriptionFactory(phase=phase)
    assert selectors.prescription_to_log(patient, theirs.pk) is None
    assert selectors.prescription_to_log(patient, theirs.pk + 1000) is None
    assert selectors.prescription_to_log(patient, 10**19) is None  # past the key's range
    assert selectors.prescription_to_log(patient, -(10**19)) is None
    assert selectors.prescription_to_log(other_patient, theirs.pk) is not None


def test_recent_messages_are_the_last_five_oldest_first(patient: Patient) -> None:
    start = dt.datetime(2025, 3, 1, tzinfo=UTC)
    made = [
        factories.MessageFactory(patient=patient, created_at=start + dt.timedelta(hours=n))
        for n in range(7)
    ]
    factories.MessageFactory()  # another patient's
    assert selectors.recent_messages(patient) == made[2:]


def test_open_alerts_leave_out_acknowledged_ones(clinician: object, patient: Patient) -> None:
    open_alert = factories.AlertFactory(patient=patient)
    factories.AlertFactory(
        patient=patient,
        acknowledged_at=dt.datetime(2025, 3, 1, tzinfo=UTC),
        acknowledged_by=clinician.user,
    )
    assert selectors.open_alerts(patient) == [open_alert]
