"""rehab.services.logbook.ticks: a patient's exercise ticks, logged, changed and undone."""

from __future__ import annotations

import datetime as dt
import uuid
from typing import Any

import pytest
import time_machine
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction

from clinic.models import Patient
from rehab import services
from rehab.models import Alert, ExerciseLog, Plan, Prescription
from rehab.selectors.today import prescription_to_log
from tests import factories
from tests.rehab.services.conftest import NOW

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("frozen_clock")]


@pytest.fixture
def rx(patient: Patient) -> Prescription:
    return factories.prescribed(patient)


# --- log_record -----------------------------------------------------------------------------


def test_log_record_stores_a_tick(patient: Patient, rx: Prescription) -> None:
    client_uuid = uuid.uuid4()
    log, created = services.log_record(
        patient=patient, prescription=rx, client_uuid=client_uuid, sets_done=2, pain=3, effort=4
    )
    assert created
    assert (log.date, log.sets_done, log.pain, log.effort) == (dt.date(2025, 3, 10), 2, 3, 4)
    assert log.client_uuid == client_uuid
    assert not Alert.objects.exists()


def test_the_same_uuid_twice_makes_one_row_and_returns_the_stored_one(
    patient: Patient, rx: Prescription
) -> None:
    client_uuid = uuid.uuid4()
    first, created = services.log_record(
        patient=patient, prescription=rx, client_uuid=client_uuid, sets_done=1
    )
    again, created_again = services.log_record(
        patient=patient, prescription=rx, client_uuid=client_uuid, sets_done=3, pain=9
    )
    assert created
    assert not created_again
    assert again.pk == first.pk
    assert again.sets_done == 1  # the stored row, unchanged
    assert ExerciseLog.objects.count() == 1
    assert not Alert.objects.exists()


def test_a_retry_after_the_plan_changed_returns_the_stored_tick(
    patient: Patient, rx: Prescription
) -> None:
    """The phone retries a tick the server stored after the plan was completed (or the
    exercise retired): the answer is the stored row, not an error the patient cannot fix."""
    client_uuid = uuid.uuid4()
    first, _created = services.log_record(patient=patient, prescription=rx, client_uuid=client_uuid)
    rx.retired_at = NOW
    rx.save()
    again, created = services.log_record(patient=patient, prescription=rx, client_uuid=client_uuid)
    assert (again.pk, created) == (first.pk, False)
    with pytest.raises(ValidationError, match="not part of your active plan"):
        services.log_record(patient=patient, prescription=rx, client_uuid=uuid.uuid4())


def test_another_patients_uuid_is_refused(patient: Patient, other_patient: Patient) -> None:
    client_uuid = uuid.uuid4()
    services.log_record(
        patient=patient, prescription=factories.prescribed(patient), client_uuid=client_uuid
    )
    with pytest.raises(ValidationError) as excinfo:
        services.log_record(
            patient=other_patient,
            prescription=factories.prescribed(other_patient),
            client_uuid=client_uuid,
        )
    assert "client_uuid" in excinfo.value.message_dict
    assert ExerciseLog.objects.count() == 1


def test_a_future_date_is_refused(patient: Patient, rx: Prescription) -> None:
    with pytest.raises(ValidationError, match="future"):
        services.log_record(
            patient=patient,
            prescription=rx,
            client_uuid=uuid.uuid4(),
            date=dt.date(2025, 3, 11),
        )
    assert not ExerciseLog.objects.exists()


def test_a_past_date_within_the_plan_is_accepted_before_it_is_refused(
    patient: Patient, rx: Prescription
) -> None:
    anchor = rx.phase.plan.anchor_date
    # Prescribed on the day the plan starts: its days are the plan's.
    _prescribed_on(rx, dt.datetime.combine(anchor, dt.time(9), tzinfo=dt.UTC))
    log, _ = services.log_record(
        patient=patient, prescription=rx, client_uuid=uuid.uuid4(), date=anchor
    )
    assert log.date == anchor
    with pytest.raises(ValidationError, match="before your plan started"):
        services.log_record(
            patient=patient,
            prescription=rx,
            client_uuid=uuid.uuid4(),
            date=anchor - dt.timedelta(days=1),
        )
    assert ExerciseLog.objects.count() == 1


def _prescribed_on(rx: Prescription, when: dt.datetime) -> None:
    Prescription.objects.filter(pk=rx.pk).update(created_at=when)
    rx.refresh_from_db()


def test_a_day_before_the_exercise_was_prescribed_is_refused(
    patient: Patient, rx: Prescription
) -> None:
    """The plan started weeks ago, but this exercise was added to it today: a tick of
    yesterday says it was done before the patient was given it."""
    yesterday = patient.local_today() - dt.timedelta(days=1)
    assert rx.phase.plan.anchor_date < yesterday
    with pytest.raises(ValidationError) as excinfo:
        services.log_record(
            patient=patient, prescription=rx, client_uuid=uuid.uuid4(), date=yesterday
        )
    assert excinfo.value.message_dict == {
        "date": ["This exercise was not in your plan yet on that day; choose a later day."]
    }
    assert excinfo.value.error_dict["date"][0].code == "before_prescribed"
    assert not ExerciseLog.objects.exists()
    # The day it was prescribed is the first day it can be ticked.
    log, created = services.log_record(patient=patient, prescription=rx, client_uuid=uuid.uuid4())
    assert (log.date, created) == (patient.local_today(), True)


def test_the_day_an_exercise_was_prescribed_is_the_patients() -> None:
    """The day an exercise was prescribed is the patient's day, not UTC's: at 02:00 UTC on
    10 March it is still 9 March in Los Angeles; at 20:00 UTC on 9 March it is already
    10 March in Auckland."""
    ninth, tenth = dt.date(2025, 3, 9), dt.date(2025, 3, 10)
    angeleno = factories.PatientFactory(timezone="America/Los_Angeles")
    la_rx = factories.prescribed(angeleno)
    _prescribed_on(la_rx, dt.datetime(2025, 3, 10, 2, 0, tzinfo=dt.UTC))
    log, _ = services.log_record(
        patient=angeleno, prescription=la_rx, client_uuid=uuid.uuid4(), date=ninth
    )
    assert log.date == ninth

    kiwi = factories.PatientFactory(timezone="Pacific/Auckland")
    kiwi_rx = factories.prescribed(kiwi)
    _prescribed_on(kiwi_rx, dt.datetime(2025, 3, 9, 20, 0, tzinfo=dt.UTC))
    assert kiwi_rx.phase.plan.anchor_date < ninth
    with pytest.raises(ValidationError, match="not in your plan yet"):
        services.log_record(
            patient=kiwi, prescription=kiwi_rx, client_uuid=uuid.uuid4(), date=ninth
        )
    log, _ = services.log_record(
        patient=kiwi, prescription=kiwi_rx, client_uuid=uuid.uuid4(), date=tenth
    )
    assert log.date == tenth
    assert ExerciseLog.objects.count() == 2


def test_the_date_is_the_patients_local_date() -> None:
    # 23:30 UTC on 10 March is already 11 March, 12:30, in Auckland.
    with time_machine.travel(dt.datetime(2025, 3, 10, 23, 30, tzinfo=dt.UTC), tick=False):
        kiwi = factories.PatientFactory(timezone="Pacific/Auckland")
        londoner = factories.PatientFactory(timezone="Europe/London")
        kiwi_rx = factories.prescribed(kiwi)
        log, _ = services.log_record(patient=kiwi, prescription=kiwi_rx, client_uuid=uuid.uuid4())
        assert log.date == dt.date(2025, 3, 11)
        services.log_record(
            patient=kiwi,
            prescription=kiwi_rx,
            client_uuid=uuid.uuid4(),
            date=dt.date(2025, 3, 11),
        )
        with pytest.raises(ValidationError, match="future"):
            services.log_record(
                patient=londoner,
                prescription=factories.prescribed(londoner),
                client_uuid=uuid.uuid4(),
                date=dt.date(2025, 3, 11),
            )


def test_another_patients_prescription_is_refused(patient: Patient, other_patient: Patient) -> None:
    theirs = factories.prescribed(other_patient)
    with pytest.raises(ValidationError, match="not part of your active plan"):
        services.log_record(patient=patient, prescription=theirs, client_uuid=uuid.uuid4())
    assert not ExerciseLog.objects.exists()


@pytest.mark.parametrize("status", [Plan.Status.DRAFT, Plan.Status.COMPLETED])
def test_a_prescription_outside_the_active_plan_is_refused(
    patient: Patient, rx: Prescription, status: str
) -> None:
    Plan.objects.filter(pk=rx.phase.plan_id).update(status=status)
    rx.refresh_from_db()
    with pytest.raises(ValidationError, match="not part of your active plan"):
        services.log_record(patient=patient, prescription=rx, client_uuid=uuid.uuid4())


def test_a_retired_prescription_is_refused(patient: Patient, rx: Prescription) -> None:
    rx.retired_at = NOW
    rx.save()
    with pytest.raises(ValidationError, match="not part of your active plan"):
        services.log_record(patient=patient, prescription=rx, client_uuid=uuid.uuid4())


def test_a_late_tick_of_a_day_before_the_exercise_was_retired_is_stored(
    patient: Patient, rx: Prescription
) -> None:
    """The phone was offline yesterday; this morning the physiotherapist took the exercise
    out of the plan (retired: it had logs). Yesterday's tick, sent now, says what was done on a
    day it was prescribed: it is stored (a record of the past), today's is refused."""
    week_ago = NOW - dt.timedelta(days=7)
    Prescription.objects.filter(pk=rx.pk).update(created_at=week_ago)
    factories.ExerciseLogFactory(prescription=rx, date=dt.date(2025, 3, 7))
    services.prescription_remove(prescription=rx)
    rx = Prescription.objects.select_related("phase__plan").get(pk=rx.pk)
    assert rx.retired_at is not None
    log, created = services.log_record(
        patient=patient, prescription=rx, client_uuid=uuid.uuid4(), date=dt.date(2025, 3, 9)
    )
    assert created
    assert (log.prescription_id, log.date) == (rx.pk, dt.date(2025, 3, 9))
    with pytest.raises(ValidationError, match="not part of your active plan"):
        services.log_record(patient=patient, prescription=rx, client_uuid=uuid.uuid4())
    assert ExerciseLog.objects.filter(prescription=rx).count() == 2


@pytest.mark.parametrize(("field", "value"), [("pain", 11), ("effort", 11), ("sets_done", 21)])
def test_out_of_range_values_are_refused(
    patient: Patient, rx: Prescription, field: str, value: int
) -> None:
    with pytest.raises(ValidationError) as excinfo:
        services.log_record(
            patient=patient, prescription=rx, client_uuid=uuid.uuid4(), **{field: value}
        )
    assert field in excinfo.value.message_dict
    assert not ExerciseLog.objects.exists()


def test_a_value_only_the_database_refuses_is_still_explained(
    patient: Patient, rx: Prescription, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Validation on the way in leaves the check constraints to the database; should a field's
    validators ever miss what its constraint refuses, the answer names the rule the row broke
    (not "id already in use") and nothing is stored."""
    monkeypatch.setattr(ExerciseLog._meta.get_field("pain"), "validators", [])
    with pytest.raises(ValidationError) as excinfo:
        services.log_record(patient=patient, prescription=rx, client_uuid=uuid.uuid4(), pain=11)
    assert "client_uuid" not in excinfo.value.message_dict
    assert "rehab_exerciselog_pain_range" in str(excinfo.value)
    assert ExerciseLog.objects.count() == 0


def test_a_tick_costs_one_insert(
    patient: Patient, rx: Prescription, django_assert_num_queries: Any
) -> None:
    """The patient's hottest write makes no validation query (the prescription and the
    patient were just read by the caller, the check constraints are the database's) and no
    lookup for a retry (the unique client id finds one)."""
    patient = Patient.objects.get(pk=patient.pk)
    # Read as the page and the API read it (with its exercise's category: advice is refused).
    read = prescription_to_log(patient, rx.pk)
    assert read is not None
    rx = read
    with django_assert_num_queries(5):
        # The service's transaction (a savepoint inside the tests' own) and the INSERT's
        # savepoint (a repeat refused by the unique id leaves the service's transaction
        # usable): 1-2 SAVEPOINT, 3 INSERT, 4-5 RELEASE SAVEPOINT.
        services.log_record(patient=patient, prescription=rx, client_uuid=uuid.uuid4())


def _saves_in_a_transaction(monkeypatch: pytest.MonkeyPatch) -> list[bool]:
    """Whether each ExerciseLog saved from now on was saved inside a transaction."""
    seen: list[bool] = []
    original = ExerciseLog.save

    def save(self: ExerciseLog, *args: Any, **kwargs: Any) -> None:
        seen.append(transaction.get_connection().in_atomic_block)
        original(self, *args, **kwargs)

    monkeypatch.setattr(ExerciseLog, "save", save)
    return seen


@pytest.mark.django_db(transaction=True)
def test_a_tick_is_written_in_a_transaction_with_its_alert(
    patient: Patient, rx: Prescription, monkeypatch: pytest.MonkeyPatch
) -> None:
    in_transaction = _saves_in_a_transaction(monkeypatch)
    services.log_record(patient=patient, prescription=rx, client_uuid=uuid.uuid4(), pain=3)
    services.log_record(patient=patient, prescription=rx, client_uuid=uuid.uuid4(), pain=8)
    assert in_transaction == [True, True]
    assert ExerciseLog.objects.count() == 2
    assert Alert.objects.get().log == ExerciseLog.objects.get(pain=8)


@pytest.mark.django_db(transaction=True)
def test_a_repeated_tick_outside_a_transaction_returns_the_stored_row(
    patient: Patient, rx: Prescription, other_patient: Patient
) -> None:
    """The unique client id refuses the repeat's INSERT; the connection is fine
    afterwards, and another patient's id is refused without storing anything."""
    client_uuid = uuid.uuid4()
    first, created = services.log_record(patient=patient, prescription=rx, client_uuid=client_uuid)
    again, created_again = services.log_record(
        patient=patient, prescription=rx, client_uuid=client_uuid
    )
    assert (created, created_again, again.pk) == (True, False, first.pk)
    other_rx = factories.prescribed(other_patient)
    with pytest.raises(ValidationError) as excinfo:
        services.log_record(patient=other_patient, prescription=other_rx, client_uuid=client_uuid)
    assert "client_uuid" in excinfo.value.message_dict
    assert list(ExerciseLog.objects.values_list("patient_id", flat=True)) == [patient.pk]


@pytest.mark.parametrize("error", [RuntimeError, IntegrityError])
def test_a_tick_and_its_alert_are_stored_together_or_not_at_all(
    patient: Patient, rx: Prescription, monkeypatch: pytest.MonkeyPatch, error: type[Exception]
) -> None:
    """And a database error that is not about the client id is not reported as one."""

    def fail(**_kwargs: object) -> None:
        raise error

    monkeypatch.setattr(Alert.objects, "create", fail)
    with pytest.raises(error):
        services.log_record(patient=patient, prescription=rx, client_uuid=uuid.uuid4(), pain=9)
    assert not ExerciseLog.objects.exists()


def test_pain_of_seven_raises_an_alert(patient: Patient, rx: Prescription) -> None:
    log, _ = services.log_record(patient=patient, prescription=rx, client_uuid=uuid.uuid4(), pain=7)
    alert = Alert.objects.get()
    assert (alert.kind, alert.log, alert.patient) == (Alert.Kind.HIGH_PAIN, log, patient)
    assert "7/10" in alert.message


# --- log_update and log_undo ----------------------------------------------------------------


def test_log_update_changes_todays_log(patient: Patient, rx: Prescription) -> None:
    log = factories.ExerciseLogFactory(prescription=rx, pain=None, effort=None, sets_done=1)
    services.log_update(log=log, sets_done=3, pain=2, effort=6, note="Fine")
    log.refresh_from_db()
    assert (log.sets_done, log.pain, log.effort, log.note) == (3, 2, 6, "Fine")


def test_log_update_refuses_yesterdays_log(patient: Patient, rx: Prescription) -> None:
    log = factories.ExerciseLogFactory(prescription=rx, date=dt.date(2025, 3, 9), pain=1)
    with pytest.raises(ValidationError, match="Only today's"):
        services.log_update(log=log, pain=5)
    log.refresh_from_db()
    assert log.pain == 1


def test_log_update_refuses_other_fields_and_bad_values(rx: Prescription) -> None:
    log = factories.ExerciseLogFactory(prescription=rx, pain=1)
    with pytest.raises(ValidationError, match="cannot be changed"):
        services.log_update(log=log, date=dt.date(2025, 3, 1))
    with pytest.raises(ValidationError):
        services.log_update(log=log, pain=11)
    log.refresh_from_db()
    assert log.pain == 1


def test_log_update_raises_one_alert_per_crossing_of_the_threshold(rx: Prescription) -> None:
    log = factories.ExerciseLogFactory(prescription=rx, pain=2)
    services.log_update(log=log, pain=8)
    services.log_update(log=log, pain=9)
    assert Alert.objects.count() == 1
    services.log_update(log=log, pain=3)
    services.log_update(log=log, pain=7)
    assert Alert.objects.count() == 2


def test_log_update_and_its_alert_are_stored_together_or_not_at_all(
    rx: Prescription, monkeypatch: pytest.MonkeyPatch
) -> None:
    log = factories.ExerciseLogFactory(prescription=rx, pain=2)

    def fail(**_kwargs: object) -> None:
        raise RuntimeError

    monkeypatch.setattr(Alert.objects, "create", fail)
    with pytest.raises(RuntimeError):
        services.log_update(log=log, pain=9)
    log.refresh_from_db()
    assert log.pain == 2  # so the next 9 still raises its alert


def test_log_undo_deletes_todays_log_and_keeps_its_alert(rx: Prescription) -> None:
    log = factories.ExerciseLogFactory(prescription=rx)
    alert = factories.AlertFactory(patient=log.patient, log=log)
    services.log_undo(log=log)
    assert not ExerciseLog.objects.exists()
    alert.refresh_from_db()
    assert alert.log is None


def test_log_undo_refuses_an_earlier_day(rx: Prescription) -> None:
    log = factories.ExerciseLogFactory(prescription=rx, date=dt.date(2025, 3, 9))
    with pytest.raises(ValidationError, match="Only today's"):
        services.log_undo(log=log)
    assert ExerciseLog.objects.filter(pk=log.pk).exists()
