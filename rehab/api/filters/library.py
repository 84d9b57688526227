"""Query-string filters of the exercise library (django-filter)."""

from __future__ import annotations

from typing import Any

from django import forms
from django.core.exceptions import ValidationError
from django.db.models import Q, QuerySet
from django.utils.translation import gettext_lazy as _
from django_filters import rest_framework as filters
from drf_spectacular.utils import extend_schema_field

from clinic.api.filters import search_filter
from clinic.models import Patient
from rehab import clinical
from rehab.models.library import Exercise


@extend_schema_field({"type": "integer", "minimum": 0, "maximum": clinical.WEEK_MAX})
class WeekFilter(filters.NumberFilter):
    """A whole week number (NumberFilter alone would take 1.5)."""

    field_class = forms.IntegerField


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
            self.form.add_error(
                missing,
                ValidationError(
                    _("Give safe_for_pathway and safe_at_week together."), code="both_or_neither"
                ),
            )
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
