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
    """A patient's dated records: ``?patient=``, ``?date_from=``, ``?date_to=`` (each subclass
    names its model in a ``Meta`` of this one's)."""

    patient = PatientIdFilter()
    date_from = filters.DateFilter(field_name="date", lookup_expr="gte")
    date_to = filters.DateFilter(field_name="date", lookup_expr="lte")

    class Meta:
        fields = ["patient", "date_from", "date_to"]


class ExerciseLogFilter(DateRangeFilterSet):
    client_uuid = filters.UUIDFilter(
        help_text=_(
            "The tick with this client UUID (the one its phone made), if any: a phone that lost "
            "a tick's answer finds it so, to undo it."
        )
    )

    class Meta(DateRangeFilterSet.Meta):
        model = ExerciseLog


class CheckInFilter(DateRangeFilterSet):
    class Meta(DateRangeFilterSet.Meta):
        model = CheckIn


class AtrsFilter(DateRangeFilterSet):
    class Meta(DateRangeFilterSet.Meta):
        model = AtrsResponse


class MeasurementFilter(DateRangeFilterSet):
    class Meta(DateRangeFilterSet.Meta):
        model = Measurement


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
