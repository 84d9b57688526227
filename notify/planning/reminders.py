"""Exercise reminders: the next one stored per patient (``ReminderSettings.next_reminder_at``)
and, when its time comes, one claimed if exercises are waiting."""

from __future__ import annotations

import datetime as dt

from django.db import transaction

from clinic.models import Patient
from notify import channels as notify_channels
from notify import recipients, schedule
from notify.models import Notification, ReminderSettings
from notify.planning.claims import Enqueue, claim_each
from notify.planning.timing import REMINDER_LATE_LIMIT
from rehab.selectors.today import today_for_patient


def reschedule(settings_row: ReminderSettings, *, after: dt.datetime) -> None:
    """Store the next reminder after ``after`` (none when off, or when the patient has left
    care)."""
    patient = settings_row.patient
    slot = None
    if patient.status == Patient.Status.ACTIVE:
        slot = schedule.next_slot(settings_row, patient.tz, after=after)
    settings_row.next_reminder_at = slot.at if slot else None
    settings_row.next_slot = slot.name if slot else ""
    settings_row.next_slot_date = slot.day if slot else None


def exercises_waiting(patient: Patient, day: dt.date) -> bool:
    """Exercises due on ``day`` and not yet all done, in an active plan of a patient still in
    care (a paused, completed or missing plan has none)."""
    if patient.status != Patient.Status.ACTIVE:
        return False
    today = today_for_patient(patient, day=day, own_media=False)  # no card is drawn
    if today.paused:  # a red flag paused exercise until a clinician's review
        return False
    return any(not item.done for item in today.due_items)


def _due_now(row: ReminderSettings, now: dt.datetime) -> bool:
    """Whether the row's slot is due now, after putting it right if it is stale: the settings
    or the time zone changed behind it (a travelling patient's new zone), or the scheduler was
    down. A slot more than ``REMINDER_LATE_LIMIT`` late is dropped, never sent late."""
    due_at = row.next_reminder_at
    stale = (
        due_at is None
        or schedule.slot_instant(row, row.patient.tz) != due_at
        or now - due_at > REMINDER_LATE_LIMIT
    )
    if stale:
        reschedule(row, after=now - REMINDER_LATE_LIMIT)
    return row.next_reminder_at is not None and row.next_reminder_at <= now


def _remind(row: ReminderSettings, enqueue: Enqueue) -> list[int]:
    patient = row.patient
    day = row.next_slot_date
    if day is None or day != patient.local_today():
        return []
    recipient = recipients.patient_recipient(patient)
    if recipient is None or not exercises_waiting(patient, day):
        return []
    return claim_each(
        kind=Notification.Kind.REMINDER,
        slot=f"p{patient.pk}:{day.isoformat()}:{row.next_slot}",
        recipient=recipient,
        channels=row.channels_for("channel", push=notify_channels.push_enabled()),
        enqueue=enqueue,
        patient=patient,
    )


def reminders_due(now: dt.datetime, *, enqueue: Enqueue) -> list[int]:
    """Every reminder whose time has come: sent when exercises are waiting, then the next one
    scheduled. Reads only the rows that are due (``next_reminder_at``)."""
    claimed: list[int] = []
    due = (
        ReminderSettings.objects.filter(enabled=True, next_reminder_at__lte=now)
        .select_related("patient__user")
        .order_by("next_reminder_at")
    )
    for row in due:
        with transaction.atomic():
            if _due_now(row, now):
                claimed += _remind(row, enqueue)
                reschedule(row, after=row.next_reminder_at or now)
            ReminderSettings.objects.filter(pk=row.pk).update(
                next_reminder_at=row.next_reminder_at,
                next_slot=row.next_slot,
                next_slot_date=row.next_slot_date,
            )
    return claimed
