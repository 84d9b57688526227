"""The API bodies of exit criteria (with their evaluation), proposals, reference points and the
clinic's outcome aggregates."""

from __future__ import annotations

from typing import Any

from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers

from core.api import fields
from core.api.serializers import ModelSerializer
from rehab.models.criteria import PlanCriterion
from rehab.models.references import ReferencePoint
from rehab.selectors import outcomes as outcome_selectors


class EvaluatedCriterionSerializer(serializers.Serializer[Any]):
    id = fields.OpaqueIdField(source="criterion.pk", read_only=True)
    kind = serializers.CharField(source="criterion.kind", read_only=True)
    text = serializers.CharField(
        source="criterion.label", read_only=True, help_text="The protocol's words, if any."
    )
    description = serializers.CharField(source="criterion.description", read_only=True)
    threshold = serializers.DecimalField(
        source="criterion.threshold",
        max_digits=5,
        decimal_places=1,
        read_only=True,
        allow_null=True,
    )
    measure = serializers.CharField(source="criterion.measure", read_only=True)
    status = serializers.ChoiceField(
        choices=["met", "not_met", "unknown"],
        read_only=True,
        help_text="Unknown: no data yet (never met without data).",
    )
    evidence = serializers.CharField(read_only=True)


class PhaseEvaluationSerializer(serializers.Serializer[Any]):
    patient = fields.OpaqueIdField(source="patient.pk", read_only=True)
    plan = fields.OpaqueIdField(source="plan.pk", read_only=True)
    phase = fields.OpaqueIdField(source="phase.pk", read_only=True)
    phase_name = serializers.CharField(source="phase.name", read_only=True)
    all_met = serializers.BooleanField(read_only=True)
    overdue = serializers.BooleanField(read_only=True)
    criteria = EvaluatedCriterionSerializer(source="evaluations", many=True, read_only=True)


class ProposalSerializer(serializers.Serializer[Any]):
    kind = serializers.ChoiceField(
        choices=["ready", "overdue"],
        read_only=True,
        help_text="ready: every criterion met, the next phase proposed; overdue: past the "
        "phase's planned end with a criterion not met.",
    )
    evaluation = PhaseEvaluationSerializer(read_only=True)
    next_phase = fields.OpaqueIdField(allow_null=True, read_only=True)
    next_phase_name = serializers.CharField(allow_null=True, read_only=True)


class ReferencePointSerializer(ModelSerializer[ReferencePoint]):
    """A published figure to compare a patient or a clinic with (a cohort's mean or rate at a
    week, with its source)."""

    class Meta:
        model = ReferencePoint
        fields = ["id", "measure", "cohort", "week", "value", "sd", "statistic", "group", "source"]
        read_only_fields = fields


__all__ = [
    "EvaluatedCriterionSerializer",
    "PhaseEvaluationSerializer",
    "PlanCriterion",
    "ProposalSerializer",
    "ReferencePointSerializer",
]


# --- The clinic's outcomes (``rehab.selectors.outcomes``): aggregates, no patient in them ------
# What the API gives leaves the clinic: a figure about 1 to 4 patients is withheld (null), as
# the CSV download withholds it (``outcome_selectors.withheld``); zeros are given.

WITHHELD_COUNT = "Null: withheld, 1 to 4 patients (a figure about so few could name one)."
WITHHELD_STATISTIC = "Null: withheld (over 1 to 4 patients), or none (no patients)."


def _count(n: int) -> int | None:
    """A count of patients as the API shares it: null when withheld."""
    return None if outcome_selectors.withheld(n) else n


class PhaseCountSerializer(serializers.Serializer[Any]):
    phase = serializers.CharField(help_text="The current phase's name.")
    patients = serializers.IntegerField(allow_null=True, help_text=WITHHELD_COUNT)


class PhaseTimingSerializer(serializers.Serializer[Any]):
    phase = serializers.CharField(source="name")
    median_weeks = serializers.FloatField(
        allow_null=True,
        help_text="Median weeks after surgery (or the injury) to reach the phase. Null: "
        "withheld (over 1 to 4 patients).",
    )
    patients = serializers.IntegerField(allow_null=True, help_text=WITHHELD_COUNT)

    def to_representation(self, instance: Any) -> Any:
        data = super().to_representation(instance)
        if outcome_selectors.withheld(instance.patients):
            data.update(median_weeks=None, patients=None)
        return data


class AdherenceBandSerializer(serializers.Serializer[Any]):
    low = serializers.IntegerField(help_text="Lowest percent of the band.")
    high = serializers.IntegerField(allow_null=True, help_text="Up to (excluded); null: 100 %.")
    band = serializers.CharField(source="label")
    patients = serializers.IntegerField(allow_null=True, help_text=WITHHELD_COUNT)

    def to_representation(self, instance: Any) -> Any:
        data = super().to_representation(instance)
        data["patients"] = _count(instance.patients)
        return data


class AtrsAroundSerializer(serializers.Serializer[Any]):
    week = serializers.IntegerField()
    mean = serializers.FloatField(
        allow_null=True,
        help_text="The mean ATRS of the patients who answered around the week, each patient "
        "once (their answer nearest the week), as the published means count them. "
        + WITHHELD_STATISTIC,
    )
    answers = serializers.IntegerField(
        allow_null=True,
        help_text="The answers counted: one per patient (their answer nearest the week). "
        + WITHHELD_COUNT,
    )
    references = ReferencePointSerializer(many=True)


class PathwayOutcomesSerializer(serializers.Serializer[Any]):
    pathway = serializers.CharField()
    name = serializers.CharField(source="label", help_text="The pathway in words.")
    withheld = serializers.SerializerMethodField(
        help_text="True: some of this row's figures are about 1 to 4 patients, and withheld "
        "(null) so that they name no one: a count of 1 to 4 patients, or a median, mean or "
        "rate over fewer than 5. A count is null only when withheld; zero is given."
    )
    patients = serializers.IntegerField(allow_null=True, help_text=WITHHELD_COUNT)
    by_phase = serializers.SerializerMethodField()
    time_to_phase = PhaseTimingSerializer(many=True)
    adherence = AdherenceBandSerializer(many=True)
    adherence_unknown = serializers.IntegerField(
        allow_null=True,
        help_text="Patients in care with nothing prescribed in the window yet. " + WITHHELD_COUNT,
    )
    atrs = serializers.SerializerMethodField()
    red_flags_per_100 = serializers.FloatField(allow_null=True, help_text=WITHHELD_STATISTIC)
    reruptures_per_100 = serializers.FloatField(allow_null=True, help_text=WITHHELD_STATISTIC)

    def get_withheld(self, row: Any) -> bool:
        return outcome_selectors.withheld(
            row.patients,
            row.adherence_unknown,
            row.red_flags,
            row.reruptures,
            *(n for _name, n in row.by_phase),
            *(timing.patients for timing in row.time_to_phase),
            *(band.patients for band in row.adherence),
            *(n for _week, _mean, n, _references in row.atrs_rows),
        )

    @extend_schema_field(PhaseCountSerializer(many=True))
    def get_by_phase(self, row: Any) -> Any:
        return [{"phase": name, "patients": _count(n)} for name, n in row.by_phase]

    @extend_schema_field(AtrsAroundSerializer(many=True))
    def get_atrs(self, row: Any) -> Any:
        return AtrsAroundSerializer(
            [
                {"week": week, "mean": None, "answers": None, "references": references}
                if outcome_selectors.withheld(n)
                else {"week": week, "mean": mean, "answers": n, "references": references}
                for week, mean, n, references in row.atrs_rows
            ],
            many=True,
        ).data

    def to_representation(self, instance: Any) -> Any:
        data = super().to_representation(instance)
        data["patients"] = _count(instance.patients)
        data["adherence_unknown"] = _count(instance.adherence_unknown)
        for rate, count in (
            ("red_flags_per_100", instance.red_flags),
            ("reruptures_per_100", instance.reruptures),
        ):
            if outcome_selectors.withheld(count, instance.patients):
                data[rate] = None
        return data
