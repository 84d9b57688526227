"""The real processes: ``db_worker`` (django-tasks-db's worker) picks up a red flag's job and
sends the therapist's email; the scheduler enqueues a tick each minute and stops cleanly."""

from __future__ import annotations

import datetime as dt
import os
import signal
import sqlite3
import subprocess
import sys
import tempfile
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import pytest
from django.core.management import call_command
from django.db import connection
from django.utils import timezone
from django_tasks_db.models import DBTaskResult

from notify.models import Notification
from tests import factories

pytestmark = pytest.mark.django_db(transaction=True)

ROOT = Path(__file__).resolve().parents[2]


@contextmanager
def shared_database() -> Iterator[str]:
    """A ``DATABASE_URL`` another process can open, holding this test's data; what that
    process writes is seen here afterwards. PostgreSQL: the test database itself. SQLite in
    memory: a copy in a file, copied back at the end."""
    settings = connection.settings_dict
    if connection.vendor == "postgresql":
        user = settings.get("USER") or "postgres"
        password = f":{settings['PASSWORD']}" if settings.get("PASSWORD") else ""
        host = settings.get("HOST") or "127.0.0.1"
        port = settings.get("PORT") or 5432
        yield f"postgres://{user}{password}@{host}:{port}/{settings['NAME']}"
        return
    connection.ensure_connection()
    if not connection.is_in_memory_db():
        yield f"sqlite:///{settings['NAME']}"
        return
    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / "shared.sqlite3"
        memory = connection.connection
        with sqlite3.connect(path) as copy:
            memory.backup(copy)
        yield f"sqlite:///{path}"
        with sqlite3.connect(path) as copy:
            copy.backup(memory)


def manage(*args: str, database_url: str, **popen: object) -> subprocess.Popen[str]:
    env = {
        **os.environ,
        "DATABASE_URL": database_url,
        "DEBUG": "1",
        "EMAIL_BACKEND": "console",
        "PYTHONUNBUFFERED": "1",
    }
    env.pop("VAPID_PRIVATE_KEY", None)
    env.pop("VAPID_PUBLIC_KEY", None)
    return subprocess.Popen(  # noqa: S603 (our own manage.py)
        [sys.executable, "manage.py", *args],
        cwd=ROOT,
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
        **popen,  # type: ignore[call-overload]
    )


def test_a_real_worker_process_picks_up_a_red_flag_and_emails_the_therapist() -> None:
    therapist = factories.ClinicianFactory(user__email="therapist@worker.example")
    patient = factories.PatientFactory(clinic=therapist.clinic, first_name="Olivia")
    factories.PlanFactory(patient=patient, created_by=therapist.user)
    factories.red_flags_reported(patient, "pe")
    assert DBTaskResult.objects.ready().count() == 1  # the job, stored with the alert

    with shared_database() as url:
        worker = manage(
            "db_worker",
            "--batch",
            "--no-reload",
            "--no-startup-delay",
            "--interval",
            "0",
            database_url=url,
        )
        output, _ = worker.communicate(timeout=120)
    assert worker.returncode == 0, output

    assert "To: therapist@worker.example" in output  # the console mail backend
    assert "Subject: Urgent: Olivia needs your attention" in output
    jobs = DBTaskResult.objects.values_list("task_path", "status")
    assert sorted(jobs) == [
        ("notify.tasks.deliver", "SUCCESSFUL"),
        ("notify.tasks.send_alert", "SUCCESSFUL"),
    ]
    # The row names the therapist; their address is looked up when it is sent.
    assert list(Notification.objects.values_list("user_id", "email", "state")) == [
        (therapist.user_id, "", "sent")
    ]


def test_the_scheduler_enqueues_a_tick_at_once_and_stops_on_sigterm() -> None:
    before = timezone.now().replace(second=0, microsecond=0)
    with shared_database() as url:
        scheduler = manage("run_scheduler", database_url=url)
        assert scheduler.stdout is not None
        started = scheduler.stdout.readline()
        assert "Scheduler started" in started
        time.sleep(1)  # the first tick is enqueued before the first wait
        scheduler.send_signal(signal.SIGTERM)
        output, _ = scheduler.communicate(timeout=20)
    after = timezone.now().replace(second=0, microsecond=0)
    assert scheduler.returncode == 0, output
    assert "Scheduler stopped." in output
    ticks = DBTaskResult.objects.order_by("enqueued_at").values_list("task_path", "args_kwargs")
    # One tick for each minute the scheduler ran in: the minute it started in (enqueued at
    # once, before the first wait) and, if a minute turned before SIGTERM, the new one.
    minutes = [dt.datetime.fromisoformat(args["args"][0]) for _, args in ticks]
    assert minutes, "no tick enqueued"
    assert {path for path, _ in ticks} == {"notify.tasks.every_minute"}
    assert before <= minutes[0] <= after
    assert minutes == [minutes[0] + dt.timedelta(minutes=n) for n in range(len(minutes))]
    assert minutes[-1] <= after


def test_run_scheduler_once() -> None:
    call_command("run_scheduler", "--once")
    call_command("run_scheduler", "--once")
    assert DBTaskResult.objects.filter(task_path="notify.tasks.every_minute").count() == 2
