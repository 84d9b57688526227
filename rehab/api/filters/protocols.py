"""Query-string filters of the protocol templates (django-filter)."""

from __future__ import annotations

from django_filters import rest_framework as filters

from clinic.models import Patient
from rehab.models.protocols import Protocol


class ProtocolFilter(filters.FilterSet):
    pathway = filters.ChoiceFilter(choices=Patient.Pathway.choices)

    class Meta:
        model = Protocol
        fields = ["pathway"]
