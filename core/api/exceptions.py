"""One error body for the whole API.

DRF already answers its own errors as ``{"detail": "..."}`` (401, 403, 404, 405, 429) or, for
invalid input, as field errors keyed by field name; a 400 also carries ``codes``, each error's
code under the same keys (``{"date": ["…"], "codes": {"date": ["before_injury"]}}``), for a
client to act on without reading the words. Every 404 from an access helper says only
"Not found.", whatever was looked for. Services raise Django's
``ValidationError``; it is turned into the same 400 body here, with model-wide errors under
``non_field_errors`` (never Django's ``__all__``).
"""

from __future__ import annotations

from typing import Any

from django.core.exceptions import NON_FIELD_ERRORS
from django.core.exceptions import ValidationError as DjangoValidationError
from django.http import Http404
from rest_framework import exceptions
from rest_framework.response import Response
from rest_framework.serializers import as_serializer_error
from rest_framework.settings import api_settings
from rest_framework.views import exception_handler as drf_exception_handler

from core import errors


def validation_error_body(exc: DjangoValidationError) -> dict[str, Any]:
    """Field errors keyed by field name; the rest under ``non_field_errors``."""
    body = dict(as_serializer_error(exc))
    if NON_FIELD_ERRORS in body:
        body.setdefault(api_settings.NON_FIELD_ERRORS_KEY, [])
        body[api_settings.NON_FIELD_ERRORS_KEY] += body.pop(NON_FIELD_ERRORS)
    return body


def exception_handler(exc: Exception, context: dict[str, Any]) -> Response | None:
    if errors.is_outage(exc):
        # The database is unreachable: nothing was stored; the client sends it again later.
        return Response(
            {"detail": errors.outage_message()},
            status=503,
            headers={"Retry-After": str(errors.RETRY_AFTER_SECONDS)},
        )
    if isinstance(exc, Http404):
        # Django's "No Patient matches the given query." names the model: say only "Not found."
        exc = exceptions.NotFound()
    elif isinstance(exc, DjangoValidationError):
        exc = exceptions.ValidationError(detail=validation_error_body(exc))
    elif isinstance(exc, exceptions.ValidationError) and not isinstance(exc.detail, dict):
        # ``raise ValidationError("...")`` in a view: keep the body an object, like the rest.
        exc = exceptions.ValidationError(detail={api_settings.NON_FIELD_ERRORS_KEY: exc.detail})
    response = drf_exception_handler(exc, context)
    if (
        response is not None
        and response.status_code == 400
        and isinstance(exc, exceptions.APIException)
        and isinstance(response.data, dict)
    ):
        codes = exc.get_codes()
        response.data["codes"] = _named(codes if isinstance(codes, dict) else {"detail": [codes]})
    return response


def _named(codes: Any) -> Any:
    """The codes as given, an error raised without one called ``invalid`` (as DRF does)."""
    if isinstance(codes, dict):
        return {key: _named(value) for key, value in codes.items()}
    if isinstance(codes, list):
        return [_named(value) for value in codes]
    return codes or "invalid"
