"""A clinic's own offsets for the risk modifiers (clinical.md §7: "a modifier adds a clinic-set
offset to the earliest safe weeks"). What the modifiers are, and their shipped defaults, is
``rehab.risk``; this is only what a clinic admin chose."""

from __future__ import annotations

from typing import Any

from django.core.exceptions import ValidationError
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from clinic.models import Clinic
from rehab import risk


class RiskOffsets(models.Model):
    """The weeks each risk modifier adds to every earliest safe week for the clinic's patients:
    ``weeks`` maps a modifier's code (``rehab.risk.RISK_MODIFIERS``) to whole weeks
    (0 to ``rehab.risk.WEEKS_MAX``). A modifier missing from it, and a clinic without a row,
    take the shipped default (``rehab.risk.clinic_offsets`` reads them).

    One row per clinic, its primary key the clinic's: read with the clinic
    (``select_related("clinic__risk_offsets")``) or once per clinic instance (Django keeps
    it, or its absence, on the clinic)."""

    clinic = models.OneToOneField(
        Clinic, on_delete=models.CASCADE, primary_key=True, related_name="risk_offsets"
    )
    weeks = models.JSONField(
        _("weeks added by each risk factor"),
        default=dict,
        blank=True,
        help_text=_("Risk factor code → whole weeks; a code not here takes the shipped default."),
    )
    updated_at = models.DateTimeField(_("changed"), default=timezone.now)

    class Meta:
        verbose_name = _("risk-factor offsets")
        verbose_name_plural = _("risk-factor offsets")

    def __str__(self) -> str:
        return f"{self.clinic_id}: {self.weeks}"

    def clean(self) -> None:
        """Known codes only, each a whole number of weeks from 0 to ``risk.WEEKS_MAX``."""
        super().clean()
        if not isinstance(self.weeks, dict):
            raise ValidationError({"weeks": _("Give the weeks for each risk factor.")})
        known = {m.code for m in risk.RISK_MODIFIERS}
        errors: list[ValidationError] = []
        for code, value in self.weeks.items():
            if code not in known:
                errors.append(
                    ValidationError(
                        _("%(code)s is not a risk factor."), params={"code": code}, code="unknown"
                    )
                )
            elif not _whole_weeks(value):
                errors.append(
                    ValidationError(
                        _("Give whole weeks from 0 to %(max)s."),
                        params={"max": risk.WEEKS_MAX},
                        code="weeks_range",
                    )
                )
        if errors:
            raise ValidationError({"weeks": errors})


def _whole_weeks(value: Any) -> bool:
    return isinstance(value, int) and not isinstance(value, bool) and 0 <= value <= risk.WEEKS_MAX
