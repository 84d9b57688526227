"""Exit criteria evaluated, "ready to progress" proposals and the published reference points.

Clinicians only; another clinic's phase is a 404 (``get_phase_for_clinician``)."""

from __future__ import annotations

from typing import Any

from django.db.models import QuerySet
from django.http import HttpResponse
from drf_spectacular.utils import extend_schema
from rest_framework.generics import ListAPIView
from rest_framework.permissions import IsAuthenticated
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from clinic.access import clinic_for, touch_patients_of
from clinic.api.permissions import IsClinicAdmin, IsClinician
from core.api.schema import errors
from rehab.access import get_phase_for_clinician
from rehab.api.serializers import criteria as criteria_serializers
from rehab.models.plans import PlanPhase
from rehab.models.references import ReferencePoint
from rehab.selectors import criteria as criteria_selectors
from rehab.selectors import outcomes as outcome_selectors


class PhaseCriteriaView(APIView):
    permission_classes = [IsAuthenticated, IsClinician]

    @extend_schema(
        summary="A plan phase's exit criteria, each evaluated",
        description="Each criterion met, not met or unknown (no data yet), with its evidence.",
        responses={200: criteria_serializers.PhaseEvaluationSerializer, **errors(401, 403, 404)},
        tags=["criteria"],
    )
    def get(self, request: Request, pk: int) -> HttpResponse:
        phase = get_phase_for_clinician(request.user, pk)
        plan = phase.plan
        (evaluation,) = criteria_selectors.evaluate_phases([(plan.patient, plan, phase)])
        return Response(criteria_serializers.PhaseEvaluationSerializer(evaluation).data)


class ProposalsView(ListAPIView):
    permission_classes = [IsAuthenticated, IsClinician]
    serializer_class = criteria_serializers.ProposalSerializer

    @extend_schema(
        summary="Your clinic's 'ready to progress' proposals and overdue phases",
        description="Patients whose current phase's exit criteria are all met, with the "
        "next phase proposed (advance with `POST /plans/{id}/advance/`), then phases past "
        "their planned end with a criterion not met.",
        responses={
            200: criteria_serializers.ProposalSerializer(many=True),
            **errors(400, 401, 403, 404),
        },
        tags=["criteria"],
    )
    def get(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        return super().get(request, *args, **kwargs)

    def paginate_queryset(self, queryset: Any) -> list[Any] | None:
        """A page of the list; the audit trail records each patient whose exit-criteria
        evidence it holds (as ``RoleViewSet.paginate_queryset`` does for the other lists)."""
        page = super().paginate_queryset(queryset)
        touch_patients_of(row["evaluation"].patient for row in page or [])
        return page

    def get_queryset(self) -> list[dict[str, Any]] | QuerySet[PlanPhase]:  # type: ignore[override]
        if getattr(self, "swagger_fake_view", False):
            # The schema's generation has no user; drf-spectacular's documented way.
            return PlanPhase.objects.none()
        proposals = criteria_selectors.proposals_for_clinic(clinic_for(self.request.user).pk)
        return [
            {
                "kind": "ready",
                "evaluation": evaluation,
                "next_phase": following.pk,
                "next_phase_name": following.name,
            }
            for evaluation, following in proposals.ready
        ] + [
            {"kind": "overdue", "evaluation": e, "next_phase": None, "next_phase_name": None}
            for e in proposals.overdue
        ]


class ReferencePointsView(ListAPIView):
    permission_classes = [IsAuthenticated, IsClinician]
    serializer_class = criteria_serializers.ReferencePointSerializer

    @extend_schema(
        summary="The published reference trajectories, each point with its source",
        responses={
            200: criteria_serializers.ReferencePointSerializer(many=True),
            **errors(400, 401, 403, 404),
        },
        tags=["criteria"],
    )
    def get(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        return super().get(request, *args, **kwargs)

    def get_queryset(self) -> QuerySet[ReferencePoint]:
        return ReferencePoint.objects.order_by("measure", "week", "cohort", "pk")


class OutcomesView(ListAPIView):
    """The clinic's outcomes by pathway, as on /clinic/outcomes/ (clinic admins); a list, one
    row per pathway, paginated like every list of the API."""

    permission_classes = [IsAuthenticated, IsClinicAdmin]
    serializer_class = criteria_serializers.PathwayOutcomesSerializer

    @extend_schema(
        summary="Your clinic's outcomes by pathway (clinic admins)",
        description="Anonymous aggregates: patients by phase, the median time to reach each "
        "phase, adherence bands over the last 14 days, the ATRS around weeks 12 and 26 "
        "against the published means (each with its source), red flags and suspected "
        "re-ruptures per 100 patients. A figure about fewer than 5 patients (a count of 1 to "
        "4, or a median, mean or rate over fewer than 5) is withheld: null, and its row's "
        "`withheld` is true; zero is given.",
        responses={
            200: criteria_serializers.PathwayOutcomesSerializer(many=True),
            **errors(401, 403),
        },
        tags=["criteria"],
    )
    def get(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        return super().get(request, *args, **kwargs)

    def get_queryset(self) -> list[Any] | QuerySet[PlanPhase]:  # type: ignore[override]
        if getattr(self, "swagger_fake_view", False):
            # The schema's generation has no user; drf-spectacular's documented way.
            return PlanPhase.objects.none()
        clinic = clinic_for(self.request.user)
        return outcome_selectors.clinic_outcomes(clinic.pk, today=clinic.local_today())
