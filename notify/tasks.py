"""The jobs the task worker runs (Django's tasks framework, ``django-tasks-db``'s database
backend and its ``db_worker``). Each is small and safe to run twice: the work it claims is
claimed in the database (``notify.planning``), not in the job.

``every_minute`` is enqueued by the scheduler process (``manage.py run_scheduler``).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from typing import Any

from django.db import transaction
from django.tasks import task
from django.utils import timezone
from django_tasks_db.models import DBTaskResult

from clinic.accounts.services import user_sessions_forget_signed_out
from notify import delivery, planning

REPLY_DELAY = dt.timedelta(minutes=1)  # a patient reading the thread needs no notification
TICK_MAX_AGE = dt.timedelta(minutes=5)  # an older tick (the worker was down) is skipped
TASK_RESULTS_KEPT = dt.timedelta(days=7)


def _enqueue_delivery(pk: int) -> object:
    return deliver.enqueue(pk)


def _again(again: Any, object_id: int, retry_at: dt.datetime | None, said: str) -> str:
    """The task ``again`` queued once more for ``object_id`` at ``retry_at``, when there is
    one; what the task's result says ("done", or ``said`` and the time)."""
    if retry_at is None:
        return "done"
    again.using(run_after=retry_at).enqueue(object_id)
    return f"{said} {retry_at.isoformat()}"


@task
def deliver(notification_id: int) -> str:
    """Send one notification; after a temporary fault, queue it again with a back-off (a
    patient's reply notice in their quiet hours: at their end)."""
    return _again(deliver, notification_id, delivery.deliver(notification_id), "again at")


@task
def send_alert(alert_id: int) -> int:
    """An urgent alert was raised: tell the patient's therapist(s) and the alert contacts."""
    return len(planning.alert_notifications(alert_id, enqueue=_enqueue_delivery))


def _tell_patient(decide: Callable[..., dt.datetime | None], again: Any, object_id: int) -> str:
    """A notice to the patient (``decide``: ``planning.reply_notifications`` or
    ``request_notifications``) claimed now, or, in their quiet hours, this task (``again``)
    queued again for when they end."""
    retry_at = decide(object_id, now=timezone.now(), enqueue=_enqueue_delivery)
    return _again(again, object_id, retry_at, "after quiet hours, at")


@task
def clinic_replied(message_id: int) -> str:
    """The clinic wrote to a patient: tell them, if they asked to be told."""
    return _tell_patient(planning.reply_notifications, clinic_replied, message_id)


def enqueue_reply(message_id: int) -> None:
    clinic_replied.using(run_after=timezone.now() + REPLY_DELAY).enqueue(message_id)


@task
def clinic_asked(request_id: int) -> str:
    """The clinic asked the patient to answer a questionnaire: tell them, unless they turned
    it off."""
    return _tell_patient(planning.request_notifications, clinic_asked, request_id)


def enqueue_request(request_id: int) -> None:
    # As a reply: a patient who has the app open sees it there (and answers) first.
    clinic_asked.using(run_after=timezone.now() + REPLY_DELAY).enqueue(request_id)


@task
def every_minute(scheduled_for: str) -> dict[str, int]:
    """The periodic work: reminders, escalations, digests, and jobs to pick up again (and, on
    the hour, housekeeping). A tick the worker reaches late (it was down) does nothing; the
    next one catches up."""
    now = timezone.now()
    minute = dt.datetime.fromisoformat(scheduled_for)
    if now - minute > TICK_MAX_AGE:
        return {"skipped": 1}
    counts = {
        "reminders": len(planning.reminders_due(now, enqueue=_enqueue_delivery)),
        "escalations": len(planning.escalations_due(now, enqueue=_enqueue_delivery)),
        "digests": len(planning.digests_due(now, enqueue=_enqueue_delivery)),
        "requeued": len(planning.stuck(now, enqueue=_enqueue_delivery)),
    }
    if minute.minute == 0:  # hourly (the tick of the hour, however late the worker reaches
        # it): finished jobs older than a week go, and the rows of the browser sessions that
        # have expired (the account pages only read them)
        with transaction.atomic():
            DBTaskResult.objects.finished().filter(finished_at__lt=now - TASK_RESULTS_KEPT).delete()
            counts["sessions_forgotten"] = user_sessions_forget_signed_out()
    return counts
