"""Bad input gets a clear error and loses nothing; never a 500.

Every write route of the site (its pages' forms and actions, and the API's POST, PUT and PATCH
operations) is sent hostile values, signed in as someone entitled to it, and must answer below
500. The routes, the scenario's objects, the people and their rights come from the access
matrix (``tests/test_access_matrix.py``, ``tests/access_matrix_rules.py``):

- a page's route is written to by the first of the patient, the clinician, the clinic admin and
  an anonymous visitor whose rule lets them write (or read, for a page that also takes a POST);
  its fields are those of the form a page draws for it, with the values the page filled in,
  and one field at a time is replaced by each hostile value. A route whose form no page draws
  (a script posts to it) is sent every field name the project's forms declare, all at once;
- an API operation's fields come from the OpenAPI schema, each sent the hostile values that fit
  its type, over the values of the scenario's own object (a PATCH: that field alone). It is
  written by the first person whose empty write is not refused for who they are (401, 403, 404).

Each request runs in a savepoint that is rolled back, so the scenario stays as built. On
PostgreSQL the sweep finds more: it refuses a NUL in text and ``\\u0000`` in jsonb, where
SQLite stores them.
"""

from __future__ import annotations

import copy
import json
import re
import uuid
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

import pytest
from django.db import transaction
from django.http import HttpResponseBase
from django.test import Client
from django.urls import Resolver404, resolve, reverse

from tests import test_access_matrix as matrix
from tests.access_matrix_rules import ADMIN_LOGIN, LOGIN, RULES, Actor, Expect
from tests.hostile.forms import (
    Fields,
    Operation,
    api_operations,
    common_field_names,
    page_forms,
    same_page_links,
)

scenario = matrix.scenario  # the access matrix's scenario, built once for this module

WRITERS: tuple[Actor, ...] = ("patient", "clinician", "clinic_admin", "staff", "anonymous")
REFUSED: tuple[Expect, ...] = (401, 403, 404, 405, LOGIN, ADMIN_LOGIN)
# Routes whose rule names no writer: an empty POST to end a session names none (404 for all).
WRITER: dict[str, Actor] = {"clinic:session_end": "patient"}

# Every hostile value, sent in every field of a page's form at once: a form cleans each field on
# its own (and runs its ``clean`` whatever the others' errors), so one body per value reaches
# each field's cleaning. (A 100,000-character value goes in one field at a time: in every field
# at once the body is over the size limit and refused before any field is read.)
FORM_VALUES: tuple[str | list[str], ...] = (
    "a\x00b",
    "9" * 40,
    "3000000000",  # beyond a 32-bit integer column (PostgreSQL's integer)
    "-1",
    "2026-02-30",
    "99999-01-01",
    "0000-not-a-uuid",
    ["a", "b"],  # the field sent twice: a list where one value is expected
)
# The values a field may accept and pass on to a service and the database: each sent in one
# field at a time, over the page's own values of the others (a form that is otherwise valid).
FORM_ONE_AT_A_TIME: dict[str, tuple[str, ...]] = {
    "number": ("9" * 40, "3000000000", "-1"),
    "text": ("x" * 100_000,),
    # A hidden field is often read by the view itself, not by a form field that refuses a NUL.
    "hidden": ("a\x00b", "x" * 100_000),
}
# A page's script posts JSON (the browser's push subscription): every field of a JSON body.
PAGE_JSON_VALUES: tuple[str, ...] = ("a\x00b", "\ud800", "https://push.example.org/\ud800")
JSON = "application/json"
# A route whose form no page draws: these, in every field name the project's forms declare.
COMMON_VALUES: tuple[str | list[str], ...] = ("a\x00b", "9" * 40, "-1", "2026-02-30", ["a", "b"])

# Every API body's fields at once, each value in turn (a serializer, too, validates each field
# on its own), then the values a field of each type may accept, one field at a time over the
# scenario object's own values.
API_VALUES: tuple[Any, ...] = (
    "a\x00b",
    "\ud800",
    int("9" * 40),
    "9" * 40,
    -1,
    1e308,
    "2026-02-30",
    "99999-01-01",
    "99999-01-01T00:00:00Z",
    "0000-not-a-uuid",
    ["a"],
    {"a": 1},
)
API_ONE_AT_A_TIME: dict[str, tuple[Any, ...]] = {
    "string": ("a\x00b", "x" * 100_000),
    "integer": (int("9" * 40), 3_000_000_000, -1),
    "number": (int("9" * 40), 3_000_000_000, -1, 1e308),
    "array": (["a\x00b"], [int("9" * 40)]),
    "object": ({"a\x00": "\x00"},),
}
# Every API operation, as a whole body.
API_BODIES: tuple[str, ...] = ("", "{not json", "[]", "null", '"\\u0000"', "[" * 5000)

# A route whose fields no page shows: every field name the project's forms declare.
COMMON_NAMES = common_field_names()
OPERATIONS = api_operations()

# At least this many routes are written to: the sweep cannot silently test nothing.
MIN_PAGE_ROUTES = 80
MIN_API_OPERATIONS = 20
MAX_LINKS = 40  # a page's own links followed for the forms they show
# Pages crawled for their forms besides every page route's own (route, scenario object, who):
# a template's draft shows the edit forms its published version does not.
MORE_PAGES: tuple[tuple[str, str, Actor], ...] = (
    ("rehab:template_detail", "draft_protocol", "clinician"),
)


# --- Who writes where, with which fields ----------------------------------------------------


@dataclass(frozen=True)
class Target:
    label: str
    path: str
    actor: Actor
    method: str
    fields: Fields
    """A page's form fields ([] when no page draws its form)."""
    operation: Operation | None = None
    baseline: dict[str, Any] | None = None
    """An API body's other fields: the scenario object's own values."""


_CLIENTS: dict[tuple[int, Actor], Client] = {}


def _client(actor: Actor, scenario: matrix.Scenario, path: str) -> tuple[Client, dict[str, str]]:
    """The actor's client, signed in once per scenario (``send`` keeps its session)."""
    key = (id(scenario), actor)
    if key not in _CLIENTS:
        _CLIENTS[key] = Client(raise_request_exception=False)
        user = scenario.users[actor]
        if user is not None:
            _CLIENTS[key].force_login(user)
    headers: dict[str, str] = {}
    if path.startswith("/api/") and actor in scenario.tokens:
        headers["Authorization"] = f"Token {scenario.tokens[actor]}"
    return _CLIENTS[key], headers


def send(
    client: Client, method: str, path: str, headers: dict[str, str], **kwargs: Any
) -> HttpResponseBase:
    """One request in a savepoint that is rolled back, and the client's cookies as they were
    (a sign-out, rolled back, leaves the session as it was)."""
    cookies = copy.deepcopy(client.cookies)
    with transaction.atomic():
        response: HttpResponseBase = getattr(client, method)(path, headers=headers, **kwargs)
        transaction.set_rollback(True)
    client.cookies = cookies
    return response


def _entitled(expected: tuple[Expect, ...], *, write: bool) -> bool:
    if write:
        return not all(expect in REFUSED for expect in expected)
    return 200 in expected


def _writer(key: str) -> Actor | None:
    """Who writes to a page route: the first whose rule lets them write (a POST-only route) or
    open the page (200; else, a page that sends everyone on, the first it sends on)."""
    rule = RULES[key]
    if key in WRITER:
        return WRITER[key]
    if rule.write is not None:
        return next((a for a in WRITERS if _entitled(rule.write[a], write=True)), None)
    opens = [a for a in WRITERS if _entitled(rule.get[a], write=False)]
    sent_on = [
        a for a in WRITERS if any(str(e).startswith("->") for e in rule.get[a]) and a != "anonymous"
    ]
    return (opens or sent_on or [None])[0]


def _page_path(key: str, scenario: matrix.Scenario) -> str | None:
    rule = RULES[key]
    pattern = next(p for p in matrix.PATTERNS if p.key == key)
    return matrix.concrete_path(pattern, rule, scenario)


def _page_routes() -> list[str]:
    """The site's own routes (not the API's, not the Django admin's, not catch-alls)."""
    return [
        p.key
        for p in matrix.PATTERNS
        if not p.key.startswith(("api", "admin"))
        and RULES[p.key].path is None
        and RULES[p.key].write_method == "post"
    ]


def _page_targets(scenario: matrix.Scenario) -> dict[str, Target]:
    """Each page route's writer and fields; a route no one entitled may POST to has none."""
    drawn: dict[str, Fields] = {}
    plans: list[tuple[str, str, Actor]] = []
    for key in _page_routes():
        path, actor = _page_path(key, scenario), _writer(key)
        assert path is not None
        if actor is None:
            continue
        if RULES[key].write is not None:
            plans.append((key, path, actor))
            continue
        client, headers = _client(actor, scenario, path)
        _crawl(client, headers, path, drawn)
        if send(client, "post", path, headers).status_code != 405:
            plans.append((key, path, actor))
    for key, obj, actor in MORE_PAGES:
        path = reverse(key, kwargs={"pk": int(scenario.params[obj]["pk"])})
        _crawl(*_client(actor, scenario, path), path, drawn)
    return {key: Target(key, path, actor, "post", drawn.get(key, [])) for key, path, actor in plans}


def _crawl(client: Client, headers: dict[str, str], path: str, drawn: dict[str, Fields]) -> None:
    """The forms of the page at ``path`` and of its links to itself with a query (the edit
    forms it draws when asked), by the name of the route each posts to."""
    page = send(client, "get", path, headers)
    if not page.get("Content-Type", "").startswith("text/html") or page.streaming:
        return
    html = page.content.decode()
    pages = [html]
    for link in same_page_links(path, html)[:MAX_LINKS]:
        more = send(client, "get", link if link.startswith("/") else path + link, headers)
        if more.status_code == 200 and not more.streaming:
            pages.append(more.content.decode())
    for content in pages:
        for target, fields in page_forms(path, content).items():
            try:
                name = resolve(target).view_name
            except Resolver404:
                continue
            if fields or name not in drawn:
                drawn[name] = drawn.get(name) or fields


def _schema_regex(path: str) -> re.Pattern[str]:
    return re.compile("^" + re.sub(r"\\\{\w+\\\}", "[^/]+", re.escape(path)) + "$")


def _api_targets(scenario: matrix.Scenario) -> dict[str, Target]:
    """Each API operation's writer (the first whose empty write is not refused for who they
    are) and the body its fields are sent over."""
    paths = [
        matrix.concrete_path(p, RULES[p.key], scenario)
        for p in matrix.PATTERNS
        if p.key.startswith("api:") and RULES[p.key].path is None
    ]
    targets: dict[str, Target] = {}
    for operation in OPERATIONS:
        label = f"{operation.method.upper()} {operation.path}"
        regex = _schema_regex(operation.path)
        path = next(p for p in paths if regex.match(p))
        for actor in WRITERS:
            client, headers = _client(actor, scenario, path)
            probe = send(
                client, operation.method, path, headers, data="{}", content_type="application/json"
            )
            if probe.status_code not in (401, 403, 404, 405):
                baseline = _api_baseline(client, headers, operation, path, paths)
                targets[label] = Target(
                    label, path, actor, operation.method, [], operation, baseline
                )
                break
    return targets


def _api_baseline(
    client: Client, headers: dict[str, str], operation: Operation, path: str, paths: list[str]
) -> dict[str, Any]:
    """The scenario object's own values of the operation's fields (a PATCH: none; a create:
    those of the object of the same kind)."""
    if operation.method == "patch":
        return {}
    detail = path
    if operation.method == "post":
        detail = next(
            (p for p in paths if p.startswith(path) and p.count("/") == path.count("/") + 1), ""
        )
    if not detail:
        return {}
    response = send(client, "get", detail, headers)
    if response.status_code != 200:
        return {}
    values = json.loads(response.content)
    return {
        name: values[name]
        for name, prop in operation.properties.items()
        if name in values and not prop.get("readOnly")
    }


@pytest.fixture(scope="module")
def targets(scenario: matrix.Scenario, django_db_blocker: Any) -> Iterator[dict[str, Target]]:
    with django_db_blocker.unblock():
        yield {**_page_targets(scenario), **_api_targets(scenario)}
    _CLIENTS.clear()


# --- The requests ---------------------------------------------------------------------------


def _form_kind(kind: str, value: str) -> str:
    if kind == "number" or (kind in ("text", "hidden") and NUMBER.match(value)):
        return "number"
    if kind == "hidden":
        return "hidden"
    return "text" if kind in TEXT_INPUTS else ""


NUMBER = re.compile(r"^-?\d+(\.\d+)?$")
TEXT_INPUTS = frozenset({"text", "textarea", "email", "url", "tel", "search", "password"})


def _form_requests(target: Target) -> Iterator[tuple[str, dict[str, Any]]]:
    """(what was sent, the request's arguments) for a page route."""
    yield "an empty body", {}
    yield "JSON that is not", {"data": "{not json", "content_type": "application/json"}
    yield (
        "bytes that are not UTF-8, form-encoded",
        {
            "data": "%ED%A0%80=%ED%A0%80&%FF=%00",
            "content_type": "application/x-www-form-urlencoded",
        },
    )
    names = [name for name, _value, _kind in target.fields] or COMMON_NAMES
    for text in PAGE_JSON_VALUES:
        body = json.dumps(dict.fromkeys(names, text))
        yield f"every field = {text!r}, as JSON", {"data": body, "content_type": JSON}
    for value in FORM_VALUES if target.fields else COMMON_VALUES:
        yield f"every field = {value!r:.40}", {"data": dict.fromkeys(names, value)}
    baseline = {name: value for name, value, kind in target.fields if value or kind != "checkbox"}
    for name, value, kind in target.fields:
        for hostile in FORM_ONE_AT_A_TIME.get(_form_kind(kind, value), ()):
            yield f"{name} = {hostile!r:.40}", {"data": {**baseline, name: hostile}}


def _api_kind(prop: dict[str, Any]) -> str:
    return "" if "enum" in prop else str(prop.get("type", ""))


def _fresh(operation: Operation, body: dict[str, Any]) -> dict[str, Any]:
    """A new client id in each body: a resent one finds its first row and checks nothing."""
    for name, prop in operation.properties.items():
        if prop.get("format") == "uuid" and name.endswith("uuid") and name in body:
            body[name] = str(uuid.uuid4())
    return body


def _api_requests(target: Target) -> Iterator[tuple[str, dict[str, Any]]]:
    operation = target.operation
    assert operation is not None
    for text in API_BODIES:
        yield f"the body {text[:20]!r}", {"data": text, "content_type": "application/json"}
    writable = [name for name, prop in operation.properties.items() if not prop.get("readOnly")]
    baseline = target.baseline or {}
    bodies = [(f"every field = {v!r:.40}", dict.fromkeys(writable, v)) for v in API_VALUES]
    for name in writable:
        for value in API_ONE_AT_A_TIME.get(_api_kind(operation.properties[name]), ()):
            bodies.append((f"{name} = {value!r:.40}", {**baseline, name: value}))
    for what, body in bodies:
        yield (
            what,
            {"data": json.dumps(_fresh(operation, body)), "content_type": "application/json"},
        )


def sweep(target: Target, scenario: matrix.Scenario) -> int:
    """Send every hostile request of the target; fail naming each 500. Returns how many."""
    client, headers = _client(target.actor, scenario, target.path)
    requests = _api_requests(target) if target.operation else _form_requests(target)
    crashes: list[str] = []
    sent = 0
    for what, kwargs in requests:
        response = send(client, target.method, target.path, headers, **kwargs)
        sent += 1
        if response.status_code >= 500:
            crashes.append(f"{target.method.upper()} {target.path} as {target.actor}: {what}")
    assert not crashes, f"{target.label} answered 500 to:\n" + "\n".join(crashes)
    return sent


# --- The tests ------------------------------------------------------------------------------


@pytest.mark.django_db
@pytest.mark.parametrize("key", _page_routes())
def test_a_page_route_never_answers_500(
    key: str, targets: dict[str, Target], scenario: matrix.Scenario
) -> None:
    target = targets.get(key)
    if target is None:
        pytest.skip(f"{key}: a page only read (405 to a POST), or no one may open it")
    assert sweep(target, scenario) >= 3


@pytest.mark.django_db
@pytest.mark.parametrize("label", [f"{op.method.upper()} {op.path}" for op in OPERATIONS])
def test_an_api_operation_never_answers_500(
    label: str, targets: dict[str, Target], scenario: matrix.Scenario
) -> None:
    assert label in targets, f"{label}: no one in the scenario may call it"
    assert sweep(targets[label], scenario) >= len(API_BODIES)


@pytest.mark.django_db
def test_the_sweep_reaches_the_write_routes(targets: dict[str, Target]) -> None:
    """Enough routes are written to, with fields, that a broken discovery cannot pass."""
    pages = [t for t in targets.values() if t.operation is None]
    with_fields = [t for t in pages if t.fields]
    api = [t for t in targets.values() if t.operation is not None]
    assert len(pages) >= MIN_PAGE_ROUTES, sorted(t.label for t in pages)
    assert len(with_fields) >= MIN_PAGE_ROUTES // 2, sorted(t.label for t in with_fields)
    assert len(api) >= MIN_API_OPERATIONS, sorted(t.label for t in api)
    assert {"patient", "clinician", "clinic_admin"} <= {t.actor for t in targets.values()}
