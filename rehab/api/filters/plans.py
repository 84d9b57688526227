"""Query-string filters of the plans (django-filter)."""

from __future__ import annotations

from django_filters import rest_framework as filters

from clinic.api.filters import PatientIdFilter
from rehab.models.plans import Plan


class PlanFilter(filters.FilterSet):
    patient = PatientIdFilter()
    status = filters.ChoiceFilter(choices=Plan.Status.choices)

    class Meta:
        model = Plan
        fields = ["patient", "status"]
