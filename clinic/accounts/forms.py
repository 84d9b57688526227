"""The sign-in form, and the forms of two-factor sign-in: set up, verify, confirm with a
current code."""

from __future__ import annotations

from typing import Any

from django import forms
from django.contrib.auth.forms import AuthenticationForm
from django.utils.translation import gettext_lazy


class SignInForm(AuthenticationForm):
    """Django's sign-in form, its username (the email) an email input: phones show the
    keyboard with @, and password managers fill it. Any text is still checked as a failed
    sign-in (the form is ``novalidate``), never refused on its own."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        widget = self.fields["username"].widget
        widget.input_type = "email"
        widget.attrs.update({"autocomplete": "username", "autocapitalize": "none"})


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
