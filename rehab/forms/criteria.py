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
        # Relative ATRA is uninjured − injured and its criterion is met at N or above
        # (rehab.measures.DERIVED_AT_MOST, clinical.md §3): a negative N is a longer tendon.
        help_texts = {
            "threshold": _(
                "For relative ATRA (uninjured − injured, in degrees): a negative N means the "
                "injured ankle rests more dorsiflexed than the other side (a longer tendon). The "
                "criterion is met at N or above: -5 means no more than 5° more dorsiflexed than "
                "the other side."
            )
        }

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
