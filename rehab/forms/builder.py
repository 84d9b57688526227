"""Forms of the plan builder.

Every form that edits a plan carries the plan's ``version`` as a hidden field; the view passes
it to the service as ``expected_version`` so that an edit made on a page someone else has since
changed is refused instead of silently overwriting theirs.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

from django import forms
from django.db.models import QuerySet
from django.http import QueryDict
from django.utils.html import format_html_join
from django.utils.translation import gettext_lazy as _

from core.forms import ClientUuidForm
from core.ids import from_opaque, opaque
from core.validators import validate_visible
from rehab import guardrails
from rehab.forms.library import DoseLimits, LibraryFilterForm
from rehab.models.doses import DOSE_FIELD_NAMES
from rehab.models.library import Equipment, Exercise
from rehab.models.plans import Plan, PlanPhase, Prescription
from rehab.models.protocols import PHASE_FIELD_NAMES, Protocol
from rehab.services import builder as builder_services
from rehab.services import plans as plan_services
from rehab.weeks import phase_week_range

UP = builder_services.UP
DOWN = builder_services.DOWN


def guardrail_help_text(warning: guardrails.GuardrailWarning) -> str:
    """The warning, why, and the source, escaped (forms/field.html shows help text unescaped,
    as Django's own field template does)."""
    parts = [warning.message]
    if warning.reason:
        parts.append(warning.reason)
    if warning.source:
        parts.append(_("Source: %(source)s") % {"source": warning.source})
    return format_html_join(" ", "{}", ((part,) for part in parts))


class VersionForm(forms.Form):
    """The plan version the page was showing; every edit form has it."""

    version = forms.IntegerField(
        widget=forms.HiddenInput,
        min_value=1,
        error_messages={
            "required": _("This page is out of date; reload it and try again."),
            "invalid": _("This page is out of date; reload it and try again."),
            "min_value": _("This page is out of date; reload it and try again."),
        },
    )


class DirectionForm(VersionForm):
    """Move something one place up or down (the up/down buttons send ``direction``)."""

    direction = forms.ChoiceField(choices=[(UP, _("Up")), (DOWN, _("Down"))])


class ProtocolChoiceField(forms.ModelChoiceField):
    def label_from_instance(self, obj: Protocol) -> str:
        return _("%(name)s (version %(version)s)") % {"name": obj.name, "version": obj.version}


class PlanCreateForm(ClientUuidForm):
    """A new plan. The page carries an id made once (``client_uuid``): the same page sent
    again (a slow answer retried, Back then Submit) finds the plan it made instead of making a
    second."""

    template = ProtocolChoiceField(
        queryset=Protocol.objects.none(),
        required=False,
        blank=True,
        empty_label=_("Blank plan: add phases and exercises yourself"),
        widget=forms.RadioSelect,
        label=_("Start from"),
    )
    name = forms.CharField(
        label=_("Plan name"),
        max_length=200,
        validators=[validate_visible],
        required=False,
        help_text=_("Optional; the template's name is used if you leave it empty."),
    )

    def __init__(self, *args: Any, protocols: QuerySet[Protocol], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        field = self.fields["template"]
        assert isinstance(field, forms.ModelChoiceField)
        field.queryset = protocols


class PlanRenameForm(VersionForm):
    name = forms.CharField(label=_("Plan name"), max_length=200, validators=[validate_visible])


class PhaseForm(forms.ModelForm):
    """A phase's name, weeks and guidance.

    When the submitted start week places exercises of the phase before their earliest safe
    week, the form grows one required reason field per exercise (``guardrail_reason_<id>``).
    The first time it does, it also refuses to save, so that the clinician sees the warnings
    before confirming them.
    """

    version = VersionForm.base_fields["version"]
    # The template adds a hidden ``guardrail_confirm`` input once it has shown the warnings.
    CONFIRM = "guardrail_confirm"

    class Meta:
        model = PlanPhase
        fields = list(PHASE_FIELD_NAMES)
        # Multi-line text in text areas; the builder's stylesheet sizes them to their content.
        widgets = {
            "weight_bearing": forms.Textarea(attrs={"rows": 2}),
            "boot": forms.Textarea(attrs={"rows": 2}),
            "wedges": forms.Textarea(attrs={"rows": 2}),
            "goals": forms.Textarea(attrs={"rows": 3}),
            "precautions": forms.Textarea(attrs={"rows": 3}),
            "exit_criteria": forms.Textarea(attrs={"rows": 3}),
            "patient_summary": forms.Textarea(attrs={"rows": 3}),
            "patient_care": forms.Textarea(attrs={"rows": 3}),
        }

    def __init__(
        self,
        *args: Any,
        plan: Plan,
        prescriptions: Sequence[Prescription] = (),
        **kwargs: Any,
    ) -> None:
        super().__init__(*args, **kwargs)
        self.plan = plan
        self.guardrail_items: list[tuple[Prescription, guardrails.GuardrailWarning]] = []
        self.needs_confirmation = False
        start_week = self.submitted_start_week()
        if self.instance.pk is None or start_week is None:
            return
        self.guardrail_items = guardrails.guardrail_reasons_needed(
            prescriptions=prescriptions,
            pathway=plan.pathway,
            start_week=start_week,
            old_start_week=self.instance.start_week,
            phase=self.instance,
        )
        confirmed = bool(self.data.get(self.add_prefix(self.CONFIRM)))
        if self.guardrail_items and not confirmed:
            # First sight of the warnings: show each with the reason it already has.
            data: QueryDict | dict[str, Any] = (
                self.data.copy() if isinstance(self.data, QueryDict) else dict(self.data)
            )
            for rx, _warning in self.guardrail_items:
                data.setdefault(self.add_prefix(self.reason_field(rx)), rx.guardrail_reason)
            self.data = data
        self.needs_confirmation = bool(self.guardrail_items) and not confirmed
        for rx, _warning in self.guardrail_items:
            name = self.reason_field(rx)
            self.fields[name] = forms.CharField(
                label=_("Reason to keep %(exercise)s in this phase") % {"exercise": rx.exercise},
                # The warning, why and its source are shown in a box just before the field.
                widget=forms.Textarea(
                    attrs={
                        "rows": 2,
                        "aria-describedby": f"{self.id_for(name)}_warning",
                    }
                ),
                max_length=2000,
                error_messages={
                    "required": _("Give a reason to keep this exercise in this phase.")
                },
            )

    def id_for(self, name: str) -> str:
        """The HTML id of field ``name`` (before the field exists)."""
        auto_id = self.auto_id if isinstance(self.auto_id, str) else "id_%s"
        return auto_id % self.add_prefix(name)

    @staticmethod
    def reason_field(rx: Prescription) -> str:
        return f"guardrail_reason_{rx.pk}"

    def submitted_start_week(self) -> int | None:
        if not self.is_bound:
            return None
        try:
            return int(self.data.get(self.add_prefix("start_week"), ""))
        except (TypeError, ValueError):
            return None

    def clean(self) -> dict[str, Any]:
        cleaned = super().clean() or {}
        if self.needs_confirmation:
            raise forms.ValidationError(
                _(
                    "With this start week some exercises come before their earliest safe "
                    "week. Read the warnings and give a reason for each to keep it, or "
                    "choose a later start week."
                ),
                code="guardrail_confirm",
            )
        return cleaned

    def guardrail_rows(self) -> list[tuple[Prescription, guardrails.GuardrailWarning, Any]]:
        """(prescription, warning, bound reason field) for each exercise that needs a reason."""
        return [(rx, w, self[self.reason_field(rx)]) for rx, w in self.guardrail_items]

    @property
    def confirm_name(self) -> str:
        return self.add_prefix(self.CONFIRM)

    def guardrail_reasons(self) -> dict[int, str]:
        return {
            rx.pk: self.cleaned_data[self.reason_field(rx)] for rx, _warning in self.guardrail_items
        }

    def phase_values(self) -> dict[str, Any]:
        return {name: self.cleaned_data[name] for name in self.Meta.fields}


class BuilderLibraryForm(LibraryFilterForm):
    """The builder's library panel: the library's filters, "safe at this patient's week", and
    the phase the panel adds to (``to``: the phase it was opened from; the current one if none).

    Its values travel in the builder's URL, so a reload or a shared link keeps them."""

    safe = forms.BooleanField(
        label=_("Only exercises safe at this patient's week"),
        required=False,
    )
    # Its values are the phases' opaque ids (core.ids): they travel in the address.
    to = forms.TypedChoiceField(
        coerce=from_opaque, label=_("Add to phase"), required=False, empty_value=None
    )

    FIELDS = ("q", "category", "equipment", "safe", "to")

    def __init__(
        self,
        *args: Any,
        equipment: Sequence[Equipment],
        phases: Sequence[PlanPhase],
        week_ranges: Mapping[int, str] | None = None,
        **kwargs: Any,
    ) -> None:
        """``week_ranges``: the phases' weeks and dates in words by id, when the page has
        them (``phase_choices``)."""
        super().__init__(*args, equipment=equipment, **kwargs)
        field = self.fields["to"]
        assert isinstance(field, forms.TypedChoiceField)
        field.choices = [
            (opaque(pk), label) for pk, label in phase_choices(phases, week_ranges=week_ranges)
        ]

    def values(self) -> dict[str, str]:
        """The search as strings, for the builder's URL and the add forms' hidden fields."""
        if not self.is_valid():
            return dict.fromkeys(self.FIELDS, "")
        data = self.cleaned_data
        return {
            **super().values(),
            "safe": "1" if data["safe"] else "",
            "to": opaque(data["to"]) if data["to"] is not None else "",
        }


def phase_choices(
    phases: Sequence[PlanPhase], *, week_ranges: Mapping[int, str] | None = None
) -> list[tuple[int, str]]:
    """A plan's phases to choose from: "Protection (weeks 2–5 · 14 Oct – 10 Nov)". Their
    weeks and dates in words are ``week_ranges``' (by phase id) when given, as the builder
    shows them (``phase_week_range``, put in words once for the page)."""
    if week_ranges is None:
        week_ranges = {phase.pk: phase_week_range(phase) for phase in phases}
    return [(phase.pk, f"{phase.name} ({week_ranges[phase.pk]})") for phase in phases]


class _PhaseChoiceForm(VersionForm):
    """A form whose ``phase`` field (a ``TypedChoiceField`` each form declares) offers the
    plan's ``phases``; it is cleaned to the phase chosen."""

    def __init__(self, *args: Any, phases: Sequence[PlanPhase], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.phases = {phase.pk: phase for phase in phases}
        field = self.fields["phase"]
        assert isinstance(field, forms.TypedChoiceField)
        field.choices = phase_choices(phases)

    def clean_phase(self) -> PlanPhase:
        phase = self.phases.get(self.cleaned_data["phase"])
        if phase is None:
            raise forms.ValidationError(_("Choose a phase of this plan."))
        return phase


class PrescriptionAddForm(_PhaseChoiceForm):
    """Add one library exercise to a phase of the plan, at its default dose."""

    exercise = forms.IntegerField(widget=forms.HiddenInput)
    phase = forms.TypedChoiceField(
        coerce=int,
        label=_("Add to phase"),
        widget=forms.Select(attrs={"class": "form-select form-select-sm"}),
    )
    guardrail_reason = forms.CharField(
        label=_("Reason for placing it before its earliest safe week"),
        widget=forms.Textarea(attrs={"rows": 2}),
        required=False,
        max_length=2000,
    )
    # The library search the clinician was looking at, kept across the submit.
    q = forms.CharField(required=False, widget=forms.HiddenInput)
    category = forms.CharField(required=False, widget=forms.HiddenInput)
    equipment = forms.CharField(required=False, widget=forms.HiddenInput)
    safe = forms.CharField(required=False, widget=forms.HiddenInput)
    to = forms.CharField(required=False, widget=forms.HiddenInput)

    def __init__(self, *args: Any, exercises: QuerySet[Exercise], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.exercises = exercises
        self.warning: guardrails.GuardrailWarning | None = None
        self.exercise_obj: Exercise | None = None

    def clean_exercise(self) -> Exercise:
        exercise = self.exercises.filter(pk=self.cleaned_data["exercise"]).first()
        if exercise is None:
            raise forms.ValidationError(_("Choose an exercise from the library."))
        self.exercise_obj = exercise
        return exercise

    def clean(self) -> dict[str, Any]:
        cleaned = super().clean() or {}
        exercise, phase = cleaned.get("exercise"), cleaned.get("phase")
        if isinstance(exercise, Exercise) and isinstance(phase, PlanPhase):
            self.warning = guardrails.guardrail_warning(exercise=exercise, phase=phase)
            if self.warning and not cleaned.get("guardrail_reason", "").strip():
                self.add_error(
                    "guardrail_reason",
                    _("Give a reason to place it in this phase, or choose a later phase."),
                )
        return cleaned


class DoseForm(DoseLimits, forms.ModelForm):
    """A prescription's dose and note; its guardrail reason too when it needs one."""

    version = VersionForm.base_fields["version"]

    class Meta:
        model = Prescription
        fields = [*DOSE_FIELD_NAMES, "note", "guardrail_reason"]
        widgets = {
            "note": forms.Textarea(attrs={"rows": 2}),
            "guardrail_reason": forms.Textarea(attrs={"rows": 2}),
        }
        labels = {"note": _("Note to the patient")}

    def __init__(
        self, *args: Any, warning: guardrails.GuardrailWarning | None = None, **kwargs: Any
    ) -> None:
        super().__init__(*args, **kwargs)
        self.warning = warning
        # Advice (an education item) has no dose for the patient to follow: only its note is
        # edited, and its stored dose stays as it is.
        self.advice = self.instance.is_advice
        if self.advice:
            for name in DOSE_FIELD_NAMES:
                del self.fields[name]
        if warning is None:
            del self.fields["guardrail_reason"]
        else:
            field = self.fields["guardrail_reason"]
            field.required = True
            field.help_text = guardrail_help_text(warning)
            field.error_messages["required"] = _(
                "Give a reason to keep this exercise before its earliest safe week."
            )

    def dose_values(self) -> dict[str, Any]:
        dose = self.instance if self.advice else None  # advice: the dose as stored
        values = {
            name: getattr(dose, name) if dose else self.cleaned_data[name]
            for name in plan_services.DOSE_FIELDS
        }
        values["note"] = self.cleaned_data["note"]
        if "guardrail_reason" in self.fields:
            values["guardrail_reason"] = self.cleaned_data["guardrail_reason"]
        return values


class PrescriptionMovePhaseForm(_PhaseChoiceForm):
    """Move a prescription to another phase of the plan."""

    phase = forms.TypedChoiceField(coerce=int, label=_("Move to phase"))
    guardrail_reason = forms.CharField(
        label=_("Reason, if that phase is before its earliest safe week"),
        widget=forms.Textarea(attrs={"rows": 2}),
        required=False,
        max_length=2000,
    )


class PhaseChangeConfirmForm(VersionForm):
    """Confirm a move to a phase whose exercises would start before their earliest safe week
    for the patient: a reason for each (the one it has is offered, to confirm or change)."""

    next = forms.CharField(widget=forms.HiddenInput, required=False)

    def __init__(
        self, *args: Any, placements: Sequence[guardrails.EarlyPlacement] = (), **kwargs: Any
    ) -> None:
        super().__init__(*args, **kwargs)
        self.placements = list(placements)
        for placement in self.placements:
            rx = placement.prescription
            self.fields[self.reason_field(rx)] = forms.CharField(
                label=_("Reason to start %(exercise)s now") % {"exercise": rx.exercise.name},
                initial=rx.guardrail_reason,
                max_length=2000,
                widget=forms.Textarea(attrs={"rows": 2, "aria-describedby": f"warning-{rx.pk}"}),
                error_messages={"required": _("Give a reason to start this exercise now.")},
            )

    @staticmethod
    def reason_field(rx: Prescription) -> str:
        return f"reason_{rx.pk}"

    @property
    def rows(self) -> list[tuple[guardrails.EarlyPlacement, forms.BoundField]]:
        return [(p, self[self.reason_field(p.prescription)]) for p in self.placements]

    def guardrail_reasons(self) -> dict[int, str]:
        return {
            p.prescription.pk: self.cleaned_data[self.reason_field(p.prescription)]
            for p in self.placements
        }
