"""What patients report, and the alerts it raised, in the admin: kept and view-only."""

from __future__ import annotations

from typing import Any

from django.contrib import admin
from django.db.models import Q, QuerySet
from django.http import HttpRequest
from django.utils.translation import gettext_lazy as _

from rehab import clinical
from rehab.admin.base import (
    PATIENT_SEARCH_FIELDS,
    KeptRecordAdmin,
    PatientColumnsMixin,
)
from rehab.models.alerts import Alert
from rehab.models.library import Exercise
from rehab.models.logbook import AtrsRequest, AtrsResponse, CheckIn, ExerciseLog, Measurement


class RedFlagFilter(admin.SimpleListFilter):
    title = _("red flags")
    parameter_name = "red_flag"

    def lookups(self, request: HttpRequest, model_admin: Any) -> list[tuple[str, Any]]:
        return [
            ("any", _("Any red flag")),
            ("none", _("No red flag")),
            *[(flag.code, flag.question) for flag in clinical.RED_FLAGS],
        ]

    def queryset(self, request: HttpRequest, queryset: QuerySet[Any]) -> QuerySet[Any]:
        value = self.value()
        codes = [flag.code for flag in clinical.RED_FLAGS]
        if value in {"any", "none"}:
            any_flag = Q.create([(f"flag_{code}", True) for code in codes], connector=Q.OR)
            return queryset.filter(any_flag) if value == "any" else queryset.exclude(any_flag)
        if value in codes:
            return queryset.filter(**{f"flag_{value}": True})
        return queryset


class OpenAlertFilter(admin.SimpleListFilter):
    title = _("acknowledged")
    parameter_name = "open"

    def lookups(self, request: HttpRequest, model_admin: Any) -> list[tuple[str, Any]]:
        return [("yes", _("Open")), ("no", _("Acknowledged"))]

    def queryset(self, request: HttpRequest, queryset: QuerySet[Any]) -> QuerySet[Any]:
        if self.value() == "yes":
            return queryset.filter(acknowledged_at__isnull=True)
        if self.value() == "no":
            return queryset.filter(acknowledged_at__isnull=False)
        return queryset


# --- what patients report (kept, view-only) -----------------------------------------------


@admin.register(ExerciseLog)
class ExerciseLogAdmin(PatientColumnsMixin, KeptRecordAdmin):
    list_display = (
        "date",
        "patient",
        "patient_clinic",
        "exercise",
        "sets_done",
        "reps",
        "hold_seconds",
        "pain",
        "effort",
        "created_at",
    )
    list_select_related = ("patient__clinic", "prescription__exercise")
    list_filter = ("patient__clinic", "date")
    search_fields = (*PATIENT_SEARCH_FIELDS, "prescription__exercise__name")
    date_hierarchy = "date"

    @admin.display(description=_("exercise"), ordering="prescription__exercise__name")
    def exercise(self, obj: ExerciseLog) -> Exercise:
        return obj.prescription.exercise


@admin.register(CheckIn)
class CheckInAdmin(PatientColumnsMixin, KeptRecordAdmin):
    list_display = (
        "date",
        "patient",
        "patient_clinic",
        "pain_at_rest",
        "swelling",
        "red_flag_codes",
        "created_at",
    )
    list_select_related = ("patient__clinic",)
    list_filter = (RedFlagFilter, "swelling", "patient__clinic", "date")
    search_fields = PATIENT_SEARCH_FIELDS
    date_hierarchy = "date"

    @admin.display(description=_("red flags"))
    def red_flag_codes(self, obj: CheckIn) -> str:
        return ", ".join(flag.code for flag in obj.red_flags)


@admin.register(AtrsResponse)
class AtrsResponseAdmin(PatientColumnsMixin, KeptRecordAdmin):
    list_display = ("date", "patient", "patient_clinic", "total", "created_at")
    list_select_related = ("patient__clinic",)
    list_filter = ("patient__clinic", "date")
    search_fields = PATIENT_SEARCH_FIELDS
    date_hierarchy = "date"


@admin.register(AtrsRequest)
class AtrsRequestAdmin(KeptRecordAdmin):
    """A clinician's request for the ATRS is kept: answered, it says who asked for the score
    and when (it is in the patient's export); open, the patient is being asked for it."""

    list_display = ("requested_at", "patient", "requested_by", "response")
    list_select_related = ("patient", "requested_by", "response__patient")
    search_fields = PATIENT_SEARCH_FIELDS


@admin.register(Measurement)
class MeasurementAdmin(PatientColumnsMixin, KeptRecordAdmin):
    list_display = (
        "date",
        "patient",
        "patient_clinic",
        "heel_rise_reps_injured",
        "heel_rise_reps_uninjured",
        "heel_rise_lsi",
        "heel_rise_height_lsi",
        "relative_atra",
        "calf_cm_injured",
        "calf_cm_uninjured",
        "toe_walk_5m",
        "recorded_by",
    )
    list_select_related = ("patient__clinic", "recorded_by")
    list_filter = ("patient__clinic", "date")
    search_fields = PATIENT_SEARCH_FIELDS
    date_hierarchy = "date"

    @admin.display(description=_("heel-rise LSI (%)"))
    def heel_rise_lsi(self, obj: Measurement) -> float | None:
        return obj.heel_rise_lsi

    @admin.display(description=_("heel-rise height LSI (%)"))
    def heel_rise_height_lsi(self, obj: Measurement) -> float | None:
        return obj.heel_rise_height_lsi

    @admin.display(description=_("relative ATRA (°)"))
    def relative_atra(self, obj: Measurement) -> float | None:
        return obj.relative_atra


@admin.register(Alert)
class AlertAdmin(PatientColumnsMixin, KeptRecordAdmin):
    list_display = (
        "created_at",
        "patient",
        "patient_clinic",
        "kind",
        "code",
        "is_open",
        "acknowledged_at",
        "acknowledged_by",
    )
    list_select_related = ("patient__clinic", "acknowledged_by")
    list_filter = (OpenAlertFilter, "kind", "patient__clinic")
    search_fields = (*PATIENT_SEARCH_FIELDS, "message")
    date_hierarchy = "created_at"

    @admin.display(description=_("open"), boolean=True)
    def is_open(self, obj: Alert) -> bool:
        return obj.is_open
