"""The rehab models' rules, checked by full_clean() and by the database itself."""

from __future__ import annotations

import datetime as dt
import uuid
from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.db.models import ProtectedError

from core.validators import validate_visible
from rehab import measures
from rehab.models import (
    Equipment,
    Exercise,
    ExerciseLog,
    Measurement,
    Plan,
    PlanPhase,
    Prescription,
    Protocol,
    ProtocolPhase,
)
from tests import factories

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize(
    ("field", "value"),
    [
        ("sets", 0),
        ("sets", 21),
        ("reps", 0),
        ("reps", 101),
        ("hold_seconds", 0),
        ("hold_seconds", 601),
        ("times_per_day", 0),
        ("times_per_day", 11),
        ("days_per_week", 0),
        ("days_per_week", 8),
    ],
)
def test_dose_out_of_range_is_refused_with_a_message_and_by_the_database(
    field: str, value: int
) -> None:
    rx = factories.PrescriptionFactory()
    setattr(rx, field, value)
    with pytest.raises(ValidationError) as excinfo:
        rx.full_clean()
    assert field in excinfo.value.message_dict
    assert excinfo.value.message_dict[field][0]  # a readable message, e.g. "…less than or equal"
    with pytest.raises(IntegrityError), transaction.atomic():
        Prescription.objects.filter(pk=rx.pk).update(**{field: value})


def test_dose_needs_reps_or_hold() -> None:
    rx = factories.PrescriptionFactory.create()
    rx.reps = None
    rx.hold_seconds = None
    with pytest.raises(ValidationError, match="repetitions, a hold time or a duration"):
        rx.full_clean()
    with pytest.raises(IntegrityError), transaction.atomic():
        Prescription.objects.filter(pk=rx.pk).update(reps=None, hold_seconds=None)


@pytest.mark.parametrize("field", ["pain", "effort"])
@pytest.mark.parametrize("value", [11, 99])
def test_pain_and_effort_above_ten_are_refused(field: str, value: int) -> None:
    log = factories.ExerciseLogFactory()
    setattr(log, field, value)
    with pytest.raises(ValidationError) as excinfo:
        log.full_clean()
    assert field in excinfo.value.message_dict
    with pytest.raises(IntegrityError), transaction.atomic():
        ExerciseLog.objects.filter(pk=log.pk).update(**{field: value})


def test_second_log_with_same_client_uuid_is_refused_by_the_database() -> None:
    client_uuid = uuid.uuid4()
    first = factories.ExerciseLogFactory(client_uuid=client_uuid)
    with pytest.raises(IntegrityError), transaction.atomic():
        factories.ExerciseLogFactory(prescription=first.prescription, client_uuid=client_uuid)
    assert ExerciseLog.objects.filter(client_uuid=client_uuid).count() == 1


def test_one_active_plan_per_patient_in_the_database() -> None:
    plan = factories.PlanFactory(status=Plan.Status.ACTIVE)
    factories.PlanFactory(patient=plan.patient, status=Plan.Status.DRAFT)
    factories.PlanFactory(patient=plan.patient, status=Plan.Status.COMPLETED)
    with pytest.raises(IntegrityError), transaction.atomic():
        factories.PlanFactory(patient=plan.patient, status=Plan.Status.ACTIVE)


def test_phase_end_week_must_be_after_start_week() -> None:
    phase = factories.PlanPhaseFactory(start_week=4, end_week=6)
    phase.end_week = 3
    with pytest.raises(ValidationError) as excinfo:
        phase.full_clean()
    assert "end_week" in excinfo.value.message_dict
    with pytest.raises(IntegrityError), transaction.atomic():
        PlanPhase.objects.filter(pk=phase.pk).update(end_week=4)


def test_phase_dates_follow_the_plan_anchor() -> None:
    phase = factories.PlanPhaseFactory(
        plan__anchor_date=dt.date(2026, 3, 2), start_week=2, end_week=6
    )
    assert phase.start_date == dt.date(2026, 3, 16)
    assert phase.end_date == dt.date(2026, 4, 12)


def test_logged_prescription_cannot_be_deleted() -> None:
    log = factories.ExerciseLogFactory()
    with pytest.raises(ProtectedError):
        log.prescription.delete()
    with pytest.raises(ProtectedError):
        log.prescription.phase.delete()


def test_atrs_total_must_equal_the_sum_of_items() -> None:
    response = factories.AtrsResponseFactory()
    assert response.compute_total() == 50
    with pytest.raises(IntegrityError), transaction.atomic():
        factories.AtrsResponseFactory(total=99)


def test_atrs_item_out_of_range_is_refused() -> None:
    response = factories.AtrsResponseFactory.build(patient=factories.PatientFactory(), item_3=11)
    with pytest.raises(ValidationError) as excinfo:
        response.full_clean()
    assert "item_3" in excinfo.value.message_dict


def test_checkin_once_a_day() -> None:
    checkin = factories.CheckInFactory()
    with pytest.raises(IntegrityError), transaction.atomic():
        factories.CheckInFactory(patient=checkin.patient, date=checkin.date)


def test_measurement_limb_symmetry_index() -> None:
    measurement = factories.MeasurementFactory(
        heel_rise_reps_injured=17, heel_rise_reps_uninjured=20
    )
    assert measurement.heel_rise_lsi == 85.0
    assert Measurement(heel_rise_reps_injured=5).heel_rise_lsi is None


def test_a_measurement_lists_the_values_it_recorded_in_the_models_order() -> None:
    """Each value given, by its label; nothing unrecorded and none of the record's other fields
    (who, when, where, the note)."""
    measurement = factories.MeasurementFactory(
        heel_rise_reps_injured=17,
        heel_rise_reps_uninjured=None,
        calf_cm_injured=Decimal("36.5"),
        atra_deg_injured=-10,
        toe_walk_5m=False,
        note="Tired today.",
        at_home=True,
        recorded_by=factories.UserFactory(),
    )
    measurement.refresh_from_db()
    assert measurement.recorded_values() == [
        ("Single-leg heel rises, injured side (reps)", 17),
        ("Achilles tendon resting angle (ATRA), injured side (°)", -10),
        ("Calf circumference, injured side (cm)", Decimal("36.5")),
        ("Walks 5 m on the toes", False),
    ]


def test_a_measurements_value_fields_are_the_measures_definitions_in_their_order() -> None:
    """``recorded_values`` lists ``measures.VALUE_FIELDS``: every value field of the model,
    made from them in the same order; the model's other fields are the record's own."""
    names = [f.name for f in Measurement._meta.concrete_fields]
    values = [name for name in names if name in measures.VALUE_FIELDS]
    assert values == list(measures.VALUE_FIELDS)
    assert set(names) - set(values) == {
        "id",
        "patient",
        "date",
        "recorded_by",
        "note",
        "at_home",
        "client_uuid",
        "created_at",
    }


def test_empty_measurement_is_refused_by_the_database() -> None:
    with pytest.raises(IntegrityError), transaction.atomic():
        factories.MeasurementFactory(heel_rise_reps_injured=None, heel_rise_reps_uninjured=None)


def test_exercise_video_link_starts_at_the_time() -> None:
    exercise = factories.ExerciseFactory(
        video_url="https://www.youtube.com/watch?v=abc", video_start_seconds=95
    )
    assert exercise.video_link == "https://www.youtube.com/watch?v=abc&t=95"
    exercise.video_start_seconds = 0
    assert exercise.video_link == "https://www.youtube.com/watch?v=abc"


def test_exercise_earliest_week_per_pathway() -> None:
    exercise = factories.ExerciseFactory(earliest_week_operative=8, earliest_week_non_operative=12)
    assert exercise.earliest_week_for("operative") == 8
    assert exercise.earliest_week_for("non_operative") == 12


def test_exercise_cannot_progress_to_itself() -> None:
    exercise = factories.ExerciseFactory()
    exercise.progresses_to = exercise
    with pytest.raises(ValidationError):
        exercise.full_clean()
    with pytest.raises(IntegrityError), transaction.atomic():
        Exercise.objects.filter(pk=exercise.pk).update(progresses_to=exercise)


def test_dose_text_reads_like_a_prescription() -> None:
    hold = factories.PrescriptionFactory(sets=3, reps=None, hold_seconds=30)
    reps = factories.PrescriptionFactory(sets=2, reps=10, times_per_day=3, days_per_week=5)
    assert hold.dose_text() == "3 × 30 s hold"
    assert reps.dose_text() == "2 sets × 10 reps, 3 times a day, 5 days a week"
    single = factories.PrescriptionFactory(sets=1, reps=10, days_per_week=1)
    assert single.dose_text() == "10 reps, 1 day a week"


def test_the_patients_dose_says_seconds_in_words() -> None:
    """Patients read plain words: "30 s hold" is the clinician's shorthand. The patient's
    dose says seconds; the clinician's is unchanged (above)."""
    hold = factories.PrescriptionFactory(sets=3, reps=None, hold_seconds=30)
    assert hold.patient_dose_text() == "3 holds of 30 seconds"
    one = factories.PrescriptionFactory(sets=1, reps=None, hold_seconds=1, times_per_day=2)
    assert one.patient_dose_text() == "1 hold of 1 second, 2 times a day"
    held_reps = factories.PrescriptionFactory(sets=2, reps=10, hold_seconds=5)
    assert held_reps.patient_dose_text() == "2 sets × 10 reps, hold each for 5 seconds"
    held_once = factories.PrescriptionFactory(sets=1, reps=10, hold_seconds=5)
    assert held_once.patient_dose_text() == "10 reps, hold each for 5 seconds"
    assert held_reps.dose_text() == "2 × 10 reps, hold 5 s"
    reps = factories.PrescriptionFactory(sets=2, reps=10, times_per_day=3, days_per_week=5)
    assert reps.patient_dose_text() == reps.dose_text()  # nothing shortened to say otherwise


def test_a_shared_template_holds_only_shared_exercises() -> None:
    clinic = factories.ClinicFactory()
    shared_phase = factories.ProtocolPhaseFactory(protocol=factories.ProtocolFactory(clinic=None))
    own_phase = factories.ProtocolPhaseFactory(protocol=factories.ProtocolFactory(clinic=clinic))
    clinics_own = factories.ExerciseFactory(name="Our balance", clinic=clinic)
    item = factories.ProtocolItemFactory.build(phase=shared_phase, exercise=clinics_own, order=1)
    with pytest.raises(ValidationError) as excinfo:
        item.full_clean()
    assert "a shared template" in excinfo.value.message_dict["exercise"][0]
    # A clinic's template: the clinic's own and shared ones, never another clinic's.
    factories.ProtocolItemFactory.build(phase=own_phase, exercise=clinics_own, order=1).full_clean()
    factories.ProtocolItemFactory.build(
        phase=own_phase, exercise=factories.ExerciseFactory(clinic=None), order=2
    ).full_clean()
    other = factories.ExerciseFactory(clinic=factories.ClinicFactory())
    item = factories.ProtocolItemFactory.build(phase=own_phase, exercise=other, order=3)
    with pytest.raises(ValidationError) as excinfo:
        item.full_clean()
    assert "another clinic's own exercise" in excinfo.value.message_dict["exercise"][0]


@pytest.mark.parametrize(
    ("model", "field"),
    [
        (Exercise, "name"),
        (Exercise, "patient_name"),
        (Equipment, "name"),
        (Protocol, "name"),
        (Plan, "name"),
        (ProtocolPhase, "name"),
        (ProtocolPhase, "patient_name"),
        (PlanPhase, "name"),
        (PlanPhase, "patient_name"),
    ],
)
def test_the_names_people_read_need_a_visible_character(model: type, field: str) -> None:
    """On the model field: every ModelForm, ModelSerializer, the admin and ``full_clean`` in
    the services check it."""
    assert validate_visible in model._meta.get_field(field).validators
