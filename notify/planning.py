"""Deciding what to send and claiming it: one ``Notification`` row per recipient, kind, slot
and channel, inserted under a unique key. The insert is the claim: a second worker, a
retried job or a scheduler tick that ran twice finds the key taken and sends nothing.

Each function takes ``enqueue``, called with the id of every notification it claimed, in the
same transaction as the claim (``notify.tasks`` passes the delivery task's ``enqueue``: with
the database task backend the job and the claim commit together or not at all).
"""

from __future__ import annotations

import datetime as dt
import logging
import zoneinfo
from collections.abc import Callable, Iterable

from django.conf import settings
from django.db import IntegrityError, transaction
from django.db.models import Q
from django.utils import timezone

from clinic.models import Clinic, Message, Patient
from notify import channels as notify_channels
from notify import hours, recipients, schedule
from notify.models import (
    AlertEscalation,
    Channel,
    Notification,
    ReminderSettings,
)
from notify.recipients import Recipient
from rehab.models.alerts import Alert
from rehab.models.logbook import AtrsRequest
from rehab.models.plans import Plan
from rehab.selectors.clinician import patients_with_unread_messages
from rehab.selectors.today import today_for_patient

logger = logging.getLogger(__name__)

Enqueue = Callable[[int], object]

REMINDER_LATE_LIMIT = dt.timedelta(minutes=30)  # later than this, a reminder is skipped
DIGEST_WINDOW = dt.timedelta(minutes=30)  # the digest goes in the half hour after its time
STUCK_AFTER = dt.timedelta(minutes=10)  # a queued notification no job has picked up
# The patient's notices (the clinic replied, the clinic asks) and the field of
# ``ReminderSettings`` that holds the channel they chose for each.
NOTICE_CHOICE = {Notification.Kind.REPLY: "replies", Notification.Kind.REQUEST: "requests"}
NOTICE_KINDS = tuple(NOTICE_CHOICE)


def is_urgent(alert: Alert) -> bool:
    """Urgent alerts (``NOTIFY_URGENT_ALERT_KINDS``: a red flag, pain ≥ 7, a paused plan)
    go to the clinic at once and escalate when nobody acknowledges them."""
    return alert.kind in settings.NOTIFY_URGENT_ALERT_KINDS


def claim(*, key: str, **fields: object) -> Notification | None:
    """Insert the notification under ``key``; None if another run has it already."""
    try:
        with transaction.atomic():  # a savepoint: a refused insert leaves the caller's usable
            return Notification.objects.create(key=key, **fields)
    except IntegrityError:
        if Notification.objects.filter(key=key).exists():
            return None
        raise


def _notify(
    *,
    kind: str,
    slot: str,
    recipient: Recipient,
    channels: Iterable[str],
    enqueue: Enqueue,
    patient: Patient | None = None,
    alert: Alert | None = None,
) -> list[int]:
    claimed = []
    for channel in channels:
        if channel == Channel.EMAIL and not recipient.email:
            continue
        if channel == Channel.PUSH and (recipient.user is None or not recipient.push):
            continue
        notification = claim(
            key=f"{kind}:{slot}:{recipient.key}:{channel}",
            kind=kind,
            channel=channel,
            user=recipient.user,
            email=recipient.email if channel == Channel.EMAIL else "",
            patient=patient,
            alert=alert,
        )
        if notification is not None:
            enqueue(notification.pk)
            claimed.append(notification.pk)
    return claimed


# --- Alerts ----------------------------------------------------------------------------------


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
        claimed += _notify(
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


# --- Reminders -------------------------------------------------------------------------------


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
    today = today_for_patient(patient, day=day)
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


def quiet_hours_end(
    row: ReminderSettings, tz: zoneinfo.ZoneInfo, now: dt.datetime
) -> dt.datetime | None:
    """When the patient's quiet hours end, if ``now`` falls in them; None if it does not."""
    local_now = now.astimezone(tz)
    if row.quiet_end is None or not row.is_quiet(local_now.time().replace(tzinfo=None)):
        return None
    end = hours.local_instant(local_now.date(), row.quiet_end, tz)
    if end > now:
        return end
    return hours.local_instant(local_now.date() + dt.timedelta(days=1), row.quiet_end, tz)


def _reminder_due_at(notification: Notification, row: ReminderSettings | None) -> dt.datetime:
    """When the reminder was due: its slot's time on its day (both in its key, as ``_remind``
    wrote it), as the settings and time zone read now. The slot was due when the reminder was
    claimed, at most ``REMINDER_LATE_LIMIT`` before: a slot time outside that (the settings
    changed since) is not its time, and the claim's own time stands for it."""
    claimed = notification.created_at
    parts = notification.key.split(":")
    times = dict(row.slot_times()) if row is not None else {}
    at = times.get(parts[3]) if len(parts) > 3 else None
    if at is None or notification.patient is None:
        return claimed
    try:
        day = dt.date.fromisoformat(parts[2])
    except ValueError:
        return claimed
    due = hours.local_instant(day, at, notification.patient.tz)
    return due if claimed - REMINDER_LATE_LIMIT <= due <= claimed else claimed


def _quiet_hours_start(
    row: ReminderSettings, tz: zoneinfo.ZoneInfo, now: dt.datetime
) -> dt.datetime | None:
    """When the patient's quiet hours next begin after ``now``; None without quiet hours."""
    if row.quiet_start is None or row.quiet_start == row.quiet_end:
        return None
    today = now.astimezone(tz).date()
    starts = (
        hours.local_instant(today + dt.timedelta(days=offset), row.quiet_start, tz)
        for offset in (0, 1)
    )
    return next(start for start in starts if start > now)


def patient_deadline(notification: Notification, now: dt.datetime) -> dt.datetime | None:
    """Until when a patient's reminder or reply notice may still reach their phone (a push
    service keeps it that long for a phone that is off): a reminder until its late limit
    (``REMINDER_LATE_LIMIT`` after its time); either only until the patient's quiet hours
    begin. None for other kinds (no limit of the patient's)."""
    kind, patient = notification.kind, notification.patient
    if patient is None or kind not in (Notification.Kind.REMINDER, *NOTICE_KINDS):
        return None
    row = ReminderSettings.objects.filter(patient=patient).first()
    deadline = None
    if kind == Notification.Kind.REMINDER:
        deadline = _reminder_due_at(notification, row) + REMINDER_LATE_LIMIT
    quiet = _quiet_hours_start(row, patient.tz, now) if row is not None else None
    if quiet is not None:
        deadline = quiet if deadline is None else min(deadline, quiet)
    return deadline


def patient_timing(notification: Notification, now: dt.datetime) -> tuple[str, dt.datetime | None]:
    """Whether a patient's reminder or reply notice may go at ``now`` (checked at every try,
    the first, a retry after a fault, or a lost job's): ``(why it should not go at all, when
    it may go instead)``, ``("", None)`` when it may go now. A reminder in the patient's quiet
    hours or more than ``REMINDER_LATE_LIMIT`` after its time is dropped, never sent late; a
    reply or request notice (``NOTICE_KINDS``) waits for the end of the quiet hours. Other
    kinds go at any hour."""
    kind, patient = notification.kind, notification.patient
    if patient is None or kind not in (Notification.Kind.REMINDER, *NOTICE_KINDS):
        return "", None
    row = ReminderSettings.objects.filter(patient=patient).first()
    quiet_until = quiet_hours_end(row, patient.tz, now) if row is not None else None
    if kind in NOTICE_KINDS:
        return "", quiet_until
    if quiet_until is not None:
        return "in the patient's quiet hours", None
    if now - _reminder_due_at(notification, row) > REMINDER_LATE_LIMIT:
        minutes = int(REMINDER_LATE_LIMIT.total_seconds() // 60)
        return f"too late (more than {minutes} minutes after its time)", None
    return "", None


def _remind(row: ReminderSettings, enqueue: Enqueue) -> list[int]:
    patient = row.patient
    day = row.next_slot_date
    if day is None or day != patient.local_today():
        return []
    recipient = recipients.patient_recipient(patient)
    if recipient is None or not exercises_waiting(patient, day):
        return []
    return _notify(
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


# --- Notices to the patient: the clinic replied, the clinic asks ---------------------------


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
        _notify(
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
        Message.objects.filter(patient=patient, from_patient=False, read_at__isnull=True)
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


# --- Digests -----------------------------------------------------------------------------------


def unread_first_names(clinic: Clinic) -> list[str]:
    """The first names of the clinic's patients with unread messages (longest waiting
    first): all a digest says about them."""
    return [p.first_name for p in patients_with_unread_messages(clinic.pk).only("first_name")]


def digests_due(now: dt.datetime, *, enqueue: Enqueue) -> list[int]:
    """At each clinic's digest time, on the days it is open: each clinician who has not
    turned it off gets one email if patients' messages are waiting."""
    claimed: list[int] = []
    for clinic in Clinic.objects.all():
        tz = hours.tz_of(clinic)
        day = now.astimezone(tz).date()
        at = hours.local_instant(day, clinic.message_digest_time, tz)
        if not at <= now < at + DIGEST_WINDOW:
            continue
        if hours.has_hours(clinic) and not clinic.opening_hours[day.weekday()]:
            continue
        slot = f"c{clinic.pk}:{day.isoformat()}"
        if Notification.objects.filter(
            kind=Notification.Kind.DIGEST, key__startswith=f"digest:{slot}:"
        ).exists():
            continue  # sent (or being sent) today: nothing to decide again
        if not unread_first_names(clinic):
            continue
        with transaction.atomic():
            for recipient in recipients.digest_recipients(clinic):
                claimed += _notify(
                    kind=Notification.Kind.DIGEST,
                    slot=slot,
                    recipient=recipient,
                    channels=(Channel.EMAIL,),
                    enqueue=enqueue,
                )
    return claimed


# --- Housekeeping ----------------------------------------------------------------------------


def stuck(now: dt.datetime, *, enqueue: Enqueue) -> list[int]:
    """Queued notifications whose job was lost (a worker that died mid-send, a job row
    removed): queued again. Their lease must have run out, so a live send is never doubled.
    A reminder that may no longer go (``patient_timing``: the patient's quiet hours, too late)
    is cancelled instead; a reply notice in the quiet hours is due at their end (its job finds
    it so and waits). Returns the ids queued again."""
    lost = Notification.objects.filter(
        state=Notification.State.QUEUED, next_attempt_at__lte=now - STUCK_AFTER
    ).filter(Q(locked_until__isnull=True) | Q(locked_until__lte=now))
    ids = []
    for notification in lost.select_related("patient").order_by("pk")[:500]:
        reason, later = patient_timing(notification, now)
        with transaction.atomic():
            row = lost.filter(pk=notification.pk)
            if reason:
                row.update(
                    state=Notification.State.CANCELLED,
                    error=reason,
                    finished_at=now,
                    locked_until=None,
                )
                continue
            if row.update(next_attempt_at=later or now):
                enqueue(notification.pk)
                ids.append(notification.pk)
    return ids
