"""Deciding what to send and claiming it: one ``Notification`` row per recipient, kind, slot
and channel, inserted under a unique key. The insert is the claim: a second worker, a
retried job or a scheduler tick that ran twice finds the key taken and sends nothing.

Each function takes ``enqueue``, called with the id of every notification it claimed, in the
same transaction as the claim (``notify.tasks`` passes the delivery task's ``enqueue``: with
the database task backend the job and the claim commit together or not at all).

One module a job: ``claims`` (the claim itself), ``alerts`` (to the clinic, and escalations),
``reminders``, ``notices`` (the clinic replied, the clinic asks), ``digests``, ``timing``
(when a patient's notification may go: quiet hours, late limits) and ``housekeeping`` (lost
jobs). The rest of the app calls them through this package's names.
"""

from __future__ import annotations

from notify.planning.alerts import (
    CLINIC_HOURS_FIELDS,
    alert_acknowledged,
    alert_notifications,
    alert_raised,
    clinic_hours_changed,
    escalations_due,
)
from notify.planning.claims import Enqueue, claim, is_urgent
from notify.planning.digests import DIGEST_WINDOW, digests_due, unread_first_names
from notify.planning.housekeeping import STUCK_AFTER, stuck
from notify.planning.notices import (
    notice_channels,
    notice_settings,
    reply_notifications,
    request_notifications,
    request_open,
)
from notify.planning.reminders import exercises_waiting, reminders_due, reschedule
from notify.planning.timing import (
    NOTICE_KINDS,
    REMINDER_LATE_LIMIT,
    patient_deadline,
    patient_timing,
    quiet_hours_end,
)

__all__ = [
    "CLINIC_HOURS_FIELDS",
    "DIGEST_WINDOW",
    "NOTICE_KINDS",
    "REMINDER_LATE_LIMIT",
    "STUCK_AFTER",
    "Enqueue",
    "alert_acknowledged",
    "alert_notifications",
    "alert_raised",
    "claim",
    "clinic_hours_changed",
    "digests_due",
    "escalations_due",
    "exercises_waiting",
    "is_urgent",
    "notice_channels",
    "notice_settings",
    "patient_deadline",
    "patient_timing",
    "quiet_hours_end",
    "reminders_due",
    "reply_notifications",
    "request_notifications",
    "request_open",
    "reschedule",
    "stuck",
    "unread_first_names",
]
