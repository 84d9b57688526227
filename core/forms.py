"""A service's ``ValidationError`` shown on the form that called it, or as messages on the
page a refused action redirects to."""

from __future__ import annotations

from django import forms
from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import HttpRequest


def add_service_errors(form: forms.BaseForm, error: ValidationError) -> None:
    """Show a service's ``ValidationError`` on the form: on its field if the form has one,
    else as an error for the whole form."""
    if hasattr(error, "error_dict"):
        for field, errors in error.error_dict.items():
            form.add_error(field if field in form.fields else None, errors)
    else:
        form.add_error(None, error)


def message_service_errors(request: HttpRequest, error: ValidationError) -> None:
    """A service's refusal of an action without a form: each reason as an error message,
    shown on the page the view redirects to."""
    for reason in error.messages:
        messages.error(request, reason)
