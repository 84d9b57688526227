"""The logbook's API: the patient's today, exercise logs, check-ins, ATRS, measurements and
alerts.
"""

from __future__ import annotations

from typing import ClassVar

from django.db.models import QuerySet
from django.http import HttpResponse
from django.utils.translation import gettext as _
from drf_spectacular.utils import extend_schema, extend_schema_view
from rest_framework import mixins, serializers, status
from rest_framework.decorators import action
from rest_framework.permissions import BasePermission, IsAuthenticated
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from clinic.api.permissions import IsClinician, IsPatient
from clinic.api.viewsets import (
    LIST,
    PATIENT_IN_BODY,
    READ,
    RoleViewSet,
    reachable_patient,
    request_patient,
    request_user,
)
from core.api.pagination import LogCursorPagination
from core.api.schema import UNKNOWN_FIELD, created_or_found, errors, listed, read, written
from rehab.access import (
    alerts_for,
    atrs_for,
    checkins_for,
    get_log_for_patient,
    logs_for,
    measurements_for,
)
from rehab.api.filters import logbook as logbook_filters
from rehab.api.serializers import logbook as logbook_serializers
from rehab.api.serializers import today as today_serializers
from rehab.models.alerts import Alert
from rehab.models.logbook import AtrsResponse, CheckIn, ExerciseLog, Measurement
from rehab.selectors import notices as notice_selectors
from rehab.selectors import today as today_selectors
from rehab.services import alerts as alert_services
from rehab.services import outcomes as outcome_services
from rehab.services.logbook import atrs as atrs_services
from rehab.services.logbook import checkins as checkin_services
from rehab.services.logbook import ticks as tick_services


class MeTodayView(APIView):
    permission_classes = [IsAuthenticated, IsPatient]

    @extend_schema(
        summary="Today: your exercises for today and what you have logged",
        responses={200: today_serializers.TodaySerializer, **errors(401, 403)},
        tags=["me"],
    )
    def get(self, request: Request) -> HttpResponse:
        patient = request_patient(request)
        # The answer has no prescription's own photos and videos (the Today page's cards do).
        today = today_selectors.today_for_patient(patient, own_media=False)
        # A red flag's advice, as on the Today page (hold_notice), with the recent review
        # read alone: the answer has none of Today's other notices.
        context = {
            "request": request,
            "clinician": False,  # a patient-only view
            "hold": notice_selectors.hold_notice(patient, today.plan, read_review=True),
        }
        return Response(today_serializers.TodaySerializer(today, context=context).data)


# --- Exercise logs ---------------------------------------------------------------------------

# The rules of what patients log, beyond each field's own type and range.
IN_USE = {"client_uuid_in_use": "another patient's entry has this `client_uuid`"}
DATED = {  # a record's date (core.dates)
    "future_date": "`date` is after today (the patient's today)",
    "before_injury": "`date` is before the patient's injury",
}
NOT_TODAY = {"not_today": "the entry was made on an earlier day: only today's change"}
CARE_ENDED = {"care_ended": "you were discharged: your record is read-only"}
PAUSED_DONE = {
    "plan_paused": "a red flag paused your plan until your physiotherapist has reviewed it: "
    "`sets_done`, `reps` and `hold_seconds` cannot change"
}
PAUSED_UNDO = {
    "plan_paused": "a red flag paused your plan until your physiotherapist has reviewed it: "
    "the day's logs stay as reported"
}


@extend_schema_view(
    list=listed(
        "List exercise logs (yours, or your clinic's)",
        logbook_serializers.ExerciseLogSerializer,
        description="Newest first, paged by cursor. Clinicians narrow with `?patient=`.",
    ),
    retrieve=read("Get one exercise log", logbook_serializers.ExerciseLogSerializer),
    create=created_or_found(
        "Log an exercise done (patients)",
        logbook_serializers.ExerciseLogCreateSerializer,
        response=logbook_serializers.ExerciseLogSerializer,
        description=(
            "Idempotent by `client_uuid`: the first request makes the entry (201); a retry with "
            "the same id answers the stored entry (200), never a second one. A prescription "
            "outside your active plan is a 400 on `prescription`. Pain of 7 or more alerts "
            "the clinic and comes back in `advice`: what to do now, to be shown at once. The "
            "Today page's script ticks here too (the browser's session, with its CSRF token "
            "in `X-CSRFToken`)."
        ),
        rules={
            **IN_USE,
            **DATED,
            **CARE_ENDED,
            **UNKNOWN_FIELD,
            "not_in_plan": "`prescription` is not in your active plan",
            "before_plan_start": "`date` is before the plan starts",
            "before_prescribed": "`date` is before the day (yours) the exercise was added to "
            "your plan",
            "plan_paused": "a red flag paused your plan until your physiotherapist "
            "has reviewed it: nothing dated from the day it was paused can be ticked (an "
            "earlier day's tick, sent late, is stored)",
            "phase_not_started": "`prescription` is of a phase not started on `date`",
        },
    ),
    partial_update=written(
        "Correct today's log (patients, same day only)",
        logbook_serializers.ExerciseLogUpdateSerializer,
        response=logbook_serializers.ExerciseLogSerializer,
        description="Only the fields sent change; `pain` or `effort` null: not answered. Pain "
        "of 7 or more alerts the clinic and comes back in `advice`. While a red flag pauses "
        "the plan, `pain`, `effort` and `note` may change but not what was done.",
        rules={**NOT_TODAY, **CARE_ENDED, **PAUSED_DONE, **UNKNOWN_FIELD},
    ),
    destroy=extend_schema(
        summary="Undo today's log (patients, same day only)",
        responses={
            204: None,
            **errors(400, 401, 403, 404, rules={**NOT_TODAY, **CARE_ENDED, **PAUSED_UNDO}),
        },
    ),
)
class ExerciseLogViewSet(mixins.ListModelMixin, mixins.RetrieveModelMixin, RoleViewSet):
    serializer_class = logbook_serializers.ExerciseLogSerializer
    filterset_class = logbook_filters.ExerciseLogFilter
    pagination_class = LogCursorPagination
    roles: ClassVar[dict[str, tuple[type[BasePermission], ...]]] = {
        "create": (IsPatient,),
        "partial_update": (IsPatient,),
        "destroy": (IsPatient,),
    }

    def get_queryset(self) -> QuerySet[ExerciseLog]:
        return logs_for(self.request.user).select_related("prescription__exercise")

    def create(self, request: Request) -> Response:
        patient = request_patient(request)
        data = logbook_serializers.ExerciseLogCreateSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        values = dict(data.validated_data)
        prescription = today_selectors.prescription_to_log(patient, values.pop("prescription"))
        if prescription is None:
            raise serializers.ValidationError(
                {"prescription": [_("This exercise is not part of your active plan.")]},
                code="not_in_plan",
            )
        log, created = tick_services.log_record(
            patient=patient, prescription=prescription, **values
        )
        return self.created_or_found(log, created)

    def partial_update(self, request: Request, pk: int | None = None) -> Response:
        log = get_log_for_patient(request.user, pk or 0)
        data = logbook_serializers.ExerciseLogUpdateSerializer(data=request.data, partial=True)
        data.is_valid(raise_exception=True)
        tick_services.log_update(log=log, **data.validated_data)
        return Response(self.get_serializer(self.get_queryset().get(pk=log.pk)).data)

    def destroy(self, request: Request, pk: int | None = None) -> Response:
        tick_services.log_undo(log=get_log_for_patient(request.user, pk or 0))
        return Response(status=status.HTTP_204_NO_CONTENT)


# --- Check-ins, ATRS, measurements -----------------------------------------------------------


@extend_schema_view(
    list=listed(
        "List daily check-ins (yours, or your clinic's)", logbook_serializers.CheckInSerializer
    ),
    retrieve=read("Get one check-in", logbook_serializers.CheckInSerializer),
    create=created_or_found(
        "Check in for the day (patients)",
        logbook_serializers.CheckInCreateSerializer,
        response=logbook_serializers.CheckInSerializer,
        description=(
            "One check-in a day: a second one the same day adds to it (200): a red flag "
            "reported stays reported, and `pain_at_rest` null or an empty `note` keeps the "
            "day's earlier answer. Idempotent by `client_uuid`, the later submits' too: one "
            "sent again answers the stored check-in (200) and changes nothing, even after your "
            "physiotherapist has reviewed its red flag. Each red flag answered yes alerts the "
            "clinic and comes back in `advice` with what to do now (and when the clinic is "
            "closed), and pauses your plan until your physiotherapist has reviewed it; pain at "
            "rest of 7 or more alerts the clinic too. `pain_at_rest` not answered: null. "
            "`red_flags` left out: the questions were not asked, and are stored as not "
            "answered (null), not as no; a list (even empty) answers the questions asked."
        ),
        rules={**IN_USE, **DATED, **CARE_ENDED, **UNKNOWN_FIELD},
    ),
)
class CheckInViewSet(mixins.ListModelMixin, mixins.RetrieveModelMixin, RoleViewSet):
    serializer_class = logbook_serializers.CheckInSerializer
    filterset_class = logbook_filters.CheckInFilter
    roles: ClassVar[dict[str, tuple[type[BasePermission], ...]]] = {"create": (IsPatient,)}

    def get_queryset(self) -> QuerySet[CheckIn]:
        return checkins_for(self.request.user).order_by("-date", "-pk")

    def create(self, request: Request) -> Response:
        patient = request_patient(request)
        data = logbook_serializers.CheckInCreateSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        checkin, created = checkin_services.checkin_record(patient=patient, **data.validated_data)
        return self.created_or_found(checkin, created)


@extend_schema_view(
    list=listed(
        "List ATRS questionnaires (yours, or your clinic's)", logbook_serializers.AtrsSerializer
    ),
    retrieve=read("Get one ATRS questionnaire", logbook_serializers.AtrsSerializer),
    create=created_or_found(
        "Answer the ATRS questionnaire (patients)",
        logbook_serializers.AtrsCreateSerializer,
        response=logbook_serializers.AtrsSerializer,
        description="Ten answers 0–10; the total (0–100) is computed by the server. One "
        "answer a day: a second one the same day replaces its answers (200). Idempotent by "
        "`client_uuid`, the later submits' too: one sent again answers the stored row (200) "
        "and changes nothing. It answers your clinic's open request for the questionnaire "
        "when it is dated on or after the day the request was made; an older one does not.",
        rules={**IN_USE, **DATED, **CARE_ENDED, **UNKNOWN_FIELD},
    ),
)
class AtrsViewSet(mixins.ListModelMixin, mixins.RetrieveModelMixin, RoleViewSet):
    serializer_class = logbook_serializers.AtrsSerializer
    filterset_class = logbook_filters.AtrsFilter
    roles: ClassVar[dict[str, tuple[type[BasePermission], ...]]] = {"create": (IsPatient,)}

    def get_queryset(self) -> QuerySet[AtrsResponse]:
        return atrs_for(self.request.user).order_by("-date", "-created_at", "-pk")

    def create(self, request: Request) -> Response:
        patient = request_patient(request)
        data = logbook_serializers.AtrsCreateSerializer(
            data=request.data, context={"patient": patient}
        )
        data.is_valid(raise_exception=True)
        values = dict(data.validated_data)
        items = {name: values.pop(name) for name in AtrsResponse.ITEM_FIELDS}
        values.pop("total", None)  # computed by the server, never the client's
        response, created = atrs_services.atrs_record(patient=patient, items=items, **values)
        return self.created_or_found(response, created)


@extend_schema_view(
    list=listed(
        "List heel-rise and calf measurements (yours, or your clinic's)",
        logbook_serializers.MeasurementSerializer,
    ),
    retrieve=read("Get one measurement", logbook_serializers.MeasurementSerializer),
    create=created_or_found(
        "Record a measurement (clinicians)",
        logbook_serializers.MeasurementCreateSerializer,
        response=logbook_serializers.MeasurementSerializer,
        description="Idempotent by `client_uuid`.",
        rules={
            **IN_USE,
            **DATED,
            **PATIENT_IN_BODY,
            **UNKNOWN_FIELD,
            "measurement_empty": "no value is given",
            "lsi_range": "the injured side is more than twice the other side "
            "(limb symmetry index over 200 %)",
        },
    ),
)
class MeasurementViewSet(mixins.ListModelMixin, mixins.RetrieveModelMixin, RoleViewSet):
    serializer_class = logbook_serializers.MeasurementSerializer
    filterset_class = logbook_filters.MeasurementFilter
    roles: ClassVar[dict[str, tuple[type[BasePermission], ...]]] = {"create": (IsClinician,)}

    def get_queryset(self) -> QuerySet[Measurement]:
        return measurements_for(self.request.user).order_by("-date", "-created_at", "-pk")

    def create(self, request: Request) -> Response:
        data = logbook_serializers.MeasurementCreateSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        values = dict(data.validated_data)
        patient = reachable_patient(request, values.pop("patient"), field="patient")
        measurement, created = outcome_services.measurement_record(
            patient=patient, recorded_by=request_user(request), **values
        )
        return self.created_or_found(measurement, created)


@extend_schema_view(
    list=extend_schema(
        summary="List your clinic's alerts",
        description="Red flags and pain of 7 or more; newest first. `?open=true` for the "
        "unacknowledged ones.",
        responses={200: logbook_serializers.AlertSerializer(many=True), **LIST},
    ),
    retrieve=read("Get one alert", logbook_serializers.AlertSerializer),
    acknowledge=extend_schema(
        summary="Acknowledge an alert",
        request=None,
        responses={200: logbook_serializers.AlertSerializer, **READ},
    ),
)
class AlertViewSet(mixins.ListModelMixin, mixins.RetrieveModelMixin, RoleViewSet):
    serializer_class = logbook_serializers.AlertSerializer
    filterset_class = logbook_filters.AlertFilter
    default_roles = (IsClinician,)

    def get_queryset(self) -> QuerySet[Alert]:
        return alerts_for(self.request.user).order_by("-created_at", "-pk")

    @action(detail=True, methods=["post"])
    def acknowledge(self, request: Request, pk: int | None = None) -> Response:
        alert = alert_services.alert_acknowledge(alert=self.get_object(), by=request_user(request))
        return Response(self.get_serializer(alert).data)
