"""The API's resources. Each view is thin: a queryset scoped to the caller by an access helper
(404 outside it) → a serializer validates → one service call → the response.

Roles: a caller of the wrong role gets 403, an anonymous one 401. Ids in the path or in
``?patient=`` that the caller cannot see answer 404; ids in a request body that the caller
cannot use (unknown, or another clinic's or patient's) answer 400 with an error on that field.
"""

from __future__ import annotations

from typing import Any, ClassVar, cast

from django.db.models import Prefetch, QuerySet
from django.http import Http404, HttpRequest, HttpResponse
from django.utils.translation import gettext as _
from drf_spectacular.utils import OpenApiResponse, extend_schema, extend_schema_view
from rest_framework import exceptions, mixins, serializers, status, viewsets
from rest_framework.decorators import action
from rest_framework.permissions import BasePermission, IsAuthenticated
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from clinic import services as clinic_services
from clinic.access import clinician_of, messages_for, patient_of, patients_for
from clinic.models import Message, Patient, User
from rehab import pagecache
from rehab.access import (
    alerts_for,
    atrs_for,
    checkins_for,
    exercises_for,
    get_log_for_patient,
    logs_for,
    measurements_for,
    plans_for,
    protocols_for,
)
from rehab.api import filters
from rehab.api import serializers as s
from rehab.api.pagination import LogCursorPagination
from rehab.api.permissions import IsClinician, IsClinicianOrPatient, IsPatient, LibraryPermission
from rehab.api.schema import ErrorSerializer, errors
from rehab.models.alerts import Alert
from rehab.models.library import Exercise
from rehab.models.logbook import AtrsResponse, CheckIn, ExerciseLog, Measurement
from rehab.models.plans import Plan
from rehab.models.protocols import Protocol, ProtocolItem
from rehab.selectors import progress as progress_selectors
from rehab.selectors import today as today_selectors
from rehab.services import builder as builder_services
from rehab.services import library as library_services
from rehab.services import logbook as logbook_services
from rehab.services import outcomes as outcome_services
from rehab.services import plans as plan_services


def _user(request: Request) -> User:
    user: User = request.user  # type: ignore[assignment]
    return user


def _patient(request: Request) -> Patient:
    """The signed-in patient (the view's permission already checked there is one)."""
    patient = patient_of(request.user)
    if patient is None:
        raise Http404
    return patient


def _reachable_patient(request: Request, patient_id: int | None, *, field: str) -> Patient:
    """A patient named in a request body: the caller's own (patients) or one of the clinic's
    (clinicians). Anyone else's or an unknown id is a 400 on ``field``."""
    if patient_id is None:
        patient = patient_of(request.user)
        if patient is not None:
            return patient
        raise serializers.ValidationError({field: [_("This field is required.")]})
    found: Patient | None = patients_for(request.user).filter(pk=patient_id).first()
    if found is None:
        raise serializers.ValidationError({field: [_("No such patient.")]})
    return found


class RoleViewSet(viewsets.GenericViewSet[Any]):
    """``roles`` maps an action to the permission classes it needs (all signed-in)."""

    roles: ClassVar[dict[str, tuple[type[BasePermission], ...]]] = {}
    lookup_value_regex = "[0-9]{1,19}"
    default_roles: ClassVar[tuple[type[BasePermission], ...]] = (IsClinicianOrPatient,)

    def get_permissions(self) -> list[BasePermission]:
        classes = self.roles.get(self.action or "", self.default_roles)
        return [IsAuthenticated(), *(cls() for cls in classes)]

    def created_or_found(self, instance: Any, created: bool) -> Response:
        """201 for a new row; 200 with the stored row for a retried request."""
        serializer = self.get_serializer(instance)
        return Response(
            serializer.data, status=status.HTTP_201_CREATED if created else status.HTTP_200_OK
        )


READ = errors(401, 403, 404)
LIST = errors(400, 401, 403, 404)
WRITE = errors(400, 401, 403, 404)


# --- The exercise library --------------------------------------------------------------------


@extend_schema_view(
    list=extend_schema(
        summary="List the exercise library",
        description="The shared library and your clinic's own exercises. Staff see all.",
        responses={200: s.ExerciseSerializer(many=True), **LIST},
    ),
    retrieve=extend_schema(
        summary="Get one exercise", responses={200: s.ExerciseSerializer, **READ}
    ),
    create=extend_schema(
        summary="Add an exercise to the library (staff)",
        request=s.ExerciseSerializer,
        responses={201: s.ExerciseSerializer, **WRITE},
    ),
    update=extend_schema(
        summary="Replace an exercise (staff)",
        request=s.ExerciseSerializer,
        responses={200: s.ExerciseSerializer, **WRITE},
    ),
    partial_update=extend_schema(
        summary="Change an exercise (staff)",
        request=s.ExerciseSerializer,
        responses={200: s.ExerciseSerializer, **WRITE},
    ),
    destroy=extend_schema(
        summary="Delete an exercise no protocol or plan uses (staff)",
        responses={204: None, **WRITE},
    ),
)
class ExerciseViewSet(mixins.ListModelMixin, mixins.RetrieveModelMixin, RoleViewSet):
    serializer_class = s.ExerciseSerializer
    filterset_class = filters.ExerciseFilter
    default_roles = (LibraryPermission,)

    def get_queryset(self) -> QuerySet[Exercise]:
        return (
            exercises_for(self.request.user)
            .prefetch_related("equipment")
            .order_by("category", "name", "pk")
        )

    def create(self, request: Request) -> Response:
        serializer = self.get_serializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        exercise = library_services.exercise_create(**serializer.validated_data)
        return Response(self.get_serializer(exercise).data, status=status.HTTP_201_CREATED)

    def update(self, request: Request, pk: int | None = None, partial: bool = False) -> Response:
        exercise = self.get_object()
        serializer = self.get_serializer(exercise, data=request.data, partial=partial)
        serializer.is_valid(raise_exception=True)
        exercise = library_services.exercise_update(exercise=exercise, **serializer.validated_data)
        return Response(self.get_serializer(self.get_object()).data)

    def partial_update(self, request: Request, pk: int | None = None) -> Response:
        return self.update(request, pk, partial=True)

    def destroy(self, request: Request, pk: int | None = None) -> Response:
        library_services.exercise_delete(exercise=self.get_object())
        return Response(status=status.HTTP_204_NO_CONTENT)


# --- Protocol templates ----------------------------------------------------------------------


@extend_schema_view(
    list=extend_schema(
        summary="List protocol templates",
        responses={200: s.ProtocolSerializer(many=True), **LIST},
    ),
    retrieve=extend_schema(
        summary="Get a protocol template with its phases and exercises",
        responses={200: s.ProtocolDetailSerializer, **READ},
    ),
)
class ProtocolViewSet(mixins.ListModelMixin, mixins.RetrieveModelMixin, RoleViewSet):
    filterset_class = filters.ProtocolFilter
    default_roles = (IsClinician,)

    def get_queryset(self) -> QuerySet[Protocol]:
        rows = protocols_for(self.request.user).order_by("pathway", "name", "pk")
        if self.action == "retrieve":
            rows = rows.prefetch_related(
                "phases",
                Prefetch(
                    "phases__items",
                    queryset=ProtocolItem.objects.select_related("exercise")
                    .prefetch_related("exercise__equipment")
                    .order_by("order", "pk"),
                ),
            )
        return rows

    def get_serializer_class(self) -> type[serializers.BaseSerializer[Any]]:
        if self.action == "retrieve":
            return s.ProtocolDetailSerializer
        return s.ProtocolSerializer


# --- Patients --------------------------------------------------------------------------------


@extend_schema_view(
    list=extend_schema(
        summary="List your clinic's patients",
        responses={200: s.PatientSerializer(many=True), **LIST},
    ),
    retrieve=extend_schema(summary="Get a patient", responses={200: s.PatientSerializer, **READ}),
    create=extend_schema(
        summary="Register a patient",
        request=s.PatientSerializer,
        responses={201: s.PatientSerializer, **WRITE},
    ),
    update=extend_schema(
        summary="Replace a patient's details",
        request=s.PatientSerializer,
        responses={200: s.PatientSerializer, **WRITE},
    ),
    partial_update=extend_schema(
        summary="Change a patient's details",
        request=s.PatientSerializer,
        responses={200: s.PatientSerializer, **WRITE},
    ),
    discharge=extend_schema(
        summary="Discharge a patient (records and logs are kept)",
        request=None,
        responses={200: s.PatientSerializer, **READ},
    ),
)
class PatientViewSet(mixins.ListModelMixin, mixins.RetrieveModelMixin, RoleViewSet):
    serializer_class = s.PatientSerializer
    filterset_class = filters.PatientFilter
    default_roles = (IsClinician,)

    def get_queryset(self) -> QuerySet[Patient]:
        rows: QuerySet[Patient] = patients_for(self.request.user)
        return rows.order_by("last_name", "first_name", "pk")

    def create(self, request: Request) -> Response:
        serializer = self.get_serializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        clinician = clinician_of(request.user)
        assert clinician is not None  # IsClinician
        patient = clinic_services.patient_create(
            clinic=clinician.clinic, created_by=_user(request), **serializer.validated_data
        )
        return Response(self.get_serializer(patient).data, status=status.HTTP_201_CREATED)

    def update(self, request: Request, pk: int | None = None, partial: bool = False) -> Response:
        patient = self.get_object()
        serializer = self.get_serializer(patient, data=request.data, partial=partial)
        serializer.is_valid(raise_exception=True)
        patient = clinic_services.patient_update(patient=patient, **serializer.validated_data)
        return Response(self.get_serializer(patient).data)

    def partial_update(self, request: Request, pk: int | None = None) -> Response:
        return self.update(request, pk, partial=True)

    @action(detail=True, methods=["post"])
    def discharge(self, request: Request, pk: int | None = None) -> Response:
        patient = clinic_services.patient_discharge(patient=self.get_object())
        return Response(self.get_serializer(patient).data)


# --- Plans -----------------------------------------------------------------------------------


@extend_schema_view(
    list=extend_schema(
        summary="List your clinic's plans",
        responses={200: s.PlanSerializer(many=True), **LIST},
    ),
    retrieve=extend_schema(
        summary="Get a plan with its phases and prescriptions",
        description="Clinicians: any of the clinic's plans. Patients: their own, not drafts.",
        responses={200: s.PlanDetailSerializer, **READ},
    ),
    create=extend_schema(
        summary="Create a draft plan from a protocol template or blank",
        request=s.PlanCreateSerializer,
        responses={201: s.PlanDetailSerializer, **WRITE},
    ),
    partial_update=extend_schema(
        summary="Rename a plan",
        request=s.PlanUpdateSerializer,
        responses={200: s.PlanDetailSerializer, **WRITE},
    ),
    activate=extend_schema(
        summary="Activate a draft plan (from the phase for today's week)",
        request=s.PlanVersionSerializer,
        responses={200: s.PlanDetailSerializer, **WRITE},
    ),
    advance=extend_schema(
        summary="Move an active plan to its next phase from today",
        request=s.PlanVersionSerializer,
        responses={200: s.PlanDetailSerializer, **WRITE},
    ),
)
class PlanViewSet(mixins.ListModelMixin, RoleViewSet):
    serializer_class = s.PlanSerializer
    filterset_class = filters.PlanFilter
    default_roles = (IsClinician,)
    roles: ClassVar[dict[str, tuple[type[BasePermission], ...]]] = {
        "retrieve": (IsClinicianOrPatient,)
    }

    def get_queryset(self) -> QuerySet[Plan]:
        return plans_for(self.request.user).order_by("-created_at", "-pk")

    def _detail(self, plan: Plan, *, code: int = status.HTTP_200_OK) -> Response:
        plan = self.get_queryset().select_related("current_phase").get(pk=plan.pk)
        plan.phase_list = progress_selectors.plan_phases(plan)  # type: ignore[attr-defined]
        return Response(
            s.PlanDetailSerializer(plan, context=self.get_serializer_context()).data, status=code
        )

    def retrieve(self, request: Request, pk: int | None = None) -> Response:
        return self._detail(self.get_object())

    def create(self, request: Request) -> Response:
        data = s.PlanCreateSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        values = data.validated_data
        patient = _reachable_patient(request, values["patient"], field="patient")
        if values.get("protocol") is None:
            plan = plan_services.plan_create_blank(
                patient=patient, created_by=_user(request), name=values["name"]
            )
        else:
            protocol = protocols_for(request.user).filter(pk=values["protocol"]).first()
            if protocol is None:
                raise serializers.ValidationError({"protocol": [_("No such protocol.")]})
            plan = plan_services.plan_from_protocol(
                patient=patient, protocol=protocol, created_by=_user(request), name=values["name"]
            )
        return self._detail(plan, code=status.HTTP_201_CREATED)

    def partial_update(self, request: Request, pk: int | None = None) -> Response:
        plan = self.get_object()
        data = s.PlanUpdateSerializer(data=request.data, partial=True)
        data.is_valid(raise_exception=True)
        if "name" in data.validated_data:
            plan = builder_services.plan_rename(
                plan=plan,
                name=data.validated_data["name"],
                expected_version=data.validated_data.get("version"),
            )
        return self._detail(plan)

    def _version(self, request: Request) -> int | None:
        data = s.PlanVersionSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        version: int | None = data.validated_data.get("version")
        return version

    @action(detail=True, methods=["post"])
    def activate(self, request: Request, pk: int | None = None) -> Response:
        plan = self.get_object()
        plan = plan_services.plan_activate(
            plan=plan, activated_by=_user(request), expected_version=self._version(request)
        )
        return self._detail(plan)

    @action(detail=True, methods=["post"])
    def advance(self, request: Request, pk: int | None = None) -> Response:
        plan = self.get_object()
        plan = plan_services.plan_advance_phase(
            plan=plan, changed_by=_user(request), expected_version=self._version(request)
        )
        return self._detail(plan)


# --- The patient's own plan and today --------------------------------------------------------


class MePlanView(APIView):
    permission_classes = [IsAuthenticated, IsPatient]

    @extend_schema(
        summary="Your active plan, with its phases and exercises",
        responses={
            200: s.PlanDetailSerializer,
            **errors(401, 403),
            404: OpenApiResponse(ErrorSerializer, description="You have no active plan."),
        },
        tags=["me"],
    )
    def get(self, request: Request) -> Response:
        plan = today_selectors.active_plan(_patient(request))
        if plan is None:
            raise exceptions.NotFound(_("You have no active plan yet."))
        plan.phase_list = progress_selectors.plan_phases(plan)  # type: ignore[attr-defined]
        return Response(s.PlanDetailSerializer(plan, context={"request": request}).data)


class MeTodayView(APIView):
    permission_classes = [IsAuthenticated, IsPatient]

    @extend_schema(
        summary="Today: your exercises for today and what you have logged",
        responses={200: s.TodaySerializer, **errors(401, 403)},
        tags=["me"],
    )
    def get(self, request: Request) -> HttpResponse:
        patient = _patient(request)
        day = patient.local_today()

        def data() -> Any:
            today = today_selectors.today_for_patient(patient, day=day)
            return s.TodaySerializer(today, context={"request": request}).data

        renderer = request.accepted_renderer
        if renderer.format != "json":  # the browsable API: not cached
            return Response(data())
        return pagecache.respond(
            cast("HttpRequest", request),
            page="api-today",
            patient_ids=[patient.pk],
            vary=[day.isoformat(), request.accepted_media_type],
            render=lambda: HttpResponse(
                renderer.render(data(), request.accepted_media_type, self.get_renderer_context()),
                content_type=renderer.media_type,  # JSON: no charset parameter, as DRF sends it
            ),
        )


# --- Exercise logs ---------------------------------------------------------------------------


@extend_schema_view(
    list=extend_schema(
        summary="List exercise logs (yours, or your clinic's)",
        description="Newest first, paged by cursor. Clinicians narrow with `?patient=`.",
        responses={200: s.ExerciseLogSerializer(many=True), **LIST},
    ),
    retrieve=extend_schema(
        summary="Get one exercise log", responses={200: s.ExerciseLogSerializer, **READ}
    ),
    create=extend_schema(
        summary="Log an exercise done (patients)",
        description=(
            "Idempotent by `client_uuid`: the first request makes the entry (201); a retry with "
            "the same id answers the stored entry (200), never a second one. A prescription "
            "outside your active plan is a 400 on `prescription`. Pain of 7 or more alerts "
            "the clinic."
        ),
        request=s.ExerciseLogCreateSerializer,
        responses={201: s.ExerciseLogSerializer, 200: s.ExerciseLogSerializer, **WRITE},
    ),
    partial_update=extend_schema(
        summary="Correct today's log (patients, same day only)",
        request=s.ExerciseLogUpdateSerializer,
        responses={200: s.ExerciseLogSerializer, **WRITE},
    ),
    destroy=extend_schema(
        summary="Undo today's log (patients, same day only)",
        responses={204: None, **WRITE},
    ),
)
class ExerciseLogViewSet(mixins.ListModelMixin, mixins.RetrieveModelMixin, RoleViewSet):
    serializer_class = s.ExerciseLogSerializer
    filterset_class = filters.ExerciseLogFilter
    pagination_class = LogCursorPagination
    roles: ClassVar[dict[str, tuple[type[BasePermission], ...]]] = {
        "create": (IsPatient,),
        "partial_update": (IsPatient,),
        "destroy": (IsPatient,),
    }

    def get_queryset(self) -> QuerySet[ExerciseLog]:
        return logs_for(self.request.user).select_related("prescription__exercise")

    def create(self, request: Request) -> Response:
        patient = _patient(request)
        data = s.ExerciseLogCreateSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        values = dict(data.validated_data)
        prescription = today_selectors.prescription_to_log(patient, values.pop("prescription"))
        if prescription is None:
            raise serializers.ValidationError(
                {"prescription": [_("This exercise is not part of your active plan.")]}
            )
        log, created = logbook_services.log_record(
            patient=patient, prescription=prescription, **values
        )
        return self.created_or_found(log, created)

    def partial_update(self, request: Request, pk: int | None = None) -> Response:
        log = get_log_for_patient(request.user, pk or 0)
        data = s.ExerciseLogUpdateSerializer(data=request.data, partial=True)
        data.is_valid(raise_exception=True)
        logbook_services.log_update(log=log, **data.validated_data)
        return Response(self.get_serializer(self.get_queryset().get(pk=log.pk)).data)

    def destroy(self, request: Request, pk: int | None = None) -> Response:
        logbook_services.log_undo(log=get_log_for_patient(request.user, pk or 0))
        return Response(status=status.HTTP_204_NO_CONTENT)


# --- Check-ins, ATRS, measurements -----------------------------------------------------------


@extend_schema_view(
    list=extend_schema(
        summary="List daily check-ins (yours, or your clinic's)",
        responses={200: s.CheckInSerializer(many=True), **LIST},
    ),
    retrieve=extend_schema(
        summary="Get one check-in", responses={200: s.CheckInSerializer, **READ}
    ),
    create=extend_schema(
        summary="Check in for the day (patients)",
        description=(
            "One check-in a day: a second one the same day updates it (200). Idempotent by "
            "`client_uuid`. Each red flag answered yes alerts the clinic and comes back in "
            "`advice` with what to do now; so does pain at rest of 7 or more."
        ),
        request=s.CheckInCreateSerializer,
        responses={201: s.CheckInSerializer, 200: s.CheckInSerializer, **WRITE},
    ),
)
class CheckInViewSet(mixins.ListModelMixin, mixins.RetrieveModelMixin, RoleViewSet):
    serializer_class = s.CheckInSerializer
    filterset_class = filters.CheckInFilter
    roles: ClassVar[dict[str, tuple[type[BasePermission], ...]]] = {"create": (IsPatient,)}

    def get_queryset(self) -> QuerySet[CheckIn]:
        return checkins_for(self.request.user).order_by("-date", "-pk")

    def create(self, request: Request) -> Response:
        patient = _patient(request)
        data = s.CheckInCreateSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        checkin, created = logbook_services.checkin_record(patient=patient, **data.validated_data)
        return self.created_or_found(checkin, created)


@extend_schema_view(
    list=extend_schema(
        summary="List ATRS questionnaires (yours, or your clinic's)",
        responses={200: s.AtrsSerializer(many=True), **LIST},
    ),
    retrieve=extend_schema(
        summary="Get one ATRS questionnaire", responses={200: s.AtrsSerializer, **READ}
    ),
    create=extend_schema(
        summary="Answer the ATRS questionnaire (patients)",
        description="Ten answers 0–10; the total (0–100) is computed by the server. "
        "Idempotent by `client_uuid`.",
        request=s.AtrsCreateSerializer,
        responses={201: s.AtrsSerializer, 200: s.AtrsSerializer, **WRITE},
    ),
)
class AtrsViewSet(mixins.ListModelMixin, mixins.RetrieveModelMixin, RoleViewSet):
    serializer_class = s.AtrsSerializer
    filterset_class = filters.AtrsFilter
    roles: ClassVar[dict[str, tuple[type[BasePermission], ...]]] = {"create": (IsPatient,)}

    def get_queryset(self) -> QuerySet[AtrsResponse]:
        return atrs_for(self.request.user).order_by("-date", "-created_at", "-pk")

    def create(self, request: Request) -> Response:
        patient = _patient(request)
        data = s.AtrsCreateSerializer(data=request.data, context={"patient": patient})
        data.is_valid(raise_exception=True)
        values = dict(data.validated_data)
        items = {name: values.pop(name) for name in AtrsResponse.ITEM_FIELDS}
        response, created = logbook_services.atrs_record(patient=patient, items=items, **values)
        return self.created_or_found(response, created)


@extend_schema_view(
    list=extend_schema(
        summary="List heel-rise and calf measurements (yours, or your clinic's)",
        responses={200: s.MeasurementSerializer(many=True), **LIST},
    ),
    retrieve=extend_schema(
        summary="Get one measurement", responses={200: s.MeasurementSerializer, **READ}
    ),
    create=extend_schema(
        summary="Record a measurement (clinicians)",
        description="Idempotent by `client_uuid`.",
        request=s.MeasurementCreateSerializer,
        responses={201: s.MeasurementSerializer, 200: s.MeasurementSerializer, **WRITE},
    ),
)
class MeasurementViewSet(mixins.ListModelMixin, mixins.RetrieveModelMixin, RoleViewSet):
    serializer_class = s.MeasurementSerializer
    filterset_class = filters.MeasurementFilter
    roles: ClassVar[dict[str, tuple[type[BasePermission], ...]]] = {"create": (IsClinician,)}

    def get_queryset(self) -> QuerySet[Measurement]:
        return measurements_for(self.request.user).order_by("-date", "-created_at", "-pk")

    def create(self, request: Request) -> Response:
        data = s.MeasurementCreateSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        values = dict(data.validated_data)
        patient = _reachable_patient(request, values.pop("patient"), field="patient")
        measurement, created = outcome_services.measurement_record(
            patient=patient, recorded_by=_user(request), **values
        )
        return self.created_or_found(measurement, created)


# --- Messages and alerts ---------------------------------------------------------------------


@extend_schema_view(
    list=extend_schema(
        summary="List messages (your thread, or your clinic's threads)",
        description="Oldest first. Clinicians pick a thread with `?patient=`.",
        responses={200: s.MessageSerializer(many=True), **LIST},
    ),
    create=extend_schema(
        summary="Send a message in a patient's thread",
        request=s.MessageCreateSerializer,
        responses={201: s.MessageSerializer, **WRITE},
    ),
    read=extend_schema(
        summary="Mark the other side's messages in a thread read",
        request=s.MessagesReadSerializer,
        responses={200: s.MessagesReadResultSerializer, **WRITE},
    ),
)
class MessageViewSet(mixins.ListModelMixin, RoleViewSet):
    serializer_class = s.MessageSerializer
    filterset_class = filters.MessageFilter

    def get_queryset(self) -> QuerySet[Message]:
        rows: QuerySet[Message] = messages_for(self.request.user)
        return rows.select_related("author").order_by("created_at", "pk")

    def create(self, request: Request) -> Response:
        data = s.MessageCreateSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        patient = _reachable_patient(request, data.validated_data.get("patient"), field="patient")
        message = clinic_services.message_send(
            patient=patient,
            author=_user(request),
            body=data.validated_data["body"],
            from_patient=patient_of(request.user) is not None,
        )
        return Response(self.get_serializer(message).data, status=status.HTTP_201_CREATED)

    @action(detail=False, methods=["post"])
    def read(self, request: Request) -> Response:
        data = s.MessagesReadSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        patient = _reachable_patient(request, data.validated_data.get("patient"), field="patient")
        marked = clinic_services.messages_mark_read(
            patient=patient, reader_is_patient=patient_of(request.user) is not None
        )
        return Response({"marked": marked})


@extend_schema_view(
    list=extend_schema(
        summary="List your clinic's alerts",
        description="Red flags and pain of 7 or more; newest first. `?open=true` for the "
        "unacknowledged ones.",
        responses={200: s.AlertSerializer(many=True), **LIST},
    ),
    retrieve=extend_schema(summary="Get one alert", responses={200: s.AlertSerializer, **READ}),
    acknowledge=extend_schema(
        summary="Acknowledge an alert",
        request=None,
        responses={200: s.AlertSerializer, **READ},
    ),
)
class AlertViewSet(mixins.ListModelMixin, mixins.RetrieveModelMixin, RoleViewSet):
    serializer_class = s.AlertSerializer
    filterset_class = filters.AlertFilter
    default_roles = (IsClinician,)

    def get_queryset(self) -> QuerySet[Alert]:
        return alerts_for(self.request.user).order_by("-created_at", "-pk")

    @action(detail=True, methods=["post"])
    def acknowledge(self, request: Request, pk: int | None = None) -> Response:
        alert = logbook_services.alert_acknowledge(alert=self.get_object(), by=_user(request))
        return Response(self.get_serializer(alert).data)
