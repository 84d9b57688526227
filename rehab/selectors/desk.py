"""What the clinician's navigation counts on every page: the clinic's open alerts and its
patients' unread messages. One query."""

from __future__ import annotations

from dataclasses import dataclass

from django.db.models import Count, IntegerField, OuterRef, QuerySet, Subquery
from django.db.models.functions import Coalesce

from clinic.models import Clinic, Message
from rehab.models.alerts import Alert


@dataclass(frozen=True)
class DeskCounts:
    open_alerts: int
    unread_messages: int


def _count_per_clinic(rows: QuerySet[Alert] | QuerySet[Message]) -> Coalesce:
    """The number of ``rows`` of the outer query's clinic, as a subquery (Django's documented
    way to use an aggregate within a Subquery)."""
    counted = (
        rows.filter(patient__clinic_id=OuterRef("pk"))
        .order_by()
        .values("patient__clinic_id")
        .annotate(n=Count("pk"))
        .values("n")
    )
    return Coalesce(Subquery(counted, output_field=IntegerField()), 0)


def desk_counts(clinic_id: int) -> DeskCounts:
    row = (
        Clinic.objects.filter(pk=clinic_id)
        .values(
            alerts=_count_per_clinic(Alert.objects.filter(acknowledged_at__isnull=True)),
            unread=_count_per_clinic(
                Message.objects.filter(from_patient=True, read_at__isnull=True)
            ),
        )
        .first()
    )
    if row is None:
        return DeskCounts(open_alerts=0, unread_messages=0)
    return DeskCounts(open_alerts=row["alerts"], unread_messages=row["unread"])
