"""Protocol templates: read by clinicians (shared and their clinic's)."""

from __future__ import annotations

from core.ids import opaque
from tests import factories
from tests.api.conftest import World, assert_matrix, body

URL = "/api/v1/protocols/"


def test_role_matrix(world: World) -> None:
    own = factories.ProtocolFactory(clinic=world.clinician.clinic)
    assert_matrix(
        world,
        "get",
        URL,
        {"anonymous": 401, "patient": 403, "clinician": 200, "other_clinician": 200, "staff": 403},
    )
    assert_matrix(
        world,
        "get",
        f"{URL}{opaque(own.pk)}/",
        {"anonymous": 401, "patient": 403, "clinician": 200, "other_clinician": 404},
    )


def test_list_and_filter(world: World) -> None:
    factories.ProtocolFactory(name="Non-op", pathway="non_operative")
    factories.ProtocolFactory(name="Theirs", clinic=world.other_clinician.clinic)
    client = world.client("clinician")
    names = {row["name"] for row in body(client.get(URL))["results"]}
    assert {world.protocol.name, "Non-op"} <= names
    assert "Theirs" not in names
    filtered = body(client.get(URL, {"pathway": "non_operative"}))["results"]
    assert [row["name"] for row in filtered] == ["Non-op"]
    assert client.get(URL, {"pathway": "other"}).status_code == 400


def test_detail_has_phases_and_items(world: World) -> None:
    data = body(world.client("clinician").get(f"{URL}{opaque(world.protocol.pk)}/"))
    [phase] = data["phases"]
    assert phase["start_week"] == 0
    [item] = phase["items"]
    assert item["exercise"]["id"] == opaque(world.exercise.pk)
    assert item["dose_text"]
