"""The clinic's settings form (its clinic admins')."""

from __future__ import annotations

from django import forms
from django.utils.translation import gettext_lazy as _

from clinic.models import Clinic

# Every setting a clinic admin changes in the app (the slug and dates are the site's).
SETTINGS_FIELDS = ["name", "phone", "email", "address", "requires_mfa", "language"]


class ClinicSettingsForm(forms.ModelForm):
    class Meta:
        model = Clinic
        fields = SETTINGS_FIELDS
        widgets = {"address": forms.Textarea(attrs={"rows": 3})}
        labels = {"phone": _("Phone number"), "email": _("Email address")}
        help_texts = {
            "phone": _("Shown to patients, with the advice after a red flag."),
            "requires_mfa": _(
                "Clinic admins always use it. When you turn this on, physiotherapists are asked "
                "to set it up at their next page, and their phone apps sign in again."
            ),
        }
