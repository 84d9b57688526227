"""Exercise logs: patients write their own (idempotent by client_uuid; same-day changes
only); clinicians read their clinic's."""

from __future__ import annotations

import datetime as dt
import uuid
from typing import Any

import pytest
from django.contrib.auth import get_user_model
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from clinic.models import Patient
from core.ids import opaque
from rehab import clinical
from rehab.models import Alert, ExerciseLog, PhaseChange, Plan, Prescription
from rehab.selectors.adherence import judged_adherence_for_patient
from tests import factories
from tests.api.conftest import ROW_READS, World, assert_matrix, body
from tests.rehab.clinical_loop import new_dose

URL = "/api/v1/logs/"


def payload(world: World, **extra: Any) -> dict[str, Any]:
    return {
        "client_uuid": str(uuid.uuid4()),
        "prescription": opaque(world.prescription.pk),
        "sets_done": 3,
        "reps": 10,
        "pain": 2,
        "effort": 5,
        **extra,
    }


def make_log(world: World, **extra: Any) -> ExerciseLog:
    return factories.ExerciseLogFactory(
        prescription=world.prescription, date=world.patient.local_today(), **extra
    )


def test_role_matrix(world: World) -> None:
    log = make_log(world)
    detail = f"{URL}{opaque(log.pk)}/"
    assert_matrix(world, "get", detail, ROW_READS)
    assert_matrix(
        world,
        "get",
        URL,
        {"anonymous": 401, "patient": 200, "other_patient": 200, "clinician": 200, "staff": 403},
    )
    writes = {
        "anonymous": 401,
        "other_patient": 404,
        "stranger": 404,
        "clinician": 403,
        "staff": 403,
    }
    assert_matrix(world, "patch", detail, writes, {"pain": 1})
    assert_matrix(world, "delete", detail, writes)
    assert_matrix(
        world,
        "post",
        URL,
        {"anonymous": 401, "clinician": 403, "staff": 403},
        payload(world),
    )
    log.refresh_from_db()
    assert log.pain == 2


def test_lists_are_scoped(world: World) -> None:
    mine = make_log(world)
    theirs = factories.ExerciseLogFactory(prescription=world.stranger_prescription)
    ids = {row["id"] for row in body(world.client("patient").get(URL))["results"]}
    assert ids == {opaque(mine.pk)}
    assert body(world.client("other_patient").get(URL))["results"] == []
    clinic = world.client("clinician")
    assert {row["id"] for row in body(clinic.get(URL))["results"]} == {opaque(mine.pk)}
    filtered = body(clinic.get(URL, {"patient": opaque(world.patient.pk)}))["results"]
    assert [row["id"] for row in filtered] == [opaque(mine.pk)]
    assert clinic.get(URL, {"patient": opaque(world.stranger.pk)}).status_code == 404
    assert world.client("other_clinician").get(f"{URL}{opaque(mine.pk)}/").status_code == 404
    assert opaque(theirs.pk) not in ids


def test_a_tick_is_found_by_its_client_uuid_in_the_callers_reach_only(world: World) -> None:
    """A phone that lost a tick's answer finds the row by the UUID it made (Today's script,
    to undo it): the patient's own, or none; another patient's or another clinic's is never
    found; not a UUID is a 400 that says so."""
    mine = make_log(world)
    make_log(world)  # another of theirs
    theirs = factories.ExerciseLogFactory(prescription=world.stranger_prescription)
    patient = world.client("patient")
    found = body(patient.get(URL, {"client_uuid": str(mine.client_uuid)}))["results"]
    assert [row["id"] for row in found] == [opaque(mine.pk)]
    assert found[0]["client_uuid"] == str(mine.client_uuid)
    assert body(patient.get(URL, {"client_uuid": str(uuid.uuid4())}))["results"] == []
    assert body(patient.get(URL, {"client_uuid": str(theirs.client_uuid)}))["results"] == []
    other = world.client("other_patient")
    assert body(other.get(URL, {"client_uuid": str(mine.client_uuid)}))["results"] == []
    stranger_clinic = world.client("other_clinician")
    assert body(stranger_clinic.get(URL, {"client_uuid": str(mine.client_uuid)}))["results"] == []
    colleague = world.client("colleague")
    assert [
        row["id"]
        for row in body(colleague.get(URL, {"client_uuid": str(mine.client_uuid)}))["results"]
    ] == [opaque(mine.pk)]
    refused = patient.get(URL, {"client_uuid": "not-a-uuid"})
    assert refused.status_code == 400
    assert "client_uuid" in body(refused)
    assert (
        world.client("anonymous").get(URL, {"client_uuid": str(mine.client_uuid)}).status_code
        == 401
    )


def test_list_pages_with_a_cursor(world: World) -> None:
    for _ in range(5):
        make_log(world)
    client = world.client("patient")
    page = body(client.get(URL, {"page_size": 2}))
    seen = [row["id"] for row in page["results"]]
    while page["next"]:
        page = body(client.get(page["next"]))
        seen += [row["id"] for row in page["results"]]
    assert len(seen) == len(set(seen)) == 5
    assert client.get(URL, {"cursor": "garbage"}).status_code == 404


def test_create_then_retry_is_one_row_and_the_same_body(world: World) -> None:
    client = world.client("patient")
    data = payload(world)
    first = client.post(URL, data, format="json")
    assert first.status_code == 201, first.content
    again = client.post(URL, data, format="json")
    assert again.status_code == 200
    assert again.json() == first.json()
    assert ExerciseLog.objects.filter(client_uuid=data["client_uuid"]).count() == 1
    assert first.json()["exercise"] == opaque(world.exercise.pk)


def test_a_retry_with_other_values_answers_the_stored_row(world: World) -> None:
    """A retry is the same tick: what was stored first stands (the Today page's script then
    sends what changed meanwhile as an update)."""
    client = world.client("patient")
    data = payload(world, sets_done=1, pain=None)
    first = client.post(URL, data, format="json")
    assert first.status_code == 201
    again = client.post(URL, {**data, "sets_done": 3, "pain": 4}, format="json")
    assert again.status_code == 200
    assert again.json() == first.json()
    log = ExerciseLog.objects.get()
    assert (log.sets_done, log.pain) == (1, None)


def test_client_uuid_is_required(world: World) -> None:
    data = payload(world)
    del data["client_uuid"]
    response = world.client("patient").post(URL, data, format="json")
    assert response.status_code == 400
    assert "client_uuid" in body(response)


def test_sets_done_is_required(world: World) -> None:
    # What was done is the patient's to say: no count is not stored as a guessed one.
    data = payload(world)
    del data["sets_done"]
    response = world.client("patient").post(URL, data, format="json")
    assert response.status_code == 400
    assert body(response)["codes"]["sets_done"] == ["required"]
    assert not ExerciseLog.objects.exists()


def test_high_pain_alerts_the_clinic(world: World) -> None:
    world.client("patient").post(URL, payload(world, pain=8), format="json")
    assert Alert.objects.filter(patient=world.patient, kind="high_pain").count() == 1


@pytest.mark.parametrize(
    ("extra", "field"),
    [
        ({"pain": 11}, "pain"),
        ({"pain": -1}, "pain"),
        ({"pain": "3"}, "pain"),  # a number as a string: JSON numbers only
        ({"effort": -1}, "effort"),
        ({"effort": 11}, "effort"),
        ({"effort": "lots"}, "effort"),
        ({"sets_done": 21}, "sets_done"),
        ({"sets_done": 0}, "sets_done"),  # a tick of nothing, as the Today form refuses it
        ({"reps": "ten"}, "reps"),
        ({"client_uuid": "not-a-uuid"}, "client_uuid"),
        ({"prescription": None}, "prescription"),
        ({"prescription": 999999}, "prescription"),
        ({"prescription": "abc"}, "prescription"),
        ({"prescription": -1}, "prescription"),
        ({"prescription": 10**18}, "prescription"),
        ({"prescription": 10**19}, "prescription"),  # past a database key's range
        ({"date": "2999-01-01"}, "date"),
        ({"date": "1990-01-01"}, "date"),
        ({"note": "x" * 2001}, "note"),
    ],
)
def test_bad_input_is_400_naming_the_field(world: World, extra: dict, field: str) -> None:
    response = world.client("patient").post(URL, payload(world, **extra), format="json")
    assert response.status_code == 400
    assert field in body(response), body(response)


def test_another_patients_prescription_is_not_part_of_your_plan(world: World) -> None:
    response = world.client("patient").post(
        URL, payload(world, prescription=opaque(world.stranger_prescription.pk)), format="json"
    )
    assert response.status_code == 400
    assert body(response)["prescription"] == ["This exercise is not part of your active plan."]
    assert not ExerciseLog.objects.exists()


def test_a_future_date_in_the_patients_zone_is_refused(world: World) -> None:
    tomorrow = world.patient.local_today() + dt.timedelta(days=1)
    response = world.client("patient").post(
        URL, payload(world, date=tomorrow.isoformat()), format="json"
    )
    assert response.status_code == 400
    assert body(response)["date"] == ["You cannot log an exercise for a future day."]
    assert body(response)["codes"]["date"] == ["future_date"]
    assert not ExerciseLog.objects.exists()


def test_a_past_date_within_the_plan_is_accepted(world: World) -> None:
    Plan.objects.filter(pk=world.plan.pk).update(
        anchor_date=world.patient.local_today() - dt.timedelta(days=7)
    )
    Prescription.objects.filter(pk=world.prescription.pk).update(
        created_at=timezone.now() - dt.timedelta(days=7)
    )
    yesterday = world.patient.local_today() - dt.timedelta(days=1)
    response = world.client("patient").post(
        URL, payload(world, date=yesterday.isoformat()), format="json"
    )
    assert response.status_code == 201, response.content
    assert ExerciseLog.objects.get().date == yesterday


def test_a_past_day_sent_after_a_raise_of_sets_is_judged_by_that_days_sets(world: World) -> None:
    """The phone's outbox sends yesterday's tick today, after the physiotherapist raised the
    sets today: the entry keeps yesterday's sets (a session done), today's the new ones."""
    Plan.objects.filter(pk=world.plan.pk).update(
        anchor_date=world.patient.local_today() - dt.timedelta(days=7)
    )
    Prescription.objects.filter(pk=world.prescription.pk).update(
        created_at=timezone.now() - dt.timedelta(days=7), sets=2
    )
    PhaseChange.objects.create(  # adherence counts from the phase's start
        plan=world.plan,
        to_phase=world.phase,
        effective_on=world.patient.local_today() - dt.timedelta(days=7),
    )
    rx = Prescription.objects.get(pk=world.prescription.pk)
    new_dose(rx, sets=3)
    yesterday = world.patient.local_today() - dt.timedelta(days=1)
    client = world.client("patient")
    response = client.post(
        URL, payload(world, date=yesterday.isoformat(), sets_done=2), format="json"
    )
    assert response.status_code == 201, response.content
    response = client.post(URL, payload(world, sets_done=2), format="json")
    assert response.status_code == 201, response.content
    stamped = dict(ExerciseLog.objects.values_list("date", "sets_prescribed"))
    assert stamped == {yesterday: 2, world.patient.local_today(): 3}
    done = judged_adherence_for_patient(world.patient, today=world.patient.local_today(), days=2)
    assert (done.expected, done.done) == (1, 1)  # yesterday's session; today's is in progress


def test_a_day_before_the_exercise_was_prescribed_is_refused(world: World) -> None:
    # The plan started a week ago; the exercise was added to it today (the patient's).
    Plan.objects.filter(pk=world.plan.pk).update(
        anchor_date=world.patient.local_today() - dt.timedelta(days=7)
    )
    yesterday = world.patient.local_today() - dt.timedelta(days=1)
    response = world.client("patient").post(
        URL, payload(world, date=yesterday.isoformat()), format="json"
    )
    assert response.status_code == 400
    assert body(response)["date"] == [
        "This exercise was not in your plan yet on that day; choose a later day."
    ]
    assert body(response)["codes"]["date"] == ["before_prescribed"]
    assert not ExerciseLog.objects.exists()
    today = world.patient.local_today().isoformat()
    response = world.client("patient").post(URL, payload(world, date=today), format="json")
    assert response.status_code == 201, response.content


def test_a_draft_plans_prescription_is_not_part_of_your_plan(world: World) -> None:
    draft = factories.PlanFactory(patient=world.patient, status=Plan.Status.DRAFT)
    drafted = factories.PrescriptionFactory(phase=factories.PlanPhaseFactory(plan=draft))
    response = world.client("patient").post(
        URL, payload(world, prescription=opaque(drafted.pk)), format="json"
    )
    assert response.status_code == 400
    assert body(response)["prescription"] == ["This exercise is not part of your active plan."]
    assert body(response)["codes"]["prescription"] == ["not_in_plan"]
    assert not ExerciseLog.objects.exists()


def test_a_retired_prescription_is_refused(world: World) -> None:
    Prescription.objects.filter(pk=world.prescription.pk).update(
        retired_at=dt.datetime(2025, 1, 1, tzinfo=dt.UTC)
    )
    response = world.client("patient").post(URL, payload(world), format="json")
    assert response.status_code == 400
    assert body(response)["codes"]["prescription"] == ["not_in_plan"]
    assert not ExerciseLog.objects.exists()


def test_a_tick_retried_after_the_plan_ended_returns_the_stored_tick(world: World) -> None:
    """A phone that lost the answer sends the tick again after the plan ended: the stored
    row, not a refusal (nor a second row)."""
    client = world.client("patient")
    data = payload(world)
    first = client.post(URL, data, format="json")
    assert first.status_code == 201
    Plan.objects.filter(pk=world.plan.pk).update(status=Plan.Status.COMPLETED)
    again = client.post(URL, data, format="json")
    assert again.status_code == 200, again.content
    assert again.json()["id"] == first.json()["id"]
    assert ExerciseLog.objects.count() == 1


def test_a_discharged_patients_tick_is_refused(world: World) -> None:
    Patient.objects.filter(pk=world.patient.pk).update(status=Patient.Status.DISCHARGED)
    response = world.client("patient").post(URL, payload(world), format="json")
    assert response.status_code == 400
    assert "Your care here has ended" in str(body(response))
    assert "care_ended" in str(body(response)["codes"])
    assert not ExerciseLog.objects.exists()


def test_high_pain_advice_names_the_exercise_as_the_patient_reads_it(world: World) -> None:
    """Pain of 7 or more: stop this exercise and contact the clinic, in the answer to the
    tick and to an update; below 7, no advice."""
    world.exercise.name = "Eccentric heel drop (Alfredson)"
    world.exercise.patient_name = "Slow heel drops"
    world.exercise.save()
    client = world.client("patient")
    response = client.post(URL, payload(world, pain=7), format="json")
    assert response.status_code == 201
    advice = body(response)["advice"]
    assert advice.startswith("Your pain is high. Stop Slow heel drops now")
    assert "contact your clinic" in advice
    # And what to do when the clinic is closed, as every piece of advice says (from review).
    assert advice.endswith(str(clinical.WHEN_CLOSED))
    detail = f"{URL}{body(response)['id']}/"
    assert body(client.patch(detail, {"pain": 3}, format="json"))["advice"] is None
    assert body(client.patch(detail, {"pain": 9}, format="json"))["advice"] == advice
    assert body(client.post(URL, payload(world, pain=6), format="json"))["advice"] is None


def test_the_today_pages_script_ticks_with_the_session_and_its_csrf_token(
    world: World,
) -> None:
    """What static/js/today.js does: the browser's session, JSON, the page's CSRF token in
    X-CSRFToken. Without the token a write is refused (403) and nothing is stored."""
    browser = Client(enforce_csrf_checks=True)
    browser.force_login(get_user_model().objects.get(pk=world.patient.user.pk))
    page = browser.get(reverse("rehab:today"))
    config = page.context["config"]
    logs = config["logsUrl"]
    assert logs == URL
    token = {"x-csrftoken": browser.cookies["csrftoken"].value}
    data = payload(world)
    refused = browser.post(logs, data, content_type="application/json")
    assert refused.status_code == 403
    assert "CSRF" in body(refused)["detail"]
    assert not ExerciseLog.objects.exists()
    created = browser.post(logs, data, content_type="application/json", headers=token)
    assert created.status_code == 201, created.content
    again = browser.post(logs, data, content_type="application/json", headers=token)
    assert (again.status_code, again.json()) == (200, created.json())
    detail = f"{logs}{created.json()['id']}/"
    changed = browser.patch(detail, {"pain": None, "note": "ok"}, "application/json", headers=token)
    assert changed.status_code == 200
    assert (changed.json()["pain"], changed.json()["note"]) == (None, "ok")
    assert browser.delete(detail, headers=token).status_code == 204
    assert not ExerciseLog.objects.exists()
    gone = browser.delete(detail, headers=token)
    assert gone.status_code == 404
    assert body(gone) == {"detail": "Not found."}


def test_a_prescription_of_a_completed_plan_is_refused(world: World) -> None:
    Plan.objects.filter(pk=world.plan.pk).update(status=Plan.Status.COMPLETED)
    response = world.client("patient").post(URL, payload(world), format="json")
    assert response.status_code == 400
    assert "prescription" in body(response)


def test_malformed_json_and_wrong_shapes(world: World) -> None:
    client = world.client("patient")
    response = client.post(URL, "{", content_type="application/json")
    assert response.status_code == 400
    assert "detail" in body(response)
    response = client.post(URL, [1, 2], format="json")
    assert response.status_code == 400
    response = client.post(URL, "x=1", content_type="application/x-www-form-urlencoded")
    assert response.status_code == 415


def test_same_day_update_and_undo(world: World) -> None:
    log = make_log(world, pain=2)
    client = world.client("patient")
    response = client.patch(f"{URL}{opaque(log.pk)}/", {"pain": 3, "note": "ok"}, format="json")
    assert response.status_code == 200, response.content
    assert (body(response)["pain"], body(response)["note"]) == (3, "ok")
    assert client.patch(f"{URL}{opaque(log.pk)}/", {"pain": 12}, format="json").status_code == 400
    # No edit to zero sets (it would stay a session done): undo takes a tick back.
    zero = client.patch(f"{URL}{opaque(log.pk)}/", {"sets_done": 0}, format="json")
    assert zero.status_code == 400
    assert body(zero)["sets_done"] == ["At least one set: to take a tick back, undo it."]
    assert client.delete(f"{URL}{opaque(log.pk)}/").status_code == 204
    assert not ExerciseLog.objects.filter(pk=log.pk).exists()
    assert client.delete(f"{URL}{opaque(log.pk)}/").status_code == 404  # undone already


def test_earlier_days_cannot_be_changed(world: World) -> None:
    log = make_log(world)
    ExerciseLog.objects.filter(pk=log.pk).update(date=log.date - dt.timedelta(days=1))
    client = world.client("patient")
    response = client.patch(f"{URL}{opaque(log.pk)}/", {"pain": 3}, format="json")
    assert response.status_code == 400
    assert "non_field_errors" in body(response)
    assert client.delete(f"{URL}{opaque(log.pk)}/").status_code == 400
    assert ExerciseLog.objects.filter(pk=log.pk).exists()


def test_put_is_not_allowed(world: World) -> None:
    log = make_log(world)
    response = world.client("patient").put(f"{URL}{opaque(log.pk)}/", payload(world), format="json")
    assert response.status_code == 405


def test_a_tick_costs_the_same_few_queries_however_many_logs_exist(world: World) -> None:
    """``POST /logs/`` is the patient's hottest write (the bench's ``api_log_post``)."""
    from django.db import connection  # noqa: PLC0415
    from django.test.utils import CaptureQueriesContext  # noqa: PLC0415

    client = world.client("patient")
    client.post(URL, payload(world), format="json")  # warm up: the token's last use, etc.

    def post() -> list[str]:
        with CaptureQueriesContext(connection) as context:
            response = client.post(URL, payload(world), format="json")
        assert response.status_code == 201, response.content
        return [q["sql"].split(" ", 1)[0] for q in context.captured_queries]

    few = post()
    factories.ExerciseLogFactory.create_batch(25, prescription=world.prescription)
    many = post()
    assert many == few
    # knox: the token by its key with its user, then the user's tokens (it deletes expired
    # ones) (2); the patient's record (1); the prescription with its plan and exercise, only
    # the columns used (1); the service's transaction and the INSERT's savepoint around the
    # INSERT (outside the tests' transaction: BEGIN, SAVEPOINT, INSERT, RELEASE, COMMIT); the
    # audit row (1). No validation query, no retry lookup, no deferred column read late.
    write = ["SAVEPOINT", "SAVEPOINT", "INSERT", "RELEASE", "RELEASE"]
    assert few == ["SELECT"] * 4 + write + ["INSERT"], few
