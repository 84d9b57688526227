"""A phase's exit criteria as tests: each of a small set of kinds, evaluated from recorded data
(``rehab.selectors.criteria``). Templates carry them; a plan copies its template's."""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from rehab import clinical, measures
from rehab.models.plans import Plan, PlanPhase
from rehab.models.protocols import ProtocolPhase


class CriterionKind(models.TextChoices):
    MIN_WEEK = "min_week", _("At least week N")
    REST_PAIN = "rest_pain", _("Pain at rest at most N over the last 7 days")
    EXERCISE_PAIN = "exercise_pain", _("Pain during exercise at most N over the last 7 days")
    ADHERENCE = "adherence", _("Adherence at least N % over the last 14 days")
    MEASUREMENT = "measurement", _("A measurement threshold")
    ATRS = "atrs", _("ATRS at least N")
    CLINICIAN = "clinician", _("Clinician's judgement (yes/no)")


# The threshold's range per kind (the measurement kind: per measure, see ``MEASURE_RANGE``).
THRESHOLD_RANGE: dict[str, tuple[int, int]] = {
    CriterionKind.MIN_WEEK: (0, clinical.WEEK_MAX),
    CriterionKind.REST_PAIN: (0, clinical.SCORE_MAX),
    CriterionKind.EXERCISE_PAIN: (0, clinical.SCORE_MAX),
    CriterionKind.ADHERENCE: (0, 100),
    CriterionKind.ATRS: (0, 100),
    CriterionKind.MEASUREMENT: (-200, 200),
}
MEASURE_CHOICES = [(d.code, d.label) for d in measures.DERIVED]


class CriterionFields(models.Model):
    """What a template's criterion and a plan's share."""

    order = models.PositiveSmallIntegerField(_("order"), default=0)
    kind = models.CharField(_("kind"), max_length=20, choices=CriterionKind)
    label = models.CharField(
        _("label"),
        max_length=300,
        blank=True,
        help_text=_("The criterion in words (the protocol's text); empty: described by kind."),
    )
    threshold = models.DecimalField(
        _("threshold (N)"), max_digits=5, decimal_places=1, null=True, blank=True
    )
    measure = models.CharField(_("measurement"), max_length=40, choices=MEASURE_CHOICES, blank=True)

    class Meta:
        abstract = True
        ordering = ["order", "pk"]
        constraints = [
            models.CheckConstraint(
                condition=Q(kind=CriterionKind.CLINICIAN, threshold__isnull=True)
                | (~Q(kind=CriterionKind.CLINICIAN) & Q(threshold__isnull=False)),
                name="%(app_label)s_%(class)s_threshold_by_kind",
                violation_error_message=_("Give N for this kind of criterion (none for yes/no)."),
            ),
            models.CheckConstraint(
                condition=Q(kind=CriterionKind.MEASUREMENT, measure__gt="")
                | (~Q(kind=CriterionKind.MEASUREMENT) & Q(measure="")),
                name="%(app_label)s_%(class)s_measure_by_kind",
                violation_error_message=_("Choose the measurement (only for a measurement)."),
            ),
            models.CheckConstraint(
                condition=Q(kind__in=CriterionKind.values),
                name="%(app_label)s_%(class)s_kind_valid",
            ),
        ]

    def clean(self) -> None:
        super().clean()
        if self.kind not in CriterionKind.values:
            return  # the kind's own field error says it; nothing else can be judged
        if self.kind == CriterionKind.CLINICIAN:
            if self.threshold is not None:
                raise ValidationError({"threshold": _("A yes/no criterion has no N.")})
        elif self.threshold is None:
            raise ValidationError({"threshold": _("Give N for this kind of criterion.")})
        else:
            low, high = THRESHOLD_RANGE[self.kind]
            if not low <= self.threshold <= high:
                raise ValidationError(
                    {
                        "threshold": _("N must be between %(low)s and %(high)s.")
                        % {"low": low, "high": high}
                    }
                )
        if self.kind == CriterionKind.MEASUREMENT and not self.measure:
            raise ValidationError({"measure": _("Choose the measurement.")})
        if self.kind != CriterionKind.MEASUREMENT and self.measure:
            raise ValidationError({"measure": _("Only a measurement criterion names one.")})

    @property
    def description(self) -> str:
        """The criterion in words: its label, else its kind with N."""
        if self.label:
            return self.label
        if self.kind == CriterionKind.CLINICIAN:
            return str(self.get_kind_display())
        n = _number(self.threshold)
        if self.kind == CriterionKind.MEASUREMENT:
            derived = measures.DERIVED_BY_CODE[self.measure]
            sign = "≤" if self.measure in measures.DERIVED_AT_MOST else "≥"
            return f"{derived.label} {sign} {n} {derived.unit}".strip()
        return str(self.get_kind_display()).replace("N", n, 1)


def _number(value: Any) -> str:
    if value is None:
        return ""
    return f"{value:f}".rstrip("0").rstrip(".") if "." in f"{value:f}" else f"{value:f}"


class ProtocolCriterionManager(models.Manager["ProtocolCriterion"]):
    def get_by_natural_key(
        self, protocol_slug: str, phase_order: int, order: int
    ) -> ProtocolCriterion:
        return self.get(phase__protocol__slug=protocol_slug, phase__order=phase_order, order=order)


class ProtocolCriterion(CriterionFields):
    """An exit criterion of a template's phase (shipped ones in ``fixtures/protocols.json``)."""

    phase = models.ForeignKey(ProtocolPhase, on_delete=models.CASCADE, related_name="criteria")

    objects = ProtocolCriterionManager()

    class Meta(CriterionFields.Meta):
        verbose_name = _("template exit criterion")
        verbose_name_plural = _("template exit criteria")
        constraints = [
            *CriterionFields.Meta.constraints,
            models.UniqueConstraint(fields=["phase", "order"], name="rehab_protocolcriterion_once"),
        ]

    def __str__(self) -> str:
        return self.description

    def natural_key(self) -> tuple[str, int, int]:
        return (*self.phase.natural_key(), self.order)


class PlanCriterion(CriterionFields):
    """An exit criterion of a patient's plan phase; a clinician's yes/no is judged here."""

    phase = models.ForeignKey(PlanPhase, on_delete=models.CASCADE, related_name="criteria")
    judged_met = models.BooleanField(_("judged met"), null=True, blank=True)
    judged_at = models.DateTimeField(_("judged"), null=True, blank=True)
    judged_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )

    class Meta(CriterionFields.Meta):
        verbose_name = _("plan exit criterion")
        verbose_name_plural = _("plan exit criteria")

    def __str__(self) -> str:
        return self.description


CRITERION_FIELDS = ("order", "kind", "label", "threshold", "measure")


class CriterionJudgement(models.Model):
    """One clinician's yes/no on a plan's exit criterion, or their clearing it ("not judged"),
    kept: ``PlanCriterion.judged_met`` says the judgement now, these every one given, so a
    later judgement never erases an earlier one (who judged it met, and when, is part of the
    patient's record). As ``PlanEdit``, it names the criterion as it was then, so a criterion
    removed later (never one judged met now) leaves its judgements in the record."""

    plan = models.ForeignKey(Plan, on_delete=models.CASCADE, related_name="criterion_judgements")
    criterion = models.ForeignKey(
        PlanCriterion,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="judgements",
    )
    phase_name = models.CharField(_("phase"), max_length=150, blank=True)
    criterion_text = models.CharField(_("criterion"), max_length=300, blank=True)
    # True: met, False: not met, None: cleared (back to not judged).
    met = models.BooleanField(_("judged met"), null=True, blank=True)
    by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+"
    )
    at = models.DateTimeField(_("when"), default=timezone.now)

    class Meta:
        verbose_name = _("exit criterion judgement")
        verbose_name_plural = _("exit criterion judgements")
        ordering = ["plan", "at", "pk"]

    def __str__(self) -> str:
        return f"{self.criterion_text}: {self.met}"


class ProposalDismissal(models.Model):
    """A clinician's "not yet" to the proposal of the next phase while the patient is in
    ``phase`` (every criterion met): the dashboard stops proposing it for that phase."""

    phase = models.OneToOneField(
        PlanPhase, on_delete=models.CASCADE, related_name="proposal_dismissal"
    )
    note = models.TextField(_("note"), max_length=2000)
    dismissed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+"
    )
    dismissed_at = models.DateTimeField(_("dismissed"), auto_now_add=True)

    class Meta:
        verbose_name = _("dismissed proposal")
        verbose_name_plural = _("dismissed proposals")
        constraints = [
            models.CheckConstraint(
                condition=~Q(note=""),
                name="rehab_proposaldismissal_note",
                violation_error_message=_("Say why the patient is not moving on yet."),
            )
        ]

    def __str__(self) -> str:
        return f"{self.phase}: {self.note[:40]}"
