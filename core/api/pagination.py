"""Every list is paginated: page numbers by default, a cursor for exercise logs.

``page`` and ``page_size`` are whole numbers (``page_size`` at most 200), given once; anything
else (``page_size=null``, ``1.5``, ``-1``, ``201``, given twice) answers 400 with the field's
error instead of being silently replaced by the default. A page past the last answers 404.
"""

from __future__ import annotations

from typing import Any

from django.utils.translation import gettext as _
from rest_framework import pagination, serializers
from rest_framework.request import Request

MAX_PAGE_SIZE = 200
# More digits than any page number: refused before ``int`` reads them.
MAX_DIGITS = 18
# A number written with more digits: bigger than any page number, past the last page.
BEYOND = 10**MAX_DIGITS


def query_int(request: Request, name: str, *, maximum: int | None = None) -> int | None:
    """The whole number in ``?name=``: None when absent; 400 unless given once, from 1 to
    ``maximum``. One of more than ``MAX_DIGITS`` digits (``int`` refuses thousands) is read as
    ``BEYOND``: a page past the last (404), never a number the schema allows refused as not
    one."""
    values = request.query_params.getlist(name)
    if not values:
        return None
    value = values[0]
    digits = value.lstrip("0")
    if len(values) == 1 and value.isascii() and value.isdigit() and digits:
        number = int(digits) if len(digits) <= MAX_DIGITS else BEYOND
        if maximum is None or number <= maximum:
            return number
    if maximum is None:
        message = _("Give a whole number from 1, once.")
    else:
        message = _("Give a whole number from 1 to %(maximum)d, once.") % {"maximum": maximum}
    raise serializers.ValidationError({name: [message]}, code="invalid")


def _integer_parameter(parameter: dict[str, Any], maximum: int | None) -> dict[str, Any]:
    schema: dict[str, Any] = {"type": "integer", "minimum": 1}
    if maximum is not None:
        schema["maximum"] = maximum
    return {**parameter, "schema": schema}


class PageNumberPagination(pagination.PageNumberPagination):
    """``?page=2&page_size=20``; 50 a page unless asked, at most 200."""

    page_size = 50
    page_size_query_param = "page_size"
    max_page_size = MAX_PAGE_SIZE
    last_page_strings = ()  # the schema says a number: "last" is not one

    def get_page_size(self, request: Request) -> int:
        return query_int(request, self.page_size_query_param, maximum=self.max_page_size) or (
            self.page_size
        )

    def get_page_number(self, request: Request, paginator: Any) -> int:
        return query_int(request, self.page_query_param) or 1

    def get_schema_operation_parameters(self, view: Any) -> list[dict[str, Any]]:
        maxima = {self.page_size_query_param: self.max_page_size}
        return [
            _integer_parameter(parameter, maxima.get(parameter["name"]))
            for parameter in super().get_schema_operation_parameters(view)
        ]


class LogCursorPagination(pagination.CursorPagination):
    """Logs keep arriving while a client pages through them: a cursor never repeats or skips
    a row. Newest first."""

    page_size = 50
    page_size_query_param = "page_size"
    max_page_size = MAX_PAGE_SIZE
    ordering = ("-created_at", "-pk")

    def get_page_size(self, request: Request) -> int:
        return query_int(request, self.page_size_query_param, maximum=self.max_page_size) or (
            self.page_size
        )

    def get_schema_operation_parameters(self, view: Any) -> list[dict[str, Any]]:
        return [
            _integer_parameter(parameter, self.max_page_size)
            if parameter["name"] == self.page_size_query_param
            else parameter
            for parameter in super().get_schema_operation_parameters(view)
        ]
