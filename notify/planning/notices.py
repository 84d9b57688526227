"""Notices to the patient: the clinic replied, the clinic asks them to answer questions; by
the channel they chose for each, once, after their quiet hours."""

from __future__ import annotations

import datetime as dt

from django.db import transaction

from clinic.models import Message, Patient
from notify import channels as notify_channels
from notify import recipients
from notify.models import Channel, Notification, ReminderSettings
from notify.planning.claims import Enqueue, claim_each
from notify.planning.timing import NOTICE_CHOICE, quiet_hours_end
from rehab.models.logbook import AtrsRequest
from rehab.models.plans import Plan


def notice_settings(patient: Patient) -> ReminderSettings:
    """The patient's settings, or the defaults for one who never saved them (no reply
    notices; requests by email)."""
    return ReminderSettings.objects.filter(patient=patient).first() or ReminderSettings(
        patient=patient
    )


def notice_channels(row: ReminderSettings, kind: str) -> list[Channel]:
    """The channels the patient chose for a notice of ``kind`` (as it reads on this server:
    email only without web push)."""
    return row.channels_for(
        NOTICE_CHOICE[Notification.Kind(kind)], push=notify_channels.push_enabled()
    )


def _patient_notice(
    *, patient: Patient, kind: str, slot: str, now: dt.datetime, enqueue: Enqueue
) -> dt.datetime | None:
    """Tell the patient (``kind``: a reply, a request) by the channels they chose for it,
    once per ``slot``, if they are in care and can sign in. Returns when to try again if it
    is their quiet time now."""
    row = notice_settings(patient)
    recipient = recipients.patient_recipient(patient)
    channels = notice_channels(row, kind)
    if not channels or recipient is None or patient.status != Patient.Status.ACTIVE:
        return None
    end = quiet_hours_end(row, patient.tz, now)
    if end is not None:
        return end
    with transaction.atomic():
        claim_each(
            kind=kind,
            slot=slot,
            recipient=recipient,
            channels=channels,
            enqueue=enqueue,
            patient=patient,
        )
    return None


def reply_notifications(
    message_id: int, *, now: dt.datetime, enqueue: Enqueue
) -> dt.datetime | None:
    """Tell the patient the clinic replied (their choice of channel), once for a run of
    replies they have not read. Returns when to try again if it is their quiet time now."""
    message = (
        Message.objects.select_related("patient__user", "patient__clinic")
        .filter(pk=message_id, from_patient=False)
        .first()
    )
    if message is None or message.read_at is not None:
        return None
    patient = message.patient
    first_unread = (
        Message.objects.unread(by_patient=True)
        .filter(patient=patient)
        .order_by("created_at", "pk")
        .values_list("pk", flat=True)
        .first()
    )
    return _patient_notice(
        patient=patient,
        kind=Notification.Kind.REPLY,
        slot=f"m{first_unread or message.pk}",
        now=now,
        enqueue=enqueue,
    )


def request_open(patient: Patient) -> bool:
    """Whether the clinic has asked the patient something they have not answered yet, and
    they can answer it (a paused plan waits for a clinician's review: nothing to ask then)."""
    if Plan.objects.filter(patient=patient, status=Plan.Status.PAUSED).exists():
        return False
    return AtrsRequest.objects.filter(patient=patient, response__isnull=True).exists()


def request_notifications(
    request_id: int, *, now: dt.datetime, enqueue: Enqueue
) -> dt.datetime | None:
    """Tell the patient the clinic asked them to fill in a questionnaire (their choice of
    channel), once per request, in words that say nothing of what it asks. Returns when to
    try again if it is their quiet time now."""
    request = (
        AtrsRequest.objects.select_related("patient__user", "patient__clinic")
        .filter(pk=request_id, response__isnull=True)
        .first()
    )
    if request is None or not request_open(request.patient):
        return None
    return _patient_notice(
        patient=request.patient,
        kind=Notification.Kind.REQUEST,
        slot=f"atrs{request.pk}",
        now=now,
        enqueue=enqueue,
    )
