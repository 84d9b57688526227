"""notify.tasks: the scheduler's periodic tick and its hourly housekeeping."""

from __future__ import annotations

import datetime as dt

import pytest
import time_machine
from django.contrib.sessions.models import Session
from django.test import Client
from django.utils import timezone

from clinic.models import Clinician, UserSession
from notify import tasks

pytestmark = pytest.mark.django_db


def _signed_in(clinician: Clinician) -> str:
    client = Client()
    client.force_login(clinician.user)
    return str(client.session.session_key)


def test_the_hourly_tick_forgets_the_rows_of_sessions_expired_or_gone(
    clinician: Clinician, other_clinician: Clinician
) -> None:
    on_the_hour = timezone.now().replace(minute=0, second=5, microsecond=0) + dt.timedelta(hours=1)
    # Signed in five minutes before the hour, whatever the time the test runs: a staff session
    # ends after 30 idle minutes, so one made now could have expired by the next hour.
    with time_machine.travel(on_the_hour - dt.timedelta(minutes=5), tick=False):
        live, expired, gone = (_signed_in(clinician) for _ in range(3))
        theirs = _signed_in(other_clinician)
        Session.objects.filter(session_key=expired).update(
            expire_date=timezone.now() - dt.timedelta(minutes=1)
        )
    Session.objects.filter(session_key=gone).delete()
    with time_machine.travel(on_the_hour - dt.timedelta(minutes=1), tick=False):
        tasks.every_minute.call((on_the_hour - dt.timedelta(minutes=1)).isoformat())
        assert UserSession.objects.count() == 4  # not on the hour: nothing forgotten
    with time_machine.travel(on_the_hour, tick=False):
        counts = tasks.every_minute.call(on_the_hour.isoformat())
    remaining = set(UserSession.objects.values_list("session_key", flat=True))
    assert remaining == {live, theirs}
    assert counts["sessions_forgotten"] == 2


def test_the_hour_s_tick_does_the_housekeeping_when_the_worker_reaches_it_late(
    clinician: Clinician,
) -> None:
    """(from review) Whether it was the hourly tick was read from the worker's clock, not from
    the tick: the tick of 11:00 run at 11:01 (a busy worker) skipped the housekeeping, and the
    tick of 10:59 run at 11:00 did it instead."""
    on_the_hour = timezone.now().replace(minute=0, second=0, microsecond=0) + dt.timedelta(hours=1)
    with time_machine.travel(on_the_hour - dt.timedelta(minutes=5), tick=False):
        gone = _signed_in(clinician)
    Session.objects.filter(session_key=gone).delete()
    with time_machine.travel(on_the_hour + dt.timedelta(seconds=10), tick=False):
        counts = tasks.every_minute.call((on_the_hour - dt.timedelta(minutes=1)).isoformat())
    assert "sessions_forgotten" not in counts  # the tick of the minute before the hour
    with time_machine.travel(on_the_hour + dt.timedelta(seconds=90), tick=False):
        counts = tasks.every_minute.call(on_the_hour.isoformat())
    assert counts["sessions_forgotten"] == 1
