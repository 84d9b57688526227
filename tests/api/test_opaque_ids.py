"""The API names rows by opaque ids only (``core.ids``): in its addresses, in the JSON it gives
and takes, and in its query strings. A row's number appears nowhere a client sees it."""

from __future__ import annotations

import uuid
from collections.abc import Iterator
from typing import Any

import pytest
from django.urls import reverse

from core.api.fields import OPAQUE_ID_PATTERN
from core.ids import from_opaque, opaque
from rehab.models import ExerciseLog
from tests import factories
from tests.api.conftest import World, body

# Keys that name another row in the API's bodies (besides ``id`` and ``*_id``).
RELATED_KEYS = {
    "patient",
    "prescription",
    "exercise",
    "plan",
    "phase",
    "protocol",
    "current_phase",
    "checkin",
    "log",
    "acknowledged_by",
    "recorded_by",
    "clinic",
    "progresses_to",
    "next_phase",
}


def ids_in(data: Any, path: str = "") -> Iterator[tuple[str, Any]]:
    """Each (path, value) of ``data`` whose key names a row: ``id``, ``*_id`` or a related row
    (a nested object under such a key is walked, not taken for an id)."""
    if isinstance(data, dict):
        for key, value in data.items():
            here = f"{path}.{key}"
            names_a_row = key == "id" or key.endswith("_id") or key in RELATED_KEYS
            if names_a_row and not isinstance(value, dict | list):
                yield here, value
            else:
                yield from ids_in(value, here)
    elif isinstance(data, list):
        for index, value in enumerate(data):
            yield from ids_in(value, f"{path}[{index}]")


def assert_only_opaque_ids(data: Any) -> int:
    """Every row id in ``data`` is a string ``from_opaque`` reads (null: no row); the number
    of ids seen."""
    seen = 0
    for where, value in ids_in(data):
        if value is None:
            continue
        assert isinstance(value, str), f"{where} is {value!r}, not an opaque id"
        assert from_opaque(value) is not None, f"{where} is {value!r}, not an opaque id"
        seen += 1
    return seen


def tick(world: World) -> ExerciseLog:
    return factories.ExerciseLogFactory(
        prescription=world.prescription, date=world.patient.local_today()
    )


def test_the_walk_finds_integer_ids() -> None:
    """The check below is not vacuous: an integer id anywhere is caught."""
    with pytest.raises(AssertionError):
        assert_only_opaque_ids({"items": [{"prescription": {"id": 5}}]})
    with pytest.raises(AssertionError):
        assert_only_opaque_ids({"patient_id": 5})
    assert assert_only_opaque_ids({"log": opaque(5), "plan": None}) == 1


@pytest.mark.parametrize(
    ("who", "url"),
    [
        ("patient", "/api/v1/me/today/"),
        ("patient", "/api/v1/me/plan/"),
        ("patient", "/api/v1/logs/"),
        ("clinician", "/api/v1/logs/"),
        ("patient", "/api/v1/me/"),
    ],
)
def test_no_integer_id_in_the_patients_json(world: World, who: str, url: str) -> None:
    tick(world)
    data = body(world.client(who).get(url))
    assert assert_only_opaque_ids(data) >= 1


def test_no_integer_id_in_a_plan(world: World) -> None:
    tick(world)
    url = reverse("api:plan-detail", args=[world.plan.pk])
    data = body(world.client("clinician").get(url))
    assert data["id"] == opaque(world.plan.pk)
    assert data["patient"] == opaque(world.patient.pk)
    assert data["current_phase"] == opaque(world.phase.pk)
    assert data["phases"][0]["prescriptions"][0]["id"] == opaque(world.prescription.pk)
    assert assert_only_opaque_ids(data) >= 5


def test_no_integer_id_in_alerts_and_phase_criteria(world: World) -> None:
    log = tick(world)
    factories.AlertFactory(patient=world.patient, log=log)
    clinician = world.client("clinician")
    assert assert_only_opaque_ids(body(clinician.get("/api/v1/alerts/"))) >= 3
    url = reverse("api:phase-criteria", args=[world.phase.pk])
    assert f"/{world.phase.pk}/" not in url
    data = body(clinician.get(url))
    assert data["phase"] == opaque(world.phase.pk)
    assert assert_only_opaque_ids(data) >= 3


@pytest.mark.parametrize(
    ("name", "who"),
    [
        ("log-detail", "patient"),
        ("plan-detail", "clinician"),
        ("patient-detail", "clinician"),
        ("alert-detail", "clinician"),
        ("phase-criteria", "clinician"),
    ],
)
def test_an_integer_address_finds_nothing(world: World, name: str, who: str) -> None:
    log = tick(world)
    alert = factories.AlertFactory(patient=world.patient, log=log)
    pk = {
        "log-detail": log.pk,
        "plan-detail": world.plan.pk,
        "patient-detail": world.patient.pk,
        "alert-detail": alert.pk,
        "phase-criteria": world.phase.pk,
    }[name]
    client = world.client(who)
    url = reverse(f"api:{name}", args=[pk])
    assert client.get(url).status_code == 200
    integer = url.replace(f"/{opaque(pk)}/", f"/{pk}/")
    assert integer != url
    response = client.get(integer)
    assert response.status_code == 404
    assert body(response) == {"detail": "Not found."}


@pytest.mark.parametrize("garbage", ["aaaaaaaa", "0", "-1", "x" * 40, "%00", "a.b"])
def test_a_garbage_address_is_a_404(world: World, garbage: str) -> None:
    response = world.client("patient").get(f"/api/v1/logs/{garbage}/")
    assert response.status_code == 404
    body(response)


@pytest.mark.parametrize(
    "bad", [17, "17", "aaaaaaaa", "", None, True, [1], {"id": 1}, "x" * 40, "a\x00b"]
)
def test_a_garbage_id_in_a_body_is_a_400(world: World, bad: Any) -> None:
    response = world.client("patient").post(
        "/api/v1/logs/",
        {"client_uuid": str(uuid.uuid4()), "prescription": bad, "sets_done": 1},
        format="json",
    )
    assert response.status_code == 400
    assert "prescription" in body(response)


def test_an_opaque_id_in_a_body_is_taken(world: World) -> None:
    response = world.client("patient").post(
        "/api/v1/logs/",
        {
            "client_uuid": str(uuid.uuid4()),
            "prescription": opaque(world.prescription.pk),
            "sets_done": 1,
        },
        format="json",
    )
    assert response.status_code == 201, response.json()
    data = body(response)
    assert data["prescription"] == opaque(world.prescription.pk)
    assert from_opaque(data["id"]) == ExerciseLog.objects.get().pk


def test_a_query_string_takes_opaque_ids_only(world: World) -> None:
    tick(world)
    clinician = world.client("clinician")
    found = body(clinician.get("/api/v1/logs/", {"patient": opaque(world.patient.pk)}))
    assert len(found["results"]) == 1
    for bad in [str(world.patient.pk), "x" * 40, "", "a-b-c-d-e"]:
        response = clinician.get("/api/v1/logs/", {"patient": bad})
        assert response.status_code == 400, bad
        assert "patient" in body(response)
    # Of the form, but no patient's: like a patient outside your reach.
    assert clinician.get("/api/v1/logs/", {"patient": "aaaaaaaa"}).status_code == 404


def test_the_schema_says_ids_are_strings(world: World) -> None:
    schema = world.client("clinician").get("/api/v1/schema/?format=json").json()
    components = schema["components"]["schemas"]
    assert components["ExerciseLog"]["properties"]["id"]["type"] == "string"
    assert components["ExerciseLog"]["properties"]["prescription"]["type"] == "string"
    assert components["ExerciseLogCreateRequest"]["properties"]["prescription"]["type"] == "string"
    assert components["Plan"]["properties"]["current_phase"]["type"] == "string"
    detail = schema["paths"]["/api/v1/logs/{id}/"]["get"]["parameters"]
    assert [p["schema"] for p in detail if p["name"] == "id"] == [
        {"type": "string", "pattern": OPAQUE_ID_PATTERN, "example": "GZUcnUYI"}
    ]
    assert [
        p["schema"]["type"]
        for p in schema["paths"]["/api/v1/logs/"]["get"]["parameters"]
        if p["name"] == "patient"
    ] == ["string"]
