"""Urgent alerts to the clinic: who hears at once, and the escalation to the clinic admins
when nobody acknowledges one in the clinic's time (counted in its opening hours)."""

from __future__ import annotations

import datetime as dt

from django.db import transaction
from django.utils import timezone

from clinic.models import Clinic
from notify import hours, recipients
from notify.models import AlertEscalation, Channel, Notification
from notify.planning.claims import Enqueue, claim_each, is_urgent
from notify.recipients import Recipient
from rehab.models.alerts import Alert


def alert_raised(alert: Alert) -> bool:
    """Called in the transaction that raised ``alert``: when an urgent alert escalates (the
    clinic's time, counted in its opening hours). Returns whether it is urgent."""
    if not is_urgent(alert):
        return False
    clinic = alert.patient.clinic
    AlertEscalation.objects.get_or_create(
        alert=alert,
        defaults={
            "due_at": hours.add_open_minutes(
                clinic, alert.created_at, clinic.alert_escalation_minutes
            )
        },
    )
    return True


CLINIC_HOURS_FIELDS = frozenset({"timezone", "opening_hours", "alert_escalation_minutes"})


def clinic_hours_changed(clinic: Clinic) -> int:
    """The clinic's time zone, opening hours or escalation time changed (``clinic`` holds the
    new ones): each pending escalation of its open alerts is counted again, with them, from
    when its alert was raised. In the caller's transaction (or one of its own). Returns how
    many moved."""
    with transaction.atomic():
        pending = (
            AlertEscalation.objects.select_for_update(of=("self",))
            .filter(
                escalated_at__isnull=True,
                alert__acknowledged_at__isnull=True,
                alert__patient__clinic=clinic,
            )
            .select_related("alert")
            .order_by("pk")
        )
        moved = []
        for escalation in pending:
            due = hours.add_open_minutes(
                clinic, escalation.alert.created_at, clinic.alert_escalation_minutes
            )
            if due != escalation.due_at:
                escalation.due_at = due
                moved.append(escalation)
        AlertEscalation.objects.bulk_update(moved, ["due_at"])
    return len(moved)


def _about_alert(kind: str, alert: Alert, people: list[Recipient], enqueue: Enqueue) -> list[int]:
    """Email and push (where turned on) about ``alert`` to ``people``, once each."""
    claimed: list[int] = []
    for recipient in people:
        claimed += claim_each(
            kind=kind,
            slot=f"a{alert.pk}",
            recipient=recipient,
            channels=(Channel.EMAIL, Channel.PUSH),
            enqueue=enqueue,
            patient=alert.patient,
            alert=alert,
        )
    return claimed


def alert_notifications(alert_id: int, *, enqueue: Enqueue) -> list[int]:
    """Email (and push, where turned on) to the patient's therapist(s) and the alert
    contacts, once per recipient and channel."""
    alert = Alert.objects.select_related("patient__clinic").filter(pk=alert_id).first()
    if alert is None or not is_urgent(alert) or alert.acknowledged_at is not None:
        return []
    with transaction.atomic():
        people = recipients.alert_recipients(alert.patient)
        return _about_alert(Notification.Kind.ALERT, alert, people, enqueue)


def escalations_due(now: dt.datetime, *, enqueue: Enqueue) -> list[int]:
    """Alerts nobody acknowledged in time go to the clinic admins, once."""
    open_due = AlertEscalation.objects.filter(escalated_at__isnull=True, due_at__lte=now)
    open_due.filter(alert__acknowledged_at__isnull=False).delete()  # done with, after all
    claimed: list[int] = []
    for escalation in open_due.select_related("alert__patient__clinic").order_by("due_at"):
        with transaction.atomic():
            taken = AlertEscalation.objects.filter(
                pk=escalation.pk, escalated_at__isnull=True
            ).update(escalated_at=now)
            if not taken:  # another worker escalated it
                continue
            alert = escalation.alert
            people = recipients.escalation_recipients(alert.patient)
            claimed += _about_alert(Notification.Kind.ESCALATION, alert, people, enqueue)
    return claimed


def alert_acknowledged(alert: Alert) -> None:
    """Nothing left to escalate or send for an acknowledged alert."""
    AlertEscalation.objects.filter(alert=alert, escalated_at__isnull=True).delete()
    Notification.objects.filter(alert=alert, state=Notification.State.QUEUED).update(
        state=Notification.State.CANCELLED, finished_at=timezone.now(), locked_until=None
    )
