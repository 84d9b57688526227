"""A filter parameter is given once and, when given, means something; otherwise 400 on it
(django-filter alone read the last of a repeat, and dropped a value it could not read)."""

from __future__ import annotations

import pytest

from core.ids import opaque
from tests import factories
from tests.api.conftest import World, body


@pytest.mark.parametrize(
    ("url", "query"),
    [
        ("/api/v1/alerts/", "open=null"),
        ("/api/v1/alerts/", "open="),
        ("/api/v1/alerts/", "open=maybe"),
        ("/api/v1/alerts/", "kind="),
        ("/api/v1/logs/", "date_to="),
        ("/api/v1/checkins/", "date_from="),
        ("/api/v1/checkins/", "date_from=2026-13-01"),
        ("/api/v1/messages/", "patient="),
        ("/api/v1/plans/", "status="),
        ("/api/v1/exercises/", "safe_at_week=1.5"),
    ],
)
def test_a_value_that_means_nothing_is_400(world: World, url: str, query: str) -> None:
    response = world.client("clinician").get(f"{url}?{query}")
    assert response.status_code == 400, (url, query)
    assert query.split("=", maxsplit=1)[0] in body(response)


@pytest.mark.parametrize(
    ("url", "query"),
    [
        ("/api/v1/alerts/", "open=true&open=false"),
        ("/api/v1/messages/", "patient={patient}&patient={patient}"),
        ("/api/v1/patients/", "search=a&search=b"),
    ],
)
def test_a_parameter_given_twice_is_400(world: World, url: str, query: str) -> None:
    response = world.client("clinician").get(
        f"{url}?{query.format(patient=opaque(world.patient.pk))}"
    )
    assert response.status_code == 400
    assert body(response)[query.split("=", maxsplit=1)[0]] == ["Give this parameter once."]


def test_good_values_filter_as_before(world: World) -> None:
    open_alert = factories.AlertFactory(patient=world.patient)
    client = world.client("clinician")
    rows = body(client.get("/api/v1/alerts/", {"open": "true"}))["results"]
    assert [row["id"] for row in rows] == [opaque(open_alert.pk)]
    assert body(client.get("/api/v1/alerts/", {"open": "false"}))["results"] == []
    # An empty search is a search for everything.
    everyone = body(client.get("/api/v1/patients/", {"search": ""}))["count"]
    assert everyone == body(client.get("/api/v1/patients/"))["count"] == 2
