"""rehab.services.logbook.atrs: the ATRS answer, its total, its request and low-score alert."""

from __future__ import annotations

import datetime as dt
import uuid

import pytest
import time_machine
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction

from clinic.models import Patient
from rehab import clinical, services
from rehab.models import Alert, AtrsRequest, AtrsResponse
from tests import factories
from tests.rehab.services.conftest import NOW

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("frozen_clock")]


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
