"""Protocol templates' API bodies."""

from __future__ import annotations

from typing import Any

from rest_framework import serializers

from core.api.serializers import ModelSerializer
from rehab.api.serializers.library import ExerciseBriefSerializer
from rehab.models.doses import DOSE_FIELD_NAMES, DoseFields
from rehab.models.protocols import PHASE_FIELD_NAMES, Protocol, ProtocolItem, ProtocolPhase


class ProtocolSerializer(ModelSerializer[Protocol]):
    """A protocol template: the shared library's (``clinic`` null) or a clinic's own."""

    class Meta:
        model = Protocol
        fields = ["id", "slug", "name", "pathway", "summary", "source", "version", "clinic"]
        read_only_fields = fields


# A protocol item's and a prescription's dose, as the API shows both (``DoseFields``).
DOSE_FIELDS = [*DOSE_FIELD_NAMES, "dose_text", "advice", "note"]


def dose_text_field() -> serializers.SerializerMethodField:
    return serializers.SerializerMethodField(
        help_text="The dose in words, in the reader's voice: a clinician reads the clinician's "
        "(`3 × 30 s hold`), a patient the patient's, as the patient's pages say it (`3 holds "
        "of 30 seconds`). `Advice to read` for advice (`advice`)."
    )


def advice_field() -> serializers.BooleanField:
    return serializers.BooleanField(
        source="is_advice",
        read_only=True,
        help_text="Advice to read (an education item), not an exercise: no dose for the "
        "patient (the dose fields are kept as stored), never due, nothing to tick, counted in "
        "no adherence.",
    )


# ``dose_text``, the dose in words in its reader's voice, as a method field: a field whose
# source is a method has DRF inspect the method's signature for every row. A clinician
# (``context["clinician"]``, as ``core.api.serializers.ClinicianOnlyFields`` reads it) gets
# the clinician's words (``DoseFields.dose_text``); anyone else, a patient or a view that did
# not say, the patient's (``DoseFields.patient_dose_text``, as the patient's pages say it).
# (A comment, not a docstring: the schema would describe the serializers with it.) A plain
# serializer takes ``DoseTextMethod`` and declares ``dose_text_field()`` and ``advice_field()``
# where its fields' order puts them: a base's declared fields come first.
class DoseTextMethod(serializers.Serializer[Any]):
    def get_dose_text(self, dose: DoseFields) -> str:
        return dose.dose_text() if self.context.get("clinician") else dose.patient_dose_text()


class DoseText(DoseTextMethod):
    dose_text = dose_text_field()
    advice = advice_field()


class ProtocolItemSerializer(DoseText, ModelSerializer[ProtocolItem]):
    """An exercise of a template's phase with its dose."""

    exercise = ExerciseBriefSerializer(read_only=True)

    class Meta:
        model = ProtocolItem
        fields = ["id", "order", "exercise", *DOSE_FIELDS]
        read_only_fields = fields


PHASE_FIELDS = ["id", "order", *PHASE_FIELD_NAMES]
# A phase's weeks are half-open; pages read them inclusively (rehab.weeks).
WEEK_FIELDS_HELP = {
    "start_week": {
        "help_text": "The phase's first week; week 0 starts on the plan's anchor date "
        "(the operation, or the injury without one)."
    },
    "end_week": {
        "help_text": "The week after the phase's last: the phase covers weeks `start_week` to "
        "`end_week` − 1, so consecutive phases share this number. Pages show the range "
        "inclusively: `start_week` 2 and `end_week` 6 read “weeks 2–5”."
    },
}


class ProtocolPhaseSerializer(ModelSerializer[ProtocolPhase]):
    """A template's phase with its exercises."""

    exit_criteria = serializers.ListField(
        child=serializers.CharField(), source="exit_criteria_list", read_only=True
    )
    items = ProtocolItemSerializer(many=True, read_only=True)

    class Meta:
        model = ProtocolPhase
        fields = [*PHASE_FIELDS, "items"]
        read_only_fields = fields
        extra_kwargs = WEEK_FIELDS_HELP


class ProtocolDetailSerializer(ProtocolSerializer):
    """A protocol template with its phases and their exercises."""

    phases = ProtocolPhaseSerializer(many=True, read_only=True)

    class Meta(ProtocolSerializer.Meta):
        fields = [*ProtocolSerializer.Meta.fields, "phases"]
        read_only_fields = fields
