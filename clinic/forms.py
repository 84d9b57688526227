"""Forms for the clinic pages: patients, their list's filters, messages."""

from __future__ import annotations

from typing import Any

from django import forms
from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _

from clinic.models import (
    PATIENT_DETAILS,
    Clinic,
    Clinician,
    Patient,
    timezone_choices,
)
from core.forms import ClientUuidForm

DEFAULT_TIMEZONE = "Europe/London"


class DateInput(forms.DateInput):
    input_type = "date"

    def __init__(self, attrs: dict[str, Any] | None = None) -> None:
        super().__init__(attrs=attrs, format="%Y-%m-%d")


DAY_NAMES = (
    _("Monday"),
    _("Tuesday"),
    _("Wednesday"),
    _("Thursday"),
    _("Friday"),
    _("Saturday"),
    _("Sunday"),
)


class TimeInput(forms.TimeInput):
    input_type = "time"

    def __init__(self, attrs: dict[str, Any] | None = None) -> None:
        super().__init__(attrs=attrs, format="%H:%M")


def time_field(label: Any, *, help_text: Any = "") -> forms.TimeField:
    return forms.TimeField(
        label=label,
        required=False,
        widget=TimeInput(),
        help_text=help_text,
        error_messages={"invalid": _("Enter a time such as 08:00.")},
    )


class ClinicianChoiceField(forms.ModelChoiceField):
    """A clinician, by name."""

    def label_from_instance(self, obj: Any) -> str:
        return str(obj.user.get_full_name())


def timezone_field(label: Any, **kwargs: Any) -> forms.ChoiceField:
    """A time zone: a text box with the ~600 names as suggestions (the page includes
    ``_timezone_names.html``, a cached <datalist>), not a <select> whose options Django renders
    one template each. Only a known name is accepted, and another is refused in words for a
    box one types in (not Django's "Select a valid choice")."""
    return forms.ChoiceField(
        label=label,
        choices=timezone_choices,
        widget=forms.TextInput(attrs={"list": "timezone-names", "autocomplete": "off"}),
        error_messages={
            "invalid_choice": _(
                "“%(value)s” is not a time zone we know. Start typing your city or country "
                "and choose from the list, such as Europe/London."
            )
        },
        **kwargs,
    )


THERAPIST_NOT_JOINED = _(
    "Choose a colleague who has joined the team and can sign in: someone still invited, "
    "or deactivated, cannot see the patients."
)


class PatientForm(forms.ModelForm):
    """Add or edit a patient.

    The model's ``clean`` (run by the ModelForm) holds the surgery-date rules and the plausible
    dates (``core.dates``: not in the future in the patient's time zone, within a bounded
    past), so the messages appear on their field exactly once; this form adds the time-zone
    list. The service refuses an email address another patient of the clinic already has.
    """

    timezone = timezone_field(
        _("Time zone"),
        initial=DEFAULT_TIMEZONE,
        help_text=_("Used to decide when the patient's day starts and ends. Type to search."),
    )

    class Meta:
        model = Patient
        fields = list(PATIENT_DETAILS)
        widgets = {
            "date_of_birth": DateInput(),
            "injury_date": DateInput(),
            "surgery_date": DateInput(),
            "injured_side": forms.RadioSelect,
            "pathway": forms.RadioSelect,
        }
        field_classes = {"therapist": ClinicianChoiceField}
        help_texts = {
            "email": _("Needed to invite the patient to the app."),
            "injury_date": _("The day the tendon ruptured."),
        }

    def __init__(self, *args: Any, clinic: Clinic, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.clinic = clinic
        if self.instance.pk is None:  # a new patient's day starts where their clinic's does
            self.initial.setdefault("timezone", clinic.timezone)
        self.fields["email"].widget.attrs["autocomplete"] = "off"
        therapist = self.fields["therapist"]
        assert isinstance(therapist, forms.ModelChoiceField)
        # The clinic's clinicians who have joined the team (an invited one who has not set a
        # password, or a deactivated one, cannot see patients), and whoever the patient has now,
        # so that saving other details keeps them; the service refuses a new unjoined one too.
        current = self.instance.therapist_id if self.instance.pk else None
        offered = Clinician.objects.joined() | Clinician.objects.filter(pk=current or 0)
        therapist.queryset = (
            offered.filter(clinic=clinic).select_related("user").order_by("user__full_name")
        )
        therapist.empty_label = _("Unassigned")
        therapist.error_messages["invalid_choice"] = THERAPIST_NOT_JOINED
        # Radio buttons need no "- Select an option -" entry.
        for name, choices in (
            ("injured_side", Patient.Side.choices),
            ("pathway", Patient.Pathway.choices),
        ):
            field = self.fields[name]
            if isinstance(field, forms.ChoiceField):
                field.choices = choices

    def clean_email(self) -> str:
        return (self.cleaned_data.get("email") or "").strip().lower()


CONFIRM_DUPLICATE = "confirm_duplicate"


class PatientCreateForm(ClientUuidForm, PatientForm):
    """Add a patient. The page carries an id made once (``client_uuid``): the same page sent
    again (a double click, Back then Submit on a restored page) finds the patient it added
    instead of adding a second. A patient of the clinic with the same name and date of birth
    asks for a confirmation first (``ask_to_confirm_duplicate``)."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        if self.data.get(CONFIRM_DUPLICATE):
            self._add_confirm_field()

    def _add_confirm_field(self) -> None:
        self.fields[CONFIRM_DUPLICATE] = forms.BooleanField(
            label=_("This is another person with the same name: add them anyway"),
            required=False,
        )

    def ask_to_confirm_duplicate(self, error: ValidationError) -> None:
        """The service found the patient already registered: say so, and offer the box that
        confirms this is another person."""
        self._add_confirm_field()
        self.add_error(None, error)

    def service_kwargs(self) -> dict[str, Any]:
        return {CONFIRM_DUPLICATE: False, **self.cleaned_data}


class PatientFilterForm(forms.Form):
    """The patient list's search and filters (GET)."""

    STATUS_ALL = "all"

    q = forms.CharField(
        label=_("Search by name"),
        required=False,
        max_length=100,
        widget=forms.TextInput(attrs={"type": "search", "autocomplete": "off"}),
    )
    pathway = forms.ChoiceField(
        label=_("Pathway"),
        required=False,
        choices=[("", _("All pathways")), *Patient.Pathway.choices],
    )
    status = forms.ChoiceField(
        label=_("Status"),
        required=False,
        choices=[*Patient.Status.choices, (STATUS_ALL, _("All"))],
    )
    has_open_alerts = forms.BooleanField(label=_("Only patients with open alerts"), required=False)

    def filters(self) -> dict[str, Any]:
        """The cleaned filters; defaults (active patients) when the input is not valid."""
        data: dict[str, Any] = self.cleaned_data if self.is_valid() else {}
        status = data.get("status") or Patient.Status.ACTIVE
        return {
            "q": (data.get("q") or "").strip(),
            "pathway": data.get("pathway") or "",
            "status": "" if status == self.STATUS_ALL else status,
            "has_open_alerts": bool(data.get("has_open_alerts")),
        }


class MessageForm(ClientUuidForm):
    """Writing in a thread. The page carries an id made once (``client_uuid``): the same page
    sent again (its answer lost, a double click) finds the message it sent instead of sending
    a second."""

    body = forms.CharField(
        label=_("Message"),
        max_length=4000,
        widget=forms.Textarea(attrs={"rows": 4}),
    )
