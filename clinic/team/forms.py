"""Forms of the team pages."""

from __future__ import annotations

from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from clinic.forms import ClinicianChoiceField
from clinic.models import Clinician
from core.forms import ConfirmForm
from core.validators import validate_visible


class InviteForm(forms.Form):
    full_name = forms.CharField(label=_("Full name"), max_length=150, validators=[validate_visible])
    email = forms.EmailField(
        label=_("Email address"),
        help_text=_("The invitation link is sent here; it is also their sign-in."),
        widget=forms.EmailInput(attrs={"autocomplete": "off"}),
    )
    role = forms.ChoiceField(
        label=_("Role"), choices=Clinician.Role.choices, initial=Clinician.Role.THERAPIST
    )


class RoleForm(ConfirmForm):
    """Making a colleague a clinic admin is asked first (``confirmed``: its "Yes")."""

    role = forms.ChoiceField(label=_("Role"), choices=Clinician.Role.choices)


NOT_JOINED = _(
    "Choose a colleague who has joined the team and can sign in: someone still invited, "
    "or deactivated, cannot see the patients."
)


class DeactivateForm(ConfirmForm):
    reassign_to = ClinicianChoiceField(
        label=_("Their patients"),
        queryset=Clinician.objects.none(),
        required=False,
        empty_label=_("Leave them unassigned"),
        help_text=_(
            "Choose who looks after their patients from now on: a colleague who has joined the "
            "team (someone still invited is not offered)."
        ),
        error_messages={"invalid_choice": NOT_JOINED},
    )

    def __init__(self, *args: Any, clinician: Clinician, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        field = self.fields["reassign_to"]
        assert isinstance(field, forms.ModelChoiceField)
        field.queryset = (
            Clinician.objects.joined()
            .filter(clinic_id=clinician.clinic_id)
            .exclude(pk=clinician.pk)
            .select_related("user")
            .order_by("user__full_name")
        )
