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
