"""The patient list's form: the clinic's filters, whose patients, and the column to sort by.

Everything travels in the URL (GET), so a filtered, sorted list can be bookmarked, reloaded
and shared with a colleague."""

from __future__ import annotations

from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from clinic.forms import PatientFilterForm
from rehab.selectors.clinician import PATIENT_SORTS


class PatientListForm(PatientFilterForm):
    MINE = "mine"
    ALL = "all"

    show = forms.ChoiceField(
        label=_("Patients"),
        required=False,
        choices=[(ALL, _("All patients")), (MINE, _("My patients"))],
    )
    sort = forms.ChoiceField(
        label=_("Sort by"),
        required=False,
        choices=[(f"{d}{c}", f"{d}{c}") for c in PATIENT_SORTS for d in ("", "-")],
    )

    def filters(self) -> dict[str, Any]:
        """The clinic's filters only (for ``patients_matching``)."""
        return super().filters()

    def show_mine(self) -> bool:
        return self.is_valid() and self.cleaned_data.get("show") == self.MINE

    def sort_by(self) -> str:
        """The sort asked for; by name when none or not one of the columns."""
        return (self.cleaned_data.get("sort") if self.is_valid() else "") or "name"
