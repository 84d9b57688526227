"""``page`` and ``page_size`` are whole numbers given once; anything else is a 400, not the
default page silently."""

from __future__ import annotations

import pytest

from tests import factories
from tests.api.conftest import World, body

LISTS = ["/api/v1/messages/", "/api/v1/logs/", "/api/v1/patients/", "/api/v1/auth/devices/"]
BAD = ["null", "", "1.5", "-1", "0", "x", "201", "9" * 40, "²"]


@pytest.mark.parametrize("url", LISTS)
@pytest.mark.parametrize("value", BAD)
def test_a_bad_page_size_is_400(world: World, url: str, value: str) -> None:
    response = world.client("clinician").get(url, {"page_size": value})
    assert response.status_code == 400, (url, value)
    assert "page_size" in body(response)


@pytest.mark.parametrize("url", LISTS)
def test_page_size_given_twice_is_400(world: World, url: str) -> None:
    response = world.client("clinician").get(f"{url}?page_size=1&page_size=2")
    assert response.status_code == 400
    assert "page_size" in body(response)


@pytest.mark.parametrize("value", ["null", "0", "1.5", "last", "x"])
def test_a_bad_page_number_is_400(world: World, value: str) -> None:
    response = world.client("clinician").get("/api/v1/messages/", {"page": value})
    assert response.status_code == 400
    assert "page" in body(response)


def test_a_page_past_the_last_is_404(world: World) -> None:
    response = world.client("clinician").get("/api/v1/messages/", {"page": 5})
    assert response.status_code == 404


@pytest.mark.parametrize("value", ["9" * 19, "23193245818528395689984", "9" * 5000])
def test_a_page_number_of_many_digits_is_past_the_last_not_refused(
    world: World, value: str
) -> None:
    """Found by fuzzing: the schema says any whole number from 1, but one of more than 18
    digits was refused (400) as "not a whole number from 1". It is a page past the last."""
    response = world.client("clinician").get("/api/v1/messages/", {"page": value})
    assert response.status_code == 404, response.content


def test_good_values_page_as_before(world: World) -> None:
    for _ in range(3):
        factories.MessageFactory(patient=world.patient)
    client = world.client("clinician")
    first = body(client.get("/api/v1/messages/", {"page_size": 2}))
    assert (first["count"], len(first["results"])) == (3, 2)
    second = body(client.get("/api/v1/messages/", {"page_size": 2, "page": 2}))
    assert len(second["results"]) == 1
    zeros = body(client.get("/api/v1/messages/", {"page_size": "02", "page": "002"}))
    assert zeros["results"] == second["results"]
    assert len(body(client.get("/api/v1/messages/", {"page_size": 200}))["results"]) == 3


def test_the_schema_states_the_bounds(world: World) -> None:
    schema = world.client("clinician").get("/api/v1/schema/", {"format": "json"}).json()
    for path in ["/api/v1/messages/", "/api/v1/logs/"]:
        parameters = {p["name"]: p["schema"] for p in schema["paths"][path]["get"]["parameters"]}
        assert parameters["page_size"] == {"type": "integer", "minimum": 1, "maximum": 200}
    messages = {p["name"]: p for p in schema["paths"]["/api/v1/messages/"]["get"]["parameters"]}
    assert messages["page"]["schema"] == {"type": "integer", "minimum": 1}
