"""The exercise library's API bodies."""

from __future__ import annotations

from typing import Any, ClassVar

from django.urls import reverse
from rest_framework import serializers

from clinic.models import Clinic
from core.api import fields
from core.api.serializers import ClinicianOnlyFields, KnownFieldsOnly, ModelSerializer, read_only
from rehab.api.serializers.base import STEP_MAX, STEPS_MAX
from rehab.models.library import Equipment, Exercise
from rehab.models.media import MediaFields


class EquipmentSerializer(ModelSerializer[Equipment]):
    """A piece of equipment an exercise needs."""

    # Declared (as ModelSerializer would build them), so that no instance builds them again.
    slug = read_only(Equipment.slug.field, serializers.SlugField)
    name = read_only(Equipment.name.field, serializers.CharField)

    class Meta:
        model = Equipment
        fields = ["slug", "name"]
        read_only_fields = fields


class MediaSerializer(serializers.Serializer[Any]):
    """A photo or video: its access-checked address (``rehab.views.media``), never a file path."""

    key = serializers.UUIDField(read_only=True)
    kind = serializers.CharField(read_only=True)
    url = serializers.SerializerMethodField()
    thumbnail_url = serializers.SerializerMethodField()
    content_type = serializers.CharField(read_only=True)
    description = serializers.CharField(read_only=True)
    width = serializers.IntegerField(read_only=True, allow_null=True)
    height = serializers.IntegerField(read_only=True, allow_null=True)
    duration_seconds = serializers.IntegerField(read_only=True, allow_null=True)

    def absolute(self, url: str) -> str:
        """``url`` made absolute for the request, if there is one."""
        request = self.context.get("request")
        return request.build_absolute_uri(url) if request is not None else url

    def get_url(self, media: MediaFields) -> str:
        return self.absolute(reverse("rehab:media_file", args=[media.key]))

    def get_thumbnail_url(self, media: MediaFields) -> str | None:
        if not media.thumbnail:
            return None
        return self.absolute(reverse("rehab:media_thumbnail", args=[media.key]))


# The fields of ``ExerciseBriefSerializer``, in their order.
EXERCISE_BRIEF_FIELDS = [
    "id",
    "slug",
    "name",
    "category",
    "summary",
    "steps",
    "cues",
    "safety_notes",
    "patient_name",
    "patient_summary",
    "patient_safety_notes",
    "equipment",
    "side",
    "video_link",
    "media",
    "from_video",
    "source",
]


class ExerciseBriefSerializer(ClinicianOnlyFields):
    """An exercise as a plan shows it: what to do and how (needs ``equipment`` and ``media``
    prefetched). The patient's voice is the ``patient_*`` fields, the steps and the cues;
    ``name``, ``summary``, ``safety_notes`` and ``source`` are the clinician's (exact terms,
    citations), given to clinicians only and null for a patient."""

    clinician_only: ClassVar[tuple[str, ...]] = ("name", "summary", "safety_notes", "source")

    id = read_only(Exercise.id.field, fields.OpaqueIdField)
    slug = read_only(Exercise.slug.field, serializers.SlugField)
    name = read_only(Exercise.name.field, serializers.CharField)
    category = read_only(Exercise.category.field, serializers.ChoiceField)
    summary = read_only(Exercise.summary.field, serializers.CharField)
    steps = serializers.ListField(child=serializers.CharField(), read_only=True)
    cues = serializers.ListField(child=serializers.CharField(), read_only=True)
    safety_notes = serializers.ListField(child=serializers.CharField(), read_only=True)
    patient_name = serializers.CharField(
        source="patient_display_name",
        read_only=True,
        help_text="The name a patient reads: in plain words (the clinician's `name` where "
        "none is written, as on the patient's pages).",
    )
    patient_summary = read_only(Exercise.patient_summary.field, serializers.CharField)
    patient_safety_notes = serializers.ListField(child=serializers.CharField(), read_only=True)
    # The equipment and media as the lists ``rehab.selectors.library.equipment_and_media``
    # prefetches (a comment: the docstring is the schema's description).
    equipment = EquipmentSerializer(many=True, read_only=True, source="equipment_list")
    side = read_only(Exercise.side.field, serializers.ChoiceField)
    video_link = serializers.CharField(read_only=True)
    media = MediaSerializer(many=True, read_only=True, source="media_list")
    from_video = read_only(Exercise.from_video.field, serializers.BooleanField)
    source = read_only(  # type: ignore[assignment]  # the field named source, not a Field's
        Exercise.source.field, serializers.CharField
    )


class ExerciseSerializer(KnownFieldsOnly, ModelSerializer[Exercise]):
    """The whole library entry. Staff write it; ``equipment_slugs`` sets the equipment. Read by
    clinicians and staff only (``LibraryPermission``): every field, as written."""

    # ``patient_name`` is the model's field as written (blank: the name), not the name a
    # patient reads (``ExerciseBriefSerializer``).
    steps = serializers.ListField(
        child=fields.CharField(max_length=STEP_MAX), max_length=STEPS_MAX, allow_empty=False
    )
    cues = serializers.ListField(
        child=fields.CharField(max_length=STEP_MAX), max_length=STEPS_MAX, required=False
    )
    safety_notes = serializers.ListField(
        child=fields.CharField(max_length=STEP_MAX), max_length=STEPS_MAX, required=False
    )
    patient_safety_notes = serializers.ListField(
        child=fields.CharField(max_length=STEP_MAX), max_length=STEPS_MAX, required=False
    )
    equipment_slugs = fields.SlugRelatedField(
        source="equipment",
        many=True,
        slug_field="slug",
        queryset=Equipment.objects.all(),
        write_only=True,
        required=False,
        help_text="The equipment's slugs.",
    )
    clinic = fields.OpaquePrimaryKeyRelatedField(
        queryset=Clinic.objects.all(),
        allow_null=True,
        required=False,
        help_text="Empty for the shared library. Set when the exercise is made: a change "
        "is refused (`set_once`).",
    )
    progresses_to = fields.OpaquePrimaryKeyRelatedField(
        queryset=Exercise.objects.all(), allow_null=True, required=False
    )
    equipment = EquipmentSerializer(many=True, read_only=True)
    video_link = serializers.CharField(read_only=True)
    media = MediaSerializer(many=True, read_only=True)

    class Meta:
        model = Exercise
        fields = [
            *EXERCISE_BRIEF_FIELDS,
            "equipment_slugs",
            "clinic",
            "default_sets",
            "default_reps",
            "default_hold_seconds",
            "default_duration_minutes",
            "default_times_per_day",
            "default_days_per_week",
            "video_url",
            "video_start_seconds",
            "earliest_week_operative",
            "earliest_week_non_operative",
            "earliest_week_reason",
            "earliest_week_source",
            "progresses_to",
            "is_published",
            "created_at",
            "updated_at",
        ]
        read_only_fields = ["id", "video_link", "media", "created_at", "updated_at"]
        extra_kwargs = {
            "video_start_seconds": {"max_value": 24 * 60 * 60},
            "slug": {
                "help_text": "Set when the exercise is made: a change is refused (`set_once`)."
            },
        }
