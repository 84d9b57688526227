"""The scheduler process: at the start of every minute, enqueue the periodic job
(``notify.tasks.every_minute``) for the task worker to run.

It decides nothing itself and keeps no state: the job finds what is due (reminders,
escalations, digests) and claims each notification in the database, so a tick that runs
twice, or two schedulers, send nothing twice. ``--once`` enqueues one tick and exits (for a
system cron or a Kubernetes CronJob instead of this loop).
"""

from __future__ import annotations

import datetime as dt
import logging
import signal
import threading
from typing import Any

from django.core.management.base import BaseCommand, CommandParser
from django.db import DatabaseError, close_old_connections
from django.utils import timezone

from notify import tasks

logger = logging.getLogger("notify.scheduler")
MINUTE = dt.timedelta(minutes=1)


class Command(BaseCommand):
    help = "Enqueue the periodic notification job every minute (the scheduler process)."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--once", action="store_true", help="Enqueue one tick and exit.")

    def handle(self, *args: Any, once: bool = False, **options: Any) -> None:
        stop = threading.Event()

        def request_stop(signum: int, frame: Any) -> None:
            stop.set()

        if not once:
            signal.signal(signal.SIGTERM, request_stop)
            signal.signal(signal.SIGINT, request_stop)
            self.stdout.write("Scheduler started: a tick every minute (Ctrl-C to stop).")
        while not stop.is_set():
            minute = timezone.now().replace(second=0, microsecond=0)
            close_old_connections()
            try:
                tasks.every_minute.enqueue(minute.isoformat())
            except DatabaseError:  # the database is down or busy: the next minute tries again
                logger.exception("could not enqueue the tick of %s", minute.isoformat())
            else:
                logger.debug("tick %s enqueued", minute.isoformat())
            if once:
                return
            stop.wait(max(0.0, (minute + MINUTE - timezone.now()).total_seconds()))
        self.stdout.write("Scheduler stopped.")
