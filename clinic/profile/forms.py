"""The clinic's settings form (its clinic admins'): one page for every setting."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django import forms
from django.core.exceptions import ValidationError
from django.core.validators import validate_email
from django.utils.translation import gettext_lazy as _

from clinic.forms import DAY_NAMES, TimeInput, time_field, timezone_field
from clinic.models import ESCALATION_MINUTES_MAX, ESCALATION_MINUTES_MIN, WEEKDAYS, Clinic

# Every setting a clinic admin changes in the app (the slug and dates are the site's).
SETTINGS_FIELDS = [
    "name",
    "phone",
    "email",
    "address",
    "requires_mfa",
    "language",
    "timezone",
    "opening_hours",
    "out_of_hours_phone",
    "emergency_number",
    "alert_emails",
    "alert_escalation_minutes",
    "message_digest_time",
]


class ClinicSettingsForm(forms.ModelForm):
    """Every setting of the clinic its admins change: name, contact, two-factor policy,
    language; the time zone, opening hours, out-of-hours and emergency numbers, alert contacts,
    escalation and digest times (which the ``notify`` app reads)."""

    timezone = timezone_field(_("Time zone"))
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
        fields = [name for name in SETTINGS_FIELDS if name not in ("opening_hours", "alert_emails")]
        widgets = {"message_digest_time": TimeInput(), "address": forms.Textarea(attrs={"rows": 3})}
        labels = {"phone": _("Phone number"), "email": _("Email address")}
        help_texts = {
            "phone": _("Shown to patients, with the advice after a red flag."),
            "requires_mfa": _(
                "Clinic admins always use it. When you turn this on, physiotherapists are asked "
                "to set it up at their next page, and their phone apps sign in again."
            ),
        }

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        # The model's own bounds, so a bad value is told the real minimum at once (the field
        # made from a positive integer would first say "at least 0") and the box knows them.
        minutes = self.fields["alert_escalation_minutes"]
        self.fields["alert_escalation_minutes"] = forms.IntegerField(
            label=minutes.label,
            help_text=minutes.help_text,
            min_value=ESCALATION_MINUTES_MIN,
            max_value=ESCALATION_MINUTES_MAX,
        )
        hours = self.instance.opening_hours or [None] * WEEKDAYS
        for index, name in enumerate(DAY_NAMES):
            opens, closes = hours[index] or (None, None)
            self.fields[f"opens_{index}"] = time_field(_("%(day)s: opens") % {"day": name})
            self.fields[f"closes_{index}"] = time_field(_("%(day)s: closes") % {"day": name})
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
