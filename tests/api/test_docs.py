"""The OpenAPI schema and the Swagger UI docs page (served offline, under the site's CSP)."""

from __future__ import annotations

import re
from typing import Any

import pytest
from django.conf import settings
from django.contrib.staticfiles import finders
from django.test import Client
from rest_framework.test import APIClient

from tests.api.conftest import World, body
from tests.conftest import client_for

METHODS = {"get", "post", "put", "patch", "delete"}


@pytest.fixture
def schema(world: World) -> dict[str, Any]:
    response = world.client("patient").get("/api/v1/schema/", {"format": "json"})
    assert response.status_code == 200
    data: dict[str, Any] = response.json()
    return data


def operations(schema: dict[str, Any]) -> list[tuple[str, str, dict[str, Any]]]:
    return [
        (path, method, op)
        for path, item in schema["paths"].items()
        for method, op in item.items()
        if method in METHODS
    ]


def test_schema_needs_sign_in(db: None) -> None:
    response = APIClient().get("/api/v1/schema/")
    assert response.status_code == 401


def test_the_schema_is_generated_once_and_is_the_same_for_everyone(
    world: World, monkeypatch: pytest.MonkeyPatch
) -> None:
    from drf_spectacular.generators import SchemaGenerator  # noqa: PLC0415

    first = world.client("patient").get("/api/v1/schema/", {"format": "json"})
    generated: list[object] = []
    original = SchemaGenerator.get_schema

    def counted(self: SchemaGenerator, *args: Any, **kwargs: Any) -> Any:
        generated.append(self)
        return original(self, *args, **kwargs)

    monkeypatch.setattr(SchemaGenerator, "get_schema", counted)
    again = world.client("clinician").get("/api/v1/schema/", {"format": "json"})
    assert again.content == first.content
    assert again["Content-Type"] == "application/vnd.oai.openapi+json"
    assert generated == []
    yaml = world.client("clinician").get("/api/v1/schema/")
    assert yaml["Content-Type"] == "application/vnd.oai.openapi"
    assert yaml.content.startswith(b"openapi: 3")


def test_schema_is_openapi_3_and_lists_every_endpoint(schema: dict[str, Any]) -> None:
    assert schema["openapi"].startswith("3.")
    paths = set(schema["paths"])
    for expected in [
        "/api/v1/auth/login/",
        "/api/v1/auth/logout/",
        "/api/v1/auth/logoutall/",
        "/api/v1/auth/devices/",
        "/api/v1/auth/devices/{token_key}/",
        "/api/v1/exercises/{id}/",
        "/api/v1/protocols/{id}/",
        "/api/v1/patients/{id}/discharge/",
        "/api/v1/plans/{id}/activate/",
        "/api/v1/plans/{id}/advance/",
        "/api/v1/me/plan/",
        "/api/v1/me/today/",
        "/api/v1/logs/{id}/",
        "/api/v1/checkins/",
        "/api/v1/atrs/",
        "/api/v1/measurements/",
        "/api/v1/messages/",
        "/api/v1/alerts/{id}/acknowledge/",
    ]:
        assert expected in paths
    assert "knoxApiToken" in schema["components"]["securitySchemes"]


def test_every_operation_has_a_summary_and_documented_errors(schema: dict[str, Any]) -> None:
    for path, method, op in operations(schema):
        label = f"{method.upper()} {path}"
        assert op.get("summary"), label
        responses = op["responses"]
        assert any(code.startswith("2") for code in responses), label
        if path != "/api/v1/auth/login/":
            assert "401" in responses, label
        filters = [
            p
            for p in op.get("parameters", [])
            if p["in"] == "query" and p["name"] not in {"page", "page_size", "cursor", "format"}
        ]
        if op.get("requestBody") or filters:
            assert "400" in responses, label
        if "{" in path:
            assert "404" in responses, label
        for code, response in responses.items():
            if code != "204":
                assert "application/json" in response.get("content", {}), (label, code)


def test_list_operations_are_paginated(schema: dict[str, Any]) -> None:
    for path, method, op in operations(schema):
        if method == "get" and "{" not in path and not path.startswith("/api/v1/me/"):
            ref = op["responses"]["200"]["content"]["application/json"]["schema"]["$ref"]
            assert ref.split("/")[-1].startswith("Paginated"), path


def test_docs_send_anonymous_visitors_to_sign_in(db: None) -> None:
    response = Client().get("/api/v1/docs/")
    assert response.status_code == 302
    assert "/accounts/login/" in response["Location"]


def test_docs_page_is_offline_and_fits_the_csp(world: World) -> None:
    client = client_for(world.clinician.user)
    response = client.get("/api/v1/docs/")
    assert response.status_code == 200
    html = response.content.decode()
    csp = response["Content-Security-Policy"]
    [nonce] = re.findall(r"'nonce-([^']+)'", csp.split("script-src")[1].split(";")[0])
    scripts = re.findall(r"<script[^>]*>", html)
    assert scripts
    for tag in scripts:
        assert f'nonce="{nonce}"' in tag, tag
    assert f'<style nonce="{nonce}">' in html
    assert "http://" not in html
    assert "https://" not in html
    for asset in re.findall(r'(?:src|href)="/static/([^"]+)"', html):
        assert finders.find(asset), asset
    assert "/api/v1/schema/" in html


def test_the_docs_and_the_schema_are_titled_after_the_site_not_a_condition(
    world: World, schema: dict[str, Any]
) -> None:
    """From review: the docs page's title and the schema's said "Achilles Rehab API", the
    name of a condition, where the site itself is named ``SITE_NAME`` (default "Rehab") so
    that no title tells of an injury. Both follow it now."""
    title = f"{settings.SITE_NAME} API"
    assert schema["info"]["title"] == title
    html = client_for(world.clinician.user).get("/api/v1/docs/").content.decode()
    assert f"<title>{title}</title>" in html
    for text in (schema["info"]["title"], html):
        assert "Achilles" not in text


def test_the_docs_page_asked_for_another_format_says_so_plainly(world: World) -> None:
    client = client_for(world.clinician.user)
    response = client.get("/api/v1/docs/", {"format": "json"})
    assert response.status_code == 404
    assert response.content.decode() == "404 Not Found"
    response = client.get("/api/v1/docs/", headers={"Accept": "application/json"})
    assert response.status_code == 406
    assert response.content.decode() == "406 Not Acceptable"


def test_unknown_api_paths_are_json_404(world: World) -> None:
    client = world.client("clinician")
    for path in ["/api/v1/nothing/", "/api/v1/logs/1/nothing/", "/api/v1/exercises/a%0Ab/"]:
        response = client.get(path)
        assert response.status_code == 404
        assert body(response) == {"detail": "Not found."}
    response = client.post("/api/v1/nothing/")
    assert response.status_code == 404


def test_every_operation_documents_the_outage_answer(schema: dict[str, Any]) -> None:
    for path, method, op in operations(schema):
        outage = op["responses"]["503"]
        assert "Retry-After" in outage["headers"], f"{method} {path}"
        assert outage["content"]["application/json"]["schema"]["$ref"].endswith("/Error")


def test_phase_weeks_are_documented_as_read_on_the_pages(schema: dict[str, Any]) -> None:
    """start_week/end_week are half-open; the docs say how every page reads them."""
    components = schema["components"]["schemas"]
    for name in ("PlanPhaseBrief", "ProtocolPhase"):
        if name not in components:
            continue
        end = components[name]["properties"]["end_week"]["description"]
        assert "weeks 2–5" in end, name
        assert "`end_week` − 1" in end, name
    assert {"PlanPhaseBrief", "ProtocolPhase"} & set(components)


def test_no_body_is_described_by_the_code_it_is_built_with(schema: dict[str, Any]) -> None:
    """A body without a docstring of its own was described by its base class's (how
    ``core.api.serializers.ModelSerializer`` maps fields): words about the code, read in the
    docs as if about the data. Each says what it holds, or nothing."""
    from core.api.serializers import ModelSerializer  # noqa: PLC0415

    first_line = (ModelSerializer.__doc__ or "").strip().splitlines()[0]
    described = {
        name: component.get("description", "")
        for name, component in schema["components"]["schemas"].items()
    }
    assert [name for name, words in described.items() if first_line in words] == []
    assert "open until acknowledged" in described["Alert"]
    assert described["ProtocolPhase"] == "A template's phase with its exercises."


def test_todays_hold_is_documented(schema: dict[str, Any]) -> None:
    """/me/today/'s ``hold``: a red flag's advice as Today shows it, or null."""
    components = schema["components"]["schemas"]
    today = components["Today"]
    assert "hold" in today["required"]
    hold = today["properties"]["hold"]
    ref = next(item["$ref"] for item in hold["allOf"] if "$ref" in item)
    assert hold["nullable"] is True
    assert "red flag" in hold["description"]
    properties = components[ref.rsplit("/", 1)[1]]["properties"]
    for name in ("kind", "title", "message", "red_flags", "clinic_phone", "emergency_number"):
        assert name in properties, name
    kind = properties["kind"]
    if "$ref" in kind or "allOf" in kind:  # an enum component
        kind = components[(kind.get("$ref") or kind["allOf"][0]["$ref"]).rsplit("/", 1)[1]]
    assert set(kind["enum"]) == {"paused", "waiting", "reviewed"}


def _plain_strings(node: Any) -> list[dict[str, Any]]:
    """Every string schema in ``node`` with no format, enum or pattern of its own."""
    found: list[dict[str, Any]] = []
    if isinstance(node, list):
        for item in node:
            found += _plain_strings(item)
    elif isinstance(node, dict):
        if node.get("type") == "string" and not {"format", "enum"} & node.keys():
            found.append(node)
        for value in node.values():
            found += _plain_strings(value)
    return found


def test_request_strings_are_documented_without_null_characters(schema: dict[str, Any]) -> None:
    """Every string field refuses NUL (``null_characters_not_allowed``: PostgreSQL cannot store
    it); the schema says so with a pattern, so that input the schema calls valid is taken. A
    guardrail reason with a NUL was schema-valid and refused with a field's own code."""
    components = schema["components"]["schemas"]
    reason = components["PlanGuardrailRequest"]["properties"]["guardrail_reasons"]
    message = components["MessageCreateRequest"]["properties"]["body"]
    for string in (reason["additionalProperties"], message):
        assert re.fullmatch(string["pattern"], "Heel pain, 3/10 — ok?")
        assert not re.fullmatch(string["pattern"], "a\x00b")
    requests = [c for name, c in components.items() if name.endswith("Request")]
    parameters = [
        p["schema"] for _path, _method, op in operations(schema) for p in op.get("parameters", [])
    ]
    strings = _plain_strings(requests) + _plain_strings(parameters)
    assert strings
    for string in strings:
        assert "pattern" in string, string
        assert not re.fullmatch(string["pattern"], "\x00"), string
