"""OpenAPI pieces shared by every endpoint: the error bodies, the schema and the docs page.

Each operation documents its error responses with ``errors(...)``: 400 (field errors keyed by
field name), 401 (not signed in), 403 (wrong role), 404 (not found or outside your reach), 429
(too many sign-in attempts).
"""

from __future__ import annotations

import functools
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


class ValidationErrorSerializer(serializers.Serializer[Any]):
    """Invalid input: the body maps each field name to its messages."""


class ValidationErrorSchema(OpenApiSerializerExtension):
    """Field errors have no fixed field list: describe the body as a map."""

    target_class = ValidationErrorSerializer

    def map_serializer(self, auto_schema: Any, direction: Any) -> dict[str, Any]:
        return {
            "type": "object",
            "description": (
                "Field errors keyed by field name, each a list of messages "
                "(nested fields give an object of the same shape). Errors that concern no one "
                "field are under `non_field_errors`; a body that is not valid JSON gives "
                "`detail`."
            ),
            "additionalProperties": {
                "anyOf": [
                    {"type": "array", "items": {"type": "string"}},
                    {"type": "object"},
                    {"type": "string"},
                ]
            },
            "example": {"pain": ["Ensure this value is less than or equal to 10."]},
        }


_ERRORS: dict[int, OpenApiResponse] = {
    400: OpenApiResponse(
        ValidationErrorSerializer, description="Invalid input: field errors keyed by field."
    ),
    401: OpenApiResponse(
        ErrorSerializer,
        description="Not signed in, or the token is unknown, revoked or expired.",
    ),
    403: OpenApiResponse(ErrorSerializer, description="Signed in, but not in a role that may."),
    404: OpenApiResponse(ErrorSerializer, description="Not found, or not yours to see."),
    429: OpenApiResponse(ErrorSerializer, description="Too many attempts; wait and try again."),
}


def errors(*codes: int) -> dict[int, OpenApiResponse]:
    """The documented error responses ``codes`` for ``@extend_schema(responses=...)``."""
    return {code: _ERRORS[code] for code in codes}


READ = errors(401, 403, 404)
LIST = errors(400, 401, 403, 404)
WRITE = errors(400, 401, 403, 404)


def listed(summary: str, serializer: type[Any], *, description: str | None = None) -> Any:
    """A list operation's schema: a page of ``serializer``'s rows, or one of the usual errors."""
    return extend_schema(
        summary=summary,
        description=description,
        responses={200: serializer(many=True), **LIST},
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
) -> Any:
    """A write's schema: ``request`` in, ``response`` (else the same serializer) out with
    ``status``, or one of the usual errors."""
    return extend_schema(
        summary=summary,
        description=description,
        request=request,
        responses={status: response or request, **WRITE},
    )


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
