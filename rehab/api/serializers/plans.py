"""Plans' API bodies: a plan, its phases and prescriptions; creating and editing one.

Response serializers read rows the views fetch with their related rows already joined or
prefetched, so a list costs the same number of queries whatever its length.
"""

from __future__ import annotations

from typing import Any

from django.utils.translation import gettext as _
from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers

from core.api import fields
from core.api.serializers import ClinicianOnlyFields, KnownFieldsOnly, ModelSerializer
from rehab.api.serializers.base import DISCLAIMER
from rehab.api.serializers.library import ExerciseBriefSerializer
from rehab.api.serializers.protocols import DOSE_FIELDS, PHASE_FIELDS, WEEK_FIELDS_HELP, DoseText
from rehab.models.plans import Plan, PlanPhase, Prescription


class PrescriptionSerializer(ClinicianOnlyFields, DoseText, ModelSerializer[Prescription]):
    """An exercise of the plan with its dose."""

    clinician_only = ("guardrail_reason",)

    exercise = ExerciseBriefSerializer(read_only=True)
    guardrail_reason = serializers.CharField(
        read_only=True,
        help_text="Why it was placed before its earliest safe week: a clinician's note.",
    )

    class Meta:
        model = Prescription
        fields = ["id", "order", "exercise", *DOSE_FIELDS, "guardrail_reason"]
        read_only_fields = fields


class PlanPhaseBriefSerializer(ClinicianOnlyFields, ModelSerializer[PlanPhase]):
    """A phase without its exercises (needs ``plan`` set on the phase for the dates). The
    patient's voice is ``patient_name``, ``patient_summary`` and ``patient_care``; the name,
    goals, precautions, care and exit criteria are the clinician's (exact terms, sources),
    given to clinicians only and null for a patient."""

    clinician_only = (
        "name",
        "goals",
        "precautions",
        "weight_bearing",
        "boot",
        "wedges",
        "exit_criteria",
    )

    patient_name = serializers.CharField(
        source="patient_display_name",
        read_only=True,
        help_text="The phase's name a patient reads: in plain words (the clinician's `name` "
        "where none is written, as on the patient's pages).",
    )
    exit_criteria = serializers.ListField(
        child=serializers.CharField(), source="exit_criteria_list", read_only=True
    )
    start_date = serializers.DateField(read_only=True)
    end_date = serializers.DateField(read_only=True, help_text="The phase's last day.")

    class Meta:
        model = PlanPhase
        fields = [*PHASE_FIELDS, "start_date", "end_date", "started_on"]
        read_only_fields = fields
        extra_kwargs = WEEK_FIELDS_HELP


class PlanPhaseSerializer(PlanPhaseBriefSerializer):
    is_current = serializers.SerializerMethodField()
    prescriptions = PrescriptionSerializer(many=True, read_only=True, source="live_prescriptions")

    class Meta(PlanPhaseBriefSerializer.Meta):
        fields = [*PlanPhaseBriefSerializer.Meta.fields, "is_current", "prescriptions"]
        read_only_fields = fields

    def get_is_current(self, phase: PlanPhase) -> bool:
        return phase.plan.current_phase_id == phase.pk


class PlanSerializer(ClinicianOnlyFields, ModelSerializer[Plan]):
    """A plan. Its ``name`` is the clinician's (a plan made from a template is named after
    it, in clinical terms), given to clinicians only; a patient reads ``patient_name``."""

    clinician_only = ("name",)

    patient_name = serializers.CharField(
        source="patient_display_name",
        read_only=True,
        help_text="The plan's name a patient reads: a plain one where the plan is named after "
        "its template (a clinical name), else the name its clinician gave it.",
    )

    class Meta:
        model = Plan
        fields = [
            "id",
            "patient",
            "name",
            "patient_name",
            "pathway",
            "status",
            "anchor_date",
            "protocol",
            "protocol_version",
            "current_phase",
            "version",
            "created_at",
            "updated_at",
            "activated_at",
        ]
        read_only_fields = fields


class PlanDetailSerializer(PlanSerializer):
    """A plan with its phases and their live prescriptions (the view reads them with
    ``selectors.plan_phases`` and passes them as ``context["phases"]``, and
    ``context["clinician"]`` when a clinician reads it)."""

    phases = serializers.SerializerMethodField()
    disclaimer = serializers.SerializerMethodField()

    class Meta(PlanSerializer.Meta):
        fields = [*PlanSerializer.Meta.fields, "phases", "disclaimer"]
        read_only_fields = fields

    @extend_schema_field(PlanPhaseSerializer(many=True))
    def get_phases(self, plan: Plan) -> Any:
        return PlanPhaseSerializer(self.context["phases"], many=True, context=self.context).data

    def get_disclaimer(self, plan: Plan) -> str:
        """Shown with every plan a patient sees."""
        return str(DISCLAIMER)


class PlanCreateSerializer(KnownFieldsOnly):
    patient = fields.OpaqueIdField(help_text="The patient's id.")
    protocol = fields.OpaqueIdField(
        required=False,
        allow_null=True,
        help_text="Copy this protocol template; empty for a blank plan.",
    )
    name = fields.CharField(max_length=200, required=False, allow_blank=True, default="")


class PlanVersionSerializer(serializers.Serializer[Any]):
    version = fields.IntegerField(
        min_value=1,
        required=False,
        allow_null=True,
        help_text="The plan's ``version`` the change was made against: an edit made meanwhile "
        "gives 400 instead of being overwritten. Empty to skip the check.",
    )


class PlanGuardrailSerializer(KnownFieldsOnly, PlanVersionSerializer):
    """A change of what the patient is asked to do (activation, a phase change): an exercise
    that would start before its earliest safe week for the patient needs a reason."""

    guardrail_reasons = serializers.DictField(
        child=fields.CharField(max_length=2000, allow_blank=True),
        required=False,
        default=dict,
        help_text="Prescription id → the reason to start it before its earliest safe week. "
        "Without one for each such exercise the change is refused (400, code "
        "`guardrail_reason_missing`, naming each exercise) and nothing changes.",
    )

    def validate_guardrail_reasons(self, value: dict[str, str]) -> dict[int, str]:
        reasons: dict[int, str] = {}
        for key, text in value.items():
            number = fields.read_id(key)
            if number is None or number == fields.NO_ROW:
                raise serializers.ValidationError(
                    _("Each key is a prescription id."), code="not_a_prescription_id"
                )
            reasons[number] = text
        return reasons


class PlanPhaseChangeSerializer(PlanGuardrailSerializer):
    """A move to the next phase: "next" is counted from the phase the plan is in when the
    request arrives, so the same request sent again (its answer lost) would move the patient
    a second phase on. ``version`` is required: a repeat is refused as stale, as the web
    page's is."""

    version = fields.IntegerField(
        min_value=1,
        help_text="The plan's ``version`` the move was made against (required): a repeat of "
        "the same move, or a change made meanwhile, gives 400 (`stale_plan`) and moves "
        "nothing.",
    )


class PlanUpdateSerializer(KnownFieldsOnly, PlanVersionSerializer):
    """A plan's PATCH: its name (its status changes by its own actions)."""

    name = fields.CharField(max_length=200)


# --- Today ---------------------------------------------------------------------------------


class PlanBriefSerializer(PlanSerializer):
    """The plan as Today names it: ``name`` for clinicians only, ``patient_name`` for the
    patient (``PlanSerializer``)."""

    class Meta(PlanSerializer.Meta):
        fields = ["id", "name", "patient_name", "status", "anchor_date", "version"]
        read_only_fields = fields
