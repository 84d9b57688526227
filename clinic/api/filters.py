"""Query-string filters of the clinic's lists (django-filter), and the ``?patient=`` filter
every app's lists use. Invalid values answer 400 with field errors; a ``patient`` outside the
caller's reach answers 404, like the patient itself.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from django.db.models import QuerySet
from django.utils.translation import gettext_lazy as _
from django_filters import rest_framework as filters
from drf_spectacular.utils import extend_schema_field

from clinic.access import get_patient
from clinic.models import Message, Patient
from clinic.models.patients import PatientQuerySet
from core.api.fields import OPAQUE_ID_SCHEMA
from core.api.filters import OpaqueIdFormField

if TYPE_CHECKING:
    from django_stubs_ext import StrOrPromise

SEARCH_MAX = 100


@extend_schema_field(
    {
        **OPAQUE_ID_SCHEMA,
        "description": "Only this patient's rows (clinicians): the patient's id. Outside your "
        "reach: 404.",
    }
)
class PatientIdFilter(filters.Filter):
    """``?patient=<id>``: one patient's rows, by the patient's opaque id. A patient the caller
    may not see (or an id of no patient) is a 404."""

    field_class = OpaqueIdFormField

    def __init__(self, *args: Any, **kwargs: Any) -> None:
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
