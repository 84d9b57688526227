"""The exercise library in the admin: site staff edit the shared library."""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING, Any, ClassVar, TypedDict

from django.apps import apps
from django.contrib import admin, messages
from django.db.models import Count, Model, Q, QuerySet
from django.http import HttpRequest
from django.utils.functional import Promise
from django.utils.html import format_html, format_html_join
from django.utils.safestring import SafeString
from django.utils.translation import gettext_lazy as _
from django.utils.translation import ngettext

from clinic.models import Clinic
from rehab.admin.base import SharedOrClinicFilter, SlugLockedAfterCreateAdmin
from rehab.forms.library import ExerciseAdminForm
from rehab.models.library import Equipment, Exercise
from rehab.services import library as library_services

if TYPE_CHECKING:
    from django_stubs_ext import WithAnnotations


class ExerciseCount(TypedDict):
    exercise_count: int


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


# Which exercises an autocomplete may offer, by the field it fills (the model that holds it and
# the field's name; the admin's autocomplete view is asked with "app_label", "model_name" and
# "field_name"): a condition on the exercises, from the request. Filled by the admin of the
# model that holds the field (``limit_autocomplete``).
AutocompleteLimit = Callable[[HttpRequest], Q]


# --- the library --------------------------------------------------------------------------


@admin.register(Equipment)
class EquipmentAdmin(SlugLockedAfterCreateAdmin):
    list_display = ("name", "slug", "exercise_count")
    search_fields = ("name", "slug")
    ordering = ("name",)

    def get_queryset(self, request: HttpRequest) -> QuerySet[Equipment]:
        return super().get_queryset(request).annotate(exercise_count=Count("exercises"))

    @admin.display(description=_("exercises"), ordering="exercise_count")
    def exercise_count(self, obj: WithAnnotations[Equipment, ExerciseCount]) -> int:
        return obj.exercise_count


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
    autocomplete_limits: ClassVar[dict[tuple[type[Model], str], AutocompleteLimit]] = {}

    @classmethod
    def limit_autocomplete(
        cls, model: type[Model], field_name: str, limit: AutocompleteLimit
    ) -> None:
        """Offer in the autocomplete of ``model.field_name`` (an exercise) only the exercises
        ``limit(request)`` allows; the field's own form still refuses the others."""
        cls.autocomplete_limits[(model, field_name)] = limit

    def get_search_results(
        self, request: HttpRequest, queryset: QuerySet[Exercise], search_term: str
    ) -> tuple[QuerySet[Exercise], bool]:
        """The search; for an autocomplete (the admin's ``autocomplete`` view, asked with
        ``app_label``, ``model_name`` and ``field_name``), only the exercises that field may
        hold (``autocomplete_limits``)."""
        queryset, may_have_duplicates = super().get_search_results(request, queryset, search_term)
        match = request.resolver_match
        if match is not None and match.url_name == "autocomplete":
            # The model as the autocomplete view itself finds it (it refuses an unknown one).
            try:
                model = apps.get_model(
                    request.GET.get("app_label", ""), request.GET.get("model_name", "")
                )
            except LookupError:
                return queryset, may_have_duplicates
            limit = self.autocomplete_limits.get((model, request.GET.get("field_name", "")))
            if limit is not None:
                queryset = queryset.filter(limit(request))
        return queryset, may_have_duplicates

    def get_readonly_fields(self, request: HttpRequest, obj: Any = None) -> list[str]:
        """Whose library an exercise is in is set when it is made: moving a shared one to one
        clinic (or one clinic's to another) would leave the templates and plans of the others
        holding an exercise that is no longer theirs."""
        fields = super().get_readonly_fields(request, obj)
        if obj is not None and "clinic" not in fields:
            fields.append("clinic")
        return fields

    def save_model(self, request: HttpRequest, obj: Exercise, form: Any, change: bool) -> None:
        """Saved as the form says; an earliest safe week moved later is announced, as the
        library's services do (plans following the exercise are checked again)."""
        before = (
            form.initial.get("earliest_week_operative", obj.earliest_week_operative),
            form.initial.get("earliest_week_non_operative", obj.earliest_week_non_operative),
        )
        super().save_model(request, obj, form, change)
        if change:
            library_services.announce_if_raised(obj, before)

    fieldsets = (
        (
            _("Basics"),
            {"fields": ("name", "slug", "category", "clinic", "equipment", "progresses_to")},
        ),
        (
            _("Instructions"),
            {
                "fields": (
                    "patient_name",
                    "patient_summary",
                    "steps",
                    "cues",
                    "patient_safety_notes",
                    "instructions_preview",
                ),
                "description": _(
                    "What the patient reads, in plain words: no citations, no jargon, no week "
                    "numbers. Write one step, cue or safety note per line; the preview shows "
                    "the saved version."
                ),
            },
        ),
        (
            _("For clinicians"),
            {
                "fields": ("summary", "safety_notes"),
                "description": _("Exact terms and sources; patients never see them."),
            },
        ),
        (
            _("Default dose"),
            {
                "fields": (
                    (
                        "default_sets",
                        "default_reps",
                        "default_hold_seconds",
                        "default_duration_minutes",
                    ),
                    ("default_times_per_day", "default_days_per_week"),
                    "side",
                ),
                "description": _(
                    "Copied into a plan when the exercise is added; the clinician can change it. "
                    "Give repetitions, a hold time or a duration (minutes)."
                ),
            },
        ),
        (
            _("Video link"),
            {"fields": ("video_url", "video_start_seconds", "from_video")},
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
        text = obj.patient_text
        sections.append(format_html("<p><strong>{}</strong></p>", text.name))
        if text.summary:
            sections.append(format_html("<p>{}</p>", text.summary))
        for title, tag, items in (
            (_("Steps"), "ol", _as_list(text.steps)),
            (_("Cues"), "ul", _as_list(text.cues)),
            (_("Safety"), "ul", _as_list(text.safety_notes)),
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

    def _set_published(
        self, request: HttpRequest, queryset: QuerySet[Exercise], *, published: bool
    ) -> None:
        count = queryset.update(is_published=published)
        said = (
            ngettext("%(count)d exercise published.", "%(count)d exercises published.", count)
            if published
            else ngettext(
                "%(count)d exercise unpublished.", "%(count)d exercises unpublished.", count
            )
        )
        self.message_user(request, said % {"count": count}, messages.SUCCESS)

    @admin.action(description=_("Publish the selected exercises"), permissions=["change"])
    def publish(self, request: HttpRequest, queryset: QuerySet[Exercise]) -> None:
        self._set_published(request, queryset, published=True)

    @admin.action(description=_("Unpublish the selected exercises"), permissions=["change"])
    def unpublish(self, request: HttpRequest, queryset: QuerySet[Exercise]) -> None:
        self._set_published(request, queryset, published=False)
