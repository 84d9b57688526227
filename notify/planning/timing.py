"""When a notification to a patient may go: a reminder within its late limit and outside the
patient's quiet hours, a notice (the clinic replied, the clinic asks) once the quiet hours
end; checked at the claim and again at every try."""

from __future__ import annotations

import datetime as dt
import zoneinfo

from notify import hours
from notify.models import Notification, ReminderSettings

REMINDER_LATE_LIMIT = dt.timedelta(minutes=30)  # later than this, a reminder is skipped
# The patient's notices (the clinic replied, the clinic asks) and the field of
# ``ReminderSettings`` that holds the channel they chose for each.
NOTICE_CHOICE = {Notification.Kind.REPLY: "replies", Notification.Kind.REQUEST: "requests"}
NOTICE_KINDS = tuple(NOTICE_CHOICE)


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
