"""Query-string filters of the clinic's lists (django-filter), and the ``?patient=`` filter
every app's lists use. Invalid values answer 400 with field errors; a ``patient`` outside the
caller's reach answers 404, like the patient itself.
"""

from __future__ import annotations

from typing import Any

from django import forms
from django.db.models import QuerySet
from django.utils.functional import Promise
from django.utils.translation import gettext_lazy as _
from django_filters import rest_framework as filters
from drf_spectacular.utils import extend_schema_field

from clinic.access import get_patient
from clinic.models import Message, Patient
from clinic.models.patients import PatientQuerySet

ID_MAX = 2**63 - 1
StrOrPromise = str | Promise
SEARCH_MAX = 100


@extend_schema_field(
    {
        "type": "integer",
        "minimum": 1,
        "maximum": ID_MAX,
        "description": "Only this patient's rows (clinicians). Outside your reach: 404.",
    }
)
class PatientIdFilter(filters.Filter):
    """``?patient=<id>``: one patient's rows. A patient the caller may not see is a 404."""

    field_class = forms.IntegerField

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        kwargs.setdefault("min_value", 1)
        kwargs.setdefault("max_value", ID_MAX)
        kwargs.setdefault("help_text", _("Only this patient's rows (clinicians)."))
        super().__init__(*args, **kwargs)

    def filter(self, qs: QuerySet[Any], value: int | None) -> QuerySet[Any]:
        if value is None:
            return qs
        patient = get_patient(self.parent.request.user, value)
        return qs.filter(patient=patient)


def search_filter(help_text: StrOrPromise) -> filters.CharFilter:
    return filters.CharFilter(method="filter_search", max_length=SEARCH_MAX, help_text=help_text)


class PatientFilter(filters.FilterSet):
    search = search_filter(
        _("Words in the first name, last name or email (letter case and accents ignored).")
    )
    pathway = filters.ChoiceFilter(choices=Patient.Pathway.choices)
    status = filters.ChoiceFilter(choices=Patient.Status.choices)

    class Meta:
        model = Patient
        fields = ["search", "pathway", "status"]

    def filter_search(self, queryset: PatientQuerySet, name: str, value: str) -> PatientQuerySet:
        return queryset.matching(value, email=True)


class MessageFilter(filters.FilterSet):
    patient = PatientIdFilter()

    class Meta:
        model = Message
        fields = ["patient"]
