"""/me/ and /me/today/: who is signed in, and the patient's Today page as data."""

from __future__ import annotations

from tests import factories
from tests.api.conftest import World, assert_matrix, body


def test_me_for_each_role(world: World) -> None:
    roles = {
        who: body(world.client(who).get("/api/v1/me/"))["role"]
        for who in ("patient", "clinician", "staff")
    }
    assert roles == {"patient": "patient", "clinician": "clinician", "staff": "staff"}
    assert world.client("anonymous").get("/api/v1/me/").status_code == 401


def test_today_matrix(world: World) -> None:
    assert_matrix(
        world,
        "get",
        "/api/v1/me/today/",
        {"anonymous": 401, "patient": 200, "other_patient": 200, "clinician": 403, "staff": 403},
    )


def test_today_lists_the_phase_exercises_with_todays_logs(world: World) -> None:
    factories.ExerciseLogFactory(prescription=world.prescription, date=world.patient.local_today())
    data = body(world.client("patient").get("/api/v1/me/today/"))
    assert data["plan"]["id"] == world.plan.pk
    assert data["phase"]["id"] == world.phase.pk
    [item] = data["items"]
    assert item["prescription"]["exercise"]["steps"] == world.exercise.steps
    assert item["sessions_done"] == 1
    assert len(item["logs"]) == 1
    assert data["disclaimer"]


def test_today_without_a_plan(world: World) -> None:
    data = body(world.client("other_patient").get("/api/v1/me/today/"))
    assert (data["plan"], data["phase"], data["items"]) == (None, None, [])


# --- The patient's words in the patient's answers (from review) -----------------------------


def test_the_clinicians_reason_for_an_early_exercise_stays_with_the_clinician(
    world: World,
) -> None:
    # Why an exercise was placed before its earliest safe week is a clinician's note: the
    # patient's pages never show it, and neither do the patient's API answers.
    reason = "Consultant agreed early loading; re-rupture risk discussed"
    world.prescription.guardrail_reason = reason
    world.prescription.save()
    patient = world.client("patient")
    for url in ("/api/v1/me/today/", "/api/v1/me/plan/", f"/api/v1/plans/{world.plan.pk}/"):
        response = patient.get(url)
        assert response.status_code == 200, url
        assert reason not in response.content.decode(), url
    phases = body(world.client("clinician").get(f"/api/v1/plans/{world.plan.pk}/"))["phases"]
    assert phases[0]["prescriptions"][0]["guardrail_reason"] == reason


def test_a_log_names_its_exercise_in_its_readers_words(world: World) -> None:
    world.exercise.name = "Standing gastrocnemius stretch"
    world.exercise.patient_name = "Standing calf stretch"
    world.exercise.save()
    factories.ExerciseLogFactory(prescription=world.prescription, patient=world.patient)
    mine = body(world.client("patient").get("/api/v1/logs/"))["results"]
    assert [log["exercise_name"] for log in mine] == ["Standing calf stretch"]
    today = body(world.client("patient").get("/api/v1/me/today/"))
    assert today["items"][0]["logs"][0]["exercise_name"] == "Standing calf stretch"
    theirs = body(world.client("clinician").get("/api/v1/logs/"))["results"]
    assert [log["exercise_name"] for log in theirs] == ["Standing gastrocnemius stretch"]
