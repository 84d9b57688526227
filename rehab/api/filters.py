"""Query-string filters for the lists (django-filter). Invalid values answer 400 with field
errors; a ``patient`` outside the caller's reach answers 404, like the patient itself."""

from __future__ import annotations

from typing import Any

from django import forms
from django.db.models import Q, QuerySet
from django.utils.functional import Promise
from django.utils.translation import gettext_lazy as _
from django_filters import rest_framework as filters
from drf_spectacular.utils import extend_schema_field

from clinic.access import get_patient
from clinic.models import Message, Patient
from rehab import clinical
from rehab.models.alerts import Alert
from rehab.models.library import Exercise
from rehab.models.logbook import AtrsResponse, CheckIn, ExerciseLog, Measurement
from rehab.models.plans import Plan
from rehab.models.protocols import Protocol

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


@extend_schema_field({"type": "integer", "minimum": 0, "maximum": clinical.WEEK_MAX})
class WeekFilter(filters.NumberFilter):
    """A whole week number (NumberFilter alone would take 1.5)."""

    field_class = forms.IntegerField


def search_filter(help_text: StrOrPromise) -> filters.CharFilter:
    return filters.CharFilter(method="filter_search", max_length=SEARCH_MAX, help_text=help_text)


class ExerciseFilter(filters.FilterSet):
    category = filters.ChoiceFilter(choices=Exercise.Category.choices)
    equipment = filters.CharFilter(
        field_name="equipment__slug", max_length=60, help_text=_("An equipment slug.")
    )
    safe_for_pathway = filters.ChoiceFilter(
        choices=Patient.Pathway.choices,
        method="filter_noop",
        help_text=_("With safe_at_week: only exercises safe by that week on this pathway."),
    )
    safe_at_week = WeekFilter(
        method="filter_noop",
        min_value=0,
        max_value=clinical.WEEK_MAX,
        help_text=_("With safe_for_pathway: weeks since surgery (or injury, non-operative)."),
    )
    search = search_filter(_("Words in the name or summary."))

    class Meta:
        model = Exercise
        fields = ["category", "equipment", "safe_for_pathway", "safe_at_week", "search"]

    def is_valid(self) -> bool:
        if not super().is_valid():
            return False
        pathway = self.form.cleaned_data.get("safe_for_pathway")
        week = self.form.cleaned_data.get("safe_at_week")
        if bool(pathway) != (week is not None):
            missing = "safe_at_week" if pathway else "safe_for_pathway"
            self.form.add_error(missing, _("Give safe_for_pathway and safe_at_week together."))
            return False
        return True

    def filter_noop(self, queryset: QuerySet[Any], name: str, value: Any) -> QuerySet[Any]:
        return queryset  # applied together in filter_queryset

    def filter_search(self, queryset: QuerySet[Any], name: str, value: str) -> QuerySet[Any]:
        for word in value.split():
            queryset = queryset.filter(Q(name__icontains=word) | Q(summary__icontains=word))
        return queryset

    def filter_queryset(self, queryset: QuerySet[Any]) -> QuerySet[Any]:
        queryset = super().filter_queryset(queryset)
        pathway = self.form.cleaned_data.get("safe_for_pathway")
        week = self.form.cleaned_data.get("safe_at_week")
        if pathway and week is not None:
            field = (
                "earliest_week_operative"
                if pathway == Patient.Pathway.OPERATIVE
                else "earliest_week_non_operative"
            )
            queryset = queryset.filter(**{f"{field}__lte": int(week)})
        return queryset


class ProtocolFilter(filters.FilterSet):
    pathway = filters.ChoiceFilter(choices=Patient.Pathway.choices)

    class Meta:
        model = Protocol
        fields = ["pathway"]


class PatientFilter(filters.FilterSet):
    search = search_filter(_("Words in the first name, last name or email."))
    pathway = filters.ChoiceFilter(choices=Patient.Pathway.choices)
    status = filters.ChoiceFilter(choices=Patient.Status.choices)

    class Meta:
        model = Patient
        fields = ["search", "pathway", "status"]

    def filter_search(self, queryset: QuerySet[Any], name: str, value: str) -> QuerySet[Any]:
        for word in value.split():
            queryset = queryset.filter(
                Q(first_name__icontains=word)
                | Q(last_name__icontains=word)
                | Q(email__icontains=word)
            )
        return queryset


class PlanFilter(filters.FilterSet):
    patient = PatientIdFilter()
    status = filters.ChoiceFilter(choices=Plan.Status.choices)

    class Meta:
        model = Plan
        fields = ["patient", "status"]


class DateRangeFilterSet(filters.FilterSet):
    patient = PatientIdFilter()
    date_from = filters.DateFilter(field_name="date", lookup_expr="gte")
    date_to = filters.DateFilter(field_name="date", lookup_expr="lte")


class ExerciseLogFilter(DateRangeFilterSet):
    class Meta:
        model = ExerciseLog
        fields = ["patient", "date_from", "date_to"]


class CheckInFilter(DateRangeFilterSet):
    class Meta:
        model = CheckIn
        fields = ["patient", "date_from", "date_to"]


class AtrsFilter(DateRangeFilterSet):
    class Meta:
        model = AtrsResponse
        fields = ["patient", "date_from", "date_to"]


class MeasurementFilter(DateRangeFilterSet):
    class Meta:
        model = Measurement
        fields = ["patient", "date_from", "date_to"]


class MessageFilter(filters.FilterSet):
    patient = PatientIdFilter()

    class Meta:
        model = Message
        fields = ["patient"]


class AlertFilter(filters.FilterSet):
    patient = PatientIdFilter()
    kind = filters.ChoiceFilter(choices=Alert.Kind.choices)
    open = filters.BooleanFilter(
        field_name="acknowledged_at",
        lookup_expr="isnull",
        help_text=_("true: not yet acknowledged; false: acknowledged."),
    )

    class Meta:
        model = Alert
        fields = ["patient", "kind", "open"]
