"""The patient's risk modifiers (``rehab.risk``), ticked on the clinician's patient page."""

from __future__ import annotations

from typing import Any

from django import forms

from clinic.models import Patient
from rehab import risk


class RiskForm(forms.Form):
    def __init__(self, *args: Any, patient: Patient, **kwargs: Any) -> None:
        kwargs.setdefault("initial", {name: getattr(patient, name) for name in risk.FLAG_FIELDS})
        kwargs.setdefault("prefix", "risk")
        super().__init__(*args, **kwargs)
        for modifier in risk.RISK_MODIFIERS:
            if modifier.field:
                self.fields[modifier.field] = forms.BooleanField(
                    label=modifier.label, required=False
                )

    def values(self) -> dict[str, bool]:
        return {name: bool(self.cleaned_data.get(name)) for name in risk.FLAG_FIELDS}
