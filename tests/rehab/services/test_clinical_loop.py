"""Issue 16 part A, services: guardrails on every path, red flags pause exercise, only what
the patient said, discharged and future. Each test failed on the code before the issue."""

from __future__ import annotations

import datetime as dt
import uuid

import pytest
import time_machine
from django.core.exceptions import ValidationError
from django.utils import timezone

from clinic.models import Clinician, Patient
from clinic.services import patients as patient_services
from notify.planning import exercises_waiting
from rehab import services
from rehab.models import Alert, CheckIn, ExerciseLog, PhaseChange, Plan, PlanHold, Prescription
from rehab.services import builder as builder_services
from rehab.services import holds
from rehab.services import plans as plan_services
from tests import factories
from tests.rehab.clinical_loop import Scene, exercise, from_week_2_now, week3_non_operative

pytestmark = pytest.mark.django_db


@pytest.fixture
def scene(clinician: Clinician) -> Scene:
    return week3_non_operative(clinician)


# --- Problem 1: guardrails on every path ---------------------------------------------------


def test_advancing_early_is_refused_with_the_list_and_nothing_changes(scene: Scene) -> None:
    version = scene.plan.version
    with pytest.raises(ValidationError) as excinfo:
        services.plan_advance_phase(plan=scene.plan, changed_by=None, expected_version=version)
    message = " ".join(excinfo.value.messages)
    assert "Seated heel raise" in message
    assert "Two-leg bike" in message
    assert "Hip bridges" not in message
    assert excinfo.value.code == "guardrail_reason_missing"
    scene.plan.refresh_from_db()
    assert scene.plan.current_phase_id == scene.early.pk
    assert scene.plan.version == version
    assert PhaseChange.objects.filter(plan=scene.plan).count() == 1


def test_a_stale_move_is_refused_as_stale_before_reasons_are_asked(scene: Scene) -> None:
    # A move sent again after it was made (its answer lost) is told the plan has changed, not
    # asked for reasons to start a phase nobody chose; and nothing changes.
    version = scene.plan.version
    builder_services.plan_rename(plan=scene.plan, name="Renamed", expected_version=version)
    with pytest.raises(ValidationError) as excinfo:
        services.plan_advance_phase(plan=scene.plan, changed_by=None, expected_version=version)
    assert excinfo.value.code == "stale_plan"
    scene.plan.refresh_from_db()
    assert (scene.plan.current_phase_id, scene.plan.version) == (scene.early.pk, version + 1)


def test_the_early_placements_of_a_phase_change_are_listed(scene: Scene) -> None:
    early = services.plan_phase_change_early_placements(scene.plan, scene.later)
    assert [p.prescription.pk for p in early] == [scene.week4_rx.pk, scene.week6_rx.pk]
    assert [p.warning.earliest_week for p in early] == [4, 6]


def test_advancing_early_with_a_reason_for_each_moves_and_records_them(scene: Scene) -> None:
    with pytest.raises(ValidationError, match="Two-leg bike"):
        services.plan_advance_phase(
            plan=scene.plan,
            changed_by=None,
            guardrail_reasons={scene.week4_rx.pk: "Strong, cleared by the surgeon"},
        )
    plan = services.plan_advance_phase(
        plan=scene.plan,
        changed_by=None,
        guardrail_reasons={
            scene.week4_rx.pk: "Strong, cleared by the surgeon",
            scene.week6_rx.pk: "One-legged only, in the boot",
        },
    )
    assert plan.current_phase_id == scene.later.pk
    scene.week6_rx.refresh_from_db()
    assert scene.week6_rx.guardrail_reason == "One-legged only, in the boot"


def test_a_recorded_reason_must_be_confirmed_when_advancing_early(scene: Scene) -> None:
    Prescription.objects.filter(pk__in=[scene.week4_rx.pk, scene.week6_rx.pk]).update(
        guardrail_reason="Given in the builder for week 6"
    )
    with pytest.raises(ValidationError, match="Seated heel raise"):
        services.plan_advance_phase(plan=scene.plan, changed_by=None)


def test_going_back_checks_the_phase_against_the_patients_week(clinician: Clinician) -> None:
    scene = week3_non_operative(clinician)
    # A first phase with an exercise from week 4, the plan already (early) in the second.
    first_rx = factories.PrescriptionFactory.create(
        phase=scene.early, exercise=scene.week6_rx.exercise, order=2
    )
    plan = services.plan_set_phase(
        plan=scene.plan,
        phase=scene.later,
        changed_by=None,
        guardrail_reasons={scene.week4_rx.pk: "ok", scene.week6_rx.pk: "ok"},
    )
    with pytest.raises(ValidationError, match="Two-leg bike"):
        services.plan_previous_phase(plan=plan, changed_by=None)
    plan = services.plan_previous_phase(
        plan=plan, changed_by=None, guardrail_reasons={first_rx.pk: "Gentle, supervised"}
    )
    assert plan.current_phase_id == scene.early.pk


def test_activation_lists_early_placements_against_the_patients_week(scene: Scene) -> None:
    Plan.objects.filter(pk=scene.plan.pk).update(status=Plan.Status.DRAFT, current_phase=None)
    scene.plan.refresh_from_db()
    # Week 3: the current phase (weeks 0–6) starts now; an exercise from week 4 in it is early
    # although the phase "starts in week 0"; the later phase's exercises start in week 6.
    in_first = factories.PrescriptionFactory.create(
        phase=scene.early, exercise=scene.week4_rx.exercise, order=2
    )
    early = plan_services.plan_activation_early_placements(scene.plan)
    assert [p.prescription.pk for p in early] == [in_first.pk]
    with pytest.raises(ValidationError, match="Seated heel raise") as excinfo:
        services.plan_activate(plan=scene.plan, activated_by=None)
    assert excinfo.value.code == "guardrail_reason_missing"
    scene.plan.refresh_from_db()
    assert scene.plan.status == Plan.Status.DRAFT
    services.plan_activate(
        plan=scene.plan, activated_by=None, guardrail_reasons={in_first.pk: "Seated only"}
    )
    in_first.refresh_from_db()
    assert in_first.guardrail_reason == "Seated only"


def test_a_completed_plan_is_not_activated_again(scene: Scene) -> None:
    Plan.objects.filter(pk=scene.plan.pk).update(status=Plan.Status.COMPLETED)
    with pytest.raises(ValidationError) as excinfo:
        services.plan_activate(plan=scene.plan, activated_by=None)
    assert excinfo.value.code == "plan_completed"
    scene.plan.refresh_from_db()
    assert scene.plan.status == Plan.Status.COMPLETED


def test_adding_to_the_current_phase_compares_with_this_week(scene: Scene) -> None:
    with pytest.raises(ValidationError, match="week 3"):
        services.prescription_add(phase=scene.early, exercise=scene.week4_rx.exercise)


def test_a_corrected_date_that_makes_exercises_early_is_refused(scene: Scene) -> None:
    """The patient was injured later than recorded: they are in week 1, not 3; the current
    phase's exercise from week 2 would be early."""
    from_week_2_now(scene)
    later_injury = timezone.localdate() - dt.timedelta(weeks=1)
    with pytest.raises(ValidationError, match="Resisted ankle pumps"):
        patient_services.patient_update(patient=scene.patient, injury_date=later_injury)
    scene.patient.refresh_from_db()
    scene.plan.refresh_from_db()
    assert scene.patient.injury_date != later_injury
    assert scene.plan.anchor_date == scene.patient.injury_date


# 20:00 UTC on 6 December: 7 December, 09:00 in Auckland; still 6 December, 10:00 in Honolulu.
ZONES_A_DAY_APART = dt.datetime(2026, 12, 6, 20, 0, tzinfo=dt.UTC)


def _first_day_of_week_3_in_auckland(clinician: Clinician) -> tuple[Scene, Prescription]:
    """A patient in Auckland on the first day of their week 3, with an exercise safe from week
    3 in the current phase (no reason needed: not early)."""
    scene = week3_non_operative(clinician, timezone="Pacific/Auckland")
    injury = dt.date(2026, 12, 7) - dt.timedelta(weeks=3)
    Patient.objects.filter(pk=scene.patient.pk).update(injury_date=injury)
    Plan.objects.filter(pk=scene.plan.pk).update(anchor_date=injury)
    scene.patient.refresh_from_db()
    scene.plan.refresh_from_db()
    rx = factories.PrescriptionFactory.create(
        phase=scene.early, exercise=exercise("Single-leg balance", 3), order=3
    )
    assert scene.patient.week_on(scene.patient.local_today()) == 3
    return scene, rx


def test_a_time_zone_that_puts_the_patient_in_an_earlier_week_is_refused(
    clinician: Clinician,
) -> None:
    """A time zone to the west can put the patient on the day before, in the week before: the
    plan then asked them, that day, for an exercise before its earliest safe week, and no
    guardrail was asked (only a corrected date or pathway re-checked the plan). It is refused
    as a corrected date is, and nothing changes."""
    with time_machine.travel(ZONES_A_DAY_APART, tick=False):
        scene, _rx = _first_day_of_week_3_in_auckland(clinician)
        with pytest.raises(ValidationError, match="Single-leg balance") as excinfo:
            patient_services.patient_update(patient=scene.patient, timezone="Pacific/Honolulu")
        assert "week 2" in " ".join(excinfo.value.messages)
        scene.patient.refresh_from_db()
        assert scene.patient.timezone == "Pacific/Auckland"


def test_a_time_zone_that_keeps_or_moves_on_the_patients_day_asks_nothing(
    clinician: Clinician,
) -> None:
    with time_machine.travel(ZONES_A_DAY_APART, tick=False):
        scene, _rx = _first_day_of_week_3_in_auckland(clinician)
        version = scene.plan.version
        patient_services.patient_update(patient=scene.patient, timezone="Pacific/Fiji")  # 7 Dec
        patient_services.patient_update(patient=scene.patient, timezone="Pacific/Kiritimati")
        scene.patient.refresh_from_db()
        scene.plan.refresh_from_db()
        assert scene.patient.timezone == "Pacific/Kiritimati"
        assert scene.plan.version == version  # the plan was not touched


def _placed_a_week_early(scene: Scene) -> Prescription:
    """An exercise from week 4 in the current phase, started in week 3 with a reason."""
    return factories.PrescriptionFactory.create(
        phase=scene.early,
        exercise=exercise("Band ankle push", 4),
        order=3,
        guardrail_reason="Strong calf, one week early",
    )


def _early_alerts(patient: Patient) -> list[str]:
    return list(
        Alert.objects.filter(patient=patient, kind=Alert.Kind.EARLY_EXERCISE).values_list(
            "message", flat=True
        )
    )


def test_a_corrected_date_that_makes_a_reasoned_exercise_earlier_alerts_the_clinician(
    scene: Scene,
) -> None:
    """The reason was recorded for starting a week early; the patient turns out to be in week 1,
    three weeks early. The correction stands (there is a reason) but the reason was given for a
    later start: the clinician is alerted to look again, as after a raise in the library."""
    _placed_a_week_early(scene)
    later_injury = timezone.localdate() - dt.timedelta(weeks=1, days=2)
    patient_services.patient_update(patient=scene.patient, injury_date=later_injury)
    scene.patient.refresh_from_db()
    assert scene.patient.injury_date == later_injury
    (message,) = _early_alerts(scene.patient)
    assert "Band ankle push" in message
    assert "week 1" in message


def test_a_corrected_date_that_leaves_a_reasoned_exercise_as_early_or_later_alerts_no_one(
    scene: Scene,
) -> None:
    _placed_a_week_early(scene)
    earlier_injury = timezone.localdate() - dt.timedelta(weeks=5, days=2)
    patient_services.patient_update(patient=scene.patient, injury_date=earlier_injury)
    assert _early_alerts(scene.patient) == []


def test_a_corrected_pathway_on_the_same_date_that_makes_exercises_early_is_refused(
    scene: Scene,
) -> None:
    """Recorded as operative with surgery on the day of injury, the patient was in fact
    treated without surgery: the week is the same, but the earliest safe weeks are later."""
    Patient.objects.filter(pk=scene.patient.pk).update(
        pathway=Patient.Pathway.OPERATIVE, surgery_date=scene.patient.injury_date
    )
    scene.patient.refresh_from_db()
    factories.PrescriptionFactory.create(
        phase=scene.early,
        exercise=factories.ExerciseFactory.create(
            name="Balance on the injured leg",
            earliest_week_operative=2,
            earliest_week_non_operative=5,
        ),
        order=3,
    )
    with pytest.raises(ValidationError, match="Balance on the injured leg"):
        patient_services.patient_update(
            patient=scene.patient, pathway=Patient.Pathway.NON_OPERATIVE, surgery_date=None
        )
    scene.patient.refresh_from_db()
    assert scene.patient.pathway == Patient.Pathway.OPERATIVE


# --- Problem 2: red flags pause exercise -----------------------------------------------------


def _checkin(patient: Patient, **kwargs: object) -> CheckIn:
    values: dict[str, object] = {
        "patient": patient,
        "client_uuid": uuid.uuid4(),
        "pain_at_rest": 2,
        "swelling": "mild",
    }
    values.update(kwargs)
    checkin, _created = services.checkin_record(**values)
    return checkin


def _assert_a_tick_is_refused(scene: Scene) -> None:
    """Ticking the current exercise is refused: the plan is paused."""
    rx = Prescription.objects.select_related("phase__plan").get(pk=scene.current_rx.pk)
    with pytest.raises(ValidationError) as excinfo:
        services.log_record(patient=scene.patient, prescription=rx, client_uuid=uuid.uuid4())
    assert excinfo.value.code == "plan_paused"


def test_a_red_flag_pauses_the_plan_and_ticks_are_refused(scene: Scene) -> None:
    checkin = _checkin(scene.patient, red_flags=["dvt"])
    scene.plan.refresh_from_db()
    assert scene.plan.status == Plan.Status.PAUSED
    hold = PlanHold.objects.get()
    assert (hold.plan, hold.checkin, hold.flags) == (scene.plan, checkin, ["dvt"])
    _assert_a_tick_is_refused(scene)
    assert not ExerciseLog.objects.exists()


def test_a_tick_of_a_day_before_the_red_flag_is_stored_while_paused(scene: Scene) -> None:
    # The phone was offline yesterday; today's check-in reported a red flag before its outbox
    # sent yesterday's tick. What was done before the red flag is a record, not exercise now.
    # (The exercise was prescribed a week ago: yesterday it was the patient's to do.)
    Prescription.objects.filter(pk=scene.current_rx.pk).update(
        created_at=timezone.now() - dt.timedelta(weeks=1)
    )
    _checkin(scene.patient, red_flags=["dvt"])
    yesterday = scene.patient.local_today() - dt.timedelta(days=1)
    rx = Prescription.objects.select_related("phase__plan").get(pk=scene.current_rx.pk)
    log, created = services.log_record(
        patient=scene.patient, prescription=rx, client_uuid=uuid.uuid4(), date=yesterday
    )
    assert created
    assert log.date == yesterday
    _assert_a_tick_is_refused(scene)  # today's still is


def _open() -> list[int]:
    """The open alerts' ids: what the review page shows the clinician."""
    return list(Alert.objects.filter(acknowledged_at__isnull=True).values_list("pk", flat=True))


def test_resuming_is_refused_while_a_red_flag_reported_since_the_page_was_drawn_is_unread(
    scene: Scene, clinician: Clinician
) -> None:
    _checkin(scene.patient, red_flags=["dvt"])
    shown = _open()
    _checkin(scene.patient, red_flags=["pe"])  # reported while the clinician reads
    with pytest.raises(ValidationError) as excinfo:
        holds.plan_resume(plan=scene.plan, by=clinician.user, note="No DVT", reviewed=shown)
    assert excinfo.value.code == "new_report"
    scene.plan.refresh_from_db()
    assert scene.plan.status == Plan.Status.PAUSED
    assert not Alert.objects.filter(acknowledged_at__isnull=False).exists()
    holds.plan_resume(plan=scene.plan, by=clinician.user, note="No DVT, no PE", reviewed=_open())
    assert not Alert.objects.filter(acknowledged_at__isnull=True).exists()


def _tick(scene: Scene, **kwargs: object) -> ExerciseLog:
    rx = Prescription.objects.select_related("phase__plan", "exercise").get(pk=scene.current_rx.pk)
    log, _created = services.log_record(
        patient=scene.patient, prescription=rx, client_uuid=uuid.uuid4(), **kwargs
    )
    return log


def test_a_paused_plan_refuses_more_sets_on_an_earlier_tick_and_its_undo(scene: Scene) -> None:
    # The session began before the red flag: its later sets (the Today script's edits of the
    # open tick, or an offline tick's replay) are exercise, and the plan is paused.
    log = _tick(scene, sets_done=1)
    _checkin(scene.patient, red_flags=["dvt"])
    log = ExerciseLog.objects.select_related("patient", "prescription").get(pk=log.pk)
    for change in ({"sets_done": 3}, {"reps": 20}, {"hold_seconds": 30}):
        with pytest.raises(ValidationError) as excinfo:
            services.log_update(log=log, **change)
        assert excinfo.value.code == "plan_paused"
    with pytest.raises(ValidationError) as excinfo:
        services.log_undo(log=log)
    assert excinfo.value.code == "plan_paused"
    # How it felt may still be told (the clinician reviews it); the same count is no change.
    services.log_update(log=log, sets_done=1, pain=5, effort=4, note="Calf tight")
    log.refresh_from_db()
    assert (log.sets_done, log.pain, log.effort, log.note) == (1, 5, 4, "Calf tight")


def test_a_discharged_patients_ticks_of_the_day_are_read_only(scene: Scene) -> None:
    log = _tick(scene, sets_done=1)
    patient_services.patient_discharge(patient=scene.patient)
    log = ExerciseLog.objects.select_related("patient", "prescription").get(pk=log.pk)
    for attempt in (
        lambda: services.log_update(log=log, sets_done=3),
        lambda: services.log_update(log=log, pain=2),
        lambda: services.log_undo(log=log),
    ):
        with pytest.raises(ValidationError) as excinfo:
            attempt()
        assert excinfo.value.code == "care_ended"
    log.refresh_from_db()
    assert (log.sets_done, log.pain) == (1, None)


def test_a_second_red_flag_joins_the_open_hold(scene: Scene) -> None:
    _checkin(scene.patient, red_flags=["dvt"])
    _checkin(scene.patient, red_flags=["dvt", "rerupture"])
    assert list(PlanHold.objects.values_list("flags", flat=True)) == [["dvt", "rerupture"]]


def test_a_second_checkin_the_same_day_never_unsays_the_first(scene: Scene) -> None:
    # An offline check-in sent late, or a second visit to the page: the red flag stays
    # reported, and a question left blank keeps the earlier answer.
    _checkin(scene.patient, red_flags=["dvt"], pain_at_rest=8, note="Calf hot")
    _checkin(scene.patient, red_flags=[], pain_at_rest=None, swelling="none", note="")
    checkin = CheckIn.objects.get()
    assert checkin.flag_dvt is True
    assert (checkin.pain_at_rest, checkin.swelling, checkin.note) == (8, "none", "Calf hot")
    # An answer given again is the patient's latest word.
    _checkin(scene.patient, pain_at_rest=3, note="Better now")
    checkin.refresh_from_db()
    assert (checkin.pain_at_rest, checkin.note, checkin.flag_dvt) == (3, "Better now", True)
    assert CheckIn.objects.count() == 1
    assert Alert.objects.filter(kind=Alert.Kind.RED_FLAG).count() == 1


def test_a_red_flag_reported_again_after_its_review_alerts_and_pauses_again(
    scene: Scene, clinician: Clinician
) -> None:
    _checkin(scene.patient, red_flags=["dvt"])
    _checkin(scene.patient, red_flags=["dvt"])  # still waiting for review: nothing new
    assert Alert.objects.count() == 1
    holds.plan_resume(plan=scene.plan, by=clinician.user, note="Scan clear", reviewed=_open())
    _checkin(scene.patient, red_flags=["dvt"])  # the same day, back after the review
    assert Alert.objects.filter(kind=Alert.Kind.RED_FLAG, acknowledged_at__isnull=True).count() == 1
    scene.plan.refresh_from_db()
    assert scene.plan.status == Plan.Status.PAUSED


def test_a_red_flag_reported_before_the_plan_is_active_pauses_it_on_activation(
    scene: Scene, clinician: Clinician
) -> None:
    Plan.objects.filter(pk=scene.plan.pk).update(status=Plan.Status.DRAFT, current_phase=None)
    checkin = _checkin(scene.patient, red_flags=["rerupture"])
    assert not PlanHold.objects.exists()  # no plan in care: only the alert
    plan = holds.plan_activate(plan=scene.plan, activated_by=clinician.user)
    assert plan.status == Plan.Status.PAUSED
    hold = PlanHold.objects.get()
    assert (hold.plan_id, hold.checkin, hold.flags) == (plan.pk, checkin, ["rerupture"])
    _assert_a_tick_is_refused(scene)
    holds.plan_resume(plan=plan, by=clinician.user, note="Thompson test negative", reviewed=_open())
    plan.refresh_from_db()
    assert plan.status == Plan.Status.ACTIVE


def test_activation_without_unreviewed_red_flags_is_active(
    scene: Scene, clinician: Clinician
) -> None:
    _checkin(scene.patient, red_flags=["dvt"])
    holds.plan_resume(plan=scene.plan, by=clinician.user, note="Scan clear", reviewed=_open())
    Plan.objects.filter(pk=scene.plan.pk).update(status=Plan.Status.COMPLETED)
    draft = factories.PlanFactory.create(patient=scene.patient, status=Plan.Status.DRAFT)
    factories.PlanPhaseFactory.create(plan=draft)
    assert holds.plan_activate(plan=draft, activated_by=clinician.user).status == "active"


def test_resuming_needs_a_note_and_records_who_and_when(scene: Scene, clinician: Clinician) -> None:
    _checkin(scene.patient, red_flags=["rerupture"])
    with pytest.raises(ValidationError):
        holds.plan_resume(plan=scene.plan, by=clinician.user, note="   ", reviewed=_open())
    scene.plan.refresh_from_db()
    assert scene.plan.status == Plan.Status.PAUSED
    hold = holds.plan_resume(
        plan=scene.plan, by=clinician.user, note="Seen in clinic: intact", reviewed=_open()
    )
    assert (hold.resumed_by, hold.resume_note) == (clinician.user, "Seen in clinic: intact")
    assert hold.resumed_at is not None
    scene.plan.refresh_from_db()
    assert scene.plan.status == Plan.Status.ACTIVE
    alert = Alert.objects.get(kind=Alert.Kind.RED_FLAG)
    assert alert.acknowledged_by == clinician.user
    with pytest.raises(ValidationError, match="not paused"):
        holds.plan_resume(plan=scene.plan, by=clinician.user, note="again", reviewed=_open())


def test_high_pain_on_a_log_names_the_exercise(scene: Scene) -> None:
    rx = Prescription.objects.select_related("phase__plan", "exercise").get(pk=scene.current_rx.pk)
    services.log_record(patient=scene.patient, prescription=rx, client_uuid=uuid.uuid4(), pain=8)
    alert = Alert.objects.get()
    assert "Toe curls" in alert.message
    assert alert.log is not None


def test_the_red_flag_alert_is_in_clinician_words(scene: Scene) -> None:
    _checkin(scene.patient, red_flags=["dvt"])
    assert Alert.objects.get().message.startswith("Suspected DVT")


# --- Problem 3: only what the patient said -------------------------------------------------


def test_a_red_flag_question_not_asked_is_stored_as_not_asked(scene: Scene) -> None:
    # Without surgery the wound's question is not asked: not a "no" nobody said.
    assert scene.patient.surgery_date is None
    checkin = _checkin(scene.patient, red_flags=["dvt"])
    checkin.refresh_from_db()
    assert checkin.flag_dvt is True
    assert (checkin.flag_pe, checkin.flag_circulation, checkin.flag_rerupture) == (False,) * 3
    assert checkin.flag_wound is None


def test_an_unanswered_pain_at_rest_is_stored_as_nothing(scene: Scene) -> None:
    checkin = _checkin(scene.patient, pain_at_rest=None)
    checkin.refresh_from_db()
    assert checkin.pain_at_rest is None
    assert not Alert.objects.exists()


# --- Problem 8: discharged and future ------------------------------------------------------


def test_a_discharged_patient_cannot_log_check_in_or_answer_the_atrs(scene: Scene) -> None:
    patient_services.patient_discharge(patient=scene.patient)
    scene.patient.refresh_from_db()
    rx = Prescription.objects.select_related("phase__plan").get(pk=scene.current_rx.pk)
    for attempt in (
        lambda: services.log_record(
            patient=scene.patient, prescription=rx, client_uuid=uuid.uuid4()
        ),
        lambda: _checkin(scene.patient, red_flags=["dvt"]),
        lambda: services.atrs_record(
            patient=scene.patient,
            client_uuid=uuid.uuid4(),
            items={f"item_{n}": 5 for n in range(1, 11)},
        ),
    ):
        with pytest.raises(ValidationError, match="Your care here has ended"):
            attempt()
    assert not CheckIn.objects.exists()
    assert not Alert.objects.exists()


def test_an_exercise_of_a_phase_that_has_not_started_cannot_be_ticked(scene: Scene) -> None:
    rx = Prescription.objects.select_related("phase__plan").get(pk=scene.safe_rx.pk)
    with pytest.raises(ValidationError) as excinfo:
        services.log_record(patient=scene.patient, prescription=rx, client_uuid=uuid.uuid4())
    assert excinfo.value.message_dict["prescription"]
    assert not ExerciseLog.objects.exists()
    yesterday = scene.patient.local_today() - dt.timedelta(days=1)
    with pytest.raises(ValidationError):
        services.log_record(
            patient=scene.patient, prescription=rx, client_uuid=uuid.uuid4(), date=yesterday
        )


def test_a_paused_plan_has_no_exercises_waiting_for_a_reminder(scene: Scene) -> None:
    day = scene.patient.local_today()
    assert exercises_waiting(scene.patient, day)
    _checkin(scene.patient, red_flags=["circulation"])
    assert not exercises_waiting(scene.patient, day)
