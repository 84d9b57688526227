"""What a browser or phone reads from the app's pages, for the load test (pure functions).

The bench talks to the app over HTTP only, so it reads the pages as the browser does:

- Today's exercise cards: ``<article … data-rx data-sets data-times data-sessions>``, the
  attributes the Today page's script reads (``static/js/today/cards.js``); ``data-rx`` is the
  prescription's opaque id (``core.ids``), as the API and the card's own form take it.
- Today's configuration (``<script id="today-config">``): where the script sends a tick, in
  JSON to the API (``logsUrl``: ``POST /api/v1/logs/``), and its pain and effort
  (``PATCH <logsUrl><id>/``). A page without it: the same API paths. A page from before the
  script used the API (``logCreateUrl``, ``logUpdateUrl``: form posts asking for JSON) is read
  too, so the bench still measures older code as its script ticked.
- The CSRF token: the page's ``hx-headers`` (as the scripts send it), else a form's hidden
  ``csrfmiddlewaretoken``.
- Links and form actions with ids in them (patients, plans, alerts to acknowledge).

tests/bench/test_phone.py renders the real pages and checks these still find what they need.
"""

from __future__ import annotations

import html
import json
import re
import urllib.parse
from dataclasses import dataclass
from typing import Any

API_LOGS = "/api/v1/logs/"
FORM = "application/x-www-form-urlencoded"
JSON = "application/json"

_ARTICLE = re.compile(r"<article\b[^>]*\bdata-rx=[^>]*>", re.S)
_ATTRIBUTE = re.compile(r'\bdata-([a-z-]+)="([^"]*)"')
_CONFIG = re.compile(r'<script id="today-config" type="application/json">(.*?)</script>', re.S)
_HX_HEADERS = re.compile(r"hx-headers='([^']*)'")
_CSRF_INPUT = re.compile(r'name="csrfmiddlewaretoken" value="([^"]+)"')


@dataclass(frozen=True)
class Card:
    """One exercise due today, as its card on the Today page shows it."""

    prescription: str  # its id as the API takes it (data-rx)
    sets: int
    times: int  # sessions a day
    sessions: int  # sessions done today

    @property
    def open(self) -> bool:
        return self.sessions < self.times


def _int(value: str | None, default: int) -> int:
    try:
        return int(value) if value else default
    except ValueError:
        return default


def cards(page: str) -> list[Card]:
    found = []
    for tag in _ARTICLE.findall(page):
        data = dict(_ATTRIBUTE.findall(tag))
        rx = data.get("rx", "")
        if rx:
            found.append(
                Card(
                    prescription=rx,
                    sets=max(1, _int(data.get("sets"), 1)),
                    times=max(1, _int(data.get("times"), 1)),
                    sessions=_int(data.get("sessions"), 0),
                )
            )
    return found


def today_config(page: str) -> dict[str, Any]:
    match = _CONFIG.search(page)
    if not match:
        return {}
    try:
        data = json.loads(match.group(1))
    except ValueError:
        return {}
    return data if isinstance(data, dict) else {}


@dataclass(frozen=True)
class TickRoute:
    """Where and how Today's script sends a tick and then its pain and effort."""

    create_url: str
    update_template: str  # "{id}" stands for the tick's id
    api: bool  # JSON to the REST API (PATCH for the update); else a form post asking for JSON


def tick_route(config: dict[str, Any]) -> TickRoute:
    logs = config.get("logsUrl")
    if isinstance(logs, str) and logs:
        return TickRoute(logs, logs + "{id}/", api=True)
    # Older pages (before the script ticked through the API): their form views, in JSON.
    create = config.get("logCreateUrl")
    update = config.get("logUpdateUrl")
    if isinstance(create, str) and isinstance(update, str) and not create.startswith("/api/"):
        return TickRoute(create, update.replace("/0/", "/{id}/"), api=False)
    return TickRoute(API_LOGS, API_LOGS + "{id}/", api=True)


@dataclass(frozen=True)
class Request:
    """One request as a browser sends it."""

    method: str
    path: str
    body: str
    headers: dict[str, str]

    @property
    def content_type(self) -> str:
        return self.headers["Content-Type"]


def _script_request(
    method: str, path: str, fields: dict[str, Any], csrf: str, api: bool
) -> Request:
    """What Today's script sends: JSON to the API (or, on older pages, form fields with a
    JSON answer asked for)."""
    if api:
        body = json.dumps(fields)
        headers = {"Content-Type": JSON, "Accept": JSON, "X-CSRFToken": csrf}
    else:
        body = urllib.parse.urlencode(fields)
        headers = {"Content-Type": FORM, "Accept": JSON, "X-CSRFToken": csrf}
    return Request(method, path, body, headers)


def tick_request(route: TickRoute, *, client_uuid: str, card: Card, day: str, csrf: str) -> Request:
    """A tick of all the card's sets, today."""
    fields: dict[str, Any] = {
        "client_uuid": client_uuid,
        "prescription": card.prescription,
        "sets_done": card.sets,
    }
    if day:
        fields["date"] = day
    return _script_request("POST", route.create_url, fields, csrf, route.api)


def feedback_request(
    route: TickRoute, log_id: str, *, pain: int, effort: int, csrf: str
) -> Request:
    """Pain and effort for a stored tick (the feedback form: its note left empty)."""
    path = route.update_template.replace("{id}", log_id)
    fields = {"pain": pain, "effort": effort, "note": ""}
    return _script_request("PATCH" if route.api else "POST", path, fields, csrf, route.api)


def form_request(path: str, fields: dict[str, str], csrf: str, *, htmx: bool = False) -> Request:
    """A form posted by the browser (with htmx: as ``hx-post`` sends it)."""
    headers = {"Content-Type": FORM, "X-CSRFToken": csrf}
    if htmx:
        headers["HX-Request"] = "true"
    body = urllib.parse.urlencode({**fields, "csrfmiddlewaretoken": csrf})
    return Request("POST", path, body, headers)


def stored_id(answer: str) -> str | None:
    """The id in a tick's JSON answer, as its address takes it: the API's opaque string (or,
    from code before it, a number)."""
    try:
        value = json.loads(answer)["id"]
    except (ValueError, KeyError, TypeError):
        return None
    if isinstance(value, bool) or not isinstance(value, str | int) or value == "":
        return None
    return str(value)


def csrf_token(page: str) -> str:
    match = _HX_HEADERS.search(page)
    if match:
        try:
            headers = json.loads(html.unescape(match.group(1)))
        except ValueError:
            headers = {}
        token = headers.get("X-CSRFToken") if isinstance(headers, dict) else None
        if isinstance(token, str) and token:
            return token
    match = _CSRF_INPUT.search(page)
    return match.group(1) if match else ""


def hidden_value(page: str, name: str) -> str:
    """A form's hidden input (e.g. the check-in's fresh ``client_uuid``)."""
    match = re.search(rf'<input type="hidden" name="{re.escape(name)}" value="([^"]*)"', page)
    return html.unescape(match.group(1)) if match else ""


# A row's id in a page's address: core.ids.OpaqueIdConverter.regex (written out: this module
# imports nothing of the project's).
OPAQUE_ID = "[0-9A-Za-z]{8,36}"


def ids(page: str, path_pattern: str) -> list[str]:
    """Every id in links or form actions matching ``path_pattern``, a path with ``{id}``
    (``/clinic/patients/{id}/``), in page order, each once: as the address writes it (a row's
    opaque id, core.ids), to put back into a path."""
    prefix, _sep, suffix = path_pattern.partition("{id}")
    pattern = re.compile(rf'(?:href|action)="{re.escape(prefix)}({OPAQUE_ID}){re.escape(suffix)}"')
    return list(dict.fromkeys(pattern.findall(page)))


def page_numbers(page: str) -> list[int]:
    """The page numbers a paginated list links to (its "previous" and "next")."""
    return [int(n) for n in re.findall(r'href="\?[^"]*\bpage=(\d+)', page)]
