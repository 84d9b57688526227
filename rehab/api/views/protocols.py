"""Protocol templates' API."""

from __future__ import annotations

from typing import Any

from django.db.models import Prefetch, QuerySet
from drf_spectacular.utils import extend_schema_view
from rest_framework import mixins, serializers

from clinic.api.permissions import IsClinician
from clinic.api.viewsets import RoleViewSet
from core.api.schema import listed, read
from rehab.access import (
    protocols_for,
)
from rehab.api.filters import protocols as protocol_filters
from rehab.api.serializers import protocols as protocol_serializers
from rehab.models.protocols import Protocol, ProtocolItem
from rehab.selectors import library as library_selectors


@extend_schema_view(
    list=listed("List protocol templates", protocol_serializers.ProtocolSerializer),
    retrieve=read(
        "Get a protocol template with its phases and exercises",
        protocol_serializers.ProtocolDetailSerializer,
    ),
)
class ProtocolViewSet(mixins.ListModelMixin, mixins.RetrieveModelMixin, RoleViewSet):
    filterset_class = protocol_filters.ProtocolFilter
    default_roles = (IsClinician,)

    def get_queryset(self) -> QuerySet[Protocol]:
        rows = protocols_for(self.request.user).order_by("pathway", "name", "pk")
        if self.action == "retrieve":
            rows = rows.prefetch_related(
                "phases",
                Prefetch(
                    "phases__items",
                    queryset=ProtocolItem.objects.select_related("exercise")
                    .prefetch_related(*library_selectors.equipment_and_media())
                    .order_by("order", "pk"),
                ),
            )
        return rows

    def get_serializer_class(self) -> type[serializers.BaseSerializer[Any]]:
        if self.action == "retrieve":
            return protocol_serializers.ProtocolDetailSerializer
        return protocol_serializers.ProtocolSerializer
