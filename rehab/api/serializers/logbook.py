"""The logbook's API bodies: exercise logs, check-ins, ATRS, measurements, alerts (the
patient's day: ``rehab.api.serializers.today``).

They validate input and shape output; the writes themselves are the services'
(``rehab.services``). Response serializers read rows the views fetch with their related rows
already joined or prefetched, so a list costs the same number of queries whatever its length.
"""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers

from core.api import fields
from core.api.serializers import ClinicianOnlyFields, KnownFieldsOnly, ModelSerializer, read_only
from rehab import clinical, measures
from rehab.api.serializers.base import (
    NOTE_MAX,
    score_field,
)
from rehab.models.alerts import Alert
from rehab.models.logbook import AtrsResponse, CheckIn, ExerciseLog, Measurement, Swelling


class ExerciseLogSerializer(ModelSerializer[ExerciseLog]):
    """A tick: a session of an exercise done (or some of its sets), with the pain and effort
    the patient gave (null: not answered)."""

    # Every field declared (``read_only``: as DRF's ModelSerializer would build it from the
    # model, the schema reads the same), so that no instance builds them from the model again.
    id = read_only(ExerciseLog.id.field, fields.OpaqueIdField)
    patient = read_only(ExerciseLog.patient.field, fields.OpaquePrimaryKeyRelatedField)
    prescription = read_only(ExerciseLog.prescription.field, fields.OpaquePrimaryKeyRelatedField)
    exercise = fields.OpaqueIdField(source="prescription.exercise_id", read_only=True)
    exercise_name = serializers.SerializerMethodField(
        help_text="The exercise's name in its reader's words: a patient's (as on their Today "
        "and in `advice`), or a clinician's."
    )
    date = read_only(ExerciseLog.date.field, serializers.DateField)
    sets_done = read_only(ExerciseLog.sets_done.field, serializers.IntegerField)
    reps = read_only(ExerciseLog.reps.field, serializers.IntegerField)
    hold_seconds = read_only(ExerciseLog.hold_seconds.field, serializers.IntegerField)
    pain = read_only(ExerciseLog.pain.field, serializers.IntegerField)
    effort = read_only(ExerciseLog.effort.field, serializers.IntegerField)
    note = read_only(ExerciseLog.note.field, serializers.CharField)
    advice = serializers.CharField(
        read_only=True,
        allow_null=True,
        help_text="Pain of 7 or more: what the patient must do now (stop this exercise, named "
        "as the patient reads it, and contact the clinic), to be shown at once; else null.",
    )
    client_uuid = read_only(ExerciseLog.client_uuid.field, serializers.UUIDField)
    created_at = read_only(ExerciseLog.created_at.field, serializers.DateTimeField)
    updated_at = read_only(ExerciseLog.updated_at.field, serializers.DateTimeField)

    class Meta:
        model = ExerciseLog
        fields = [
            "id",
            "patient",
            "prescription",
            "exercise",
            "exercise_name",
            "date",
            "sets_done",
            "reps",
            "hold_seconds",
            "pain",
            "effort",
            "note",
            "advice",
            "client_uuid",
            "created_at",
            "updated_at",
        ]
        read_only_fields = fields

    def get_exercise_name(self, log: ExerciseLog) -> str:
        """The clinician's name where the view says a clinician reads it
        (``context["clinician"]``), else the patient's."""
        exercise = log.prescription.exercise
        return exercise.name if self.context.get("clinician") else exercise.patient_display_name


class ExerciseLogUpdateSerializer(KnownFieldsOnly):
    """A tick's PATCH: what was done, pain, effort and the note (not its day or exercise)."""

    # At least one set: a log of none would count as a session done; undo is DELETE.
    sets_done = fields.IntegerField(
        min_value=1,
        max_value=clinical.SETS_MAX,
        required=False,
        error_messages={"min_value": clinical.SETS_AT_LEAST_ONE},
    )
    reps = fields.IntegerField(
        min_value=0, max_value=clinical.REPS_MAX, required=False, allow_null=True
    )
    hold_seconds = fields.IntegerField(
        min_value=0, max_value=clinical.HOLD_SECONDS_MAX, required=False, allow_null=True
    )
    pain = score_field(
        required=False, allow_null=True, help_text="0–10; 7 or more alerts the clinic."
    )
    effort = score_field(required=False, allow_null=True)
    note = fields.CharField(max_length=NOTE_MAX, required=False, allow_blank=True)


class ExerciseLogCreateSerializer(ExerciseLogUpdateSerializer):
    client_uuid = fields.UUIDField(
        help_text="Made by the client once per entry: a retried request with the same id "
        "returns the stored entry (200) instead of making a second one."
    )
    prescription = fields.OpaqueIdField(help_text="A prescription of your active plan.")
    date = serializers.DateField(required=False, help_text="Today (yours) if empty.")
    # Required: what was done is the patient's to say (the Today page always says it).
    sets_done = fields.IntegerField(
        min_value=1,
        max_value=clinical.SETS_MAX,
        error_messages={"min_value": clinical.SETS_AT_LEAST_ONE},
    )


# --- Check-ins, ATRS, measurements --------------------------------------------------------


class RedFlagSerializer(ClinicianOnlyFields, serializers.Serializer[Any]):
    """A red flag answered yes: what the patient must do. Its ``source`` (a citation) is the
    clinician's."""

    clinician_only = ("source",)

    code = serializers.CharField(read_only=True)
    question = serializers.CharField(read_only=True)
    advice = serializers.CharField(read_only=True, help_text="What the patient must do now.")
    when_closed = serializers.CharField(
        read_only=True,
        allow_null=True,
        help_text="What to do when the clinic is closed (null: the advice says call now).",
    )
    source = serializers.CharField(  # type: ignore[assignment]
        read_only=True, help_text="Where the advice comes from."
    )


class CheckInSerializer(ModelSerializer[CheckIn]):
    """A daily check-in: pain at rest, swelling and the red flags the patient reported, with
    what to do about each."""

    red_flags = serializers.SerializerMethodField()
    advice = serializers.SerializerMethodField()

    class Meta:
        model = CheckIn
        fields = [
            "id",
            "patient",
            "date",
            "pain_at_rest",
            "swelling",
            "red_flags",
            "advice",
            "note",
            "client_uuid",
            "created_at",
        ]
        read_only_fields = fields

    def get_red_flags(self, checkin: CheckIn) -> list[str]:
        """The codes of the red flags answered yes."""
        return [flag.code for flag in checkin.red_flags]

    @extend_schema_field(RedFlagSerializer(many=True))
    def get_advice(self, checkin: CheckIn) -> Any:
        """For each red flag answered yes, what the patient must do."""
        return RedFlagSerializer(checkin.red_flags, many=True, context=self.context).data


class CheckInCreateSerializer(KnownFieldsOnly):
    client_uuid = fields.UUIDField(
        help_text="Made by the client once per submit: the same submit sent again (the day's "
        "first, or a later one added to it) answers the stored check-in (200) and changes "
        "nothing. The check-in's own `client_uuid` is its first submit's."
    )
    date = serializers.DateField(required=False, help_text="Today (yours) if empty.")
    pain_at_rest = score_field(
        required=False,
        allow_null=True,
        default=None,
        help_text="0–10; empty or null when the patient did not answer (stored as null).",
    )
    swelling = serializers.ChoiceField(
        choices=Swelling.choices,
        required=False,
        allow_null=True,
        default=None,
        help_text="Empty or null when the patient did not answer (stored as null; a second "
        "check-in the same day keeps the day's earlier answer).",
    )
    red_flags = serializers.ListField(
        child=serializers.ChoiceField(choices=list(clinical.RED_FLAG_CODES)),
        required=False,
        max_length=len(clinical.RED_FLAG_CODES),
        help_text="The codes of the red-flag questions answered yes; the other questions "
        "asked are stored as answered no (an empty list: asked, none answered yes). Leave the "
        "key out when the patient was not asked them: they are stored as not asked (null), "
        "never as a no the patient did not say.",
    )
    note = fields.CharField(max_length=NOTE_MAX, required=False, allow_blank=True, default="")


class AtrsSerializer(ModelSerializer[AtrsResponse]):
    """An Achilles tendon Total Rupture Score (ATRS): its ten answers and their total (0 to
    100)."""

    class Meta:
        model = AtrsResponse
        fields = [
            "id",
            "patient",
            "date",
            *AtrsResponse.ITEM_FIELDS,
            "total",
            "client_uuid",
            "created_at",
        ]
        read_only_fields = fields


class AtrsCreateSerializer(KnownFieldsOnly):
    """The ten answers, each 0 (major limitation) to 10 (no limitation), all required. The total
    is computed by the server (a ``total`` sent is not read). Any other key is refused: a
    misspelt ``date`` would otherwise store the answers under today, a day not given."""

    client_uuid = fields.UUIDField(
        help_text="Made by the client once per submit: the same submit sent again (the day's "
        "first, or a later one that replaced its answers) answers the stored row (200) and "
        "changes nothing. The row's own `client_uuid` is its first submit's."
    )
    date = serializers.DateField(required=False, help_text="Today (yours) if empty.")
    item_1 = score_field(help_text=str(clinical.ATRS_ITEMS[0].question))
    item_2 = score_field(help_text=str(clinical.ATRS_ITEMS[1].question))
    item_3 = score_field(help_text=str(clinical.ATRS_ITEMS[2].question))
    item_4 = score_field(help_text=str(clinical.ATRS_ITEMS[3].question))
    item_5 = score_field(help_text=str(clinical.ATRS_ITEMS[4].question))
    item_6 = score_field(help_text=str(clinical.ATRS_ITEMS[5].question))
    item_7 = score_field(help_text=str(clinical.ATRS_ITEMS[6].question))
    item_8 = score_field(help_text=str(clinical.ATRS_ITEMS[7].question))
    item_9 = score_field(help_text=str(clinical.ATRS_ITEMS[8].question))
    item_10 = score_field(help_text=str(clinical.ATRS_ITEMS[9].question))
    total = fields.IntegerField(
        min_value=0,
        max_value=100,
        required=False,
        help_text="Not read: the server computes the total from the ten answers.",
    )


class MeasurementSerializer(ModelSerializer[Measurement]):
    """Measures of recovery taken on a day (heel rises, ankle angle, knee to wall, calf
    girth), with the differences between the legs worked out from them."""

    heel_rise_lsi = serializers.FloatField(
        read_only=True,
        allow_null=True,
        help_text="Heel-rise repetitions limb symmetry index: injured ÷ other side × 100, "
        "in per cent.",
    )
    heel_rise_height_lsi = serializers.FloatField(
        read_only=True,
        allow_null=True,
        help_text="Heel-rise height limb symmetry index, in per cent.",
    )
    relative_atra = serializers.FloatField(
        read_only=True, allow_null=True, help_text="Uninjured − injured ATRA, in degrees."
    )
    knee_to_wall_difference = serializers.FloatField(
        read_only=True, allow_null=True, help_text="Uninjured − injured knee-to-wall, in cm."
    )
    calf_difference = serializers.FloatField(
        read_only=True, allow_null=True, help_text="Uninjured − injured calf circumference, cm."
    )

    class Meta:
        model = Measurement
        fields = [
            "id",
            "patient",
            "date",
            *measures.VALUE_FIELDS,
            "heel_rise_lsi",
            "heel_rise_height_lsi",
            "relative_atra",
            "knee_to_wall_difference",
            "calf_difference",
            "recorded_by",
            "at_home",
            "note",
            "client_uuid",
            "created_at",
        ]
        read_only_fields = fields


@extend_schema_field(
    {
        "type": "string",
        "format": "decimal",
        # 10 to 80, at most one decimal place: the range the schema can state for a string.
        "pattern": r"^(?:[1-7][0-9](?:\.[0-9])?|80(?:\.0)?)$",
        "example": "35.5",
    }
)
class CalfField(fields.DecimalField):
    """A calf circumference in centimetres, 10 to 80, as a string ("35.5")."""


@extend_schema_field(
    {
        "type": "string",
        "format": "decimal",
        # 0 to 30, at most one decimal place: the range the schema can state for a string.
        "pattern": r"^(?:(?:[0-9]|[12][0-9])(?:\.[0-9])?|30(?:\.0)?)$",
        "example": "8.5",
    }
)
class UpToThirtyField(fields.DecimalField):
    """A length in centimetres, 0 to 30, as a string ("8.5")."""


# The string field whose schema pattern states a decimal measure's range (a measure with a new
# range needs its own).
DECIMAL_FIELD_FOR_RANGE: dict[tuple[Decimal, Decimal], type[fields.DecimalField]] = {
    (Decimal(10), Decimal(80)): CalfField,
    (Decimal(0), Decimal(30)): UpToThirtyField,
}


def _measure_field(name: str) -> serializers.Field[Any, Any, Any, Any]:
    """A numeric measurement value with its range and definition (``rehab.measures``)."""
    m = measures.FIELD_MEASURE[name]
    help_text = f"{m.definition} Range {m.low} to {m.high} {m.unit}."
    if m.decimal:
        return DECIMAL_FIELD_FOR_RANGE[(m.low, m.high)](
            max_digits=4,
            decimal_places=1,
            min_value=m.low,
            max_value=m.high,
            required=False,
            allow_null=True,
            help_text=help_text,
        )
    return fields.IntegerField(
        min_value=int(m.low),
        max_value=int(m.high),
        required=False,
        allow_null=True,
        help_text=help_text,
    )


class MeasurementCreateSerializer(KnownFieldsOnly):
    patient = fields.OpaqueIdField()
    client_uuid = fields.UUIDField()
    date = serializers.DateField(required=False, help_text="The patient's today if empty.")
    heel_rise_reps_injured = _measure_field("heel_rise_reps_injured")
    heel_rise_reps_uninjured = _measure_field("heel_rise_reps_uninjured")
    calf_cm_injured = _measure_field("calf_cm_injured")
    calf_cm_uninjured = _measure_field("calf_cm_uninjured")
    heel_rise_height_cm_injured = _measure_field("heel_rise_height_cm_injured")
    heel_rise_height_cm_uninjured = _measure_field("heel_rise_height_cm_uninjured")
    atra_deg_injured = _measure_field("atra_deg_injured")
    atra_deg_uninjured = _measure_field("atra_deg_uninjured")
    knee_to_wall_cm_injured = _measure_field("knee_to_wall_cm_injured")
    knee_to_wall_cm_uninjured = _measure_field("knee_to_wall_cm_uninjured")
    toe_walk_5m = fields.BooleanField(
        required=False, allow_null=True, default=None, help_text="Walks 5 m on the toes."
    )
    note = fields.CharField(max_length=NOTE_MAX, required=False, allow_blank=True, default="")


class AlertSerializer(ModelSerializer[Alert]):
    """Something a clinician should look at (a red flag, high pain, a low ATRS, an exercise
    placed before its earliest safe week), open until acknowledged."""

    class Meta:
        model = Alert
        fields = [
            "id",
            "patient",
            "kind",
            "code",
            "message",
            "checkin",
            "log",
            "created_at",
            "acknowledged_at",
            "acknowledged_by",
        ]
        read_only_fields = fields
