"""The exercise library's API: read by clinicians, written by staff."""

from __future__ import annotations

from django.db.models import QuerySet
from drf_spectacular.utils import extend_schema, extend_schema_view
from rest_framework import mixins, status
from rest_framework.request import Request
from rest_framework.response import Response

from clinic.api.viewsets import RoleViewSet
from core.api.schema import UNKNOWN_FIELD, errors, listed, read, written
from rehab.access import (
    exercises_for,
)
from rehab.api.filters import library as library_filters
from rehab.api.permissions import LibraryPermission
from rehab.api.serializers import library as library_serializers
from rehab.models.library import Exercise
from rehab.services import library as library_services

EXERCISE_RULES = {
    **UNKNOWN_FIELD,
    "no_reps_or_hold": "neither `default_reps` nor `default_hold_seconds` is given",
    "progresses_to_itself": "`progresses_to` is the exercise itself",
}
EXERCISE_CHANGE_RULES = {
    **EXERCISE_RULES,
    "set_once": "`clinic` or `slug` differs from the exercise's: both are set when it is made "
    "(send them unchanged, or leave them out)",
    "early_in_templates": "an earliest week moved later than a published template places the "
    "exercise (the message names each template and phase)",
}


@extend_schema_view(
    list=listed(
        "List the exercise library",
        library_serializers.ExerciseSerializer,
        description="The shared library and your clinic's own exercises. Staff see all.",
        rules={"both_or_neither": "only one of `safe_for_pathway`, `safe_at_week`"},
    ),
    retrieve=read("Get one exercise", library_serializers.ExerciseSerializer),
    create=written(
        "Add an exercise to the library (staff)",
        library_serializers.ExerciseSerializer,
        status=201,
        rules=EXERCISE_RULES,
    ),
    update=written(
        "Replace an exercise (staff)",
        library_serializers.ExerciseSerializer,
        rules=EXERCISE_CHANGE_RULES,
    ),
    partial_update=written(
        "Change an exercise (staff)",
        library_serializers.ExerciseSerializer,
        rules=EXERCISE_CHANGE_RULES,
    ),
    destroy=extend_schema(
        summary="Delete an exercise no protocol or plan uses (staff)",
        responses={
            204: None,
            **errors(
                400,
                401,
                403,
                404,
                rules={"exercise_in_use": "a protocol template or a plan uses the exercise"},
            ),
        },
    ),
)
class ExerciseViewSet(mixins.ListModelMixin, mixins.RetrieveModelMixin, RoleViewSet):
    serializer_class = library_serializers.ExerciseSerializer
    filterset_class = library_filters.ExerciseFilter
    default_roles = (LibraryPermission,)

    def get_queryset(self) -> QuerySet[Exercise]:
        return (
            exercises_for(self.request.user)
            .prefetch_related("equipment", "media")
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
