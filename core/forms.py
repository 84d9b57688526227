"""Forms: a service's ``ValidationError`` shown on the form that called it, or as messages on
the page a refused action redirects to; and how every form is drawn (``FormRenderer``)."""

from __future__ import annotations

import re
import uuid
from typing import Any

from django import forms
from django.contrib import messages
from django.core.exceptions import ValidationError
from django.forms.boundfield import BoundField
from django.forms.renderers import TemplatesSetting
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


# --- How every form is drawn: Django's own form rendering with Bootstrap 5's classes ----------


def _bootstrap_class(widget: forms.Widget) -> str:
    """Bootstrap's class for a widget's input(s), by kind ("" for a hidden one)."""
    if widget.is_hidden:
        return ""
    if isinstance(widget, forms.CheckboxInput | forms.RadioSelect | forms.CheckboxSelectMultiple):
        return "form-check-input"
    if isinstance(widget, forms.Select):
        return "form-select"
    if getattr(widget, "input_type", "") == "range":
        return "form-range"
    return "form-control"


class BootstrapBoundField(BoundField):
    """A field whose widget carries Bootstrap's class for its kind, and ``is-invalid`` when the
    field has errors (Django adds ``aria-invalid`` and ``aria-describedby``)."""

    def build_widget_attrs(
        self, attrs: dict[str, Any], widget: forms.Widget | None = None
    ) -> dict[str, Any]:
        attrs = super().build_widget_attrs(attrs, widget)
        css = _bootstrap_class(widget or self.field.widget)
        if css:
            if self.errors:
                css += " is-invalid"
            given = attrs.get("class") or (widget or self.field.widget).attrs.get("class", "")
            attrs["class"] = f"{given} {css}".strip()
        return attrs


class FormRenderer(TemplatesSetting):
    """Every form and field of the project (``FORM_RENDERER``): ``templates/forms/``'s layout,
    from the project's templates, with ``BootstrapBoundField``."""

    form_template_name = "forms/form.html"
    field_template_name = "forms/field.html"
    bound_field_class = BootstrapBoundField


class ConfirmForm(forms.Form):
    """An action with consequences is asked first (``core.confirm.confirm_page``): the first
    post is answered with the question, and only its "Yes, …" button sends ``confirmed``."""

    confirmed = forms.BooleanField(required=False, widget=forms.HiddenInput)


class ClientUuidForm(forms.Form):
    """A form whose page carries an id made once when it is drawn (``client_uuid``, hidden):
    the same page sent again (a slow answer retried, a double click, Back then Submit) is found
    by the service that adds the row (``core.resubmit.sent_before``) instead of adding a second.
    Not required: a page drawn before the id existed still submits (the service's resubmit
    window then applies)."""

    client_uuid = forms.UUIDField(widget=forms.HiddenInput, required=False)

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        if not self.is_bound:
            self.initial.setdefault("client_uuid", uuid.uuid4())


# --- Fields ----------------------------------------------------------------------------------

# The row ids a database can hold (every model's key is a 64-bit integer: DEFAULT_AUTO_FIELD).
ROW_ID_RANGE = range(-(2**63), 2**63)
INTEGER = re.compile(r"[-+]?\d+")


class ModelMultipleChoiceField(forms.ModelMultipleChoiceField):
    """Django's choice of rows, refusing an id beyond 64 bits as it refuses any id that is not
    a row's ("“…” is not a valid value."): SQLite cannot compare such a number with a row id
    (an ``OverflowError``, a 500). Only for rows chosen by id (no ``to_field_name``)."""

    def clean(self, value: Any) -> Any:
        if self.to_field_name is None and isinstance(value, list | tuple):
            for pk in value:
                text = str(pk).strip()
                if INTEGER.fullmatch(text) and int(text) not in ROW_ID_RANGE:
                    raise ValidationError(
                        self.error_messages["invalid_pk_value"],
                        code="invalid_pk_value",
                        params={"pk": pk},
                    )
        return super().clean(value)
