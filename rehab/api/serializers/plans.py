"""Plans' API bodies: a plan, its phases and prescriptions; creating and editing one.

Response serializers read rows the views fetch with their related rows already joined or
prefetched, so a list costs the same number of queries whatever its length. They are plain
serializers with their fields declared (``core.api.serializers.read_only``): a ModelSerializer
builds its fields from the model again for every instance, a cost each answer paid for each
nested serializer.
"""

from __future__ import annotations

from typing import Any

from django.utils.translation import gettext as _
from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers

from core.api import fields
from core.api.serializers import ClinicianOnlyFields, KnownFieldsOnly, read_only
from core.validators import validate_visible
from rehab.api.serializers.base import DISCLAIMER
from rehab.api.serializers.library import ExerciseBriefSerializer
from rehab.api.serializers.protocols import (
    WEEK_FIELDS_HELP,
    DoseTextMethod,
    advice_field,
    dose_text_field,
)
from rehab.models.plans import Plan, PlanPhase, Prescription


class PrescriptionSerializer(ClinicianOnlyFields, DoseTextMethod):
    """An exercise of the plan with its dose."""

    clinician_only = ("guardrail_reason",)

    id = read_only(Prescription.id.field, fields.OpaqueIdField)
    order = read_only(Prescription.order.field, serializers.IntegerField)
    exercise = ExerciseBriefSerializer(read_only=True)
    sets = read_only(Prescription.sets.field, serializers.IntegerField)
    reps = read_only(Prescription.reps.field, serializers.IntegerField)
    hold_seconds = read_only(Prescription.hold_seconds.field, serializers.IntegerField)
    times_per_day = read_only(Prescription.times_per_day.field, serializers.IntegerField)
    days_per_week = read_only(Prescription.days_per_week.field, serializers.IntegerField)
    side = read_only(Prescription.side.field, serializers.ChoiceField)
    duration_minutes = read_only(Prescription.duration_minutes.field, serializers.IntegerField)
    dose_text = dose_text_field()
    advice = advice_field()
    note = read_only(Prescription.note.field, serializers.CharField)
    guardrail_reason = serializers.CharField(
        read_only=True,
        help_text="Why it was placed before its earliest safe week: a clinician's note.",
    )


class PlanPhaseBriefSerializer(ClinicianOnlyFields):
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

    id = read_only(PlanPhase.id.field, fields.OpaqueIdField)
    order = read_only(PlanPhase.order.field, serializers.IntegerField)
    name = read_only(PlanPhase.name.field, serializers.CharField)
    start_week = read_only(
        PlanPhase.start_week.field, serializers.IntegerField, **WEEK_FIELDS_HELP["start_week"]
    )
    end_week = read_only(
        PlanPhase.end_week.field, serializers.IntegerField, **WEEK_FIELDS_HELP["end_week"]
    )
    goals = read_only(PlanPhase.goals.field, serializers.CharField)
    precautions = read_only(PlanPhase.precautions.field, serializers.CharField)
    weight_bearing = read_only(PlanPhase.weight_bearing.field, serializers.CharField)
    boot = read_only(PlanPhase.boot.field, serializers.CharField)
    wedges = read_only(PlanPhase.wedges.field, serializers.CharField)
    exit_criteria = serializers.ListField(
        child=serializers.CharField(), source="exit_criteria_list", read_only=True
    )
    patient_name = serializers.CharField(
        source="patient_display_name",
        read_only=True,
        help_text="The phase's name a patient reads: in plain words (the clinician's `name` "
        "where none is written, as on the patient's pages).",
    )
    patient_summary = read_only(PlanPhase.patient_summary.field, serializers.CharField)
    patient_care = read_only(PlanPhase.patient_care.field, serializers.CharField)
    start_date = serializers.DateField(read_only=True)
    end_date = serializers.DateField(read_only=True, help_text="The phase's last day.")
    started_on = read_only(PlanPhase.started_on.field, serializers.DateField)


class PlanPhaseSerializer(PlanPhaseBriefSerializer):
    is_current = serializers.SerializerMethodField()
    prescriptions = PrescriptionSerializer(many=True, read_only=True, source="live_prescriptions")

    def get_is_current(self, phase: PlanPhase) -> bool:
        return phase.plan.current_phase_id == phase.pk


PLAN_PATIENT_NAME_HELP = (
    "The plan's name a patient reads: a plain one where the plan is named after its template "
    "(a clinical name), else the name its clinician gave it."
)


class PlanSerializer(ClinicianOnlyFields):
    """A plan. Its ``name`` is the clinician's (a plan made from a template is named after
    it, in clinical terms), given to clinicians only; a patient reads ``patient_name``."""

    clinician_only = ("name",)

    id = read_only(Plan.id.field, fields.OpaqueIdField)
    patient = read_only(Plan.patient.field, fields.OpaquePrimaryKeyRelatedField)
    name = read_only(Plan.name.field, serializers.CharField)
    patient_name = serializers.CharField(
        source="patient_display_name", read_only=True, help_text=PLAN_PATIENT_NAME_HELP
    )
    pathway = read_only(Plan.pathway.field, serializers.ChoiceField)
    # Its default, as ModelSerializer gave it (the one-active-plan constraint reads it).
    status = read_only(Plan.status.field, serializers.ChoiceField, default=Plan.Status.DRAFT)
    anchor_date = read_only(Plan.anchor_date.field, serializers.DateField)
    protocol = read_only(Plan.protocol.field, fields.OpaquePrimaryKeyRelatedField)
    protocol_version = read_only(Plan.protocol_version.field, serializers.CharField)
    current_phase = read_only(Plan.current_phase.field, fields.OpaquePrimaryKeyRelatedField)
    version = read_only(Plan.version.field, serializers.IntegerField)
    created_at = read_only(Plan.created_at.field, serializers.DateTimeField)
    updated_at = read_only(Plan.updated_at.field, serializers.DateTimeField)
    activated_at = read_only(Plan.activated_at.field, serializers.DateTimeField)


class PlanDetailSerializer(PlanSerializer):
    """A plan with its phases and their live prescriptions (the view reads them with
    ``selectors.plan_phases`` and passes them as ``context["phases"]``, and
    ``context["clinician"]`` when a clinician reads it)."""

    phases = serializers.SerializerMethodField()
    disclaimer = serializers.SerializerMethodField()

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
    name = fields.CharField(
        max_length=200, required=False, allow_blank=True, default="", validators=[validate_visible]
    )
    client_uuid = fields.UUIDField(
        required=False,
        allow_null=True,
        help_text="Made by the client once per new plan: the same request sent again (its "
        "answer lost), however late, answers the plan it made (200) instead of making a "
        "second. Without it, only the same untouched draft asked for within 30 seconds is "
        "taken for a repeat.",
    )


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

    name = fields.CharField(max_length=200, validators=[validate_visible])


# --- Today ---------------------------------------------------------------------------------


class PlanBriefSerializer(ClinicianOnlyFields):
    """The plan as Today names it: ``name`` for clinicians only, ``patient_name`` for the
    patient (``PlanSerializer``)."""

    clinician_only = ("name",)

    id = read_only(Plan.id.field, fields.OpaqueIdField)
    name = read_only(Plan.name.field, serializers.CharField)
    patient_name = serializers.CharField(
        source="patient_display_name", read_only=True, help_text=PLAN_PATIENT_NAME_HELP
    )
    status = read_only(Plan.status.field, serializers.ChoiceField)
    anchor_date = read_only(Plan.anchor_date.field, serializers.DateField)
    version = read_only(Plan.version.field, serializers.IntegerField)
