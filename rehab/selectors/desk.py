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


def desk_counts(
    clinic_id: int, *, open_alerts: int | None = None, unread_messages: int | None = None
) -> DeskCounts:
    """The clinic's counts; one the page has already made is given and not made again."""
    if open_alerts is None:
        open_alerts = Alert.objects.open().filter(patient__clinic_id=clinic_id).count()
    if unread_messages is None:
        unread_messages = (
            Message.objects.unread(by_patient=False).filter(patient__clinic_id=clinic_id).count()
        )
    return DeskCounts(open_alerts=open_alerts, unread_messages=unread_messages)
