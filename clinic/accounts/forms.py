"""The forms of two-factor sign-in: set up, verify, confirm with a current code."""

from __future__ import annotations

from django import forms
from django.utils.translation import gettext_lazy


class SetupForm(forms.Form):
    code = forms.CharField(
        label=gettext_lazy("6-digit code from your authenticator app"),
        max_length=16,
        widget=forms.TextInput(
            attrs={
                "autocomplete": "one-time-code",
                "inputmode": "numeric",
                "pattern": "[0-9 ]*",
                "autofocus": True,
            }
        ),
    )


class VerifyForm(forms.Form):
    code = forms.CharField(
        label=gettext_lazy("Code from your authenticator app, or a recovery code"),
        max_length=32,
        widget=forms.TextInput(
            attrs={"autocomplete": "one-time-code", "autocapitalize": "none", "autofocus": True}
        ),
    )


class ConfirmWithCodeForm(forms.Form):
    """A current code, asked again before the recovery codes are replaced or MFA turned off."""

    code = forms.CharField(
        label=gettext_lazy("Current code from your authenticator app, or a recovery code"),
        max_length=32,
        widget=forms.TextInput(attrs={"autocomplete": "one-time-code", "autocapitalize": "none"}),
    )
