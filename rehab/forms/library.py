"""Forms of the exercise library: the admin's exercise form, the library browser's search, and
the limits of a dose's numbers every dose form shares (``DoseLimits``).

In the admin, ``Exercise.steps``, ``cues`` and ``safety_notes`` are JSON lists of strings. A clinic admin
should never have to type JSON, so the admin shows each list as a textarea with one item per
line and turns it back into a list on save.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from typing import TYPE_CHECKING, Any

from django import forms
from django.core.exceptions import ValidationError
from django.core.validators import ProhibitNullCharactersValidator
from django.utils.text import format_lazy
from django.utils.translation import gettext_lazy as _

if TYPE_CHECKING:
    from django_stubs_ext import StrOrPromise

from core.forms import ClientUuidForm, ModelMultipleChoiceField, add_service_errors
from rehab import clinical
from rehab.models.library import Equipment, Exercise
from rehab.services import library as library_services

# "1. ", "2) ", "- ", "* " or "• " at the start of a pasted line: the preview numbers the
# steps itself, so a pasted numbered list would otherwise read "1. 1. Stand tall".
_LIST_MARKER = re.compile(r"^(?:\d{1,3}[.)]|[-*•])\s+")

ITEM_MAX_LENGTH = 1000
ITEMS_MAX = 50

# A dose's limits (clinical.py) and how a therapist says them when a number is out of range.
DOSE_LIMITS: dict[str, tuple[int, int, StrOrPromise, StrOrPromise]] = {
    "sets": (1, clinical.SETS_MAX, _("At least %(n)s set."), _("At most %(n)s sets.")),
    "reps": (1, clinical.REPS_MAX, _("At least %(n)s rep."), _("At most %(n)s reps a set.")),
    "hold_seconds": (
        1,
        clinical.HOLD_SECONDS_MAX,
        _("Hold at least %(n)s second, or leave it empty."),
        _("Hold at most %(n)s seconds."),
    ),
    "duration_minutes": (
        1,
        clinical.DURATION_MINUTES_MAX,
        _("At least %(n)s minute, or leave it empty."),
        _("At most %(n)s minutes."),
    ),
    "times_per_day": (
        1,
        clinical.TIMES_PER_DAY_MAX,
        _("At least %(n)s time a day."),
        _("At most %(n)s times a day."),
    ),
    "days_per_week": (
        1,
        clinical.DAYS_PER_WEEK_MAX,
        _("At least %(n)s day a week."),
        _("At most %(n)s days a week."),
    ),
}


class DoseLimits(forms.BaseForm):
    """The fields of a dose (``DOSE_LIMITS``): a number out of range is refused in the
    therapist's terms ("At most 20 sets"), and the browser's number inputs have the same
    limits. Before a ``ModelForm`` in the bases: the dose form of a plan's exercise and of a
    template's."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        for name, (low, high, _too_few, _too_many) in DOSE_LIMITS.items():
            field = self.fields.get(name)
            if field is not None:
                field.widget.attrs.update(min=low, max=high)

    def clean(self) -> dict[str, Any]:
        cleaned = super().clean() or {}
        for name, (low, high, too_few, too_many) in DOSE_LIMITS.items():
            value = cleaned.get(name)
            if value is None:
                continue
            if value < low:
                self.add_error(name, str(too_few) % {"n": low})
            elif value > high:
                self.add_error(name, str(too_many) % {"n": high})
        return cleaned


def lines_to_list(text: str) -> list[str]:
    """Non-empty, stripped lines of ``text``, without leading list numbers or bullets."""
    items = []
    for line in text.splitlines():
        item = _LIST_MARKER.sub("", line.strip()).strip()
        if item:
            items.append(item)
    return items


class LinesField(forms.Field):
    """A list of strings edited in a textarea, one item per line.

    Blank lines are ignored, each line is stripped, and a leading "1." or "-" is dropped.
    Shows a stored list (or, after a failed submit, the submitted text) one item per line.
    """

    widget = forms.Textarea(attrs={"rows": 6, "class": "vLargeTextField"})
    default_error_messages = {
        "too_long": _(
            "Line %(number)s is too long: keep each line under %(max)s characters "
            "(it has %(length)s)."
        ),
        "too_many": _("Enter at most %(max)s lines (there are %(count)s)."),
    }

    def __init__(
        self,
        *,
        item_max_length: int = ITEM_MAX_LENGTH,
        max_items: int = ITEMS_MAX,
        **kwargs: Any,
    ) -> None:
        self.item_max_length = item_max_length
        self.max_items = max_items
        super().__init__(**kwargs)

    def prepare_value(self, value: Any) -> Any:
        if isinstance(value, list | tuple):
            return "\n".join(str(item) for item in value)
        return value

    def to_python(self, value: Any) -> list[str]:
        if value in self.empty_values:
            return []
        if isinstance(value, list | tuple):
            return [str(item).strip() for item in value if str(item).strip()]
        return lines_to_list(str(value))

    def validate(self, value: list[str]) -> None:
        if self.required and not value:
            raise ValidationError(self.error_messages["required"], code="required")
        if len(value) > self.max_items:
            raise ValidationError(
                self.error_messages["too_many"],
                code="too_many",
                params={"max": self.max_items, "count": len(value)},
            )
        for number, item in enumerate(value, start=1):
            # As a CharField's (PostgreSQL refuses NUL in text, and in JSON's text).
            ProhibitNullCharactersValidator()(item)
            if len(item) > self.item_max_length:
                raise ValidationError(
                    self.error_messages["too_long"],
                    code="too_long",
                    params={"number": number, "max": self.item_max_length, "length": len(item)},
                )

    def has_changed(self, initial: Any, data: Any) -> bool:
        if self.disabled:
            return False
        return self.to_python(initial) != self.to_python(data)


_LINES_HELP = _("Blank lines are ignored; a leading number or bullet is removed.")


def _lines_help(text: StrOrPromise) -> StrOrPromise:
    """A ``LinesField``'s help: ``text``, then how its lines are read."""
    return format_lazy("{} {}", text, _LINES_HELP)


class ExerciseLinesMixin(forms.Form):
    """Steps, cues and safety notes as one item per line."""

    steps = LinesField(label=_("Steps"), help_text=_lines_help(_("One step per line, in order.")))
    cues = LinesField(
        label=_("Cues"),
        required=False,
        help_text=_lines_help(_("One cue per line: short reminders shown with the exercise.")),
    )
    safety_notes = LinesField(
        label=_("Safety notes for clinicians"),
        required=False,
        help_text=_lines_help(
            _("One per line: guardrail weeks, contraindications, sources. Patients never see them.")
        ),
    )
    patient_safety_notes = LinesField(
        label=_("Safety, for the patient"),
        required=False,
        help_text=_lines_help(
            _(
                "One per line, in plain words: when to stop or get advice. No week numbers: "
                "the prescription decides when."
            )
        ),
    )


class ExerciseAdminForm(ExerciseLinesMixin, forms.ModelForm):
    """The admin's exercise form."""

    class Meta:
        model = Exercise
        fields = (
            "name",
            "slug",
            "category",
            "clinic",
            "equipment",
            "progresses_to",
            "patient_name",
            "patient_summary",
            "steps",
            "cues",
            "patient_safety_notes",
            "summary",
            "safety_notes",
            "default_sets",
            "default_reps",
            "default_hold_seconds",
            "default_duration_minutes",
            "default_times_per_day",
            "default_days_per_week",
            "side",
            "video_url",
            "video_start_seconds",
            "from_video",
            "earliest_week_operative",
            "earliest_week_non_operative",
            "earliest_week_reason",
            "earliest_week_source",
            "source",
            "is_published",
        )
        field_classes = {"equipment": ModelMultipleChoiceField}
        widgets = {
            "equipment": forms.CheckboxSelectMultiple,
            "summary": forms.Textarea(attrs={"rows": 3, "class": "vLargeTextField"}),
            "patient_summary": forms.Textarea(attrs={"rows": 3, "class": "vLargeTextField"}),
            "source": forms.Textarea(attrs={"rows": 2, "class": "vLargeTextField"}),
            "earliest_week_reason": forms.Textarea(attrs={"rows": 2, "class": "vLargeTextField"}),
            "earliest_week_source": forms.Textarea(attrs={"rows": 2, "class": "vLargeTextField"}),
        }

    def clean(self) -> dict[str, Any]:
        """An earliest safe week moved later is refused while a published template places the
        exercise earlier (the library's services ask the same)."""
        super().clean()
        cleaned = self.cleaned_data
        operative = cleaned.get("earliest_week_operative")
        non_operative = cleaned.get("earliest_week_non_operative")
        if self.instance.pk is not None and operative is not None and non_operative is not None:
            try:
                library_services.refuse_raise_over_templates(
                    self.instance, (operative, non_operative)
                )
            except ValidationError as error:
                add_service_errors(self, error)
        return cleaned


# --- A clinic's own exercises ------------------------------------------------------------

# Fields of ``Exercise`` a clinic does not set on its own exercise's page: the clinic is its
# own, the slug is made, "from the seed video" is about the shared library, archiving is its own
# button, the dates are kept by the app. Every other field is on the page (a test holds this).
CLINIC_EXERCISE_EXCLUDED = (
    "id",
    "clinic",
    "slug",
    "from_video",
    "is_published",
    "created_at",
    "updated_at",
    "instructions_updated_at",
)


class ClinicExerciseForm(ExerciseLinesMixin, ClientUuidForm, forms.ModelForm):
    """Create or edit a clinic's own exercise: every field the shared library has. A new
    exercise's page carries an id made once (``client_uuid``): the same page sent again (a slow
    answer retried, Back then Save) finds the exercise it added instead of adding a second."""

    class Meta:
        model = Exercise
        # Every field but these: a field added to Exercise later is on the page at once.
        exclude = CLINIC_EXERCISE_EXCLUDED  # noqa: DJ006
        field_classes = {"equipment": ModelMultipleChoiceField}
        widgets = {
            "equipment": forms.CheckboxSelectMultiple,
            "summary": forms.Textarea(attrs={"rows": 3}),
            "patient_summary": forms.Textarea(attrs={"rows": 3}),
            "source": forms.Textarea(attrs={"rows": 2}),
            "earliest_week_reason": forms.Textarea(attrs={"rows": 2}),
            "earliest_week_source": forms.Textarea(attrs={"rows": 2}),
        }
        help_texts = {
            "summary": _("For clinicians: exact terms and sources. Patients never see it."),
            "patient_summary": _("What the patient reads first, in plain words."),
            "source": _("Where the instructions and dose come from (for clinicians)."),
        }

    def __init__(self, *args: Any, exercises: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        progresses_to = self.fields["progresses_to"]
        assert isinstance(progresses_to, forms.ModelChoiceField)
        choices = exercises.order_by("name").only("pk", "name")  # the choices show names
        if self.instance.pk:
            choices = choices.exclude(pk=self.instance.pk)
        progresses_to.queryset = choices
        for name in ("steps", "cues", "safety_notes", "patient_safety_notes"):
            self.fields[name].widget.attrs.pop("class", None)
        if self.instance.pk:  # an edit's page adds nothing
            del self.fields["client_uuid"]

    # The fields the page places in its fieldsets; any other field (one added to ``Exercise``
    # later) is shown after them, so none is ever left off the page.
    PLACED = frozenset(
        {
            "name",
            "category",
            "equipment",
            "progresses_to",
            "summary",
            "steps",
            "cues",
            "safety_notes",
            "patient_name",
            "patient_summary",
            "patient_safety_notes",
            "video_url",
            "video_start_seconds",
            "side",
            "earliest_week_operative",
            "earliest_week_non_operative",
            "earliest_week_reason",
            "earliest_week_source",
            "source",
            "client_uuid",  # hidden, with the form's errors
        }
    )

    def unplaced_fields(self) -> list[forms.BoundField]:
        return [
            self[name]
            for name in self.fields
            if name not in self.PLACED and not name.startswith("default_")
        ]

    def service_kwargs(self) -> dict[str, Any]:
        data = dict(self.cleaned_data)
        return {"equipment": data.pop("equipment", []), **data}


class MediaUploadForm(ClientUuidForm):
    """A photo or a short video, with what it shows (and, for a video, a poster photo)."""

    upload = forms.FileField(
        label=_("Photo or video"),
        help_text=_(
            "A photo (JPEG, PNG or WebP) or a short video (MP4 or WebM). Location and other "
            "details stored in a photo are removed."
        ),
        widget=forms.ClearableFileInput(
            attrs={"accept": "image/jpeg,image/png,image/webp,video/mp4,video/webm,video/quicktime"}
        ),
        error_messages={"empty": _("The file is empty. Choose the photo or video again.")},
    )
    description = forms.CharField(
        label=_("What it shows"),
        max_length=300,
        required=False,
        help_text=_("For people who cannot see it, e.g. “Heel raise, side view”."),
    )
    poster = forms.FileField(
        label=_("Poster photo for a video (optional)"),
        required=False,
        widget=forms.ClearableFileInput(attrs={"accept": "image/jpeg,image/png,image/webp"}),
    )


# --- The library browser's search --------------------------------------------------------


class LibrarySearchForm(forms.Form):
    """Search the library by name and filter by category (and equipment on the library page)."""

    q = forms.CharField(label=_("Search by name"), required=False, max_length=100)
    category = forms.ChoiceField(
        label=_("Category"),
        required=False,
        choices=[("", _("All categories")), *Exercise.Category.choices],
    )

    def values(self) -> dict[str, str]:
        if not self.is_valid():
            return {"q": "", "category": ""}
        return {"q": self.cleaned_data["q"], "category": self.cleaned_data["category"]}


class LibraryFilterForm(LibrarySearchForm):
    equipment = forms.ChoiceField(label=_("Equipment"), required=False)

    def __init__(self, *args: Any, equipment: Sequence[Equipment], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        field = self.fields["equipment"]
        assert isinstance(field, forms.ChoiceField)
        field.choices = [("", _("Any equipment")), *((e.slug, e.name) for e in equipment)]

    def values(self) -> dict[str, str]:
        if not self.is_valid():
            return {"q": "", "category": "", "equipment": ""}
        return {**super().values(), "equipment": self.cleaned_data["equipment"]}
