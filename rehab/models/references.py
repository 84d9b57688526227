"""Published reference trajectories (clinical.md §6): cohort means (and spreads where given)
of the ATRS and the heel-rise limb symmetry index, each point with its source."""

from __future__ import annotations

from django.core.exceptions import ValidationError
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _


class ReferencePoint(models.Model):
    """One published figure: ``value`` (a mean or median) of ``measure`` at ``week`` after
    the time zero (the injury in the trials, the repair in Carmont's series), with its spread
    (``sd``) where the source gives one. A point without a source cannot be saved."""

    class Measure(models.TextChoices):
        ATRS = "atrs", _("ATRS (0–100)")
        HEEL_RISE_REPS_LSI = "heel_rise_reps_lsi", _("Heel-rise repetitions LSI (%)")
        HEEL_RISE_HEIGHT_LSI = "heel_rise_height_lsi", _("Heel-rise height LSI (%)")

    class Cohort(models.TextChoices):
        OPERATIVE = "operative", _("Operative")
        NON_OPERATIVE = "non_operative", _("Non-operative")
        BOTH = "both", _("Operative and non-operative")
        HEALTHY = "healthy", _("Healthy")

    class Statistic(models.TextChoices):
        MEAN = "mean", _("mean")
        MEDIAN = "median", _("median")

    measure = models.CharField(_("measure"), max_length=30, choices=Measure)
    cohort = models.CharField(_("cohort"), max_length=20, choices=Cohort)
    week = models.PositiveSmallIntegerField(
        _("week"), null=True, blank=True, help_text=_("Empty: a ceiling line (healthy people).")
    )
    value = models.DecimalField(_("value"), max_digits=5, decimal_places=1)
    sd = models.DecimalField(_("SD"), max_digits=5, decimal_places=1, null=True, blank=True)
    statistic = models.CharField(_("statistic"), max_length=10, choices=Statistic)
    group = models.CharField(_("group"), max_length=200, help_text=_("Who was measured."))
    source = models.CharField(_("source"), max_length=300)

    class Meta:
        verbose_name = _("reference point")
        verbose_name_plural = _("reference points")
        ordering = ["measure", "week", "cohort", "pk"]
        constraints = [
            models.CheckConstraint(
                condition=Q(source__regex=r"\S"),
                name="rehab_referencepoint_has_source",
                violation_error_message=_("Every reference point needs its source."),
            ),
            models.CheckConstraint(
                condition=Q(value__gte=0, value__lte=200) & (Q(sd__isnull=True) | Q(sd__gte=0)),
                name="rehab_referencepoint_value_range",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.get_measure_display()} {self.week}: {self.value} ({self.source})"

    # ``get_measure_display()`` and ``get_statistic_display()`` by their choice: Django's
    # translate every choice's label at each call, and the recovery section lists every point.
    @property
    def measure_label(self) -> str:
        return str(self.Measure(self.measure).label)

    @property
    def statistic_label(self) -> str:
        return str(self.Statistic(self.statistic).label)

    def clean(self) -> None:
        super().clean()
        if not (self.source or "").strip():
            raise ValidationError({"source": _("Every reference point needs its source.")})
