"""Protocol templates in the admin: their phases and items."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any, TypedDict
from urllib.parse import urlsplit

from django import forms
from django.contrib import admin
from django.contrib.admin.widgets import AdminTextareaWidget
from django.db.models import Count, Q, QuerySet
from django.forms.models import BaseInlineFormSet
from django.http import HttpRequest
from django.urls import Resolver404, resolve, reverse
from django.utils.functional import Promise
from django.utils.html import format_html
from django.utils.safestring import SafeString
from django.utils.translation import gettext_lazy as _
from django.utils.translation import ngettext

from clinic.models import Clinic
from core.ids import as_id
from rehab.admin.base import SharedOrClinicFilter, SlugLockedAfterCreateAdmin
from rehab.admin.library import ExerciseAdmin
from rehab.models.doses import DOSE_FIELD_NAMES
from rehab.models.protocols import (
    Protocol,
    ProtocolItem,
    ProtocolPhase,
    may_hold,
    not_holdable_error,
    template_exercises,
)
from rehab.services.template_rules import early_error, early_in_phase

if TYPE_CHECKING:
    from django_stubs_ext import WithAnnotations


class PhaseCount(TypedDict):
    phase_count: int


class ItemCount(TypedDict):
    item_count: int


def _with_protocol_and_item_count(phases: QuerySet[ProtocolPhase]) -> QuerySet[ProtocolPhase]:
    """Phases with their template (each row's label names it) and ``item_count``."""
    return phases.select_related("protocol").annotate(item_count=Count("items"))


class SharedTemplateFilter(SharedOrClinicFilter):
    shared_label = _("Shared template")


def _kept_forms(formset: BaseInlineFormSet) -> list[Any]:
    """The formset's rows that will be saved (not deleted, not an empty extra row)."""
    return [
        form
        for form in formset.forms
        if getattr(form, "cleaned_data", None) and not form.cleaned_data.get("DELETE")
    ]


# --- guardrails: the rules of the clinic-side template services (rehab.services.protocols) ---


class ProtocolForm(forms.ModelForm):
    """A template's clinic cannot change so that it holds exercises it may not (a shared
    template, only shared ones; a clinic's, shared ones and the clinic's own)."""

    def clean(self) -> dict[str, Any]:
        cleaned = super().clean() or {}
        if self.instance.pk is None or "clinic" not in self.changed_data:
            return cleaned
        clinic = cleaned.get("clinic")
        clinic_id = clinic.pk if clinic is not None else None
        items = (
            ProtocolItem.objects.filter(phase__protocol=self.instance)
            .select_related("exercise")
            .order_by("phase__order", "order")
        )
        errors = [
            not_holdable_error(item.exercise, shared=clinic_id is None)
            for item in items
            if not may_hold(clinic_id, item.exercise)
        ]
        if errors:
            self.add_error("clinic", errors)
        return cleaned


class ProtocolPhaseFormSet(BaseInlineFormSet):
    """A template's phases, its start weeks and pathway as sent: no phase may start before the
    earliest safe week of an exercise in it (``template_phase_update``'s rule)."""

    def clean(self) -> None:
        super().clean()
        pathway = self.instance.pathway
        kept = [form for form in _kept_forms(self) if form.instance.pk is not None]
        if not pathway or not kept:
            return
        items: dict[int, list[ProtocolItem]] = {}
        for item in ProtocolItem.objects.filter(
            phase__in=[form.instance.pk for form in kept]
        ).select_related("exercise"):
            items.setdefault(item.phase_id, []).append(item)
        for form in kept:
            start_week = form.cleaned_data.get("start_week")
            if start_week is None:
                continue
            name = form.cleaned_data.get("name") or form.instance.name
            warnings = [
                (name, warning)
                for item in items.get(form.instance.pk, [])
                if (
                    warning := early_in_phase(
                        pathway=pathway, start_week=start_week, exercise=item.exercise
                    )
                )
                is not None
            ]
            if warnings:
                form.add_error("start_week", early_error(warnings))


class ProtocolItemFormSet(BaseInlineFormSet):
    """A phase's exercises, with the phase as sent (its start week, its template): none is
    placed before its earliest safe week on the template's pathway (``template_item_add``'s
    rule). Which exercises a template may hold: ``ProtocolItem.clean``."""

    def clean(self) -> None:
        super().clean()
        phase = self.instance
        if phase.start_week is None or phase.protocol_id is None:
            return  # the phase's own form is refused
        pathway = phase.protocol.pathway
        for form in _kept_forms(self):
            exercise = form.cleaned_data.get("exercise")
            if exercise is None:
                continue
            warning = early_in_phase(
                pathway=pathway, start_week=phase.start_week, exercise=exercise
            )
            if warning is not None:
                form.add_error("exercise", early_error([(phase.name, warning)]))


# --- protocol templates -------------------------------------------------------------------


class ProtocolPhaseInline(admin.TabularInline):
    model = ProtocolPhase
    formset = ProtocolPhaseFormSet
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
        return _with_protocol_and_item_count(super().get_queryset(request))

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
    form = ProtocolForm
    save_on_top = True
    fieldsets = (
        (None, {"fields": ("name", "slug", "pathway", "version", "clinic")}),
        (_("Description"), {"fields": ("summary", "source")}),
        (_("Publishing"), {"fields": ("is_published", "updated_at")}),
    )

    def get_queryset(self, request: HttpRequest) -> QuerySet[Protocol]:
        return super().get_queryset(request).annotate(phase_count=Count("phases"))

    @admin.display(description=_("phases"), ordering="phase_count")
    def phase_count(self, obj: WithAnnotations[Protocol, PhaseCount]) -> int:
        return obj.phase_count

    @admin.display(description=_("clinic"), ordering="clinic__name")
    def clinic_or_shared(self, obj: Protocol) -> Clinic | Promise:
        return obj.clinic or _("Shared template")


class ProtocolItemInline(admin.TabularInline):
    model = ProtocolItem
    formset = ProtocolItemFormSet
    fields = ("order", "exercise", *DOSE_FIELD_NAMES, "note", "guardrail")
    readonly_fields = ("guardrail",)
    autocomplete_fields = ("exercise",)
    ordering = ("order",)
    extra = 1

    def get_queryset(self, request: HttpRequest) -> QuerySet[ProtocolItem]:
        # The row label shows the exercise; the guardrail needs the phase and its pathway.
        return super().get_queryset(request).select_related("exercise", "phase__protocol")

    def get_formset(
        self, request: HttpRequest, obj: ProtocolPhase | None = None, **kwargs: Any
    ) -> Any:
        formset = super().get_formset(request, obj, **kwargs)
        if obj is not None and obj.protocol_id is not None:
            # Only the exercises the phase's template may hold can be chosen.
            field = formset.form.base_fields["exercise"]
            assert isinstance(field, forms.ModelChoiceField)
            assert field.queryset is not None
            field.queryset = field.queryset.filter(template_exercises(obj.protocol.clinic_id))
        return formset

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


def _exercises_the_phase_page_may_hold(request: HttpRequest) -> Q:
    """The exercises the item autocomplete offers: those the template of the phase whose page
    asks (the ``Referer``, this site's phase change page) may hold (``template_exercises``).
    Without one (a phase being added, the header left out) the shared ones, which every
    template may hold; a phase's items are picked with its clinic's own once it is saved."""
    referer = urlsplit(request.headers.get("referer", ""))
    phase_id = None
    if referer.netloc == request.get_host():
        try:
            match = resolve(referer.path)
        except Resolver404:
            match = None
        if match is not None and match.view_name == f"{admin.site.name}:rehab_protocolphase_change":
            phase_id = as_id(match.kwargs.get("object_id"))
    clinic_id = (
        ProtocolPhase.objects.filter(pk=phase_id)
        .values_list("protocol__clinic_id", flat=True)
        .first()
        if phase_id is not None
        else None
    )
    return template_exercises(clinic_id)


ExerciseAdmin.limit_autocomplete(ProtocolItem, "exercise", _exercises_the_phase_page_may_hold)


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
        return _with_protocol_and_item_count(super().get_queryset(request))

    @admin.display(description=_("exercises"), ordering="item_count")
    def item_count(self, obj: WithAnnotations[ProtocolPhase, ItemCount]) -> int:
        return obj.item_count
