"""Plans' API: the clinic's plans, and the patient's own."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any, ClassVar

from django.db.models import QuerySet
from django.utils.translation import gettext as _
from drf_spectacular.utils import OpenApiResponse, extend_schema, extend_schema_view
from rest_framework import exceptions, mixins, serializers, status
from rest_framework.decorators import action
from rest_framework.permissions import BasePermission, IsAuthenticated
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from clinic.api.permissions import IsClinician, IsClinicianOrPatient, IsPatient
from clinic.api.viewsets import (
    PATIENT_IN_BODY,
    READ,
    RoleViewSet,
    reachable_patient,
    request_patient,
    request_user,
)
from core.api.schema import (
    UNKNOWN_FIELD,
    ErrorSerializer,
    created_or_found,
    errors,
    listed,
    written,
)
from rehab.access import (
    plans_for,
    protocols_for,
)
from rehab.api.filters import plans as plan_filters
from rehab.api.serializers import plans as plan_serializers
from rehab.models.plans import Plan
from rehab.selectors import progress as progress_selectors
from rehab.selectors import today as today_selectors
from rehab.services import builder as builder_services
from rehab.services import holds as hold_services
from rehab.services import plans as plan_services
from rehab.services import progression as progression_services


def plan_detail(plan: Plan, context: Mapping[str, Any]) -> Any:
    """``PlanDetailSerializer``'s body: the plan with its phases (three queries), as its
    reader may see it (``context["clinician"]``: a patient, not the clinician's text)."""
    phases = progress_selectors.plan_phases(plan)
    return plan_serializers.PlanDetailSerializer(plan, context={**context, "phases": phases}).data


def guardrail_body(request: Request, body: type[serializers.Serializer[Any]]) -> dict[str, Any]:
    """``version`` and ``guardrail_reasons`` of an activation or a phase change, read with
    ``body`` (``PlanGuardrailSerializer`` or one made from it)."""
    data = body(data=request.data)
    data.is_valid(raise_exception=True)
    return {
        "expected_version": data.validated_data.get("version"),
        "guardrail_reasons": data.validated_data.get("guardrail_reasons") or {},
    }


# The rules of a plan's changes, beyond each field's own type and range.
STALE = {"stale_plan": "`version` is not the plan's: someone changed it meanwhile"}
# JSON keys are strings: the schema cannot say they are digits, so the rule is documented.
REASON_KEYS = {
    "not_a_prescription_id": "a key of `guardrail_reasons` is not a prescription id of the plan"
}
ACTIVATE_RULES = {
    **STALE,
    **REASON_KEYS,
    **UNKNOWN_FIELD,
    "patient_not_active": "the patient is discharged or archived",
    "guardrail_reason_missing": "an exercise would start before its earliest safe week for the "
    "patient (the week they are in), with no reason recorded or given in `guardrail_reasons`",
    "no_phases": "the plan has no phase",
    "already_active": "the patient has another active plan",
    "plan_completed": "the plan is completed: it is not activated again",
}


# The columns of a plan ``PlanSerializer`` shows, and its template's name.
PLAN_LIST_COLUMNS = (
    *(
        name
        for name, _field in plan_serializers.PlanSerializer().fields.items()
        if name != "patient_name"
    ),
    "protocol__name",
)


@extend_schema_view(
    list=listed("List your clinic's plans", plan_serializers.PlanSerializer),
    retrieve=extend_schema(
        summary="Get a plan with its phases and prescriptions",
        description="Clinicians: any of the clinic's plans. Patients: their own, not drafts.",
        responses={200: plan_serializers.PlanDetailSerializer, **READ},
    ),
    create=created_or_found(
        "Create a draft plan from a protocol template or blank",
        plan_serializers.PlanCreateSerializer,
        response=plan_serializers.PlanDetailSerializer,
        description=(
            "Idempotent by `client_uuid`: the first request makes the draft (201); a retry "
            "with the same id, however late, answers the plan it made (200), never a second "
            "one. Without `client_uuid`, the same untouched draft asked for within 30 seconds "
            "answers the first (200)."
        ),
        rules={
            **PATIENT_IN_BODY,
            **UNKNOWN_FIELD,
            "unknown_protocol": "`protocol` is no template you may use",
            "not_offered": "the template is archived, replaced by a newer version, or a draft",
            "patient_not_active": "the patient is discharged or archived",
            "pathway_mismatch": "the template is for the other pathway",
            "client_uuid_in_use": "another plan (another patient's, or made by someone else) "
            "has this `client_uuid`",
        },
    ),
    partial_update=written(
        "Rename a plan",
        plan_serializers.PlanUpdateSerializer,
        response=plan_serializers.PlanDetailSerializer,
        rules={
            **STALE,
            **UNKNOWN_FIELD,
            "plan_completed": "the plan is completed: it no longer changes",
        },
    ),
    activate=written(
        "Activate a draft plan (from the phase for today's week)",
        plan_serializers.PlanGuardrailSerializer,
        response=plan_serializers.PlanDetailSerializer,
        description="When the patient has reported red flags no clinician has reviewed yet, "
        "the plan starts `paused` until a clinician resumes it.",
        rules=ACTIVATE_RULES,
    ),
    advance=written(
        "Move an active plan to its next phase from today",
        plan_serializers.PlanPhaseChangeSerializer,
        response=plan_serializers.PlanDetailSerializer,
        description="`version` is required: the next phase is counted from the one the plan "
        "is in, so the same request sent again (its answer lost) would move the patient a "
        "second phase on. Sent again, it is refused with `stale_plan` and moves nothing; read "
        "the plan to see the phase it is in.",
        rules={
            **STALE,
            **REASON_KEYS,
            **UNKNOWN_FIELD,
            "no_current_phase": "the plan has no current phase (a draft)",
            "last_phase": "the plan is in its last phase",
            "guardrail_reason_missing": "an exercise of the next phase would start before its "
            "earliest safe week (the patient starts it this week): give a reason for each in "
            "`guardrail_reasons` (a recorded one must be given again)",
        },
    ),
)
class PlanViewSet(mixins.ListModelMixin, RoleViewSet):
    serializer_class = plan_serializers.PlanSerializer
    filterset_class = plan_filters.PlanFilter
    default_roles = (IsClinician,)
    roles: ClassVar[dict[str, tuple[type[BasePermission], ...]]] = {
        "retrieve": (IsClinicianOrPatient,)
    }

    def get_queryset(self) -> QuerySet[Plan]:
        # With its template: the name a patient reads (``Plan.patient_display_name``).
        rows = (
            plans_for(self.request.user).select_related("protocol").order_by("-created_at", "-pk")
        )
        if self.action == "list":
            # A page of plans reads only what ``PlanSerializer`` shows: of the template, its
            # name (the sort no longer carries each template's long texts).
            rows = rows.only(*PLAN_LIST_COLUMNS)
        return rows

    def detail_response(self, plan: Plan, *, code: int = status.HTTP_200_OK) -> Response:
        """The plan with its phases and their exercises, as read after a change."""
        plan = self.get_queryset().select_related("current_phase").get(pk=plan.pk)
        return Response(plan_detail(plan, self.get_serializer_context()), status=code)

    def retrieve(self, request: Request, pk: int | None = None) -> Response:
        """The plan as ``get_object`` read it (after a change, ``detail_response`` reads the
        changed plan again)."""
        return Response(plan_detail(self.get_object(), self.get_serializer_context()))

    def create(self, request: Request) -> Response:
        data = plan_serializers.PlanCreateSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        values = data.validated_data
        patient = reachable_patient(request, values["patient"], field="patient")
        protocol = None
        if values.get("protocol") is not None:
            protocol = protocols_for(request.user).filter(pk=values["protocol"]).first()
            if protocol is None:
                raise serializers.ValidationError(
                    {"protocol": [_("No such protocol.")]}, code="unknown_protocol"
                )
        plan, created = plan_services.plan_draft(
            patient=patient,
            protocol=protocol,
            created_by=request_user(request),
            name=values["name"],
            client_uuid=values.get("client_uuid"),
        )
        return self.detail_response(
            plan, code=status.HTTP_201_CREATED if created else status.HTTP_200_OK
        )

    def partial_update(self, request: Request, pk: int | None = None) -> Response:
        plan = self.get_object()
        data = plan_serializers.PlanUpdateSerializer(data=request.data, partial=True)
        data.is_valid(raise_exception=True)
        if "name" in data.validated_data:
            plan = builder_services.plan_rename(
                plan=plan,
                name=data.validated_data["name"],
                expected_version=data.validated_data.get("version"),
                by=request_user(request),
            )
        return self.detail_response(plan)

    @action(detail=True, methods=["post"])
    def activate(self, request: Request, pk: int | None = None) -> Response:
        plan = self.get_object()
        plan = hold_services.plan_activate(
            plan=plan,
            activated_by=request_user(request),
            **guardrail_body(request, plan_serializers.PlanGuardrailSerializer),
        )
        return self.detail_response(plan)

    @action(detail=True, methods=["post"])
    def advance(self, request: Request, pk: int | None = None) -> Response:
        plan = self.get_object()
        plan = progression_services.plan_advance_phase(
            plan=plan,
            changed_by=request_user(request),
            **guardrail_body(request, plan_serializers.PlanPhaseChangeSerializer),
        )
        return self.detail_response(plan)


# --- The patient's own plan and today --------------------------------------------------------


class MePlanView(APIView):
    permission_classes = [IsAuthenticated, IsPatient]

    @extend_schema(
        summary="Your active plan, with its phases and exercises",
        responses={
            200: plan_serializers.PlanDetailSerializer,
            **errors(401, 403),
            404: OpenApiResponse(ErrorSerializer, description="You have no active plan."),
        },
        tags=["me"],
    )
    def get(self, request: Request) -> Response:
        plan = today_selectors.active_plan(request_patient(request))
        if plan is None:
            raise exceptions.NotFound(_("You have no active plan yet."))
        # A patient-only view: its reader is the patient.
        return Response(plan_detail(plan, {"request": request, "clinician": False}))
