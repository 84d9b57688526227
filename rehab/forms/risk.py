"""Risk modifiers (``rehab.risk``): the patient's, ticked on the clinician's patient page; the
weeks each adds in the clinic, set by its clinic admins."""

from __future__ import annotations

from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

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


class IdsField(forms.Field):
    """Ids sent back as hidden inputs (one each): a set of whole numbers."""

    widget = forms.MultipleHiddenInput

    def to_python(self, value: Any) -> set[int]:
        try:
            return {int(each) for each in value or ()}
        except (TypeError, ValueError):
            raise forms.ValidationError(
                _("This page is out of date; reload it and try again."), code="invalid"
            ) from None


class RiskOffsetsForm(forms.Form):
    """The clinic's offset for each risk modifier (``rehab.risk``): whole weeks added to every
    earliest safe week, from 0 to ``risk.WEEKS_MAX``, each labelled with its modifier and
    described by its shipped default and caution. ``confirmed``: the early placements the
    clinic admin was shown and confirmed (prescription ids)."""

    confirmed = IdsField(required=False)

    def __init__(self, *args: Any, offsets: dict[str, int], **kwargs: Any) -> None:
        kwargs.setdefault("initial", {m.code: offsets[m.code] for m in risk.RISK_MODIFIERS})
        super().__init__(*args, **kwargs)
        for modifier in risk.RISK_MODIFIERS:
            self.fields[modifier.code] = forms.IntegerField(
                label=_("%(modifier)s: weeks added") % {"modifier": modifier.label},
                min_value=0,
                max_value=risk.WEEKS_MAX,
                help_text=_(
                    "Shipped default: +%(weeks)s weeks (%(basis)s). Caution shown to the "
                    "clinician: %(caution)s"
                )
                % {
                    "weeks": modifier.default_weeks,
                    "basis": risk.BASIS,
                    "caution": modifier.caution,
                },
                widget=forms.NumberInput(attrs={"inputmode": "numeric", "class": "w-auto"}),
            )

    @property
    def modifier_fields(self) -> list[forms.BoundField]:
        return [self[m.code] for m in risk.RISK_MODIFIERS]

    def weeks(self) -> dict[str, int]:
        return {m.code: self.cleaned_data[m.code] for m in risk.RISK_MODIFIERS}
