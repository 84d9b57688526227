"""Forms for the patient's pages (ticks, check-in, ATRS) and the clinician's patient page.

They validate input only; the services in ``rehab.services`` decide and write.
"""

from __future__ import annotations

import uuid
from collections.abc import Collection
from typing import TYPE_CHECKING, Any

from django import forms
from django.core.exceptions import ValidationError
from django.utils.functional import lazy
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from clinic.forms import DateInput
from clinic.models import Patient
from core.ids import as_id, from_opaque
from rehab import clinical, guardrails, measures
from rehab.models.logbook import AtrsResponse, Swelling
from rehab.models.plans import Prescription
from rehab.selectors import notices as notice_selectors
from rehab.selectors import today as today_selectors

if TYPE_CHECKING:
    from django_stubs_ext import StrOrPromise

SCORE_CHOICES = [(n, str(n)) for n in range(clinical.SCORE_MAX + 1)]
# An optional score starts here: not answered is stored as nothing, never as a number.
NO_ANSWER = ("", _("No answer"))
SCORE_ERRORS = {
    "invalid_choice": _("Choose a number from 0 to 10."),
    "required": _("Choose a number from 0 to 10."),
}


def _score_field(label: Any, *, required: bool = True, help_text: Any = "") -> forms.Field:
    """A 0–10 score as big radio buttons; an optional one has "No answer" first, chosen until
    the patient picks a number (and to go back to not answering)."""
    return forms.TypedChoiceField(
        label=label,
        choices=SCORE_CHOICES if required else [NO_ANSWER, *SCORE_CHOICES],
        coerce=int,
        required=required,
        empty_value=None,
        widget=forms.RadioSelect(attrs={"class": "btn-check"}),
        error_messages=SCORE_ERRORS,
        help_text=help_text,
    )


def _optional_score(label: Any) -> forms.IntegerField:
    return forms.IntegerField(
        label=label,
        required=False,
        min_value=0,
        max_value=clinical.SCORE_MAX,
        error_messages={
            "min_value": _("Choose a number from 0 to 10."),
            "max_value": _("Choose a number from 0 to 10."),
            "invalid": _("Choose a number from 0 to 10."),
        },
    )


NOT_IN_PLAN = _("This exercise is not part of your active plan.")


class LogCreateForm(forms.Form):
    """A tick: one set, or all the sets of a session, of one prescription on one day."""

    client_uuid = forms.UUIDField(widget=forms.HiddenInput)
    # The prescription's opaque id (core.ids), as the card and the API name it.
    prescription = forms.CharField(
        widget=forms.HiddenInput, max_length=64, error_messages={"max_length": NOT_IN_PLAN}
    )
    # Required: what was done is the patient's to say (each of the card's buttons says it).
    sets_done = forms.IntegerField(
        label=_("Sets done"),
        min_value=1,
        max_value=clinical.SETS_MAX,
        error_messages={
            "min_value": clinical.SETS_AT_LEAST_ONE,
            "required": _("Say how many sets you did."),
        },
    )
    date = forms.DateField(label=_("Date"), required=False, widget=forms.HiddenInput)
    pain = _optional_score(_("Pain (0–10)"))
    effort = _optional_score(_("Effort (0–10)"))
    note = forms.CharField(label=_("Note"), required=False, max_length=2000)

    def __init__(self, *args: Any, patient: Patient, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.patient = patient

    def clean_prescription(self) -> Prescription:
        """The patient's own prescription, as the API reads it (the service then refuses one
        that is retired or not of the active plan, unless this is a retried tick)."""
        pk = from_opaque(self.cleaned_data["prescription"])
        prescription = None if pk is None else today_selectors.prescription_to_log(self.patient, pk)
        if prescription is None:
            raise ValidationError(NOT_IN_PLAN, code="invalid_choice")
        return prescription

    def service_kwargs(self) -> dict[str, Any]:
        data = self.cleaned_data
        prescription = data["prescription"]
        return {
            "patient": self.patient,
            "prescription": prescription,
            "client_uuid": data["client_uuid"],
            "date": data["date"],
            "sets_done": data["sets_done"],
            "pain": data["pain"],
            "effort": data["effort"],
            "note": data["note"],
        }


class LogUpdateForm(forms.Form):
    """Pain, effort, a note or a new set count for today's tick; only the fields sent change."""

    sets_done = forms.IntegerField(
        label=_("Sets done"),
        required=False,
        min_value=1,
        max_value=clinical.SETS_MAX,
        error_messages={"min_value": clinical.SETS_AT_LEAST_ONE},
    )
    pain = _optional_score(_("Pain (0–10)"))
    effort = _optional_score(_("Effort (0–10)"))
    note = forms.CharField(label=_("Note"), required=False, max_length=2000)

    def clean(self) -> dict[str, Any]:
        cleaned = super().clean() or {}
        if "sets_done" in self.data and cleaned.get("sets_done") is None:
            self.add_error("sets_done", _("Give the number of sets done."))
        if not any(name in self.data for name in self.fields):
            raise ValidationError(_("Nothing to change."))
        return cleaned

    def changes(self) -> dict[str, Any]:
        return {
            name: self.cleaned_data[name]
            for name in self.fields
            if name in self.data and name in self.cleaned_data
        }


class CheckInForm(forms.Form):
    client_uuid = forms.UUIDField(widget=forms.HiddenInput)
    pain_at_rest = _score_field(
        _("Pain at rest right now (0 = none, 10 = worst imaginable)"), required=False
    )
    # Optional like pain at rest ("No answer" first, chosen): a red flag ticked alone is sent.
    swelling = forms.TypedChoiceField(
        label=_("Swelling"),
        choices=[NO_ANSWER, *Swelling.choices],
        required=False,
        empty_value=None,
        widget=forms.RadioSelect(attrs={"class": "btn-check"}),
        error_messages={"invalid_choice": _("Choose how swollen your leg is.")},
    )
    note = forms.CharField(
        label=_("Anything else to tell your physiotherapist? (optional)"),
        required=False,
        max_length=2000,
        widget=forms.Textarea(attrs={"rows": 3}),
    )

    def __init__(
        self,
        *args: Any,
        has_surgery: bool = True,
        reported: Collection[str] = (),
        **kwargs: Any,
    ) -> None:
        """``has_surgery``: the patient has a surgery date (else no wound questions).
        ``reported``: the red flags reported and waiting for a clinician's review, shown
        ticked and fixed (sent again, they would not be new; once reviewed, they may be)."""
        super().__init__(*args, **kwargs)
        self.red_flags = clinical.red_flags_for(has_surgery=has_surgery)
        for flag in self.red_flags:
            said = flag.code in reported
            self.fields[f"flag_{flag.code}"] = forms.BooleanField(
                label=str(flag.question),
                required=False,
                disabled=said,
                initial=said,
                help_text=_("Reported: your physiotherapist will look at it.") if said else "",
            )
        if not self.is_bound:
            self.initial.setdefault("client_uuid", uuid.uuid4())
            self.initial.setdefault("pain_at_rest", "")
            self.initial.setdefault("swelling", "")

    @property
    def flag_fields(self) -> list[forms.BoundField]:
        return [self[f"flag_{flag.code}"] for flag in self.red_flags]

    def service_kwargs(self) -> dict[str, Any]:
        data = self.cleaned_data
        return {
            "client_uuid": data["client_uuid"],
            "pain_at_rest": data["pain_at_rest"],
            "swelling": data["swelling"],
            "red_flags": [
                flag.code
                for flag in self.red_flags
                if data[f"flag_{flag.code}"] and not self.fields[f"flag_{flag.code}"].disabled
            ],
            "note": data["note"],
        }


class AtrsForm(forms.Form):
    client_uuid = forms.UUIDField(widget=forms.HiddenInput)

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        for item in clinical.ATRS_ITEMS:
            self.fields[f"item_{item.number}"] = _score_field(str(item.question))
        if not self.is_bound:
            self.initial.setdefault("client_uuid", uuid.uuid4())

    @property
    def item_fields(self) -> list[forms.BoundField]:
        return [self[name] for name in AtrsResponse.ITEM_FIELDS]

    def items(self) -> dict[str, int]:
        return {name: self.cleaned_data[name] for name in AtrsResponse.ITEM_FIELDS}


def _out_of_range(m: measures.Measure) -> StrOrPromise:
    """What a value outside the measure's range is told, in the reader's words and language:
    both ends and the unit ("Write a number from 10 to 80 cm."), not Django's "Ensure this
    value is greater than or equal to 10."."""

    def message() -> str:
        return gettext("Write a number from %(low)s to %(high)s %(unit)s.") % {
            "low": m.low,
            "high": m.high,
            "unit": m.unit,
        }

    return lazy(message, str)()


def _measure_form_field(
    name: str, *, label: StrOrPromise | None = None, help_text: StrOrPromise = ""
) -> forms.Field:
    """The form field of one measurement value, from its definition (``rehab.measures``);
    ``label`` instead of the clinician's ("Heel-rise height, injured side (cm)")."""
    m = measures.FIELD_MEASURE[name]
    label = label or measures.field_label(name)
    if m.code == "toe_walk_5m":
        return forms.NullBooleanField(
            label=label,
            required=False,
            widget=forms.Select(
                choices=[("unknown", _("Not tested")), ("true", _("Yes")), ("false", _("No"))]
            ),
        )
    range_errors = {"min_value": _out_of_range(m), "max_value": _out_of_range(m)}
    if m.decimal:
        return forms.DecimalField(
            label=label,
            help_text=help_text,
            required=False,
            min_value=m.low,
            max_value=m.high,
            max_digits=4,
            decimal_places=1,
            error_messages=range_errors,
        )
    return forms.IntegerField(
        label=label,
        help_text=help_text,
        required=False,
        min_value=int(m.low),
        max_value=int(m.high),
        error_messages=range_errors,
    )


class MeasurementForm(forms.Form):
    """The measurements of one day; every value optional, at least one given, each checked
    against its range (``rehab.measures``)."""

    client_uuid = forms.UUIDField(widget=forms.HiddenInput)
    # ISO in the widget: a browser's date input shows nothing for a localised "02/12/2026".
    date = forms.DateField(label=_("Date"), widget=DateInput())
    heel_rise_reps_injured = _measure_form_field("heel_rise_reps_injured")
    heel_rise_reps_uninjured = _measure_form_field("heel_rise_reps_uninjured")
    heel_rise_height_cm_injured = _measure_form_field("heel_rise_height_cm_injured")
    heel_rise_height_cm_uninjured = _measure_form_field("heel_rise_height_cm_uninjured")
    atra_deg_injured = _measure_form_field("atra_deg_injured")
    atra_deg_uninjured = _measure_form_field("atra_deg_uninjured")
    knee_to_wall_cm_injured = _measure_form_field("knee_to_wall_cm_injured")
    knee_to_wall_cm_uninjured = _measure_form_field("knee_to_wall_cm_uninjured")
    calf_cm_injured = _measure_form_field("calf_cm_injured")
    calf_cm_uninjured = _measure_form_field("calf_cm_uninjured")
    toe_walk_5m = _measure_form_field("toe_walk_5m")
    note = forms.CharField(
        label=_("Note"), required=False, max_length=2000, widget=forms.Textarea(attrs={"rows": 2})
    )

    VALUE_FIELDS = measures.VALUE_FIELDS

    def __init__(self, *args: Any, patient: Patient, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.patient = patient
        if not self.is_bound:
            self.initial.setdefault("client_uuid", uuid.uuid4())
            self.initial.setdefault("date", patient.local_today())

    def clean(self) -> dict[str, Any]:
        cleaned = super().clean() or {}
        if self.errors:
            return cleaned
        if all(cleaned.get(name) is None for name in self.VALUE_FIELDS):
            raise ValidationError(_("Enter at least one measurement."))
        measures.validate({name: cleaned.get(name) for name in self.VALUE_FIELDS})
        return cleaned

    def service_kwargs(self) -> dict[str, Any]:
        data = self.cleaned_data
        return {
            "patient": self.patient,
            "client_uuid": data["client_uuid"],
            "date": data["date"],
            **{name: data[name] for name in self.VALUE_FIELDS},
            "note": data["note"],
        }


SWAPPED_LEGS = _(
    "This is more than twice your other leg's count: please check the two legs are not swapped."
)


class HomeMeasurementForm(forms.Form):
    """What a patient measures at home (``measures.HOME_FIELDS``), in plain words: heel raises
    on each leg, the lower leg's girth on each side, the 5 m walk on the toes. Every value
    optional, at least one given; the ranges are the clinic's (``rehab.measures``)."""

    client_uuid = forms.UUIDField(widget=forms.HiddenInput)
    heel_rise_reps_injured = _measure_form_field(
        "heel_rise_reps_injured",
        label=_("Heel raises on your injured leg"),
        help_text=_(
            "Standing on that leg only, rise up onto your toes as many times as you can at a "
            "steady pace. Write how many."
        ),
    )
    heel_rise_reps_uninjured = _measure_form_field(
        "heel_rise_reps_uninjured", label=_("Heel raises on your other leg")
    )
    calf_cm_injured = _measure_form_field(
        "calf_cm_injured",
        label=_("Around your injured lower leg (cm)"),
        help_text=_(
            "With a tape measure, around the back of your lower leg, the same distance below "
            "your knee each time."
        ),
    )
    calf_cm_uninjured = _measure_form_field(
        "calf_cm_uninjured", label=_("Around your other lower leg (cm)")
    )
    toe_walk_5m = forms.NullBooleanField(
        label=_("Could you walk 5 metres on your toes, without your heels touching down?"),
        required=False,
        widget=forms.Select(
            choices=[("unknown", _("Not tried")), ("true", _("Yes")), ("false", _("No"))]
        ),
    )

    VALUE_FIELDS = measures.HOME_FIELDS

    def __init__(self, *args: Any, patient: Patient, **kwargs: Any) -> None:
        """A test not yet allowed in ``patient``'s week of recovery (single-leg heel raises,
        walking on the toes: from week 12, later with risk modifiers:
        ``guardrails.home_measure_fields``) is not asked, and a value sent for it is not
        taken; nor is any such loading test while a red flag holds exercise (the girth only)."""
        super().__init__(*args, **kwargs)
        allowed = set(guardrails.home_measure_fields(patient))
        if notice_selectors.exercise_held(patient):
            allowed &= set(measures.home_fields_by_week(0))
        for name in self.VALUE_FIELDS:
            if name not in allowed:
                del self.fields[name]
        if not self.is_bound:
            self.initial.setdefault("client_uuid", uuid.uuid4())

    @property
    def later(self) -> bool:
        """Some home tests come later in the recovery (the page says so)."""
        return any(name not in self.fields for name in self.VALUE_FIELDS)

    def clean(self) -> dict[str, Any]:
        cleaned = super().clean() or {}
        if self.errors:
            return cleaned
        if all(cleaned.get(name) is None for name in self.VALUE_FIELDS):
            raise ValidationError(_("Fill in at least one of the measurements."))
        try:
            measures.validate({name: cleaned.get(name) for name in self.VALUE_FIELDS})
        except ValidationError as error:
            for name, errors in error.error_dict.items():
                for one in errors:
                    if one.code == "lsi_range":  # said in plain words
                        self.add_error(name, SWAPPED_LEGS)
                    else:
                        self.add_error(name, one)
        return cleaned

    def service_kwargs(self) -> dict[str, Any]:
        data = self.cleaned_data
        return {
            "client_uuid": data["client_uuid"],
            **{name: data.get(name) for name in self.VALUE_FIELDS},  # not asked yet: None
        }


class PlanResumeForm(forms.Form):
    """A clinician's review of a paused plan: what they reviewed and decided (required)."""

    note = forms.CharField(
        label=_("What you reviewed and decided"),
        max_length=2000,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text=_("Kept in the patient's record for the clinic; the patient does not see it."),
        error_messages={"required": _("Write what you reviewed and decided.")},
    )
    # The alerts the page showed (their ids, comma-separated), drawn by the page itself.
    reviewed = forms.CharField(required=False, widget=forms.HiddenInput)

    def clean_reviewed(self) -> list[int]:
        """The ids sent; anything else counts as not shown (the service then refuses with
        what to do, and the page shows the alerts again)."""
        ids = (as_id(part.strip()) for part in self.cleaned_data["reviewed"].split(","))
        return [pk for pk in ids if pk is not None]
