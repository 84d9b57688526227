"""What the notification tests share: running the queued jobs with the real database backend
(and the scheduler's tick), the VAPID and push settings pointing at a local push service, a
browser subscribed to it, and a patient doing their exercises."""

from __future__ import annotations

import datetime as dt
import uuid
from typing import Any

import time_machine
from django.core import mail
from django.db import transaction
from django_tasks_db.management.commands.db_worker import Worker
from django_tasks_db.models import DBTaskResult

from clinic.models import Patient, User
from notify import services as notify_services
from notify import tasks
from notify.management.commands.vapid_keys import new_key_pair
from notify.models import Notification
from rehab import services as rehab_services
from rehab.models import Prescription
from tests.notify.push_service import PushService

VAPID_PUBLIC, VAPID_PRIVATE = new_key_pair()


def run_tasks(*, limit: int = 200) -> int:
    """Run every job that is ready now, as ``db_worker`` does (claim in a locking transaction,
    then run), in this process and this test's transaction; jobs that jobs enqueue run too.
    Fails the test if a job raised. Returns the number run."""
    worker = Worker(
        queue_names=["*"],
        interval=0,
        batch=True,
        backend_name="default",
        startup_delay=False,
        max_tasks=None,
        worker_id="test-worker",
        excluded_queue_names=[],
    )
    ran = 0
    while ran < limit:
        with transaction.atomic():
            job = DBTaskResult.objects.ready().get_locked()
            if job is None:
                break
            job.claim("test-worker")
        worker.run_task(job)
        ran += 1
    failed = DBTaskResult.objects.failed()
    assert not failed.exists(), "\n".join(f"{j.task_path}: {j.traceback}" for j in failed)
    return ran


def push_settings(settings: Any) -> None:
    settings.VAPID_PUBLIC_KEY = VAPID_PUBLIC
    settings.VAPID_PRIVATE_KEY = VAPID_PRIVATE
    settings.VAPID_SUBJECT = "mailto:ops@example.org"
    settings.NOTIFY_PUSH_HOSTS = ["127.0.0.1"]
    settings.NOTIFY_PUSH_INSECURE_HOSTS = ["127.0.0.1"]
    settings.NOTIFY_PUSH_TIMEOUT = 1


def subscribe_browser(push_service: PushService, user: User) -> None:
    """A browser of ``user`` subscribed to ``push_service`` (as the account page's script does)."""
    subscription = push_service.subscribe()
    notify_services.push_subscribe(
        user=user, endpoint=subscription["endpoint"], **subscription["keys"]
    )


def tick_at(moment: dt.datetime) -> None:
    """The scheduler's tick at ``moment``, and what it enqueued run by the worker at once (the
    clock stopped at ``moment``)."""
    with time_machine.travel(moment, tick=False):
        tasks.every_minute.enqueue(moment.isoformat())
        run_tasks()


def exercises_done(patient: Patient) -> None:
    """The patient ticks every set of their plan's one exercise (today's session done)."""
    rx = Prescription.objects.get(phase__plan__patient=patient)
    rehab_services.log_record(
        patient=patient, prescription=rx, client_uuid=uuid.uuid4(), sets_done=rx.sets
    )


def cancelled_at_the_retry(patient: Patient, kind: str, retry: dt.datetime, **off: str) -> None:
    """The patient's notice of ``kind``, queued again after its first send failed, and their
    settings saved with ``off`` before ``retry``: at the retry nothing is sent, the notice is
    cancelled (the send reads their choice again)."""
    assert Notification.objects.get(kind=kind).state == "queued"
    notify_services.reminder_settings_save(patient=patient, **off)
    with time_machine.travel(retry, tick=False):
        run_tasks()
    assert not mail.outbox
    row = Notification.objects.get(kind=kind)
    assert (row.state, row.error) == ("cancelled", "the patient turned these off")
