"""Forms of a clinic's own templates: their details, phases and exercises, and saving a plan
as a template. They check input; ``rehab.services.protocols`` writes."""

from __future__ import annotations

from typing import Any

from django import forms
from django.db.models import QuerySet
from django.utils.translation import gettext_lazy as _

from core.forms import ClientUuidForm
from core.validators import validate_visible
from rehab.forms.library import DoseLimits
from rehab.models.doses import DOSE_FIELD_NAMES
from rehab.models.library import Exercise
from rehab.models.protocols import PHASE_FIELD_NAMES, Protocol, ProtocolItem, ProtocolPhase

PHASE_FORM_FIELDS = list(PHASE_FIELD_NAMES)
DOSE_FORM_FIELDS = list(DOSE_FIELD_NAMES)


class TemplateDetailsForm(forms.ModelForm):
    class Meta:
        model = Protocol
        fields = ["name", "summary", "source"]
        widgets = {
            "summary": forms.Textarea(attrs={"rows": 2}),
            "source": forms.Textarea(attrs={"rows": 2}),
        }


class TemplatePhaseForm(forms.ModelForm):
    class Meta:
        model = ProtocolPhase
        fields = PHASE_FORM_FIELDS
        widgets = {
            "goals": forms.Textarea(attrs={"rows": 2}),
            "precautions": forms.Textarea(attrs={"rows": 2}),
            "exit_criteria": forms.Textarea(attrs={"rows": 2}),
            "patient_summary": forms.Textarea(attrs={"rows": 2}),
            "patient_care": forms.Textarea(attrs={"rows": 3}),
        }


class TemplateItemForm(DoseLimits, forms.ModelForm):
    class Meta:
        model = ProtocolItem
        fields = [*DOSE_FORM_FIELDS, "note"]
        widgets = {"note": forms.Textarea(attrs={"rows": 2})}
        labels = {"note": _("Note to the patient")}


ExerciseGroups = list[tuple[str, list[tuple[int, str]]]]


def exercise_groups(exercises: QuerySet[Exercise]) -> ExerciseGroups:
    """``exercises`` under their category's name (an ``<optgroup>`` each), the categories in
    their order (the builder's category filter's), names A–Z in each: one query."""
    by_category: dict[str, list[tuple[int, str]]] = {value: [] for value in Exercise.Category}
    for pk, name, category in exercises.order_by("name", "pk").values_list(
        "pk", "name", "category"
    ):
        by_category.setdefault(category, []).append((pk, name))
    return [
        (str(label), by_category[value])
        for value, label in Exercise.Category.choices
        if by_category[value]
    ]


class TemplateItemAddForm(forms.Form):
    """The exercise picker of a template's phase: a select grouped by category.

    ``groups`` (``exercise_groups`` of ``exercises``) is read once by a page with a picker per
    phase; without it the form reads it when it is drawn."""

    exercise = forms.ModelChoiceField(
        label=_("Exercise"),
        queryset=Exercise.objects.none(),
        help_text=_("At its default dose; change the dose once it is added."),
    )

    def __init__(
        self,
        *args: Any,
        exercises: QuerySet[Exercise],
        groups: ExerciseGroups | None = None,
        **kwargs: Any,
    ) -> None:
        super().__init__(*args, **kwargs)
        field = self.fields["exercise"]
        assert isinstance(field, forms.ModelChoiceField)
        field.queryset = exercises.order_by("category", "name")
        empty = ("", field.empty_label)
        if groups is None:
            field.choices = lambda: [empty, *exercise_groups(exercises)]
        else:
            field.choices = [empty, *groups]


class SaveAsTemplateForm(ClientUuidForm):
    """Save a plan as a template. The page carries an id made once (``client_uuid``): the same
    page sent again (a slow answer retried, Back then Save) finds the template it saved
    instead of saving a second."""

    name = forms.CharField(label=_("Template name"), max_length=200, validators=[validate_visible])
    leave_out_early = forms.BooleanField(
        label=_("Leave out the exercises placed early for this patient"),
        required=False,
    )


class DiscardDraftForm(forms.Form):
    """A template draft's "Discard the draft": first the question, then its "Yes, discard the
    draft" (``confirmed``), which deletes every change made in the draft."""

    confirmed = forms.BooleanField(required=False, widget=forms.HiddenInput)
