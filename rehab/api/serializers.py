"""Serializers: the API's bodies. They validate input and shape output; the writes themselves
are the services' (``clinic.services``, ``rehab.services``).

Response serializers read rows the views fetch with their related rows already joined or
prefetched, so a list costs the same number of queries whatever its length.
"""

from __future__ import annotations

import copy
from typing import Any

from django.utils.translation import gettext_lazy as _
from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers

from clinic.access import clinician_of, patient_of
from clinic.models import Clinic, Message, Patient
from rehab import clinical
from rehab.models.alerts import Alert
from rehab.models.library import Equipment, Exercise
from rehab.models.logbook import AtrsResponse, CheckIn, ExerciseLog, Measurement, Swelling
from rehab.models.plans import Plan, PlanPhase, Prescription
from rehab.models.protocols import Protocol, ProtocolItem, ProtocolPhase

DISCLAIMER = _(
    "This plan comes from your physiotherapist: defaults they adapt for you, not general advice. "
    "Mild discomfort is fine. If an exercise causes more than mild discomfort, stop and tell "
    "your physiotherapist."
)

NOTE_MAX = 2000
STEP_MAX = 1000
STEPS_MAX = 50


def _copy_fields(
    fields: dict[str, serializers.Field[Any, Any, Any, Any]],
) -> dict[str, serializers.Field[Any, Any, Any, Any]]:
    """Fresh copies of unbound fields for one serializer instance.

    DRF deep-copies every field for every instance, which rebuilds each from its constructor
    arguments. A plain field needs less: a shallow copy with its own validators list and
    messages (what code may change on one instance's field), on which ``bind`` then sets the
    name, parent, label and source. A field holding other fields (a nested serializer, a
    list, a many-related field) or a mutable default is deep-copied, as DRF does.
    """
    return {
        name: (
            copy.deepcopy(field)
            if isinstance(field, serializers.BaseSerializer)
            or hasattr(field, "child")
            or hasattr(field, "child_relation")
            or isinstance(getattr(field, "default", None), list | dict | set)
            else _copy_field(field)
        )
        for name, field in fields.items()
    }


def _copy_field[F: serializers.Field[Any, Any, Any, Any]](field: F) -> F:
    copied = copy.copy(field)
    if "_validators" in field.__dict__:
        copied._validators = list(field._validators)  # type: ignore[attr-defined]
    copied.error_messages = dict(field.error_messages)
    return copied


class DeclaredOnceMixin:
    """A plain Serializer whose declared fields are copied with ``_copy_fields``."""

    def get_fields(self) -> dict[str, serializers.Field[Any, Any, Any, Any]]:
        return _copy_fields(self._declared_fields)  # type: ignore[attr-defined]


class BuiltOnceMixin:
    """A ModelSerializer whose fields are worked out from the model once per class, then copied.

    DRF builds a ModelSerializer's fields from the model (field types, labels, validators) for
    every serializer instance, so every nested serializer of every response: most of the cost
    of a nested body such as ``me/today``. The result depends only on the class (its ``Meta``
    and declared fields), never on the instance, data or context, so the first build is kept,
    unbound, and each instance gets copies (``_copy_fields``), as DRF does with declared
    fields. Labels, help texts and messages stay lazy, so the active language still applies.
    """

    def get_fields(self) -> dict[str, serializers.Field[Any, Any, Any, Any]]:
        cls = type(self)
        built = cls.__dict__.get("_built_fields")
        if built is None:
            built = super().get_fields()  # type: ignore[misc]
            cls._built_fields = built  # type: ignore[attr-defined]
        return _copy_fields(built)


def _score(**kwargs: Any) -> serializers.IntegerField:
    return serializers.IntegerField(min_value=0, max_value=clinical.SCORE_MAX, **kwargs)


# --- Who is signed in ----------------------------------------------------------------------


class ClinicBriefSerializer(serializers.ModelSerializer[Clinic]):
    class Meta:
        model = Clinic
        fields = ["id", "name", "phone", "email"]
        read_only_fields = fields


class MeSerializer(serializers.Serializer[Any]):
    """The signed-in user and their role."""

    id = serializers.IntegerField(read_only=True)
    email = serializers.EmailField(read_only=True)
    full_name = serializers.CharField(read_only=True)
    role = serializers.SerializerMethodField()
    clinic = serializers.SerializerMethodField()
    patient_id = serializers.SerializerMethodField()

    def get_role(self, user: Any) -> str:
        """``clinician``, ``patient``, ``staff`` or ``none``."""
        if clinician_of(user) is not None:
            return "clinician"
        if patient_of(user) is not None:
            return "patient"
        return "staff" if user.is_staff else "none"

    @extend_schema_field(ClinicBriefSerializer(allow_null=True))
    def get_clinic(self, user: Any) -> dict[str, Any] | None:
        clinician = clinician_of(user)
        patient = patient_of(user)
        clinic = clinician.clinic if clinician else patient.clinic if patient else None
        return ClinicBriefSerializer(clinic).data if clinic is not None else None

    def get_patient_id(self, user: Any) -> int | None:
        patient = patient_of(user)
        return patient.pk if patient is not None else None


# --- Authentication ------------------------------------------------------------------------


class LoginSerializer(serializers.Serializer[Any]):
    email = serializers.EmailField(max_length=254)
    password = serializers.CharField(max_length=4096, trim_whitespace=False, write_only=True)


class TokenSerializer(serializers.Serializer[Any]):
    token = serializers.CharField(
        read_only=True, help_text="Send as `Authorization: Token <token>`. Shown only once."
    )
    expiry = serializers.DateTimeField(read_only=True, allow_null=True)
    user = MeSerializer(read_only=True)


class DeviceSerializer(serializers.Serializer[Any]):
    """A signed-in device: one API token. Never the token itself."""

    id = serializers.CharField(
        source="token_key", read_only=True, help_text="The token's first characters."
    )
    created = serializers.DateTimeField(read_only=True)
    expiry = serializers.DateTimeField(read_only=True, allow_null=True)
    current = serializers.SerializerMethodField()

    def get_current(self, token: Any) -> bool:
        """Whether this is the token the request was made with."""
        request = self.context.get("request")
        auth = getattr(request, "auth", None)
        return auth is not None and getattr(auth, "digest", None) == token.digest


# --- The library -----------------------------------------------------------------------------


class EquipmentSerializer(BuiltOnceMixin, serializers.ModelSerializer[Equipment]):
    class Meta:
        model = Equipment
        fields = ["slug", "name"]
        read_only_fields = fields


class ExerciseBriefSerializer(BuiltOnceMixin, serializers.ModelSerializer[Exercise]):
    """An exercise as a plan shows it: what to do and how (needs ``equipment`` prefetched)."""

    steps = serializers.ListField(child=serializers.CharField(), read_only=True)
    cues = serializers.ListField(child=serializers.CharField(), read_only=True)
    safety_notes = serializers.ListField(child=serializers.CharField(), read_only=True)
    equipment = EquipmentSerializer(many=True, read_only=True)
    video_link = serializers.CharField(read_only=True)
    image = serializers.SerializerMethodField()

    class Meta:
        model = Exercise
        fields = [
            "id",
            "slug",
            "name",
            "category",
            "summary",
            "steps",
            "cues",
            "safety_notes",
            "equipment",
            "side",
            "video_link",
            "image",
            "from_video",
            "source",
        ]
        read_only_fields = fields

    def get_image(self, exercise: Exercise) -> str | None:
        """The image's URL, if there is one."""
        if not exercise.image:
            return None
        url: str = exercise.image.url
        request = self.context.get("request")
        return request.build_absolute_uri(url) if request is not None else url


class ExerciseSerializer(ExerciseBriefSerializer):
    """The whole library entry. Staff write it; ``equipment_slugs`` sets the equipment."""

    steps = serializers.ListField(
        child=serializers.CharField(max_length=STEP_MAX), max_length=STEPS_MAX, allow_empty=False
    )
    cues = serializers.ListField(
        child=serializers.CharField(max_length=STEP_MAX), max_length=STEPS_MAX, required=False
    )
    safety_notes = serializers.ListField(
        child=serializers.CharField(max_length=STEP_MAX), max_length=STEPS_MAX, required=False
    )
    equipment_slugs = serializers.SlugRelatedField(
        source="equipment",
        many=True,
        slug_field="slug",
        queryset=Equipment.objects.all(),
        write_only=True,
        required=False,
        help_text="The equipment's slugs.",
    )
    clinic = serializers.PrimaryKeyRelatedField(
        queryset=Clinic.objects.all(),
        allow_null=True,
        required=False,
        help_text="Empty for the shared library.",
    )
    progresses_to = serializers.PrimaryKeyRelatedField(
        queryset=Exercise.objects.all(), allow_null=True, required=False
    )

    class Meta:
        model = Exercise
        fields = [
            *ExerciseBriefSerializer.Meta.fields,
            "equipment_slugs",
            "clinic",
            "default_sets",
            "default_reps",
            "default_hold_seconds",
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
        read_only_fields = ["id", "video_link", "image", "created_at", "updated_at"]
        extra_kwargs = {"video_start_seconds": {"max_value": 24 * 60 * 60}}


# --- Protocol templates ----------------------------------------------------------------------


class ProtocolSerializer(serializers.ModelSerializer[Protocol]):
    class Meta:
        model = Protocol
        fields = ["id", "slug", "name", "pathway", "summary", "source", "version", "clinic"]
        read_only_fields = fields


# A protocol item's and a prescription's dose, as the API shows both (``DoseFields``).
DOSE_FIELDS = [
    "sets",
    "reps",
    "hold_seconds",
    "times_per_day",
    "days_per_week",
    "side",
    "dose_text",
    "note",
]


class ProtocolItemSerializer(serializers.ModelSerializer[ProtocolItem]):
    exercise = ExerciseBriefSerializer(read_only=True)
    dose_text = serializers.CharField(read_only=True)

    class Meta:
        model = ProtocolItem
        fields = ["id", "order", "exercise", *DOSE_FIELDS]
        read_only_fields = fields


PHASE_FIELDS = [
    "id",
    "order",
    "name",
    "start_week",
    "end_week",
    "goals",
    "precautions",
    "weight_bearing",
    "boot",
    "wedges",
    "exit_criteria",
]


class ProtocolPhaseSerializer(serializers.ModelSerializer[ProtocolPhase]):
    exit_criteria = serializers.ListField(
        child=serializers.CharField(), source="exit_criteria_list", read_only=True
    )
    items = ProtocolItemSerializer(many=True, read_only=True)

    class Meta:
        model = ProtocolPhase
        fields = [*PHASE_FIELDS, "items"]
        read_only_fields = fields


class ProtocolDetailSerializer(ProtocolSerializer):
    phases = ProtocolPhaseSerializer(many=True, read_only=True)

    class Meta(ProtocolSerializer.Meta):
        fields = [*ProtocolSerializer.Meta.fields, "phases"]
        read_only_fields = fields


# --- Patients --------------------------------------------------------------------------------


class PatientSerializer(serializers.ModelSerializer[Patient]):
    full_name = serializers.CharField(read_only=True)
    anchor_date = serializers.DateField(read_only=True)
    has_account = serializers.SerializerMethodField()

    class Meta:
        model = Patient
        fields = [
            "id",
            "first_name",
            "last_name",
            "full_name",
            "date_of_birth",
            "email",
            "injured_side",
            "injury_date",
            "pathway",
            "surgery_date",
            "anchor_date",
            "timezone",
            "status",
            "has_account",
            "created_at",
            "updated_at",
        ]
        read_only_fields = ["id", "status", "created_at", "updated_at"]
        extra_kwargs = {"timezone": {"required": False}}

    def get_has_account(self, patient: Patient) -> bool:
        """Whether the patient has accepted an invitation and can sign in."""
        return patient.user_id is not None


# --- Plans -----------------------------------------------------------------------------------


class PrescriptionSerializer(BuiltOnceMixin, serializers.ModelSerializer[Prescription]):
    exercise = ExerciseBriefSerializer(read_only=True)
    dose_text = serializers.CharField(read_only=True)

    class Meta:
        model = Prescription
        fields = ["id", "order", "exercise", *DOSE_FIELDS, "guardrail_reason"]
        read_only_fields = fields


class PlanPhaseBriefSerializer(BuiltOnceMixin, serializers.ModelSerializer[PlanPhase]):
    """A phase without its exercises (needs ``plan`` set on the phase for the dates)."""

    exit_criteria = serializers.ListField(
        child=serializers.CharField(), source="exit_criteria_list", read_only=True
    )
    start_date = serializers.DateField(read_only=True)
    end_date = serializers.DateField(read_only=True, help_text="The phase's last day.")

    class Meta:
        model = PlanPhase
        fields = [*PHASE_FIELDS, "start_date", "end_date", "started_on"]
        read_only_fields = fields


class PlanPhaseSerializer(PlanPhaseBriefSerializer):
    is_current = serializers.SerializerMethodField()
    prescriptions = PrescriptionSerializer(many=True, read_only=True, source="live_prescriptions")

    class Meta(PlanPhaseBriefSerializer.Meta):
        fields = [*PlanPhaseBriefSerializer.Meta.fields, "is_current", "prescriptions"]
        read_only_fields = fields

    def get_is_current(self, phase: PlanPhase) -> bool:
        return phase.plan.current_phase_id == phase.pk


class PlanSerializer(serializers.ModelSerializer[Plan]):
    class Meta:
        model = Plan
        fields = [
            "id",
            "patient",
            "name",
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
    """A plan with its phases and their live prescriptions (``phase_list`` set by the view)."""

    phases = PlanPhaseSerializer(many=True, read_only=True, source="phase_list")
    disclaimer = serializers.SerializerMethodField()

    class Meta(PlanSerializer.Meta):
        fields = [*PlanSerializer.Meta.fields, "phases", "disclaimer"]
        read_only_fields = fields

    def get_disclaimer(self, plan: Plan) -> str:
        """Shown with every plan a patient sees."""
        return str(DISCLAIMER)


class PlanCreateSerializer(serializers.Serializer[Any]):
    patient = serializers.IntegerField(min_value=1, help_text="The patient's id.")
    protocol = serializers.IntegerField(
        min_value=1,
        required=False,
        allow_null=True,
        help_text="Copy this protocol template; empty for a blank plan.",
    )
    name = serializers.CharField(max_length=200, required=False, allow_blank=True, default="")


class PlanVersionSerializer(serializers.Serializer[Any]):
    version = serializers.IntegerField(
        min_value=1,
        required=False,
        allow_null=True,
        help_text="The plan's ``version`` the change was made against: an edit made meanwhile "
        "gives 400 instead of being overwritten. Empty to skip the check.",
    )


class PlanUpdateSerializer(PlanVersionSerializer):
    name = serializers.CharField(max_length=200)


# --- Exercise logs ---------------------------------------------------------------------------


class ExerciseLogSerializer(BuiltOnceMixin, serializers.ModelSerializer[ExerciseLog]):
    exercise = serializers.IntegerField(source="prescription.exercise_id", read_only=True)
    exercise_name = serializers.CharField(source="prescription.exercise.name", read_only=True)

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
            "client_uuid",
            "created_at",
            "updated_at",
        ]
        read_only_fields = fields


class ExerciseLogUpdateSerializer(DeclaredOnceMixin, serializers.Serializer[Any]):
    sets_done = serializers.IntegerField(min_value=0, max_value=clinical.SETS_MAX, required=False)
    reps = serializers.IntegerField(
        min_value=0, max_value=clinical.REPS_MAX, required=False, allow_null=True
    )
    hold_seconds = serializers.IntegerField(
        min_value=0, max_value=clinical.HOLD_SECONDS_MAX, required=False, allow_null=True
    )
    pain = _score(required=False, allow_null=True, help_text="0–10; 7 or more alerts the clinic.")
    effort = _score(required=False, allow_null=True)
    note = serializers.CharField(max_length=NOTE_MAX, required=False, allow_blank=True)


class ExerciseLogCreateSerializer(ExerciseLogUpdateSerializer):
    client_uuid = serializers.UUIDField(
        help_text="Made by the client once per entry: a retried request with the same id "
        "returns the stored entry (200) instead of making a second one."
    )
    prescription = serializers.IntegerField(
        min_value=1, help_text="A prescription of your active plan."
    )
    date = serializers.DateField(required=False, help_text="Today (yours) if empty.")
    sets_done = serializers.IntegerField(min_value=0, max_value=clinical.SETS_MAX, default=1)


# --- Check-ins, ATRS, measurements --------------------------------------------------------


class RedFlagSerializer(serializers.Serializer[Any]):
    code = serializers.CharField(read_only=True)
    question = serializers.CharField(read_only=True)
    advice = serializers.CharField(read_only=True, help_text="What the patient must do now.")
    source = serializers.CharField(read_only=True)  # type: ignore[assignment]


class CheckInSerializer(serializers.ModelSerializer[CheckIn]):
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
    def get_advice(self, checkin: CheckIn) -> list[dict[str, Any]]:
        """For each red flag answered yes, what the patient must do."""
        return [
            {
                "code": flag.code,
                "question": str(flag.question),
                "advice": str(flag.advice),
                "source": flag.source,
            }
            for flag in checkin.red_flags
        ]


class CheckInCreateSerializer(serializers.Serializer[Any]):
    client_uuid = serializers.UUIDField()
    date = serializers.DateField(required=False, help_text="Today (yours) if empty.")
    pain_at_rest = _score()
    swelling = serializers.ChoiceField(choices=Swelling.choices)
    red_flags = serializers.ListField(
        child=serializers.ChoiceField(choices=list(clinical.RED_FLAG_CODES)),
        required=False,
        default=list,
        max_length=len(clinical.RED_FLAG_CODES),
        help_text="The codes of the red-flag questions answered yes.",
    )
    note = serializers.CharField(max_length=NOTE_MAX, required=False, allow_blank=True, default="")


class AtrsSerializer(serializers.ModelSerializer[AtrsResponse]):
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


class AtrsCreateSerializer(serializers.Serializer[Any]):
    """The ten answers, each 0 (major limitation) to 10 (no limitation). The total is
    computed by the server."""

    client_uuid = serializers.UUIDField()
    date = serializers.DateField(required=False, help_text="Today (yours) if empty.")
    item_1 = _score(help_text=str(clinical.ATRS_ITEMS[0].question))
    item_2 = _score(help_text=str(clinical.ATRS_ITEMS[1].question))
    item_3 = _score(help_text=str(clinical.ATRS_ITEMS[2].question))
    item_4 = _score(help_text=str(clinical.ATRS_ITEMS[3].question))
    item_5 = _score(help_text=str(clinical.ATRS_ITEMS[4].question))
    item_6 = _score(help_text=str(clinical.ATRS_ITEMS[5].question))
    item_7 = _score(help_text=str(clinical.ATRS_ITEMS[6].question))
    item_8 = _score(help_text=str(clinical.ATRS_ITEMS[7].question))
    item_9 = _score(help_text=str(clinical.ATRS_ITEMS[8].question))
    item_10 = _score(help_text=str(clinical.ATRS_ITEMS[9].question))

    def validate_date(self, value: Any) -> Any:
        patient = self.context.get("patient")
        if patient is not None and value > patient.local_today():
            raise serializers.ValidationError(_("The questionnaire cannot be dated in the future."))
        return value


class MeasurementSerializer(serializers.ModelSerializer[Measurement]):
    heel_rise_lsi = serializers.FloatField(
        read_only=True,
        allow_null=True,
        help_text="Limb symmetry index: injured ÷ other side × 100, in per cent.",
    )

    class Meta:
        model = Measurement
        fields = [
            "id",
            "patient",
            "date",
            "heel_rise_reps_injured",
            "heel_rise_reps_uninjured",
            "heel_rise_lsi",
            "calf_cm_injured",
            "calf_cm_uninjured",
            "recorded_by",
            "note",
            "client_uuid",
            "created_at",
        ]
        read_only_fields = fields


class MeasurementCreateSerializer(serializers.Serializer[Any]):
    patient = serializers.IntegerField(min_value=1)
    client_uuid = serializers.UUIDField()
    date = serializers.DateField(required=False, help_text="The patient's today if empty.")
    heel_rise_reps_injured = serializers.IntegerField(
        min_value=0, max_value=200, required=False, allow_null=True
    )
    heel_rise_reps_uninjured = serializers.IntegerField(
        min_value=0, max_value=200, required=False, allow_null=True
    )
    calf_cm_injured = serializers.DecimalField(
        max_digits=4,
        decimal_places=1,
        min_value=10,
        max_value=80,
        required=False,
        allow_null=True,
    )
    calf_cm_uninjured = serializers.DecimalField(
        max_digits=4,
        decimal_places=1,
        min_value=10,
        max_value=80,
        required=False,
        allow_null=True,
    )
    note = serializers.CharField(max_length=NOTE_MAX, required=False, allow_blank=True, default="")


# --- Messages and alerts ---------------------------------------------------------------------


class MessageSerializer(serializers.ModelSerializer[Message]):
    author_name = serializers.SerializerMethodField()

    class Meta:
        model = Message
        fields = ["id", "patient", "from_patient", "author_name", "body", "created_at", "read_at"]
        read_only_fields = fields

    def get_author_name(self, message: Message) -> str:
        return str(message.author) if message.author is not None else ""


class MessageCreateSerializer(serializers.Serializer[Any]):
    patient = serializers.IntegerField(
        min_value=1,
        required=False,
        help_text="The patient whose thread this goes to. Clinicians: required. Patients: "
        "leave it out (or give your own id).",
    )
    body = serializers.CharField(max_length=4000)


class MessagesReadSerializer(serializers.Serializer[Any]):
    patient = serializers.IntegerField(
        min_value=1, required=False, help_text="Clinicians: required. Patients: leave it out."
    )


class MessagesReadResultSerializer(serializers.Serializer[Any]):
    marked = serializers.IntegerField(read_only=True, help_text="How many became read.")


class AlertSerializer(serializers.ModelSerializer[Alert]):
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


# --- Today ---------------------------------------------------------------------------------


class PlanBriefSerializer(BuiltOnceMixin, serializers.ModelSerializer[Plan]):
    class Meta:
        model = Plan
        fields = ["id", "name", "status", "anchor_date", "version"]
        read_only_fields = fields


class TodayItemSerializer(serializers.Serializer[Any]):
    prescription = PrescriptionSerializer(read_only=True)
    due = serializers.BooleanField(read_only=True, help_text="False on the exercise's rest days.")
    sessions_done = serializers.IntegerField(read_only=True)
    sessions_expected = serializers.IntegerField(read_only=True)
    done = serializers.BooleanField(read_only=True)
    logs = ExerciseLogSerializer(many=True, read_only=True, help_text="Today's logs.")


class TodaySerializer(serializers.Serializer[Any]):
    day = serializers.DateField(read_only=True, help_text="The patient's today.")
    week = serializers.IntegerField(read_only=True, allow_null=True)
    plan = PlanBriefSerializer(read_only=True, allow_null=True)
    phase = PlanPhaseBriefSerializer(read_only=True, allow_null=True)
    items = TodayItemSerializer(many=True, read_only=True)
    disclaimer = serializers.SerializerMethodField()

    def get_disclaimer(self, today: Any) -> str:
        return str(DISCLAIMER)
