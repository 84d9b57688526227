"""The clinic API's bodies: who is signed in, sign-in and devices, patients, messages.

They validate input and shape output; the writes themselves are the services'
(``clinic.services``).
"""

from __future__ import annotations

from typing import Any

from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers

from clinic.access import clinician_of, patient_of
from clinic.models import Clinic, Message, Patient
from core.api import fields
from core.api.serializers import ClinicianOnlyFields, KnownFieldsOnly, ModelSerializer
from core.ids import opaque


class ClinicBriefSerializer(ModelSerializer[Clinic]):
    """The clinic: its name and how to reach it."""

    class Meta:
        model = Clinic
        fields = ["id", "name", "phone", "email"]
        read_only_fields = fields


class MeSerializer(serializers.Serializer[Any]):
    """The signed-in user and their role."""

    id = fields.OpaqueIdField(source="pk", read_only=True)
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

    @extend_schema_field({**fields.OPAQUE_ID_SCHEMA, "nullable": True})
    def get_patient_id(self, user: Any) -> str | None:
        """The patient's id, if the user is a patient."""
        patient = patient_of(user)
        return opaque(patient.pk) if patient is not None else None


# --- Authentication ------------------------------------------------------------------------


class LoginSerializer(serializers.Serializer[Any]):
    email = fields.EmailField(max_length=254)
    password = fields.CharField(max_length=4096, trim_whitespace=False, write_only=True)


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


# --- Patients --------------------------------------------------------------------------------


class PatientSerializer(KnownFieldsOnly, ModelSerializer[Patient]):
    """A patient. Written, a key it does not take (``status``: discharge has its own action;
    ``id``, ``full_name``, …) is refused, not dropped."""

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


class PatientCreateSerializer(PatientSerializer):
    client_uuid = fields.UUIDField(
        required=False,
        allow_null=True,
        write_only=True,
        help_text="Made by the client once per registration: sent again, the request answers "
        "the patient it registered instead of adding a second.",
    )
    confirm_duplicate = fields.BooleanField(
        required=False,
        default=False,
        write_only=True,
        help_text="True to add a patient although the clinic has one with the same name and "
        "date of birth (refused with `possible_duplicate` otherwise).",
    )

    class Meta(PatientSerializer.Meta):
        fields = [*PatientSerializer.Meta.fields, "client_uuid", "confirm_duplicate"]


# --- Messages and alerts ---------------------------------------------------------------------


class MessageSerializer(ClinicianOnlyFields, ModelSerializer[Message]):
    author_name = serializers.SerializerMethodField()
    read_by_name = serializers.SerializerMethodField(
        help_text="Who at the clinic read the patient's message, as the clinic's thread page "
        "says it; null if unread, or read before who read it was kept."
    )
    clinician_only = ("read_by_name",)

    class Meta:
        model = Message
        fields = [
            "id",
            "patient",
            "from_patient",
            "author_name",
            "body",
            "client_uuid",
            "created_at",
            "read_at",
            "read_by_name",
        ]
        read_only_fields = fields

    def get_author_name(self, message: Message) -> str:
        return str(message.author) if message.author is not None else ""

    def get_read_by_name(self, message: Message) -> str | None:
        if not message.from_patient or message.read_by is None:
            return None  # the clinic's own messages: the patient reads them ("read_at")
        return str(message.read_by)


class MessageCreateSerializer(KnownFieldsOnly):
    patient = fields.OpaqueIdField(
        required=False,
        help_text="The patient whose thread this goes to. Clinicians: required. Patients: "
        "leave it out (or give your own id).",
    )
    body = fields.CharField(max_length=4000)
    client_uuid = fields.UUIDField(
        required=False,
        allow_null=True,
        help_text="Made by the client once per message: the same message sent again (its "
        "answer lost) answers the stored one (200) instead of sending a second. Unique in the "
        "thread. Without it, only the same text from you within 10 seconds is taken for a "
        "repeat.",
    )


class MessagesReadSerializer(KnownFieldsOnly):
    patient = fields.OpaqueIdField(
        required=False, help_text="Clinicians: required. Patients: leave it out."
    )
    up_to = fields.OpaqueIdField(
        required=False,
        help_text=(
            "The last message the app showed: only messages up to it become read (one sent "
            "since stays unread). Left out: every unread message."
        ),
    )


class MessagesReadResultSerializer(serializers.Serializer[Any]):
    marked = serializers.IntegerField(read_only=True, help_text="How many became read.")
