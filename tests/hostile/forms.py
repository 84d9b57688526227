"""Where the hostile-input sweep (``tests/hostile/test_hostile_input.py``) finds each route's
fields: the forms the site's pages draw (an HTML form's or an htmx button's target, with the
values the page filled in), and, for the API, the OpenAPI schema of each write operation."""

from __future__ import annotations

from dataclasses import dataclass, field
from html.parser import HTMLParser
from typing import Any
from urllib.parse import urlsplit

from django import forms as django_forms
from drf_spectacular.generators import SchemaGenerator

PROJECT_APPS = ("clinic", "rehab", "notify", "audit", "core")

Fields = list[tuple[str, str, str]]
"""A form's fields in page order: (name, value the page filled in, kind: the input's type,
``select``, ``textarea`` or ``button``)."""


@dataclass
class _Form:
    action: str
    method: str
    hx_post: str
    fields: Fields = field(default_factory=list)
    buttons: list[tuple[str, str, str]] = field(default_factory=list)
    """(target, name, value) of each button that posts somewhere of its own."""


class _FormParser(HTMLParser):
    """Every form of a page, each with its target(s) and filled-in values."""

    def __init__(self, page_path: str) -> None:
        super().__init__(convert_charrefs=True)
        self.page_path = page_path
        self.forms: list[_Form] = []
        self.loose: list[tuple[str, str, str]] = []  # hx-post buttons outside a form
        self.links: list[str] = []
        self._form: _Form | None = None
        self._textarea: tuple[str, list[str]] | None = None
        self._select: str | None = None
        self._select_value: str | None = None
        self._first_option: str | None = None
        self._option_value: str | None = None

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        a = {key: value or "" for key, value in attrs}
        if tag == "form":
            self._form = _Form(
                action=a.get("action") or self.page_path,
                method=(a.get("method") or "get").lower(),
                hx_post=a.get("hx-post", ""),
            )
            self.forms.append(self._form)
            return
        if tag == "a" and a.get("href"):
            self.links.append(a["href"])
        name = a.get("name", "")
        if tag in ("button", "input") and (a.get("hx-post") or a.get("formaction")):
            target = a.get("hx-post") or a.get("formaction", "")
            if self._form is None:
                self.loose.append((target, name, a.get("value", "")))
            else:
                self._form.buttons.append((target, name, a.get("value", "")))
            return
        if self._form is not None and (name or tag == "option"):
            self._start_field(tag, name, a)

    def _start_field(self, tag: str, name: str, a: dict[str, str]) -> None:
        if tag == "input":
            kind = a.get("type", "text").lower()
            if kind in ("checkbox", "radio") and "checked" not in a:
                value = ""
            else:
                value = a.get("value", "on" if kind in ("checkbox", "radio") else "")
            self._add(name, value, kind)
        elif tag == "button":
            self._add(name, a.get("value", ""), "button")
        elif tag == "textarea":
            self._textarea = (name, [])
        elif tag == "select":
            self._select, self._select_value, self._first_option = name, None, None
        elif tag == "option" and self._select is not None:
            self._option_value = a.get("value", "")
            if self._first_option is None:
                self._first_option = self._option_value
            if "selected" in a:
                self._select_value = self._option_value

    def _add(self, name: str, value: str, kind: str) -> None:
        assert self._form is not None
        if name == "csrfmiddlewaretoken" or any(n == name for n, _v, _k in self._form.fields):
            return
        self._form.fields.append((name, value, kind))

    def handle_data(self, data: str) -> None:
        if self._textarea is not None:
            self._textarea[1].append(data)

    def handle_endtag(self, tag: str) -> None:
        if tag == "textarea" and self._textarea is not None and self._form is not None:
            self._add(self._textarea[0], "".join(self._textarea[1]), "textarea")
            self._textarea = None
        elif tag == "select" and self._select is not None and self._form is not None:
            self._add(self._select, self._select_value or self._first_option or "", "select")
            self._select = None
        elif tag == "form":
            self._form = None


def page_forms(page_path: str, html: str) -> dict[str, Fields]:
    """The POST targets of a page (path, no query) with the fields each is sent."""
    return _parse(page_path, html)[0]


def same_page_links(page_path: str, html: str) -> list[str]:
    """The page's links to itself with a query (``?edit=phase-…``, ``?tab=…``): where it
    draws the forms it shows only when asked."""
    links = _parse(page_path, html)[1]
    return sorted(
        {link for link in links if urlsplit(link).query and _path(link) in ("", page_path)}
    )


def _parse(page_path: str, html: str) -> tuple[dict[str, Fields], list[str]]:
    parser = _FormParser(page_path)
    parser.feed(html)
    targets: dict[str, Fields] = {}
    for form in parser.forms:
        if form.method == "post" or form.hx_post:
            targets.setdefault(_path(form.hx_post or form.action), list(form.fields))
        for target, name, value in form.buttons:
            extra = [(name, value, "button")] if name else []
            targets.setdefault(_path(target), [*form.fields, *extra])
    for target, name, value in parser.loose:
        targets.setdefault(_path(target), [(name, value, "button")] if name else [])
    return targets, parser.links


def _path(url: str) -> str:
    return urlsplit(url).path


def common_field_names() -> list[str]:
    """Every field name the project's own forms declare: what a route whose form no page draws
    (a script posts to it) is sent."""
    names: set[str] = set()
    stack: list[type[Any]] = [django_forms.BaseForm]
    while stack:
        cls = stack.pop()
        stack.extend(cls.__subclasses__())
        if cls.__module__.split(".")[0] in PROJECT_APPS:
            names |= set(getattr(cls, "base_fields", {}))
    return sorted(names)


# --- The API ---------------------------------------------------------------------------------


@dataclass(frozen=True)
class Operation:
    path: str
    """The schema's path, with ``{id}`` placeholders."""
    method: str
    properties: dict[str, dict[str, Any]]
    """The request body's fields, each with its schema (``type``, ``format``…)."""


def api_operations() -> list[Operation]:
    """Every write operation of the API's OpenAPI schema that takes a body, or none."""
    schema = SchemaGenerator().get_schema(request=None, public=True)
    components = schema["components"]["schemas"]
    operations = []
    for path, methods in schema["paths"].items():
        for method, operation in methods.items():
            if method not in ("post", "put", "patch"):
                continue
            body = operation.get("requestBody", {}).get("content", {}).get("application/json")
            properties: dict[str, dict[str, Any]] = {}
            if body is not None:
                ref = body["schema"].get("$ref", "")
                resolved = components[ref.rsplit("/", 1)[-1]] if ref else body["schema"]
                properties = {
                    name: _resolve(prop, components)
                    for name, prop in resolved.get("properties", {}).items()
                }
            operations.append(Operation(path, method, properties))
    return operations


def _resolve(prop: dict[str, Any], components: dict[str, Any]) -> dict[str, Any]:
    """A property's own schema (an enum or nested body is a ``$ref``, maybe in ``allOf``)."""
    if "$ref" in prop:
        return components[prop["$ref"].rsplit("/", 1)[-1]]
    for key in ("allOf", "oneOf", "anyOf"):
        if key in prop:
            return _resolve(prop[key][0], components)
    return prop
