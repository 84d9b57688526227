"""Forms for the notification settings pages. They check input; ``notify.services`` writes."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django import forms
from django.core.exceptions import ValidationError
from django.core.validators import validate_email
from django.utils.translation import gettext_lazy as _

from clinic.models import WEEKDAYS, Clinic, timezone_choices
from notify.models import ALL_DAYS, ChannelChoice, ReminderSettings

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


def _time(label: Any, *, help_text: Any = "") -> forms.TimeField:
    return forms.TimeField(
        label=label,
        required=False,
        widget=TimeInput(),
        help_text=help_text,
        error_messages={"invalid": _("Enter a time such as 08:00.")},
    )


class ReminderSettingsForm(forms.ModelForm):
    """The patient's reminders, reply notices and time zone."""

    days = forms.TypedMultipleChoiceField(
        label=_("On these days"),
        choices=[(day, name) for day, name in zip(ALL_DAYS, DAY_NAMES, strict=True)],
        coerce=int,
        widget=forms.CheckboxSelectMultiple,
        error_messages={"required": _("Choose at least one day.")},
    )
    morning = _time(_("Morning reminder"))
    evening = _time(_("Evening reminder"))
    quiet_start = _time(_("Quiet from"), help_text=_("No notifications from this time…"))
    quiet_end = _time(_("Quiet until"), help_text=_("…until this time."))
    timezone = forms.ChoiceField(
        label=_("Your time zone"),
        choices=timezone_choices,
        help_text=_("Reminders come at these times where you are."),
    )

    class Meta:
        model = ReminderSettings
        fields = [
            "enabled",
            "morning",
            "evening",
            "days",
            "channel",
            "quiet_start",
            "quiet_end",
            "replies",
        ]
        widgets = {"channel": forms.RadioSelect, "replies": forms.RadioSelect}
        labels = {"enabled": _("Remind me to do my exercises")}

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        if (data.get("quiet_start") is None) != (data.get("quiet_end") is None):
            self.add_error("quiet_end", _("Give both ends of your quiet hours, or neither."))
        return data

    def service_kwargs(self) -> dict[str, Any]:
        data = dict(self.cleaned_data)
        return {"timezone_name": data.pop("timezone"), **data}


class ClinicianPreferencesForm(forms.Form):
    alert_emails = forms.BooleanField(label=_("Email me urgent alerts"), required=False)
    digest_emails = forms.BooleanField(
        label=_("Email me a daily digest of unread messages"), required=False
    )


class ClinicSettingsForm(forms.ModelForm):
    """A clinic admin's notification settings: hours, contacts, escalation, digest. (The
    clinic's full settings page will hold these fields too.)"""

    timezone = forms.ChoiceField(label=_("Time zone"), choices=timezone_choices)
    alert_contacts = forms.CharField(
        label=_("Alert contacts"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text=_(
            "Email addresses that get every urgent alert, besides the patient's "
            "physiotherapist: one a line."
        ),
    )

    class Meta:
        model = Clinic
        fields = [
            "timezone",
            "out_of_hours_phone",
            "emergency_number",
            "alert_escalation_minutes",
            "message_digest_time",
        ]
        widgets = {"message_digest_time": TimeInput()}

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        hours = self.instance.opening_hours or [None] * WEEKDAYS
        for index, name in enumerate(DAY_NAMES):
            opens, closes = hours[index] or (None, None)
            self.fields[f"opens_{index}"] = _time(_("%(day)s: opens") % {"day": name})
            self.fields[f"closes_{index}"] = _time(_("%(day)s: closes") % {"day": name})
            self.initial.setdefault(f"opens_{index}", opens)
            self.initial.setdefault(f"closes_{index}", closes)
        self.initial.setdefault("alert_contacts", "\n".join(self.instance.alert_emails))

    def day_fields(self) -> list[tuple[Any, forms.BoundField, forms.BoundField]]:
        return [
            (name, self[f"opens_{index}"], self[f"closes_{index}"])
            for index, name in enumerate(DAY_NAMES)
        ]

    def clean_alert_contacts(self) -> list[str]:
        addresses = [
            line.strip().lower()
            for line in self.cleaned_data.get("alert_contacts", "").splitlines()
            if line.strip()
        ]
        for address in addresses:
            try:
                validate_email(address)
            except ValidationError:
                raise ValidationError(
                    _("%(address)s is not an email address."), params={"address": address}
                ) from None
        return list(dict.fromkeys(addresses))

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        opening: list[list[str] | None] = []
        for index in range(WEEKDAYS):
            opens: dt.time | None = data.get(f"opens_{index}")
            closes: dt.time | None = data.get(f"closes_{index}")
            if opens is None and closes is None:
                opening.append(None)
            elif opens is None or closes is None or opens >= closes:
                self.add_error(
                    f"closes_{index}",
                    _("Give an opening and a later closing time, or leave both empty (closed)."),
                )
            else:
                opening.append([opens.strftime("%H:%M"), closes.strftime("%H:%M")])
        data["opening_hours"] = opening
        return data

    def service_kwargs(self) -> dict[str, Any]:
        data = self.cleaned_data
        return {
            **{name: data[name] for name in self.Meta.fields},
            "opening_hours": data["opening_hours"],
            "alert_emails": data["alert_contacts"],
        }


class PushSubscriptionForm(forms.Form):
    """A browser's ``PushSubscription.toJSON()``, flattened."""

    endpoint = forms.URLField(max_length=2000, assume_scheme="https")
    p256dh = forms.CharField(max_length=200)
    auth = forms.CharField(max_length=100)

    @classmethod
    def from_json(cls, data: Any) -> PushSubscriptionForm:
        data = data if isinstance(data, dict) else {}
        keys = data.get("keys") if isinstance(data.get("keys"), dict) else {}
        return cls(
            {
                "endpoint": data.get("endpoint"),
                "p256dh": keys.get("p256dh"),
                "auth": keys.get("auth"),
            }
        )


class PushEndpointForm(forms.Form):
    endpoint = forms.URLField(max_length=2000, assume_scheme="https")


CHANNEL_HELP = {
    ChannelChoice.PUSH: _("Works when this phone allows notifications from the app."),
}
