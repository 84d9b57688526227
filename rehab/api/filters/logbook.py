"""Query-string filters of what patients log and of the alerts (django-filter). Invalid values
answer 400 with field errors; a ``patient`` outside the caller's reach answers 404.
"""

from __future__ import annotations

from django.utils.translation import gettext_lazy as _
from django_filters import rest_framework as filters

from clinic.api.filters import PatientIdFilter
from rehab.models.alerts import Alert
from rehab.models.logbook import AtrsResponse, CheckIn, ExerciseLog, Measurement


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
