"""The API bodies of exit criteria (with their evaluation), proposals and reference points."""

from __future__ import annotations

from typing import Any

from rest_framework import serializers

from rehab.models.criteria import PlanCriterion
from rehab.models.references import ReferencePoint


class EvaluatedCriterionSerializer(serializers.Serializer[Any]):
    id = serializers.IntegerField(source="criterion.pk", read_only=True)
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
    patient = serializers.IntegerField(source="patient.pk", read_only=True)
    plan = serializers.IntegerField(source="plan.pk", read_only=True)
    phase = serializers.IntegerField(source="phase.pk", read_only=True)
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
    next_phase = serializers.IntegerField(allow_null=True, read_only=True)
    next_phase_name = serializers.CharField(allow_null=True, read_only=True)


class ReferencePointSerializer(serializers.ModelSerializer[ReferencePoint]):
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
