"""What patients log: ticks, check-ins, ATRS; and what the clinic records or requests."""

from __future__ import annotations

import datetime as dt
import threading
import uuid
from decimal import Decimal
from typing import Any

import pytest
import time_machine
from django.core.exceptions import ValidationError
from django.db import IntegrityError, connection, transaction

from clinic.models import Clinician, Patient
from rehab import clinical, services
from rehab.models import (
    Alert,
    AtrsRequest,
    AtrsResponse,
    CheckIn,
    CheckInSubmission,
    ExerciseLog,
    Measurement,
    Plan,
    PlanHold,
    Prescription,
)
from rehab.services import holds
from rehab.services import logbook as logbook_services
from tests import factories
from tests.threads import in_threads

pytestmark = pytest.mark.django_db

NOW = dt.datetime(2025, 3, 10, 12, 0, tzinfo=dt.UTC)


@pytest.fixture(autouse=True)
def _frozen() -> object:
    with time_machine.travel(NOW, tick=False) as traveller:
        yield traveller


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
    rx = Prescription.objects.select_related("phase__plan").get(pk=rx.pk)
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


# --- checkin_record -------------------------------------------------------------------------


def test_checkin_with_red_flags_raises_one_alert_per_flag(patient: Patient) -> None:
    checkin, created = services.checkin_record(
        patient=patient,
        client_uuid=uuid.uuid4(),
        pain_at_rest=2,
        swelling="mild",
        red_flags=["dvt", "rerupture"],
    )
    assert created
    assert checkin.flag_dvt
    assert checkin.flag_rerupture
    assert not checkin.flag_pe
    assert sorted(Alert.objects.values_list("code", flat=True)) == ["dvt", "rerupture"]
    assert {a.kind for a in Alert.objects.all()} == {Alert.Kind.RED_FLAG}


def test_checkin_high_pain_raises_an_alert(patient: Patient) -> None:
    services.checkin_record(
        patient=patient, client_uuid=uuid.uuid4(), pain_at_rest=7, swelling="none"
    )
    alert = Alert.objects.get()
    assert alert.kind == Alert.Kind.HIGH_PAIN


def test_red_flag_questions_not_asked_stay_unanswered(patient: Patient) -> None:
    # No ``red_flags`` at all: the client did not ask them; none is stored as a "no".
    checkin, _ = services.checkin_record(
        patient=patient, client_uuid=uuid.uuid4(), pain_at_rest=2, swelling="mild"
    )
    answers = {getattr(checkin, f"flag_{code}") for code in clinical.RED_FLAG_CODES}
    assert answers == {None}
    # Asked later that day: answered; asked no more after that, the answers stay.
    services.checkin_record(
        patient=patient, client_uuid=uuid.uuid4(), pain_at_rest=2, swelling="mild", red_flags=[]
    )
    services.checkin_record(
        patient=patient, client_uuid=uuid.uuid4(), pain_at_rest=3, swelling="mild"
    )
    checkin.refresh_from_db()
    assert (checkin.flag_dvt, checkin.flag_pe, checkin.pain_at_rest) == (False, False, 3)
    assert not Alert.objects.filter(kind=Alert.Kind.RED_FLAG).exists()


def test_the_same_checkin_uuid_twice_makes_one_row_and_one_alert(patient: Patient) -> None:
    client_uuid = uuid.uuid4()
    for _ in range(2):
        services.checkin_record(
            patient=patient,
            client_uuid=client_uuid,
            pain_at_rest=8,
            swelling="severe",
            red_flags=["pe"],
        )
    assert CheckIn.objects.count() == 1
    assert Alert.objects.count() == 2  # the red flag and the pain, once each


def test_a_second_checkin_the_same_day_updates_it(patient: Patient) -> None:
    first, _ = services.checkin_record(
        patient=patient, client_uuid=uuid.uuid4(), pain_at_rest=2, swelling="mild"
    )
    second, created = services.checkin_record(
        patient=patient,
        client_uuid=uuid.uuid4(),
        pain_at_rest=3,
        swelling="moderate",
        red_flags=["wound"],
    )
    assert not created
    assert second.pk == first.pk
    assert (second.pain_at_rest, second.swelling, second.flag_wound) == (3, "moderate", True)
    assert CheckIn.objects.count() == 1
    assert Alert.objects.get().code == "wound"


def _resume_after_review(plan: Plan, clinician: Clinician) -> None:
    """The clinician reviews the red flags waiting and resumes the plan."""
    waiting = list(Alert.objects.red_flags_waiting(plan.patient_id).values_list("pk", flat=True))
    holds.plan_resume(plan=plan, by=clinician.user, note="Phoned: no clot signs.", reviewed=waiting)


def test_a_retried_second_checkin_after_the_review_raises_nothing_again(
    clinician: Clinician, patient: Patient
) -> None:
    """From review: the day's second check-in (a red flag, a new client id) reaches the server
    but its answer is lost; the clinician reviews the flag and resumes the plan; the phone sends
    the same submit again. The day's row kept only the first submit's id, so the retry was
    taken for a new report: a second alert, a second hold, the plan paused again. Every id a
    day's check-in took in is known now: the retry returns the stored check-in, nothing new."""
    plan, _phases = factories.active_plan(patient)
    first, _ = services.checkin_record(
        patient=patient, client_uuid=uuid.uuid4(), pain_at_rest=None, swelling="mild"
    )
    second_uuid = uuid.uuid4()
    second = {"pain_at_rest": None, "swelling": "mild", "red_flags": ["dvt"]}
    stored, _ = services.checkin_record(patient=patient, client_uuid=second_uuid, **second)
    assert stored.pk == first.pk
    plan.refresh_from_db()
    assert plan.status == Plan.Status.PAUSED
    _resume_after_review(plan, clinician)

    again, created = services.checkin_record(patient=patient, client_uuid=second_uuid, **second)
    assert (again.pk, created) == (first.pk, False)
    assert Alert.objects.filter(kind=Alert.Kind.RED_FLAG).count() == 1
    assert PlanHold.objects.filter(plan=plan).count() == 1
    plan.refresh_from_db()
    assert plan.status == Plan.Status.ACTIVE
    assert CheckInSubmission.objects.get().checkin_id == first.pk


def test_a_retried_second_checkin_does_not_undo_a_later_one(patient: Patient) -> None:
    """A retry changes nothing: the day's third answer stays, not the second's resent."""
    services.checkin_record(
        patient=patient, client_uuid=uuid.uuid4(), pain_at_rest=2, swelling="mild"
    )
    second_uuid = uuid.uuid4()
    services.checkin_record(
        patient=patient, client_uuid=second_uuid, pain_at_rest=4, swelling="moderate"
    )
    services.checkin_record(
        patient=patient, client_uuid=uuid.uuid4(), pain_at_rest=1, swelling="none"
    )
    again, created = services.checkin_record(
        patient=patient, client_uuid=second_uuid, pain_at_rest=4, swelling="moderate"
    )
    assert not created
    assert (again.pain_at_rest, again.swelling) == (1, "none")
    assert CheckIn.objects.count() == 1
    assert CheckInSubmission.objects.count() == 2  # the second and the third


def test_a_later_checkin_id_of_another_patient_is_refused(
    patient: Patient, other_patient: Patient
) -> None:
    """An id another patient's check-in took in as a later submit is refused (never said
    whose), as the first submit's id is."""
    services.checkin_record(
        patient=patient, client_uuid=uuid.uuid4(), pain_at_rest=2, swelling="mild"
    )
    later = uuid.uuid4()
    services.checkin_record(patient=patient, client_uuid=later, pain_at_rest=3, swelling="mild")
    with pytest.raises(ValidationError) as excinfo:
        services.checkin_record(
            patient=other_patient, client_uuid=later, pain_at_rest=9, swelling="severe"
        )
    assert excinfo.value.message_dict == {"client_uuid": ["This id is already in use."]}
    assert not CheckIn.objects.filter(patient=other_patient).exists()
    assert not Alert.objects.exists()


@pytest.mark.django_db(transaction=True)
@pytest.mark.skipif(connection.vendor != "postgresql", reason="concurrent writers need PostgreSQL")
@pytest.mark.parametrize("earlier", [False, True], ids=["the-days-first", "a-later-one"])
def test_the_same_checkin_sent_twice_at_once_is_taken_in_once(
    patient: Patient, monkeypatch: pytest.MonkeyPatch, earlier: bool
) -> None:
    """Both requests look the id up before either has stored it; the second then waits for
    the patient's lock and finds the submit taken in by the first (as the day's row, or a
    later submit whose INSERT the unique id refuses): it answers the stored check-in, without
    an error, a second row or a second alert."""
    if earlier:
        services.checkin_record(
            patient=patient, client_uuid=uuid.uuid4(), pain_at_rest=2, swelling="mild"
        )
    client_uuid = uuid.uuid4()
    barrier = threading.Barrier(2, timeout=5)
    original = logbook_services._ensure_in_care

    def looked_up_then_wait(who: Patient) -> None:
        original(who)
        barrier.wait()  # both have looked the id up, neither has taken the lock

    monkeypatch.setattr(logbook_services, "_ensure_in_care", looked_up_then_wait)

    def send() -> tuple[CheckIn, bool]:
        return services.checkin_record(
            patient=patient,
            client_uuid=client_uuid,
            pain_at_rest=8,
            swelling="mild",
            red_flags=["pe"],
        )

    results = in_threads(send, send)
    assert {checkin.pk for checkin, _created in results} == {CheckIn.objects.get().pk}
    assert sorted(created for _checkin, created in results) == [False, not earlier]
    assert CheckInSubmission.objects.count() == (1 if earlier else 0)
    assert Alert.objects.filter(kind=Alert.Kind.RED_FLAG).count() == 1
    assert Alert.objects.filter(kind=Alert.Kind.HIGH_PAIN).count() == 1


def test_a_flag_waiting_for_review_is_not_asked_again_so_not_stored_as_no(
    patient: Patient,
) -> None:
    # Reported yesterday, not reviewed yet: today's check-in shows it reported and locked, so
    # the patient is not asked it and says nothing of it. It is left unanswered, not "no".
    yesterday = patient.local_today() - dt.timedelta(days=1)
    services.checkin_record(
        patient=patient,
        client_uuid=uuid.uuid4(),
        pain_at_rest=None,
        swelling="moderate",
        red_flags=["dvt"],
        date=yesterday,
    )
    today, _ = services.checkin_record(
        patient=patient, client_uuid=uuid.uuid4(), pain_at_rest=1, swelling="mild", red_flags=[]
    )
    assert today.flag_dvt is None
    assert today.flag_pe is False  # asked today, not ticked: "no"
    assert Alert.objects.filter(code="dvt").count() == 1


@pytest.mark.parametrize(
    "kwargs",
    [
        {"pain_at_rest": 11, "swelling": "mild"},
        {"pain_at_rest": 2, "swelling": "huge"},
        {"pain_at_rest": 2, "swelling": "mild", "red_flags": ["headache"]},
        {"pain_at_rest": 2, "swelling": "mild", "date": dt.date(2025, 3, 11)},
    ],
)
def test_bad_checkins_are_refused(patient: Patient, kwargs: dict[str, object]) -> None:
    with pytest.raises(ValidationError):
        services.checkin_record(patient=patient, client_uuid=uuid.uuid4(), **kwargs)
    assert not CheckIn.objects.exists()
    assert not Alert.objects.exists()


# --- atrs_record and atrs_request_create ------------------------------------------------------


def _items(**overrides: int | None) -> dict[str, int]:
    items = {f"item_{n}": n - 1 for n in range(1, 11)}
    items.update(overrides)
    return items


def test_atrs_total_is_computed_on_the_server(patient: Patient) -> None:
    response, created = services.atrs_record(
        patient=patient, client_uuid=uuid.uuid4(), items=_items()
    )
    assert created
    assert response.total == sum(range(10)) == 45
    assert response.date == dt.date(2025, 3, 10)


def test_atrs_same_uuid_twice_is_one_row(patient: Patient) -> None:
    client_uuid = uuid.uuid4()
    services.atrs_record(patient=patient, client_uuid=client_uuid, items=_items())
    _, created = services.atrs_record(patient=patient, client_uuid=client_uuid, items=_items())
    assert not created
    assert AtrsResponse.objects.count() == 1


@pytest.mark.parametrize("overrides", [{"item_3": None}, {"item_10": 11}, {"item_1": -1}])
def test_atrs_missing_or_out_of_range_item_is_refused(
    patient: Patient, overrides: dict[str, int | None]
) -> None:
    with pytest.raises(ValidationError) as excinfo:
        services.atrs_record(patient=patient, client_uuid=uuid.uuid4(), items=_items(**overrides))
    assert next(iter(overrides)) in excinfo.value.message_dict
    assert not AtrsResponse.objects.exists()


def test_an_answer_closes_the_open_request(clinician: object, patient: Patient) -> None:
    request, created = services.atrs_request_create(patient=patient, requested_by=None)
    again, created_again = services.atrs_request_create(patient=patient, requested_by=None)
    assert created
    assert not created_again
    assert again.pk == request.pk
    response, _ = services.atrs_record(patient=patient, client_uuid=uuid.uuid4(), items=_items())
    request.refresh_from_db()
    assert request.response == response
    # The day's answer answers one request: another the same day is refused (its answer would
    # be that same row, which already answers the first: a second link was a 500)...
    with pytest.raises(ValidationError) as excinfo:
        services.atrs_request_create(patient=patient, requested_by=None)
    assert excinfo.value.code == "answered_today"
    # ...and made the next day, when a new answer can answer it.
    with time_machine.travel(dt.datetime.now(tz=dt.UTC) + dt.timedelta(days=1)):
        _, created_after = services.atrs_request_create(patient=patient, requested_by=None)
        assert created_after
        answer, _ = services.atrs_record(
            patient=patient, client_uuid=uuid.uuid4(), items=_items(item_1=3)
        )
    assert AtrsRequest.objects.filter(response=answer).exists()
    assert AtrsRequest.objects.count() == 2


def test_an_older_answer_leaves_the_request_open(patient: Patient) -> None:
    """Only an answer dated on or after the day of the request answers it: one dated before
    (a late offline sync, a back-dated submit) is stored for its own day, and the fresh
    questionnaire the clinician asked for is still offered."""
    request, _ = services.atrs_request_create(patient=patient, requested_by=None)
    today = patient.local_today()
    older, _ = services.atrs_record(
        patient=patient,
        client_uuid=uuid.uuid4(),
        items=_items(),
        date=today - dt.timedelta(days=10),
    )
    request.refresh_from_db()
    assert request.response_id is None
    assert older.date == today - dt.timedelta(days=10)
    fresh, _ = services.atrs_record(patient=patient, client_uuid=uuid.uuid4(), items=_items())
    request.refresh_from_db()
    assert request.response == fresh


def test_the_day_of_a_request_is_the_patients(patient: Patient) -> None:
    """A request made late in the evening of the patient's 9 March (already 10 March in UTC)
    is answered by their answer for 9 March, not by one for 8 March."""
    Patient.objects.filter(pk=patient.pk).update(timezone="America/Los_Angeles")
    patient.refresh_from_db()
    with time_machine.travel(dt.datetime(2025, 3, 10, 6, 0, tzinfo=dt.UTC), tick=False):
        assert patient.local_today() == dt.date(2025, 3, 9)
        request, _ = services.atrs_request_create(patient=patient, requested_by=None)
        services.atrs_record(
            patient=patient, client_uuid=uuid.uuid4(), items=_items(), date=dt.date(2025, 3, 8)
        )
        request.refresh_from_db()
        assert request.response_id is None
        answer, _ = services.atrs_record(patient=patient, client_uuid=uuid.uuid4(), items=_items())
    request.refresh_from_db()
    assert (answer.date, request.response) == (dt.date(2025, 3, 9), answer)


def test_atrs_same_day_resubmission_edits_the_days_answer(patient: Patient) -> None:
    """One answer a day: a second submit (a new client id) the same day changes the first."""
    first, created = services.atrs_record(patient=patient, client_uuid=uuid.uuid4(), items=_items())
    assert created
    again, created_again = services.atrs_record(
        patient=patient, client_uuid=uuid.uuid4(), items=_items(item_1=9)
    )
    assert not created_again
    assert again.pk == first.pk
    assert AtrsResponse.objects.get().total == 45 + 9
    # Another day is another answer.
    services.atrs_record(
        patient=patient,
        client_uuid=uuid.uuid4(),
        items=_items(),
        date=first.date - dt.timedelta(days=1),
    )
    assert AtrsResponse.objects.count() == 2


def test_a_retried_second_atrs_does_not_undo_a_later_one(patient: Patient) -> None:
    """From review: the day's second answer (a new client id) reaches the server and its
    reply is lost; the patient answers a third time; the phone sends the second again. The
    day's row kept only the first submit's id, so the retry put the second's answers back over
    the third's. Every id the day's answer took in is known now: the retry returns the stored
    answer unchanged."""
    first, _ = services.atrs_record(patient=patient, client_uuid=uuid.uuid4(), items=_items())
    second_uuid = uuid.uuid4()
    services.atrs_record(patient=patient, client_uuid=second_uuid, items=_items(item_1=9))
    third, _ = services.atrs_record(
        patient=patient, client_uuid=uuid.uuid4(), items=_items(item_1=2, item_2=8)
    )
    assert third.total == 45 + 2 + 7

    again, created = services.atrs_record(
        patient=patient, client_uuid=second_uuid, items=_items(item_1=9)
    )
    assert (again.pk, created) == (first.pk, False)
    stored = AtrsResponse.objects.get()
    assert (stored.item_1, stored.item_2, stored.total) == (2, 8, 45 + 2 + 7)
    assert stored.client_uuid == first.client_uuid
    assert again.total == stored.total
    assert first.submissions.count() == 2  # the second and the third


def test_a_later_atrs_id_of_another_patient_is_refused(
    patient: Patient, other_patient: Patient
) -> None:
    """An id another patient's ATRS answer took in as a later submit is refused (never said
    whose), as the first submit's id is."""
    services.atrs_record(patient=patient, client_uuid=uuid.uuid4(), items=_items())
    later = uuid.uuid4()
    services.atrs_record(patient=patient, client_uuid=later, items=_items(item_1=9))
    with pytest.raises(ValidationError) as excinfo:
        services.atrs_record(patient=other_patient, client_uuid=later, items=_items(item_1=3))
    assert excinfo.value.message_dict == {"client_uuid": ["This id is already in use."]}
    assert not AtrsResponse.objects.filter(patient=other_patient).exists()
    assert AtrsResponse.objects.get(patient=patient).item_1 == 9


def test_atrs_once_a_day_is_a_database_constraint(patient: Patient) -> None:
    factories.AtrsResponseFactory(patient=patient, date=dt.date(2025, 3, 10))
    with pytest.raises(IntegrityError), transaction.atomic():
        factories.AtrsResponseFactory(patient=patient, date=dt.date(2025, 3, 10))


def _patient_in_week(week: int) -> Patient:
    return factories.PatientFactory(
        pathway=Patient.Pathway.NON_OPERATIVE,
        surgery_date=None,
        injury_date=NOW.date() - dt.timedelta(weeks=week, days=1),
    )


@pytest.mark.parametrize(
    ("week", "item", "flagged"),
    [(12, 3, True), (10, 3, True), (16, 3, True), (12, 4, False), (9, 3, False), (26, 3, False)],
)
def test_a_low_atrs_around_three_months_is_flagged_to_the_therapist(
    week: int, item: int, flagged: bool
) -> None:
    """Below 40 around 3 months (weeks 10 to 16) predicts a poor return to sport."""
    patient = _patient_in_week(week)
    items = {f"item_{n}": item for n in range(1, 11)}  # total 30 or 40
    response, _ = services.atrs_record(patient=patient, client_uuid=uuid.uuid4(), items=items)
    alerts = Alert.objects.filter(patient=patient, kind=Alert.Kind.LOW_ATRS)
    assert alerts.exists() == flagged
    if flagged:
        alert = alerts.get()
        assert alert.atrs == response
        assert f"ATRS {response.total} of 100 in week {week}" in alert.message
    # Sending again the same day raises no second alert.
    services.atrs_record(patient=patient, client_uuid=uuid.uuid4(), items=items)
    assert alerts.count() == (1 if flagged else 0)


def test_the_low_atrs_rule_is_one_function() -> None:
    assert clinical.atrs_is_low(total=39, week=13)
    assert not clinical.atrs_is_low(total=40, week=13)
    assert not clinical.atrs_is_low(total=10, week=6)
    assert not clinical.atrs_is_low(total=None, week=13)


# --- measurement_record -----------------------------------------------------------------------


def test_measurement_is_recorded_once_per_uuid(clinician: object, patient: Patient) -> None:
    client_uuid = uuid.uuid4()
    for _ in range(2):
        measurement, _ = services.measurement_record(
            patient=patient,
            recorded_by=clinician.user,
            client_uuid=client_uuid,
            heel_rise_reps_injured=9,
            heel_rise_reps_uninjured=20,
            calf_cm_injured=Decimal("35.5"),
        )
    assert Measurement.objects.count() == 1
    assert measurement.heel_rise_lsi == 45.0
    assert measurement.recorded_by == clinician.user
    assert measurement.date == dt.date(2025, 3, 10)


@pytest.mark.parametrize(
    "kwargs",
    [
        {},
        {"heel_rise_reps_injured": 201},
        {"calf_cm_injured": Decimal("9.9")},
        {"heel_rise_reps_injured": 5, "date": dt.date(2025, 3, 11)},
    ],
)
def test_bad_measurements_are_refused(patient: Patient, kwargs: dict[str, object]) -> None:
    with pytest.raises(ValidationError):
        services.measurement_record(
            patient=patient,
            recorded_by=None,
            client_uuid=uuid.uuid4(),
            **kwargs,
        )
    assert not Measurement.objects.exists()
