"""The API's filter backend: django-filter's, holding the query string to what the schema says.

django-filter reads the last of a repeated parameter and drops a value it cannot read
(``?open=null``, ``?date_to=``) as if the parameter were absent: the caller gets every row and
no word of why. Here a filter parameter is given once and, when given, means something (an
empty search is still a search for everything); otherwise 400 on the parameter.
"""

from __future__ import annotations

from typing import Any

from django import forms
from django.core.exceptions import ValidationError
from django.db.models import QuerySet
from django.utils.translation import gettext as _
from django_filters import rest_framework as filters
from django_filters import utils
from rest_framework import serializers
from rest_framework.request import Request

from core.api.fields import read_id


class FilterBackend(filters.DjangoFilterBackend):
    def filter_queryset(self, request: Request, queryset: QuerySet[Any], view: Any) -> Any:
        filterset = self.get_filterset(request, queryset, view)
        if filterset is None:
            return queryset
        repeated = {
            name: [_("Give this parameter once.")]
            for name in filterset.filters
            if len(request.query_params.getlist(name)) > 1
        }
        if repeated:
            raise serializers.ValidationError(repeated, code="invalid")
        if not filterset.is_valid():
            raise utils.translate_validation(filterset.errors)
        meaningless = {
            name: [_("Not a valid value.")]
            for name, filter_ in filterset.filters.items()
            if name in request.query_params
            and filterset.form.cleaned_data.get(name) in (None, "")
            and not (isinstance(filter_, filters.CharFilter) and request.query_params[name] == "")
        }
        if meaningless:
            raise serializers.ValidationError(meaningless, code="invalid")
        return filterset.qs


class OpaqueIdFormField(forms.CharField):
    """A row's opaque id in a query string (``core.api.fields.read_id``): the row's number;
    one of the form that names no row is ``NO_ROW``, which the filter finds nothing for."""

    def to_python(self, value: Any) -> int | None:  # type: ignore[override]
        text = super().to_python(value)
        if text in self.empty_values:
            return None
        number = read_id(text)
        if number is None:
            raise ValidationError(_("Not a valid id."), code="invalid")
        return number
