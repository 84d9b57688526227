"""What the clinician's navigation counts on every page: the clinic's open alerts and its
patients' unread messages. Two plain counts (one query each): cheaper to build and to plan
than one query with a subquery per count, which took twice as long at 10× data."""

from __future__ import annotations

from dataclasses import dataclass

from clinic.models import Message
from rehab.models.alerts import Alert


@dataclass(frozen=True)
class DeskCounts:
    open_alerts: int
    unread_messages: int


def desk_counts(clinic_id: int) -> DeskCounts:
    return DeskCounts(
        open_alerts=Alert.objects.filter(
            patient__clinic_id=clinic_id, acknowledged_at__isnull=True
        ).count(),
        unread_messages=Message.objects.filter(
            patient__clinic_id=clinic_id, from_patient=True, read_at__isnull=True
        ).count(),
    )
