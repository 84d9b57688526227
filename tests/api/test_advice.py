"""Education items in the API (``Exercise.is_advice``): ``/me/today/`` marks them advice, never
due, with no session expected and the patient's text; a tick of one is a 400 in plain words; the
schema says so."""

from __future__ import annotations

import uuid

from core.ids import opaque
from rehab.models import Exercise, ExerciseLog, Prescription
from tests import factories
from tests.api.conftest import World, body


def _advice(world: World) -> Prescription:
    exercise = factories.ExerciseFactory(
        category=Exercise.Category.EDUCATION,
        patient_name="Keep your boot on, at night too",
        patient_summary="Wear the boot in bed until your physiotherapist says otherwise.",
    )
    return factories.PrescriptionFactory(
        phase=world.phase, exercise=exercise, sets=1, reps=1, days_per_week=1, order=2
    )


def test_today_marks_advice_never_due_with_no_session_and_its_text(world: World) -> None:
    advice = _advice(world)
    items = {
        item["prescription"]["id"]: item
        for item in body(world.client("patient").get("/api/v1/me/today/"))["items"]
    }
    exercise, read = items[opaque(world.prescription.pk)], items[opaque(advice.pk)]
    assert (exercise["advice"], exercise["due"], exercise["sessions_expected"]) == (
        False,
        True,
        1,
    )
    assert (read["advice"], read["due"], read["sessions_expected"], read["done"]) == (
        True,
        False,
        0,
        False,
    )
    assert read["prescription"]["dose_text"] == "Advice to read"
    assert (read["prescription"]["advice"], exercise["prescription"]["advice"]) == (True, False)
    assert read["prescription"]["exercise"]["patient_summary"] == (
        "Wear the boot in bed until your physiotherapist says otherwise."
    )


def test_a_tick_of_advice_is_a_400_in_plain_words(world: World) -> None:
    advice = _advice(world)
    response = world.client("patient").post(
        "/api/v1/logs/",
        {"client_uuid": str(uuid.uuid4()), "prescription": opaque(advice.pk), "sets_done": 1},
        format="json",
    )
    assert response.status_code == 400
    data = body(response)
    assert data["prescription"] == ["This is advice to read: there is nothing to tick."]
    assert data["codes"]["prescription"] == ["advice"]
    assert not ExerciseLog.objects.exists()


def test_the_schema_documents_advice_items(world: World) -> None:
    schema = world.client("patient").get("/api/v1/schema/", {"format": "json"}).json()
    item = schema["components"]["schemas"]["TodayItem"]["properties"]
    assert "advice to read" in item["advice"]["description"].lower()
    assert "advice" in item["due"]["description"].lower()
    assert "advice" in item["sessions_expected"]["description"].lower()


def test_the_plan_marks_advice_and_gives_no_dose_in_words(world: World) -> None:
    advice = _advice(world)
    plan = body(world.client("clinician").get(f"/api/v1/plans/{opaque(world.plan.pk)}/"))
    rows = {rx["id"]: rx for phase in plan["phases"] for rx in phase["prescriptions"]}
    assert (rows[opaque(advice.pk)]["advice"], rows[opaque(advice.pk)]["dose_text"]) == (
        True,
        "Advice to read",
    )
    assert (rows[opaque(advice.pk)]["sets"], rows[opaque(advice.pk)]["days_per_week"]) == (
        1,
        1,
    )  # as stored
    assert rows[opaque(world.prescription.pk)]["advice"] is False
