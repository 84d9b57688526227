"""rehab.services.logbook.checkins: the daily check-in, its red flags and pain."""

from __future__ import annotations

import datetime as dt
import threading
import uuid

import pytest
from django.core.exceptions import ValidationError
from django.db import connection

from clinic.models import Clinician, Patient
from rehab import clinical, services
from rehab.models import Alert, CheckIn, CheckInSubmission, Plan, PlanHold
from rehab.services import holds
from rehab.services.logbook import checkins as checkin_services
from tests import factories
from tests.threads import in_threads

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("frozen_clock")]


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


def test_a_red_flag_is_taken_without_a_swelling_answer(patient: Patient) -> None:
    """From exploratory testing: a patient reporting a possible re-rupture who leaves the
    swelling question unanswered still reports it (an alert); swelling stays unanswered."""
    checkin, created = services.checkin_record(
        patient=patient, client_uuid=uuid.uuid4(), pain_at_rest=None, red_flags=["rerupture"]
    )
    assert created
    checkin.refresh_from_db()
    assert (checkin.swelling, checkin.flag_rerupture) == (None, True)
    assert Alert.objects.get().code == "rerupture"


def test_swelling_left_unanswered_later_keeps_the_days_earlier_answer(patient: Patient) -> None:
    services.checkin_record(
        patient=patient, client_uuid=uuid.uuid4(), pain_at_rest=2, swelling="mild"
    )
    second, _ = services.checkin_record(
        patient=patient, client_uuid=uuid.uuid4(), pain_at_rest=None, swelling=None
    )
    second.refresh_from_db()
    assert (second.pain_at_rest, second.swelling) == (2, "mild")


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
    original = checkin_services._ensure_in_care

    def looked_up_then_wait(who: Patient) -> None:
        original(who)
        barrier.wait()  # both have looked the id up, neither has taken the lock

    monkeypatch.setattr(checkin_services, "_ensure_in_care", looked_up_then_wait)

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
