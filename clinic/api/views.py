"""The clinic's API resources: patients and their message threads."""

from __future__ import annotations

from django.db.models import QuerySet
from drf_spectacular.utils import extend_schema, extend_schema_view
from rest_framework import mixins, status
from rest_framework.decorators import action
from rest_framework.request import Request
from rest_framework.response import Response

from clinic.access import clinician_of, messages_for, patient_of, patients_for
from clinic.api import filters as clinic_filters
from clinic.api import serializers as clinic_serializers
from clinic.api.permissions import IsClinician
from clinic.api.viewsets import PATIENT_IN_BODY, RoleViewSet, reachable_patient, request_user
from clinic.models import Message, Patient
from clinic.services import messages as message_services
from clinic.services import patients as patient_services
from core.api.schema import READ, UNKNOWN_FIELD, created_or_found, listed, read, written

# What a patient's details must satisfy beyond each field's own type and length.
PATIENT_RULES = {
    "surgery_date_missing": "an operative patient has no `surgery_date`",
    "surgery_date_non_operative": "a non-operative patient has a `surgery_date`",
    "surgery_before_injury": "`surgery_date` is before `injury_date`",
    "email_in_use": "another patient of the clinic has this `email`",
    "invalid_timezone": "`timezone` is not a time zone name such as Europe/London",
    # Plausible dates (core.dates):
    "future_date": "`injury_date` or `date_of_birth` is after today (the patient's today)",
    "injury_too_long_ago": "`injury_date` is more than 10 years before the registration",
    "surgery_too_late": "`surgery_date` is more than a year after `injury_date`",
    "born_after_injury": "`date_of_birth` is after `injury_date`",
    "implausible_date": "a date before 1900",
    # ``status`` among them: a patient is discharged with POST /patients/{id}/discharge/.
    **UNKNOWN_FIELD,
}
CREATE_RULES = {
    **PATIENT_RULES,
    "possible_duplicate": "the clinic has a patient with this name and date of birth "
    "(send `confirm_duplicate` to add another)",
    "client_uuid_in_use": "another clinic's patient has this `client_uuid`",
}


@extend_schema_view(
    list=listed("List your clinic's patients", clinic_serializers.PatientSerializer),
    retrieve=read("Get a patient", clinic_serializers.PatientSerializer),
    create=written(
        "Register a patient",
        clinic_serializers.PatientCreateSerializer,
        response=clinic_serializers.PatientSerializer,
        status=201,
        rules=CREATE_RULES,
        description=(
            "Idempotent by `client_uuid`: sent again, it answers the patient that id registered "
            "(201 again), never a second one. A patient of the clinic with the same name "
            "(letter case and accents ignored) and date of birth is refused with "
            "`possible_duplicate` unless `confirm_duplicate` is true."
        ),
    ),
    update=written(
        "Replace a patient's details", clinic_serializers.PatientSerializer, rules=PATIENT_RULES
    ),
    partial_update=written(
        "Change a patient's details", clinic_serializers.PatientSerializer, rules=PATIENT_RULES
    ),
    discharge=extend_schema(
        summary="Discharge a patient (records and logs are kept)",
        request=None,
        responses={200: clinic_serializers.PatientSerializer, **READ},
    ),
)
class PatientViewSet(mixins.ListModelMixin, mixins.RetrieveModelMixin, RoleViewSet):
    serializer_class = clinic_serializers.PatientSerializer
    filterset_class = clinic_filters.PatientFilter
    default_roles = (IsClinician,)

    def get_queryset(self) -> QuerySet[Patient]:
        rows: QuerySet[Patient] = patients_for(self.request.user)
        return rows.order_by("last_name", "first_name", "pk")

    def create(self, request: Request) -> Response:
        serializer = clinic_serializers.PatientCreateSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        clinician = clinician_of(request.user)
        assert clinician is not None  # IsClinician
        patient = patient_services.patient_create(
            clinic=clinician.clinic, created_by=request_user(request), **serializer.validated_data
        )
        return Response(self.get_serializer(patient).data, status=status.HTTP_201_CREATED)

    def update(self, request: Request, pk: int | None = None, partial: bool = False) -> Response:
        patient = self.get_object()
        serializer = self.get_serializer(patient, data=request.data, partial=partial)
        serializer.is_valid(raise_exception=True)
        patient = patient_services.patient_update(patient=patient, **serializer.validated_data)
        return Response(self.get_serializer(patient).data)

    def partial_update(self, request: Request, pk: int | None = None) -> Response:
        return self.update(request, pk, partial=True)

    @action(detail=True, methods=["post"])
    def discharge(self, request: Request, pk: int | None = None) -> Response:
        patient = patient_services.patient_discharge(patient=self.get_object())
        return Response(self.get_serializer(patient).data)


# --- Messages and alerts ---------------------------------------------------------------------


@extend_schema_view(
    list=listed(
        "List messages (your thread, or your clinic's threads)",
        clinic_serializers.MessageSerializer,
        description="Oldest first. Clinicians pick a thread with `?patient=`.",
    ),
    create=created_or_found(
        "Send a message in a patient's thread",
        clinic_serializers.MessageCreateSerializer,
        response=clinic_serializers.MessageSerializer,
        description=(
            "Idempotent by `client_uuid`: the first request sends the message (201); a retry "
            "with the same id answers the stored message (200), never a second one. Without "
            "`client_uuid`, the same text from you within 10 seconds answers the first (200)."
        ),
        rules={
            **PATIENT_IN_BODY,
            **UNKNOWN_FIELD,
            "client_uuid_in_use": "another author's message in the thread has this `client_uuid`",
        },
    ),
    read=written(
        "Mark the other side's messages in a thread read",
        clinic_serializers.MessagesReadSerializer,
        response=clinic_serializers.MessagesReadResultSerializer,
        rules={
            **PATIENT_IN_BODY,
            **UNKNOWN_FIELD,
            "unknown_message": "`up_to` is no message of the patient's thread",
        },
    ),
)
class MessageViewSet(mixins.ListModelMixin, RoleViewSet):
    serializer_class = clinic_serializers.MessageSerializer
    filterset_class = clinic_filters.MessageFilter

    def get_queryset(self) -> QuerySet[Message]:
        rows: QuerySet[Message] = messages_for(self.request.user)
        return rows.select_related("author", "read_by").order_by("created_at", "pk")

    def create(self, request: Request) -> Response:
        data = clinic_serializers.MessageCreateSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        patient = reachable_patient(request, data.validated_data.get("patient"), field="patient")
        message, created = message_services.message_send(
            patient=patient,
            author=request_user(request),
            body=data.validated_data["body"],
            from_patient=patient_of(request.user) is not None,
            client_uuid=data.validated_data.get("client_uuid"),
        )
        return self.created_or_found(message, created)

    @action(detail=False, methods=["post"])
    def read(self, request: Request) -> Response:
        data = clinic_serializers.MessagesReadSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        patient = reachable_patient(request, data.validated_data.get("patient"), field="patient")
        marked = message_services.messages_mark_read(
            patient=patient,
            reader=request_user(request),
            reader_is_patient=patient_of(request.user) is not None,
            up_to=data.validated_data.get("up_to"),
        )
        return Response({"marked": marked})
