"""Forms for the notification settings pages. They check input; ``notify.services`` writes."""

from __future__ import annotations

from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from clinic.forms import DAY_NAMES, time_field, timezone_field
from notify.models import ALL_DAYS, WITHOUT_PUSH, ChannelChoice, ReminderSettings


class ReminderSettingsForm(forms.ModelForm):
    """The patient's reminders, reply notices and time zone."""

    days = forms.TypedMultipleChoiceField(
        label=_("On these days"),
        choices=[(day, name) for day, name in zip(ALL_DAYS, DAY_NAMES, strict=True)],
        coerce=int,
        widget=forms.CheckboxSelectMultiple,
        error_messages={"required": _("Choose at least one day.")},
    )
    morning = time_field(_("Morning reminder"))
    evening = time_field(_("Evening reminder"))
    quiet_start = time_field(_("Quiet from"), help_text=_("No notifications from this time…"))
    quiet_end = time_field(_("Quiet until"), help_text=_("…until this time."))
    timezone = timezone_field(
        _("Your time zone"), help_text=_("Reminders come at these times where you are.")
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
            "requests",
        ]
        widgets = {
            "channel": forms.RadioSelect,
            "replies": forms.RadioSelect,
            "requests": forms.RadioSelect,
        }
        labels = {"enabled": _("Remind me to do my exercises")}

    # Without web push on the server (no VAPID keys): each field's choices offered, and what a
    # choice saved before reads as (``notify.models.WITHOUT_PUSH``: as it is sent).
    WITHOUT_PUSH = {
        "channel": ([ChannelChoice.EMAIL], WITHOUT_PUSH["channel"]),
        "replies": ([ChannelChoice.OFF, ChannelChoice.EMAIL], WITHOUT_PUSH["replies"]),
        "requests": ([ChannelChoice.OFF, ChannelChoice.EMAIL], WITHOUT_PUSH["requests"]),
    }

    def __init__(self, *args: Any, push: bool = True, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        # A copy of the page from before this choice (kept offline on the phone) sends none:
        # the saved one stays.
        self.fields["requests"].required = False
        if push:
            return
        for name, (offered, instead) in self.WITHOUT_PUSH.items():
            field = self.fields[name]
            assert isinstance(field, forms.ChoiceField)
            field.choices = [(choice.value, choice.label) for choice in offered]
            chosen = self.initial.get(name)
            if chosen in instead:
                self.initial[name] = instead[chosen].value

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        if (data.get("quiet_start") is None) != (data.get("quiet_end") is None):
            self.add_error("quiet_end", _("Give both ends of your quiet hours, or neither."))
        return data

    def service_kwargs(self) -> dict[str, Any]:
        data = dict(self.cleaned_data)
        if not data.get("requests"):
            data.pop("requests", None)
        return {"timezone_name": data.pop("timezone"), **data}


class ClinicianPreferencesForm(forms.Form):
    alert_emails = forms.BooleanField(label=_("Email me urgent alerts"), required=False)
    digest_emails = forms.BooleanField(
        label=_("Email me a daily digest of unread messages"), required=False
    )


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
