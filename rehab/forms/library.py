"""Forms of the exercise library: the admin's exercise form, and the library browser's search.

In the admin, ``Exercise.steps``, ``cues`` and ``safety_notes`` are JSON lists of strings. A clinic admin
should never have to type JSON, so the admin shows each list as a textarea with one item per
line and turns it back into a list on save.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from typing import Any

from django import forms
from django.core.exceptions import ValidationError
from django.utils.text import format_lazy
from django.utils.translation import gettext_lazy as _

from rehab.models.library import Equipment, Exercise

# "1. ", "2) ", "- ", "* " or "• " at the start of a pasted line: the preview numbers the
# steps itself, so a pasted numbered list would otherwise read "1. 1. Stand tall".
_LIST_MARKER = re.compile(r"^(?:\d{1,3}[.)]|[-*•])\s+")

ITEM_MAX_LENGTH = 1000
ITEMS_MAX = 50


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


class ExerciseAdminForm(forms.ModelForm):
    """The exercise form: steps, cues and safety notes as one item per line."""

    steps = LinesField(
        label=_("Steps"),
        help_text=format_lazy("{} {}", _("One step per line, in order."), _LINES_HELP),
    )
    cues = LinesField(
        label=_("Cues"),
        required=False,
        help_text=format_lazy(
            "{} {}", _("One cue per line: short reminders shown with the exercise."), _LINES_HELP
        ),
    )
    safety_notes = LinesField(
        label=_("Safety notes"),
        required=False,
        help_text=format_lazy(
            "{} {}", _("One safety note per line: when to stop or get advice."), _LINES_HELP
        ),
    )

    class Meta:
        model = Exercise
        fields = (
            "name",
            "slug",
            "category",
            "clinic",
            "equipment",
            "progresses_to",
            "summary",
            "steps",
            "cues",
            "safety_notes",
            "default_sets",
            "default_reps",
            "default_hold_seconds",
            "default_times_per_day",
            "default_days_per_week",
            "side",
            "video_url",
            "video_start_seconds",
            "image",
            "from_video",
            "earliest_week_operative",
            "earliest_week_non_operative",
            "earliest_week_reason",
            "earliest_week_source",
            "source",
            "is_published",
        )
        widgets = {
            "equipment": forms.CheckboxSelectMultiple,
            "summary": forms.Textarea(attrs={"rows": 3, "class": "vLargeTextField"}),
            "source": forms.Textarea(attrs={"rows": 2, "class": "vLargeTextField"}),
            "earliest_week_reason": forms.Textarea(attrs={"rows": 2, "class": "vLargeTextField"}),
            "earliest_week_source": forms.Textarea(attrs={"rows": 2, "class": "vLargeTextField"}),
            # The admin names a file input only with a fieldset legend; give it its own name.
            "image": forms.ClearableFileInput(attrs={"aria-label": _("Image")}),
        }


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
