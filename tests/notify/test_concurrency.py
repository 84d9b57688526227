"""Two workers at the same instant: each reminder and each alert notification is claimed, and
sent, once. Threads with their own database connections, started together (PostgreSQL: the
database CI and production run; SQLite serialises writers anyway)."""

from __future__ import annotations

import contextlib
import datetime as dt
import threading
from collections.abc import Callable
from typing import Any
from unittest import mock

import pytest
import time_machine
from django.core import mail
from django.db import connection

from notify import delivery, planning
from notify import services as notify_services
from notify.models import Notification, ReminderSettings
from tests import factories
from tests.notify.test_reminders import reminded_patient
from tests.threads import in_threads

pytestmark = [
    pytest.mark.django_db(transaction=True),
    pytest.mark.skipif(
        connection.vendor != "postgresql", reason="concurrent writers need PostgreSQL"
    ),
]


def at_once(work: Callable[[], Any], workers: int = 4) -> list[Any]:
    """``work`` in ``workers`` threads, each starting it at the same instant (a barrier)."""
    barrier = threading.Barrier(workers)

    def together() -> Any:
        barrier.wait()
        return work()

    return in_threads(*[together] * workers, timeout=60)


def test_four_workers_due_the_same_reminder_claim_it_once() -> None:
    due = dt.datetime(2026, 6, 2, 7, 0, tzinfo=dt.UTC)
    reminded_patient(due - dt.timedelta(days=1))  # at 08:00, by email
    with time_machine.travel(due, tick=False):
        claimed = at_once(lambda: planning.reminders_due(due, enqueue=lambda pk: None))
    assert sorted(len(c) for c in claimed) == [0, 0, 0, 1]
    assert Notification.objects.count() == 1


def test_four_delivery_jobs_for_one_notification_send_it_once() -> None:
    clinician = factories.ClinicianFactory()
    patient = factories.PatientFactory(clinic=clinician.clinic)
    factories.PlanFactory(patient=patient, created_by=clinician.user)
    alert = factories.AlertFactory(patient=patient)
    [pk] = planning.alert_notifications(alert.pk, enqueue=lambda pk: None)
    at_once(lambda: delivery.deliver(pk))
    assert len(mail.outbox) == 1
    notification = Notification.objects.get(pk=pk)
    assert (notification.state, notification.attempts) == ("sent", 1)


def test_first_reminder_settings_saved_twice_at_once_store_one_row_without_error() -> None:
    """The first time there is no settings row to lock: two saves at once (a double-tapped
    Save, a retried request) both inserted, and the second failed on the unique patient (a
    500). The patient's row is locked first now."""
    patient = factories.PatientFactory()
    barrier = threading.Barrier(2, timeout=2)
    original = notify_services.planning.reschedule

    def reschedule_then_wait(row: Any, *, after: Any) -> None:
        original(row, after=after)
        # The other may be waiting on a lock instead (the fix): then no one comes.
        with contextlib.suppress(threading.BrokenBarrierError):
            barrier.wait()  # both have looked for the row before either inserts

    def save() -> None:
        notify_services.reminder_settings_save(
            patient=patient, enabled=True, morning=dt.time(8, 0), channel="push"
        )

    with mock.patch.object(notify_services.planning, "reschedule", reschedule_then_wait):
        in_threads(save, save)
    assert ReminderSettings.objects.filter(patient=patient).count() == 1
