"""The pages' JSON bodies (Today's ticks, the browser's push subscription): a body nested too
deeply to read, or with a ``\\u`` escape that is no character, is refused like any other that
is not JSON, never a 500."""

from __future__ import annotations

import pytest
from django.test import Client, RequestFactory
from django.urls import reverse

from core.jsonbody import json_body
from tests import factories
from tests.core.api.test_parsers import NESTED


@pytest.mark.parametrize(
    ("body", "expected"),
    [
        (b"", {}),
        (b'{"a": 1}', {"a": 1}),
        (b"{", None),
        (NESTED.encode(), None),
        (b'{"a": "\\ud800"}', None),  # half of a surrogate pair, alone: no character
        (b'{"\\udfff": 1}', None),
        (b'{"a": "\\ud83d\\ude00"}', {"a": "\U0001f600"}),  # a pair: its character
    ],
)
def test_json_body(body: bytes, expected: object) -> None:
    request = RequestFactory().post("/", body, content_type="application/json")
    assert json_body(request) == expected


@pytest.mark.parametrize("name", ["notify:push_subscribe", "notify:push_unsubscribe"])
def test_the_push_endpoints_refuse_it_with_their_errors(db: None, name: str) -> None:
    client = Client(raise_request_exception=False)
    client.force_login(factories.PatientFactory().user)
    response = client.post(reverse(name), NESTED, content_type="application/json")
    assert response.status_code == 400
    assert response.json()["errors"]


def test_a_push_endpoint_with_a_lone_surrogate_is_refused_with_its_errors(db: None) -> None:
    """A URL may hold any character; one that is no character could not be looked for (a 500;
    found by the hostile-input sweep, tests/hostile)."""
    client = Client(raise_request_exception=False)
    client.force_login(factories.PatientFactory().user)
    response = client.post(
        reverse("notify:push_unsubscribe"),
        '{"endpoint": "https://push.example.org/\\ud800"}',
        content_type="application/json",
    )
    assert response.status_code == 400
    assert response.json()["errors"]
