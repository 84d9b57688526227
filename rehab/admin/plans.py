"""Patients' plans in the admin: view-only, and never deleted here (clinicians edit them in the
builder, whose services retire a prescription the patient was asked to do rather than delete
it, and keep a plan's phase history and a red flag's hold on it)."""

from __future__ import annotations

from typing import Any

from django.contrib import admin
from django.db.models import Count, QuerySet
from django.http import HttpRequest
from django.urls import reverse
from django.utils.html import format_html
from django.utils.safestring import SafeString
from django.utils.translation import gettext_lazy as _
from django.utils.translation import ngettext

from rehab.admin.base import PATIENT_SEARCH_FIELDS, KeptRecordAdmin, PatientColumnsMixin
from rehab.models.plans import PhaseChange, Plan, PlanPhase, Prescription


class RetiredFilter(admin.SimpleListFilter):
    title = _("retired")
    parameter_name = "retired"

    def lookups(self, request: HttpRequest, model_admin: Any) -> list[tuple[str, Any]]:
        return [("no", _("Current")), ("yes", _("Retired"))]

    def queryset(self, request: HttpRequest, queryset: QuerySet[Any]) -> QuerySet[Any]:
        if self.value() == "no":
            return queryset.filter(retired_at__isnull=True)
        if self.value() == "yes":
            return queryset.filter(retired_at__isnull=False)
        return queryset


# --- patients' plans (view-only) ----------------------------------------------------------


class PlanPhaseInline(admin.TabularInline):
    model = PlanPhase
    fk_name = "plan"
    fields = ("order", "name", "start_week", "end_week", "started_on", "prescriptions_link")
    readonly_fields = fields
    ordering = ("order", "pk")
    extra = 0
    can_delete = False

    def get_queryset(self, request: HttpRequest) -> QuerySet[PlanPhase]:
        return super().get_queryset(request).annotate(prescription_count=Count("prescriptions"))

    def has_add_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    @admin.display(description=_("prescriptions"))
    def prescriptions_link(self, obj: PlanPhase) -> SafeString:
        count = getattr(obj, "prescription_count", 0)
        url = reverse("admin:rehab_prescription_changelist") + f"?phase__id__exact={obj.pk}"
        label = ngettext("%(count)d exercise", "%(count)d exercises", count) % {"count": count}
        return format_html('<a href="{}">{}</a>', url, label)


@admin.register(Plan)
class PlanAdmin(PatientColumnsMixin, KeptRecordAdmin):
    list_display = (
        "name",
        "patient",
        "patient_clinic",
        "pathway",
        "status",
        "current_phase",
        "protocol",
        "anchor_date",
        "created_at",
    )
    list_select_related = ("patient__clinic", "current_phase", "protocol")
    list_filter = ("status", "pathway", "patient__clinic", "protocol")
    search_fields = ("name", *PATIENT_SEARCH_FIELDS)
    date_hierarchy = "created_at"
    inlines = (PlanPhaseInline,)


@admin.register(Prescription)
class PrescriptionAdmin(KeptRecordAdmin):
    list_display = ("exercise", "dose", "patient", "phase", "order", "retired_at")
    list_select_related = ("exercise", "phase__plan__patient")
    list_filter = (RetiredFilter, "exercise__category", "phase__plan__status")
    search_fields = (
        "exercise__name",
        "phase__plan__patient__first_name",
        "phase__plan__patient__last_name",
    )
    ordering = ("phase__plan", "phase__order", "order")

    @admin.display(description=_("dose"))
    def dose(self, obj: Prescription) -> str:
        return obj.dose_text()

    @admin.display(description=_("patient"), ordering="phase__plan__patient__last_name")
    def patient(self, obj: Prescription) -> Any:
        return obj.phase.plan.patient


@admin.register(PhaseChange)
class PhaseChangeAdmin(KeptRecordAdmin):
    list_display = ("changed_at", "plan", "from_phase", "to_phase", "effective_on", "changed_by")
    list_select_related = ("plan__patient", "from_phase", "to_phase", "changed_by")
    search_fields = ("plan__name", "plan__patient__first_name", "plan__patient__last_name")
    date_hierarchy = "changed_at"
