"""The admin: where staff write the exercise library and the protocol templates.

Patients' plans, logs, check-ins, outcomes and alerts are shown here too, but view-only: they are
written by the app (through the services, which keep plan versions and alerts right), and what
a patient reported is never deleted here.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from django.contrib import admin, messages
from django.contrib.admin.widgets import AdminTextareaWidget
from django.db.models import Count, Q, QuerySet
from django.http import HttpRequest
from django.urls import reverse
from django.utils.functional import Promise
from django.utils.html import format_html, format_html_join
from django.utils.safestring import SafeString
from django.utils.translation import gettext_lazy as _
from django.utils.translation import ngettext

from clinic.models import Clinic
from rehab import clinical
from rehab.forms.library import ExerciseAdminForm
from rehab.models.alerts import Alert
from rehab.models.library import Equipment, Exercise
from rehab.models.logbook import AtrsRequest, AtrsResponse, CheckIn, ExerciseLog, Measurement
from rehab.models.plans import PhaseChange, Plan, PlanPhase, Prescription
from rehab.models.protocols import Protocol, ProtocolItem, ProtocolPhase

PATIENT_SEARCH_FIELDS = ("patient__first_name", "patient__last_name", "patient__email")


# --- list filters -------------------------------------------------------------------------


class SharedOrClinicFilter(admin.RelatedFieldListFilter):
    """The clinic filter, whose "empty" choice reads "Shared library" instead of "-"."""

    shared_label: Promise = _("Shared library")

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        # A lazy string, so the label follows the request's language.
        self.empty_value_display = self.shared_label  # type: ignore[assignment]


class SharedTemplateFilter(SharedOrClinicFilter):
    shared_label = _("Shared template")


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


# --- helpers ------------------------------------------------------------------------------


class SlugLockedAfterCreateAdmin(admin.ModelAdmin):
    """The slug is typed (prepopulated from the name) once, then shown read-only.

    Slugs are the natural keys the fixtures load by and appear in links: renaming one would
    make the next ``loaddata`` create a duplicate instead of updating the row.
    """

    prepopulated_fields = {"slug": ("name",)}

    def get_prepopulated_fields(
        self, request: HttpRequest, obj: Any = None
    ) -> dict[str, Sequence[str]]:
        return {} if obj is not None else dict(self.prepopulated_fields)

    def get_readonly_fields(self, request: HttpRequest, obj: Any = None) -> list[str]:
        fields = list(super().get_readonly_fields(request, obj))
        if obj is not None and "slug" not in fields:
            fields.append("slug")
        return fields


def _as_list(value: Any) -> list[str]:
    """A stored JSON list of strings (tolerating a bare string or junk from a bad import)."""
    if isinstance(value, str):
        value = [value]
    if not isinstance(value, list):
        return []
    return [str(item).strip() for item in value if str(item).strip()]


def _escaped_list(tag: str, items: list[str]) -> SafeString:
    return format_html(
        "<{tag}>{items}</{tag}>",
        tag=tag,
        items=format_html_join("", "<li>{}</li>", ((item,) for item in items)),
    )


class ViewOnlyAdmin(admin.ModelAdmin):
    """Patient data, written by the app: viewable and searchable here, not editable."""

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False


class KeptRecordAdmin(ViewOnlyAdmin):
    """What a patient reported (and what it raised) is kept: no deleting here either."""

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False


class PatientColumnsMixin:
    @admin.display(description=_("clinic"), ordering="patient__clinic__name")
    def patient_clinic(self, obj: Any) -> Clinic:
        clinic: Clinic = obj.patient.clinic
        return clinic


# --- the library --------------------------------------------------------------------------


@admin.register(Equipment)
class EquipmentAdmin(SlugLockedAfterCreateAdmin):
    list_display = ("name", "slug", "exercise_count")
    search_fields = ("name", "slug")
    ordering = ("name",)

    def get_queryset(self, request: HttpRequest) -> QuerySet[Equipment]:
        return super().get_queryset(request).annotate(exercise_count=Count("exercises"))

    @admin.display(description=_("exercises"), ordering="exercise_count")
    def exercise_count(self, obj: Equipment) -> int:
        return obj.exercise_count  # type: ignore[attr-defined]


@admin.register(Exercise)
class ExerciseAdmin(SlugLockedAfterCreateAdmin):
    form = ExerciseAdminForm
    list_display = (
        "name",
        "category",
        "from_video",
        "earliest_week_operative",
        "earliest_week_non_operative",
        "is_published",
        "clinic_or_shared",
        "progresses_to",
    )
    list_display_links = ("name",)
    list_editable = ("is_published",)
    list_select_related = ("clinic", "progresses_to")
    list_filter = (
        "category",
        "equipment",
        "is_published",
        ("clinic", SharedOrClinicFilter),
        "from_video",
    )
    search_fields = ("name", "summary", "slug", "source")
    ordering = ("category", "name")
    # A plain labelled select: select2's combobox has no accessible name (axe), and the
    # library is small enough to list.
    readonly_fields = ("instructions_preview", "created_at", "updated_at")
    actions = ("publish", "unpublish")
    save_on_top = True
    list_per_page = 50
    fieldsets = (
        (
            _("Basics"),
            {"fields": ("name", "slug", "category", "clinic", "equipment", "progresses_to")},
        ),
        (
            _("Instructions"),
            {
                "fields": ("summary", "steps", "cues", "safety_notes", "instructions_preview"),
                "description": _(
                    "What the patient reads. Write one step, cue or safety note per line; "
                    "the preview shows the saved version."
                ),
            },
        ),
        (
            _("Default dose"),
            {
                "fields": (
                    ("default_sets", "default_reps", "default_hold_seconds"),
                    ("default_times_per_day", "default_days_per_week"),
                    "side",
                ),
                "description": _(
                    "Copied into a plan when the exercise is added; the clinician can change it. "
                    "Give repetitions, a hold time, or both."
                ),
            },
        ),
        (
            _("Video and image"),
            {"fields": ("video_url", "video_start_seconds", "image", "from_video")},
        ),
        (
            _("Guardrail"),
            {
                "fields": (
                    ("earliest_week_operative", "earliest_week_non_operative"),
                    "earliest_week_reason",
                    "earliest_week_source",
                ),
                "description": _(
                    "The earliest safe week, counted from surgery (operative) or from the injury "
                    "(non-operative). Placing the exercise earlier in a plan shows a warning."
                ),
            },
        ),
        (
            _("Source and publishing"),
            {"fields": ("source", "is_published", "created_at", "updated_at")},
        ),
    )

    @admin.display(description=_("clinic"), ordering="clinic__name")
    def clinic_or_shared(self, obj: Exercise) -> Clinic | Promise:
        return obj.clinic or _("Shared library")

    @admin.display(description=_("preview"))
    def instructions_preview(self, obj: Exercise) -> SafeString | Promise:
        """The saved instructions as the patient reads them; every user string is escaped."""
        if obj.pk is None:
            return _("Save the exercise to see a preview of its instructions here.")
        sections: list[SafeString] = []
        if obj.summary:
            sections.append(format_html("<p>{}</p>", obj.summary))
        for title, tag, items in (
            (_("Steps"), "ol", _as_list(obj.steps)),
            (_("Cues"), "ul", _as_list(obj.cues)),
            (_("Safety"), "ul", _as_list(obj.safety_notes)),
        ):
            if items:
                sections.append(
                    format_html("<strong>{}</strong>{}", title, _escaped_list(tag, items))
                )
        if not sections:
            return _("Nothing to preview yet.")
        return format_html(
            '<div class="exercise-preview">{}</div>',
            format_html_join("", "{}", ((section,) for section in sections)),
        )

    @admin.action(description=_("Publish the selected exercises"), permissions=["change"])
    def publish(self, request: HttpRequest, queryset: QuerySet[Exercise]) -> None:
        count = queryset.update(is_published=True)
        self.message_user(
            request,
            ngettext("%(count)d exercise published.", "%(count)d exercises published.", count)
            % {"count": count},
            messages.SUCCESS,
        )

    @admin.action(description=_("Unpublish the selected exercises"), permissions=["change"])
    def unpublish(self, request: HttpRequest, queryset: QuerySet[Exercise]) -> None:
        count = queryset.update(is_published=False)
        self.message_user(
            request,
            ngettext("%(count)d exercise unpublished.", "%(count)d exercises unpublished.", count)
            % {"count": count},
            messages.SUCCESS,
        )


# --- protocol templates -------------------------------------------------------------------


class ProtocolPhaseInline(admin.TabularInline):
    model = ProtocolPhase
    fields = (
        "order",
        "name",
        "start_week",
        "end_week",
        "weight_bearing",
        "boot",
        "wedges",
        "items_link",
    )
    readonly_fields = ("items_link",)
    ordering = ("order",)
    extra = 1
    show_change_link = True

    def get_queryset(self, request: HttpRequest) -> QuerySet[ProtocolPhase]:
        # The formset does not attach the parent to each row; the row's label needs it.
        return (
            super()
            .get_queryset(request)
            .select_related("protocol")
            .annotate(item_count=Count("items"))
        )

    @admin.display(description=_("exercises, goals and exit criteria"))
    def items_link(self, obj: ProtocolPhase) -> SafeString | Promise:
        if obj.pk is None:
            return _("Save the phase first, then add its exercises.")
        count = getattr(obj, "item_count", None)
        if count is None:
            count = obj.items.count()
        label = ngettext("Edit %(count)d exercise", "Edit %(count)d exercises", count) % {
            "count": count
        }
        url = reverse("admin:rehab_protocolphase_change", args=[obj.pk])
        return format_html('<a href="{}">{}</a>', url, label)


@admin.register(Protocol)
class ProtocolAdmin(SlugLockedAfterCreateAdmin):
    list_display = (
        "name",
        "pathway",
        "version",
        "is_published",
        "clinic_or_shared",
        "phase_count",
    )
    list_select_related = ("clinic",)
    list_filter = ("pathway", "is_published", ("clinic", SharedTemplateFilter))
    search_fields = ("name", "slug", "summary", "source")
    ordering = ("pathway", "name")
    readonly_fields = ("updated_at",)
    inlines = (ProtocolPhaseInline,)
    save_on_top = True
    fieldsets = (
        (None, {"fields": ("name", "slug", "pathway", "version", "clinic")}),
        (_("Description"), {"fields": ("summary", "source")}),
        (_("Publishing"), {"fields": ("is_published", "updated_at")}),
    )

    def get_queryset(self, request: HttpRequest) -> QuerySet[Protocol]:
        return super().get_queryset(request).annotate(phase_count=Count("phases"))

    @admin.display(description=_("phases"), ordering="phase_count")
    def phase_count(self, obj: Protocol) -> int:
        return obj.phase_count  # type: ignore[attr-defined]

    @admin.display(description=_("clinic"), ordering="clinic__name")
    def clinic_or_shared(self, obj: Protocol) -> Clinic | Promise:
        return obj.clinic or _("Shared template")


class ProtocolItemInline(admin.TabularInline):
    model = ProtocolItem
    fields = (
        "order",
        "exercise",
        "sets",
        "reps",
        "hold_seconds",
        "times_per_day",
        "days_per_week",
        "side",
        "note",
        "guardrail",
    )
    readonly_fields = ("guardrail",)
    autocomplete_fields = ("exercise",)
    ordering = ("order",)
    extra = 1

    def get_queryset(self, request: HttpRequest) -> QuerySet[ProtocolItem]:
        # The row label shows the exercise; the guardrail needs the phase and its pathway.
        return super().get_queryset(request).select_related("exercise", "phase__protocol")

    def formfield_for_dbfield(self, db_field: Any, request: HttpRequest, **kwargs: Any) -> Any:
        if db_field.name == "note":
            kwargs["widget"] = AdminTextareaWidget(attrs={"rows": 2, "cols": 30})
        return super().formfield_for_dbfield(db_field, request, **kwargs)

    @admin.display(description=_("guardrail"))
    def guardrail(self, obj: ProtocolItem) -> str:
        """A warning when the phase starts before the exercise's earliest safe week."""
        if obj.pk is None or obj.exercise_id is None:
            return ""
        earliest = obj.exercise.earliest_week_for(obj.phase.protocol.pathway)
        if earliest > obj.phase.start_week:
            return str(
                _("Before its earliest safe week (%(week)s) for this pathway.") % {"week": earliest}
            )
        return ""


@admin.register(ProtocolPhase)
class ProtocolPhaseAdmin(admin.ModelAdmin):
    list_display = ("protocol", "order", "name", "start_week", "end_week", "item_count")
    list_display_links = ("name",)
    list_select_related = ("protocol",)
    list_filter = ("protocol", "protocol__pathway")
    search_fields = ("name", "protocol__name")
    ordering = ("protocol__pathway", "protocol__name", "order")
    inlines = (ProtocolItemInline,)
    save_on_top = True
    fieldsets = (
        (None, {"fields": ("protocol", "order", "name", ("start_week", "end_week"))}),
        (
            _("Precautions"),
            {"fields": ("weight_bearing", "boot", "wedges", "precautions")},
        ),
        (_("Goals and exit criteria"), {"fields": ("goals", "exit_criteria")}),
    )

    def get_queryset(self, request: HttpRequest) -> QuerySet[ProtocolPhase]:
        return (
            super()
            .get_queryset(request)
            .select_related("protocol")
            .annotate(item_count=Count("items"))
        )

    @admin.display(description=_("exercises"), ordering="item_count")
    def item_count(self, obj: ProtocolPhase) -> int:
        return obj.item_count  # type: ignore[attr-defined]


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
class PlanAdmin(PatientColumnsMixin, ViewOnlyAdmin):
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
class PrescriptionAdmin(ViewOnlyAdmin):
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
class PhaseChangeAdmin(ViewOnlyAdmin):
    list_display = ("changed_at", "plan", "from_phase", "to_phase", "effective_on", "changed_by")
    list_select_related = ("plan__patient", "from_phase", "to_phase", "changed_by")
    search_fields = ("plan__name", "plan__patient__first_name", "plan__patient__last_name")
    date_hierarchy = "changed_at"


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
class AtrsRequestAdmin(ViewOnlyAdmin):
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
        "calf_cm_injured",
        "calf_cm_uninjured",
        "recorded_by",
    )
    list_select_related = ("patient__clinic", "recorded_by")
    list_filter = ("patient__clinic", "date")
    search_fields = PATIENT_SEARCH_FIELDS
    date_hierarchy = "date"

    @admin.display(description=_("heel-rise LSI (%)"))
    def heel_rise_lsi(self, obj: Measurement) -> float | None:
        return obj.heel_rise_lsi


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
