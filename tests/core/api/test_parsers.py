"""A JSON body nested too deeply to read is malformed input: 400 with the API's error body on
every JSON endpoint (anonymous sign-in included), the Today page's script's tick (the API, with
the browser's session) too; the page's form view takes no JSON at all.
"""

from __future__ import annotations

import io
import re

import pytest
from django.urls import reverse
from rest_framework.exceptions import ParseError
from rest_framework.test import APIClient

from core.api.parsers import JSONParser
from core.ids import opaque
from rehab.models import ExerciseLog
from tests import factories
from tests.api.conftest import World, body
from tests.conftest import client_for

# The sweep's body: 20 KB of brackets, ten thousand deep.
NESTED = "[" * 10_000 + "]" * 10_000
WRITE_METHODS = ("post", "put", "patch")


def test_the_parser_refuses_a_body_nested_too_deeply() -> None:
    with pytest.raises(ParseError, match="nested too deeply"):
        JSONParser().parse(io.BytesIO(NESTED.encode()))
    assert JSONParser().parse(io.BytesIO(b'{"a": [[1]]}')) == {"a": [[1]]}


@pytest.mark.parametrize(
    "text", [b'{"side": "\\ud800"}', b'{"\\udc00": 1}', b'["a", ["\\udfff"]]', b'"\\ud800"']
)
def test_the_parser_refuses_a_lone_surrogate(text: bytes) -> None:
    """``\\ud800`` alone is no character: a string holding it cannot be written back out (an
    error message that quotes it, a choice the API echoes) and is malformed input."""
    with pytest.raises(ParseError, match="not a character"):
        JSONParser().parse(io.BytesIO(text))


def test_the_parser_reads_a_surrogate_pair_as_its_character() -> None:
    assert JSONParser().parse(io.BytesIO(b'{"a": "\\ud83d\\ude00"}')) == {"a": "\U0001f600"}


def test_a_lone_surrogate_in_a_choice_answers_400(world: World) -> None:
    """A choice quotes the value it refuses; a lone surrogate in it was a 500 (issue: the
    hostile-input sweep, tests/hostile)."""
    response = world.client("clinician").patch(
        f"/api/v1/patients/{opaque(world.patient.pk)}/",
        '{"injured_side": "\\ud800"}',
        content_type="application/json",
    )
    assert response.status_code == 400
    assert "not a character" in body(response)["detail"]
    world.patient.refresh_from_db()
    assert world.patient.injured_side != "\ud800"


def test_anonymous_api_sign_in_answers_400(db: None) -> None:
    response = APIClient().post("/api/v1/auth/login/", NESTED, content_type="application/json")
    assert response.status_code == 400
    assert "nested too deeply" in body(response)["detail"]


def _json_operations(world: World) -> list[tuple[str, str]]:
    """Every operation of the schema that takes a JSON body, its path ids filled with rows
    the callers may reach (so that the view gets as far as reading the body)."""
    schema = world.client("clinician").get("/api/v1/schema/", {"format": "json"}).json()
    log = factories.ExerciseLogFactory(prescription=world.prescription)
    ids = {
        "patients": opaque(world.patient.pk),
        "plans": opaque(world.plan.pk),
        "logs": opaque(log.pk),
        "alerts": opaque(factories.AlertFactory(patient=world.patient).pk),
    }
    operations = []
    for path, item in schema["paths"].items():
        resource = path.removeprefix("/api/v1/").split("/", 1)[0]
        url = re.sub(r"\{[^}]+\}", ids.get(resource, opaque(1)), path)
        operations += [
            (method, url)
            for method, operation in item.items()
            if method in WRITE_METHODS and "requestBody" in operation
        ]
    return operations


@pytest.mark.parametrize("who", ["clinician", "patient"])
def test_every_json_endpoint_answers_400_not_500(world: World, who: str) -> None:
    operations = _json_operations(world)
    assert len(operations) > 15
    refused = []
    for method, url in operations:
        client = world.client(who)
        response = getattr(client, method)(url, NESTED, content_type="application/json")
        assert response.status_code != 500, (method, url)
        assert response.status_code in {400, 403, 404}, (method, url, response.status_code)
        if response.status_code == 400:
            assert "nested too deeply" in body(response)["detail"], (method, url)
            refused.append(url)
    # Each role reaches the body of the operations it may call: a good share of them.
    assert len(refused) >= 5, refused


def test_the_today_pages_tick_refuses_it_without_an_error(world: World) -> None:
    client = client_for(world.patient.user)
    # The script's tick: the API, with the browser's session.
    response = client.post(
        reverse("api:log-list"),
        NESTED,
        content_type="application/json",
        HTTP_ACCEPT="application/json",
    )
    assert response.status_code == 400
    assert "nested too deeply" in body(response)["detail"]
    # The form view (without JavaScript) reads forms: a JSON body is an empty form, refused.
    response = client.post(reverse("rehab:log_create"), NESTED, content_type="application/json")
    assert response.status_code == 302
    assert response["Location"] == reverse("rehab:today")
    assert not ExerciseLog.objects.exists()
