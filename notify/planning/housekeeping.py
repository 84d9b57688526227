"""Notifications whose job was lost, queued again (or cancelled when they may no longer go)."""

from __future__ import annotations

import datetime as dt

from django.db import transaction
from django.db.models import Q

from notify.models import Notification
from notify.planning.claims import Enqueue
from notify.planning.timing import patient_timing

STUCK_AFTER = dt.timedelta(minutes=10)  # a queued notification no job has picked up


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
