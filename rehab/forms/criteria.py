"""The small forms of exit criteria: add one to a phase, judge a yes/no one."""

from __future__ import annotations

from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from rehab.models.criteria import MEASURE_CHOICES, PlanCriterion


class CriterionForm(forms.ModelForm[PlanCriterion]):
    measure = forms.ChoiceField(
        label=_("Measurement (for a measurement threshold)"),
        choices=[("", "–"), *MEASURE_CHOICES],
        required=False,
    )

    class Meta:
        model = PlanCriterion
        fields = ("kind", "threshold", "measure", "label")
        labels = {"threshold": _("N (none for a yes/no)"), "label": _("Label (optional)")}

    def service_kwargs(self) -> dict[str, Any]:
        return {name: self.cleaned_data[name] for name in self.Meta.fields}


JUDGEMENTS = {"yes": True, "no": False}


class JudgeForm(forms.Form):
    met = forms.TypedChoiceField(
        label=_("Judgement"),
        choices=[("yes", _("Met")), ("no", _("Not met")), ("clear", _("Not judged"))],
        coerce=JUDGEMENTS.get,
        empty_value=None,
    )


class DismissForm(forms.Form):
    note = forms.CharField(
        label=_("Why not yet"), max_length=2000, widget=forms.Textarea(attrs={"rows": 2})
    )
