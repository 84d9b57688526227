"""OpenAPI pieces shared by every endpoint: the error bodies, the schema and the docs page.

Each operation documents its error responses with ``errors(...)``: 400 (field errors keyed by
field name, and their codes), 401 (not signed in), 403 (wrong role), 404 (not found or outside
your reach), 429 (too many sign-in attempts). An operation that refuses input for a rule the
schema cannot state (a date before the injury, a plan that is completed, an edit of another
day's log) names each rule's code with ``rules={code: when}`` (``errors``, ``listed``,
``written``, ``created_or_found``); the 400's schema then lists exactly the codes its body may carry.
"""

from __future__ import annotations

import functools
from collections.abc import Mapping
from pathlib import Path
from typing import Any

from django.contrib.auth.views import redirect_to_login
from django.http import HttpResponse, HttpResponseBase
from django.template import engines
from django.utils.translation import get_language
from drf_spectacular.extensions import OpenApiSerializerExtension
from drf_spectacular.generators import SchemaGenerator
from drf_spectacular.settings import spectacular_settings
from drf_spectacular.utils import OpenApiResponse, extend_schema
from drf_spectacular.views import SpectacularAPIView, SpectacularSwaggerView
from rest_framework import serializers
from rest_framework.permissions import AllowAny
from rest_framework.renderers import BaseRenderer, TemplateHTMLRenderer
from rest_framework.request import Request


class ErrorSerializer(serializers.Serializer[Any]):
    """An error that concerns no one field."""

    detail = serializers.CharField(help_text="What went wrong, in words fit to show a user.")


# The codes DRF and Django give a value that breaks its own field's rules (type, format, length,
# range, choices, required): what the schema itself states. Any other code is a rule of the
# operation's own, named in its ``rules``.
FIELD_CODES = (
    "blank",
    "date",
    "datetime",
    "does_not_exist",
    "empty",
    "incorrect_type",
    "invalid",
    "invalid_choice",
    "make_aware",
    "max_decimal_places",
    "max_digits",
    "max_length",
    "max_string_length",
    "max_value",
    "max_whole_digits",
    "min_length",
    "min_value",
    "not_a_dict",
    "not_a_list",
    "null",
    "null_characters_not_allowed",
    "overflow",
    "parse_error",
    "required",
    "surrogate_characters_not_allowed",
    "unique",
)

Rules = Mapping[str, str]

# The rule of a body checked by ``core.api.serializers.KnownFieldsOnly``.
UNKNOWN_FIELD: Rules = {
    "unknown_field": "a key this operation does not take (a read-only field, a misspelt "
    "name): refused, never silently ignored"
}

_BAD_REQUEST = (
    "Invalid input. Field errors keyed by field name, each a list of messages fit to show a "
    "user (nested fields give an object of the same shape); errors that concern no one field "
    "are under `non_field_errors`; a body that is not valid JSON gives `detail`. `codes` has "
    "the same keys, each error's code in the same place: a field's own rules (`required`, "
    "`invalid`, `max_length`, …)"
)


def bad_request_schema(rules: Rules | None = None) -> dict[str, Any]:
    """The 400 body of an operation that refuses input for ``rules`` (code → when)."""
    codes = sorted({*FIELD_CODES, *(rules or {})})
    return {
        "type": "object",
        "required": ["codes"],
        "properties": {
            "codes": {
                "type": "object",
                "description": "Each error's code, under the same keys as its message.",
                "additionalProperties": {
                    "anyOf": [
                        {"type": "array", "items": {"type": "string", "enum": codes}},
                        {"type": "object"},
                    ]
                },
            }
        },
        "additionalProperties": {
            "anyOf": [
                {"type": "array", "items": {"type": "string"}},
                {"type": "object"},
                {"type": "string"},
            ]
        },
        "example": {
            "pain": ["Ensure this value is less than or equal to 10."],
            "codes": {"pain": ["max_value"]},
        },
    }


class ValidationErrorSerializer(serializers.Serializer[Any]):
    """Invalid input: the body maps each field name to its messages, and ``codes`` to theirs."""


class ValidationErrorSchema(OpenApiSerializerExtension):
    """Field errors have no fixed field list: describe the body as a map."""

    target_class = ValidationErrorSerializer

    def map_serializer(self, auto_schema: Any, direction: Any) -> dict[str, Any]:
        return bad_request_schema()


def _bad_request(rules: Rules | None) -> OpenApiResponse:
    if not rules:
        return OpenApiResponse(ValidationErrorSerializer, description=_BAD_REQUEST + ".")
    lines = "\n".join(f"- `{code}`: {when}" for code, when in sorted(rules.items()))
    return OpenApiResponse(
        bad_request_schema(rules),
        description=f"{_BAD_REQUEST}; and this operation's own rules:\n\n{lines}",
    )


_ERRORS: dict[int, OpenApiResponse] = {
    401: OpenApiResponse(
        ErrorSerializer,
        description="Not signed in, or the token is unknown, revoked or expired.",
    ),
    403: OpenApiResponse(ErrorSerializer, description="Signed in, but not in a role that may."),
    404: OpenApiResponse(ErrorSerializer, description="Not found, or not yours to see."),
    429: OpenApiResponse(ErrorSerializer, description="Too many attempts; wait and try again."),
}


def errors(*statuses: int, rules: Rules | None = None) -> dict[int, OpenApiResponse]:
    """The documented error responses ``statuses`` for ``@extend_schema(responses=...)``;
    ``rules`` (code → when) the 400's own rules."""
    return {
        status: _bad_request(rules) if status == 400 else _ERRORS[status] for status in statuses
    }


READ = errors(401, 403, 404)
LIST = errors(400, 401, 403, 404)
WRITE = errors(400, 401, 403, 404)


def listed(
    summary: str,
    serializer: type[Any],
    *,
    description: str | None = None,
    rules: Rules | None = None,
) -> Any:
    """A list operation's schema: a page of ``serializer``'s rows, or one of the usual errors
    (``rules``: the 400's own, code → when)."""
    return extend_schema(
        summary=summary,
        description=description,
        responses={200: serializer(many=True), **errors(400, 401, 403, 404, rules=rules)},
    )


def read(summary: str, serializer: type[Any], *, description: str | None = None) -> Any:
    """A read of one row's schema: ``serializer``'s body, or one of the usual errors."""
    return extend_schema(
        summary=summary, description=description, responses={200: serializer, **READ}
    )


def written(
    summary: str,
    request: type[Any],
    *,
    response: type[Any] | None = None,
    status: int = 200,
    description: str | None = None,
    rules: Rules | None = None,
) -> Any:
    """A write's schema: ``request`` in, ``response`` (else the same serializer) out with
    ``status``, or one of the usual errors (``rules``: the 400's own, code → when)."""
    return extend_schema(
        summary=summary,
        description=description,
        request=request,
        responses={status: response or request, **errors(400, 401, 403, 404, rules=rules)},
    )


def created_or_found(
    summary: str,
    request: type[Any],
    *,
    response: type[Any],
    description: str | None = None,
    rules: Rules | None = None,
) -> Any:
    """An idempotent create's schema (by ``client_uuid``): ``request`` in, ``response`` out with
    201 for a new row or 200 for the row a retry finds (``RoleViewSet.created_or_found``), or
    one of the usual errors (``rules``: the 400's own, code → when)."""
    return extend_schema(
        summary=summary,
        description=description,
        request=request,
        responses={201: response, 200: response, **errors(400, 401, 403, 404, rules=rules)},
    )


def document_outage(result: dict[str, Any], **kwargs: Any) -> dict[str, Any]:
    """A postprocessing hook: every operation may answer 503 with ``Retry-After`` while the
    database cannot be reached (``core.errors``); send the same request again then."""
    response = {
        "description": (
            "The service is briefly unavailable (its database cannot be reached): nothing was "
            "stored. Send the same request again after `Retry-After` seconds; a write with a "
            "`client_uuid` is stored once however often it is sent."
        ),
        "headers": {
            "Retry-After": {
                "schema": {"type": "integer"},
                "description": "Seconds to wait before trying again.",
            }
        },
        "content": {"application/json": {"schema": {"$ref": "#/components/schemas/Error"}}},
    }
    for item in result.get("paths", {}).values():
        for operation in item.values():
            if isinstance(operation, dict) and "responses" in operation:
                operation["responses"].setdefault("503", response)
    return result


# A string the API takes may hold any character but NUL: PostgreSQL cannot store it in text, so
# every string field refuses it (``null_characters_not_allowed``). The schema says so.
NO_NULL_CHARACTERS = "^[^\\u0000]*$"


def _no_null_characters(node: Any) -> None:
    """Add ``NO_NULL_CHARACTERS`` to each plain string of ``node`` (one with no ``format``,
    ``enum`` or ``pattern`` of its own: those rule NUL out already), however deep."""
    if isinstance(node, list):
        for item in node:
            _no_null_characters(item)
        return
    if not isinstance(node, dict):
        return
    if node.get("type") == "string" and not {"format", "enum", "pattern"} & node.keys():
        node["pattern"] = NO_NULL_CHARACTERS
    for value in node.values():
        _no_null_characters(value)


def document_no_null_characters(result: dict[str, Any], **kwargs: Any) -> dict[str, Any]:
    """A postprocessing hook: every string of a request (body, path or query) is documented
    without NUL characters, which the API refuses; the answers' strings are left as they are."""
    for name, component in result.get("components", {}).get("schemas", {}).items():
        if name.endswith("Request"):  # COMPONENT_SPLIT_REQUEST: the request bodies' own
            _no_null_characters(component)
    for item in result.get("paths", {}).values():
        for operation in item.values():
            if not isinstance(operation, dict):
                continue
            for parameter in operation.get("parameters", []):
                _no_null_characters(parameter.get("schema"))
            for content in operation.get("requestBody", {}).get("content", {}).values():
                _no_null_characters(content.get("schema"))
    return result


# --- The docs page -------------------------------------------------------------------------


@functools.cache
def _rendered_schema(media_type: str, language: str | None) -> bytes:
    """The schema as the renderer of ``media_type`` writes it, in ``language``: generated once
    per process (it changes only with the code, and is the same for every user, as
    drf-spectacular serves it with ``SERVE_PUBLIC``)."""
    renderer: BaseRenderer = next(
        r() for r in SchemaView.renderer_classes if r.media_type == media_type
    )
    schema = SchemaGenerator().get_schema(request=None, public=True)
    body = renderer.render(schema, renderer_context={})
    return body.encode() if isinstance(body, str) else body


class SchemaView(SpectacularAPIView):
    """drf-spectacular's schema view, without generating the schema again on every request."""

    @extend_schema(exclude=True)
    def get(self, request: Request, *args: Any, **kwargs: Any) -> HttpResponseBase:
        if {"lang", "version"} & set(request.query_params):  # drf-spectacular's own handling
            return super().get(request, *args, **kwargs)
        renderer = request.accepted_renderer
        response = HttpResponse(
            _rendered_schema(renderer.media_type, get_language()), content_type=renderer.media_type
        )
        title = spectacular_settings.TITLE or "schema"
        response["Content-Disposition"] = f'inline; filename="{title}.{renderer.format}"'
        return response


_SWAGGER_TEMPLATE = Path(__file__).with_name("swagger_ui.html")


class _FileTemplateHTMLRenderer(TemplateHTMLRenderer):
    """Renders the page from a template file kept beside this module."""

    def resolve_template(self, template_names: Any) -> Any:
        return engines["django"].from_string(_SWAGGER_TEMPLATE.read_text(encoding="utf-8"))

    def get_exception_template(self, response: Any) -> Any:
        """An error (``?format=json``, an ``Accept`` the page cannot answer) in plain words,
        as DRF draws it when it finds no error template: not the Swagger page, which needs
        its own context."""
        return engines["django"].from_string(f"{response.status_code} {response.status_text}")


class DocsView(SpectacularSwaggerView):
    """Swagger UI from drf-spectacular-sidecar's static files, its inline script carrying the
    page's CSP nonce. Anonymous visitors are sent to sign in, like every other page."""

    renderer_classes = [_FileTemplateHTMLRenderer]
    permission_classes = [AllowAny]
    url_name = "api:schema"

    @extend_schema(exclude=True)
    def get(self, request: Request, *args: Any, **kwargs: Any) -> HttpResponseBase:
        if not request.user.is_authenticated:
            return redirect_to_login(request.get_full_path())
        return super().get(request, *args, **kwargs)
