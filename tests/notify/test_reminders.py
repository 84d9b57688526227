"""Reminders the patient chose: at their wall-clock time in their own time zone (across a
daylight-saving change, and after they travel), only when exercises are due and not yet done,
never after care ended, once per slot however many workers or ticks run."""

from __future__ import annotations

import datetime as dt
import re
import zoneinfo
from typing import Any
from unittest import mock
from urllib.parse import urlsplit

import pytest
import time_machine
from django.core import mail
from django.core.exceptions import ValidationError
from django.test import Client
from django.urls import reverse

from clinic.models import Patient
from clinic.services import patients as patient_services
from notify import channels, content, planning, tasks, tokens
from notify import services as notify_services
from notify.channels import Outcome, Result
from notify.models import Notification, PushSubscription, ReminderSettings
from rehab.models import Exercise, Plan, Prescription
from tests import factories
from tests.notify.helpers import exercises_done, run_tasks, subscribe_browser, tick_at
from tests.notify.push_service import PushService

pytestmark = pytest.mark.django_db

LONDON = zoneinfo.ZoneInfo("Europe/London")
NEW_YORK = zoneinfo.ZoneInfo("America/New_York")


def patient_with_exercises(*, days_per_week: int = 7, tz: str = "Europe/London") -> Patient:
    """An active patient whose plan has one exercise due every day."""
    patient = factories.PatientFactory(
        first_name="Robin",
        timezone=tz,
        injury_date=dt.date(2026, 1, 1),
        surgery_date=dt.date(2026, 1, 2),
    )
    plan = factories.PlanFactory(patient=patient)
    phase = factories.PlanPhaseFactory(plan=plan, start_week=0, end_week=104)
    plan.current_phase = phase
    plan.save(update_fields=["current_phase"])
    factories.PrescriptionFactory(phase=phase, days_per_week=days_per_week, times_per_day=1)
    return patient


def turn_on(patient: Patient, **fields: Any) -> ReminderSettings:
    values: dict[str, Any] = {
        "enabled": True,
        "morning": dt.time(8, 0),
        "evening": None,
        "channel": "email",
        **fields,
    }
    return notify_services.reminder_settings_save(patient=patient, **values)


def reminded_patient(since: dt.datetime, **fields: Any) -> Patient:
    """``patient_with_exercises``, who turned reminders on at ``since`` (``turn_on``'s fields)."""
    with time_machine.travel(since, tick=False):
        patient = patient_with_exercises()
        turn_on(patient, **fields)
    return patient


def tick_every(start: dt.datetime, end: dt.datetime, step: dt.timedelta) -> list[Notification]:
    """The scheduler's ticks from ``start`` to ``end``, each run by the worker at once."""
    moment = start
    while moment < end:
        tick_at(moment)
        moment += step
    return list(Notification.objects.filter(kind="reminder").order_by("created_at"))


def unsubscribe_link(notification: Notification) -> str:
    """The path of the unsubscribe link in the email ``notification`` sends."""
    token = tokens.make(content.unsubscribe_request(notification))
    return reverse("notify:unsubscribe", args=[token])


def local_times(notifications: list[Notification], tz: dt.tzinfo) -> list[str]:
    return [n.created_at.astimezone(tz).strftime("%a %d %H:%M") for n in notifications]


def test_at_eight_local_time_on_both_sides_of_the_spring_clock_change() -> None:
    # Europe/London goes from GMT to BST at 01:00 UTC on Sunday 29 March 2026.
    reminded_patient(dt.datetime(2026, 3, 27, 12, 0, tzinfo=dt.UTC))
    sent = tick_every(
        dt.datetime(2026, 3, 28, 0, 0, tzinfo=dt.UTC),
        dt.datetime(2026, 3, 31, 0, 0, tzinfo=dt.UTC),
        dt.timedelta(minutes=10),
    )
    assert local_times(sent, LONDON) == ["Sat 28 08:00", "Sun 29 08:00", "Mon 30 08:00"]
    # 08:00 GMT is 08:00 UTC; 08:00 BST is 07:00 UTC: the UTC time moved, the wall clock not.
    assert [n.created_at.astimezone(dt.UTC).hour for n in sent] == [8, 7, 7]
    assert len(mail.outbox) == 3


def test_at_eight_local_time_across_the_autumn_change_and_a_repeated_hour() -> None:
    # BST ends at 01:00 UTC on Sunday 25 October 2026: 01:00-02:00 local happens twice.
    reminded_patient(
        dt.datetime(2026, 10, 23, 12, 0, tzinfo=dt.UTC),
        morning=dt.time(1, 30),
        evening=dt.time(20, 0),
    )
    sent = tick_every(
        dt.datetime(2026, 10, 24, 0, 0, tzinfo=dt.UTC),
        dt.datetime(2026, 10, 26, 0, 0, tzinfo=dt.UTC),
        dt.timedelta(minutes=10),
    )
    # 01:30 on the 25th happens twice (BST, then GMT): one reminder, the first time.
    assert local_times(sent, LONDON) == [
        "Sat 24 01:30",
        "Sat 24 20:00",
        "Sun 25 01:30",
        "Sun 25 20:00",
    ]
    assert sent[2].created_at == dt.datetime(2026, 10, 25, 0, 30, tzinfo=dt.UTC)


def test_a_time_the_clocks_skip_comes_just_after_the_gap() -> None:
    with time_machine.travel(dt.datetime(2026, 3, 28, 12, 0, tzinfo=dt.UTC), tick=False):
        patient = patient_with_exercises()
        row = turn_on(patient, morning=dt.time(1, 30))  # 01:30 does not exist on the 29th
    assert row.next_reminder_at == dt.datetime(2026, 3, 29, 1, 30, tzinfo=dt.UTC)  # 02:30 BST
    sent = tick_every(
        dt.datetime(2026, 3, 29, 0, 0, tzinfo=dt.UTC),
        dt.datetime(2026, 3, 29, 4, 0, tzinfo=dt.UTC),
        dt.timedelta(minutes=10),
    )
    assert local_times(sent, LONDON) == ["Sun 29 02:30"]


def test_a_patient_who_travels_is_reminded_at_eight_where_they_are() -> None:
    with time_machine.travel(dt.datetime(2026, 6, 1, 12, 0, tzinfo=dt.UTC), tick=False):
        patient = patient_with_exercises()
        turn_on(patient)
        # The clinic records the move (or the patient does, on the reminders page).
        patient_services.patient_update(patient=patient, timezone="America/New_York")
    sent = tick_every(
        dt.datetime(2026, 6, 2, 0, 0, tzinfo=dt.UTC),
        dt.datetime(2026, 6, 3, 0, 0, tzinfo=dt.UTC),
        dt.timedelta(minutes=10),
    )
    assert local_times(sent, NEW_YORK) == ["Tue 02 08:00"]  # not 08:00 London (03:00 here)


def test_a_zone_changed_behind_the_schedule_s_back_never_fires_at_the_old_time() -> None:
    patient = reminded_patient(dt.datetime(2026, 6, 1, 12, 0, tzinfo=dt.UTC))
    Patient.objects.filter(pk=patient.pk).update(timezone="America/New_York")  # no signal
    sent = tick_every(
        dt.datetime(2026, 6, 2, 6, 0, tzinfo=dt.UTC),
        dt.datetime(2026, 6, 3, 0, 0, tzinfo=dt.UTC),
        dt.timedelta(minutes=10),
    )
    assert local_times(sent, NEW_YORK) == ["Tue 02 08:00"]


def test_only_on_the_chosen_days_and_not_in_the_quiet_hours() -> None:
    with time_machine.travel(dt.datetime(2026, 6, 1, 12, 0, tzinfo=dt.UTC), tick=False):
        patient = patient_with_exercises()
        turn_on(patient, days=[0, 2, 4], evening=dt.time(19, 0))  # Mon, Wed, Fri
        with pytest.raises(ValidationError) as refused:
            turn_on(
                patient,
                evening=dt.time(19, 0),
                quiet_start=dt.time(18, 0),
                quiet_end=dt.time(7, 0),
            )
    assert "evening" in refused.value.message_dict
    sent = tick_every(
        dt.datetime(2026, 6, 1, 0, 0, tzinfo=dt.UTC),  # Monday
        dt.datetime(2026, 6, 5, 0, 0, tzinfo=dt.UTC),
        dt.timedelta(minutes=30),
    )
    assert local_times(sent, LONDON) == ["Mon 01 19:00", "Wed 03 08:00", "Wed 03 19:00"]


def test_not_when_the_exercises_are_done() -> None:
    patient = reminded_patient(
        dt.datetime(2026, 6, 1, 12, 0, tzinfo=dt.UTC), morning=dt.time(8, 0), evening=dt.time(19, 0)
    )
    morning = dt.datetime(2026, 6, 2, 7, 0, tzinfo=dt.UTC)  # 08:00 BST
    tick_every(morning, morning + dt.timedelta(minutes=30), dt.timedelta(minutes=10))
    with time_machine.travel(morning + dt.timedelta(minutes=30), tick=False):
        exercises_done(patient)
    sent = tick_every(
        morning + dt.timedelta(minutes=30),
        morning + dt.timedelta(hours=14),
        dt.timedelta(minutes=10),
    )
    assert local_times(sent, LONDON) == ["Tue 02 08:00"]  # the evening one was not needed


def test_a_reminder_whose_exercises_were_done_before_it_left_is_cancelled() -> None:
    patient = reminded_patient(dt.datetime(2026, 6, 1, 12, 0, tzinfo=dt.UTC))
    with time_machine.travel(dt.datetime(2026, 6, 2, 7, 0, tzinfo=dt.UTC), tick=False):
        claimed = planning.reminders_due(dt.datetime.now(tz=dt.UTC), enqueue=lambda pk: None)
        exercises_done(patient)
        for pk in claimed:
            tasks.deliver.enqueue(pk)
        run_tasks()
    assert list(Notification.objects.values_list("state", flat=True)) == ["cancelled"]
    assert not mail.outbox


@pytest.mark.parametrize("ending", ["completed", "discharged", "no plan", "reminders off"])
def test_none_after_care_ended_or_the_plan_ended(ending: str) -> None:
    with time_machine.travel(dt.datetime(2026, 6, 1, 12, 0, tzinfo=dt.UTC), tick=False):
        patient = patient_with_exercises()
        turn_on(patient)
        if ending == "completed":
            Plan.objects.filter(patient=patient).update(status=Plan.Status.COMPLETED)
        elif ending == "discharged":
            patient_services.patient_discharge(patient=patient)
        elif ending == "no plan":
            Plan.objects.filter(patient=patient).update(status=Plan.Status.DRAFT)
        else:
            turn_on(patient, enabled=False)
    sent = tick_every(
        dt.datetime(2026, 6, 2, 0, 0, tzinfo=dt.UTC),
        dt.datetime(2026, 6, 3, 0, 0, tzinfo=dt.UTC),
        dt.timedelta(minutes=10),
    )
    assert sent == []


def test_none_for_a_day_whose_only_item_is_advice_to_read() -> None:
    # An education item (stored as a template ships it, once a week) is read, not done: a day
    # with nothing else prescribed has no exercise waiting.
    with time_machine.travel(dt.datetime(2026, 6, 1, 12, 0, tzinfo=dt.UTC), tick=False):
        patient = patient_with_exercises()
        Prescription.objects.filter(phase__plan__patient=patient).update(
            exercise=factories.ExerciseFactory(category=Exercise.Category.EDUCATION),
            sets=1,
            reps=1,
        )
        turn_on(patient)
        assert not planning.exercises_waiting(patient, patient.local_today())
    sent = tick_every(
        dt.datetime(2026, 6, 2, 0, 0, tzinfo=dt.UTC),
        dt.datetime(2026, 6, 3, 0, 0, tzinfo=dt.UTC),
        dt.timedelta(minutes=10),
    )
    assert sent == []


def test_a_tick_late_by_more_than_half_an_hour_sends_nothing_at_the_wrong_time() -> None:
    patient = reminded_patient(dt.datetime(2026, 6, 1, 12, 0, tzinfo=dt.UTC))
    late = dt.datetime(2026, 6, 2, 7, 45, tzinfo=dt.UTC)  # 08:45 BST: the worker was down
    with time_machine.travel(late, tick=False):
        tasks.every_minute.enqueue(late.isoformat())
        run_tasks()
        assert not Notification.objects.exists()
        row = ReminderSettings.objects.get(patient=patient)
        assert row.next_reminder_at == dt.datetime(2026, 6, 3, 7, 0, tzinfo=dt.UTC)


def test_two_workers_or_a_repeated_tick_send_each_reminder_once() -> None:
    patient = reminded_patient(dt.datetime(2026, 6, 1, 12, 0, tzinfo=dt.UTC), channel="both")
    due = dt.datetime(2026, 6, 2, 7, 0, tzinfo=dt.UTC)
    with time_machine.travel(due, tick=False):
        first = planning.reminders_due(due, enqueue=tasks.deliver.enqueue)
        # The same slot read again (as a second worker that read the row before the first
        # moved it on would): the claims are taken.
        ReminderSettings.objects.filter(patient=patient).update(
            next_reminder_at=due, next_slot="morning", next_slot_date=dt.date(2026, 6, 2)
        )
        second = planning.reminders_due(due, enqueue=tasks.deliver.enqueue)
        for pk in first:  # and each delivery job twice
            tasks.deliver.enqueue(pk)
        run_tasks()
    assert len(first) == 2  # email and push
    assert second == []
    assert len(mail.outbox) == 1
    # No browser has turned notifications on yet: recorded, for the patient and clinic to see.
    assert Notification.objects.get(channel="push").state == "expired"


def test_the_unsubscribe_link_sent_to_a_corrected_address_stops_nothing() -> None:
    # The clinic had typed someone else's address; that person got a reminder, then the
    # clinic corrected it. Their email's link must not turn the patient's reminders off.
    patient = reminded_patient(dt.datetime(2026, 6, 1, 12, 0, tzinfo=dt.UTC))
    Patient.objects.filter(pk=patient.pk).update(email="someone-else@example.org")
    tick_at(dt.datetime(2026, 6, 2, 7, 0, tzinfo=dt.UTC))
    [sent] = mail.outbox
    assert sent.to == ["someone-else@example.org"]
    old_link = sent.extra_headers["List-Unsubscribe"].strip("<>")
    patient_services.patient_update(
        patient=Patient.objects.get(pk=patient.pk), email="robin@example.org"
    )
    response = Client().post(urlsplit(old_link).path, {"List-Unsubscribe": "One-Click"})
    assert response.status_code == 200
    row = ReminderSettings.objects.get(patient=patient)
    assert (row.enabled, row.channel) == (True, "email")

    # The link in an email to the right address still works.
    tick_at(dt.datetime(2026, 6, 3, 7, 0, tzinfo=dt.UTC))
    assert mail.outbox[-1].to == ["robin@example.org"]
    link = mail.outbox[-1].extra_headers["List-Unsubscribe"].strip("<>")
    Client().post(urlsplit(link).path, {"List-Unsubscribe": "One-Click"})
    assert not ReminderSettings.objects.get(patient=patient).enabled


def test_a_push_reminder_reaches_the_phone_and_opens_today(push_service: PushService) -> None:
    with time_machine.travel(dt.datetime(2026, 6, 1, 12, 0, tzinfo=dt.UTC), tick=False):
        patient = patient_with_exercises()
        subscribe_browser(push_service, patient.user)
        turn_on(patient, channel="push")
    tick_every(
        dt.datetime(2026, 6, 2, 6, 50, tzinfo=dt.UTC),
        dt.datetime(2026, 6, 2, 7, 10, tzinfo=dt.UTC),
        dt.timedelta(minutes=10),
    )
    assert len(push_service.received) == 1
    received = push_service.received[0]
    assert received.payload == {
        "title": "Your exercises for today",
        "body": "Your exercises for today are waiting for you.",
        "url": "/me/",
        "tag": "reminder",
    }
    # The push service keeps it for a phone that is off only until the reminder's late limit
    # (30 minutes after its time), never hours later (from review: it kept it for two hours).
    assert received.ttl == str(30 * 60)
    assert received.vapid_claims["sub"] == "mailto:ops@example.org"
    assert Notification.objects.get().state == "sent"
    assert not mail.outbox


def test_a_gone_subscription_is_removed_and_email_still_goes_when_chosen(
    push_service: PushService,
) -> None:
    with time_machine.travel(dt.datetime(2026, 6, 1, 12, 0, tzinfo=dt.UTC), tick=False):
        patient = patient_with_exercises()
        subscribe_browser(push_service, patient.user)
        turn_on(patient, channel="both")
    push_service.mode = "gone"
    tick_every(
        dt.datetime(2026, 6, 2, 7, 0, tzinfo=dt.UTC),
        dt.datetime(2026, 6, 2, 7, 10, tzinfo=dt.UTC),
        dt.timedelta(minutes=10),
    )
    states = dict(Notification.objects.values_list("channel", "state"))
    assert states == {"push": "expired", "email": "sent"}
    assert not PushSubscription.objects.exists()
    assert len(mail.outbox) == 1

    # The next day: no browser left; email still goes, push is recorded as expired.
    tick_every(
        dt.datetime(2026, 6, 3, 7, 0, tzinfo=dt.UTC),
        dt.datetime(2026, 6, 3, 7, 10, tzinfo=dt.UTC),
        dt.timedelta(minutes=10),
    )
    assert len(mail.outbox) == 2


def test_a_hanging_push_service_times_out_retries_with_backoff_then_fails(
    push_service: PushService, settings: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    # The fifth try comes 42.5 minutes after the reminder's time, past its 30-minute late
    # limit, which cancels it (see the test after this one); here the limit is longer, so the
    # whole back-off and the failure after it show.
    monkeypatch.setattr(planning.timing, "REMINDER_LATE_LIMIT", dt.timedelta(hours=1))
    settings.NOTIFY_PUSH_TIMEOUT = 0.3
    push_service.mode = "hang"
    push_service.hang_seconds = 1
    start = dt.datetime(2026, 6, 2, 7, 0, tzinfo=dt.UTC)
    with time_machine.travel(start - dt.timedelta(days=1), tick=False):
        patient = patient_with_exercises()
        subscribe_browser(push_service, patient.user)
        turn_on(patient, channel="push")
    attempts = []
    for minutes in (0, 1, 3, 11, 43):  # 30 s, 2, 8, 32 minutes apart
        with time_machine.travel(start + dt.timedelta(minutes=minutes), tick=False):
            if minutes == 0:
                tasks.every_minute.enqueue(start.isoformat())
            run_tasks()
            row = Notification.objects.get()
            attempts.append((row.state, row.attempts))
    assert attempts == [
        ("queued", 1),
        ("queued", 2),
        ("queued", 3),
        ("queued", 4),
        ("failed", 5),
    ]
    assert Notification.objects.get().error == "ReadTimeout"
    assert PushSubscription.objects.exists()  # a slow service is not a gone subscription


def test_a_retry_past_the_reminder_s_late_limit_is_cancelled_not_sent(
    push_service: PushService,
) -> None:
    """(from review) The late limit was checked only when the reminder was queued: a retry
    42.5 minutes after its time went out. It is checked at every try now."""
    start = dt.datetime(2026, 6, 2, 7, 0, tzinfo=dt.UTC)
    with time_machine.travel(start - dt.timedelta(days=1), tick=False):
        patient = patient_with_exercises()
        subscribe_browser(push_service, patient.user)
        turn_on(patient, channel="push")
    push_service.mode = "error"
    for seconds in (0, 30, 150, 630):  # 30 s, 2 and 8 minutes apart
        with time_machine.travel(start + dt.timedelta(seconds=seconds), tick=False):
            if seconds == 0:
                tasks.every_minute.enqueue(start.isoformat())
            run_tasks()
    assert Notification.objects.get().state == "queued"
    push_service.mode = "ok"  # back up for the fifth try, 32 minutes later: 07:42:30
    with time_machine.travel(start + dt.timedelta(seconds=2550), tick=False):
        run_tasks()
    assert push_service.received == []
    row = Notification.objects.get()
    assert (row.state, row.error) == ("cancelled", "too late (more than 30 minutes after its time)")


def evening_reminder_before_quiet_hours(push_service: PushService, start: dt.datetime) -> None:
    """The day before ``start``: a patient with exercises, subscribed to push, with an evening
    reminder at 20:50 and quiet hours from 21:00 to 07:00."""
    with time_machine.travel(start - dt.timedelta(days=1), tick=False):
        patient = patient_with_exercises()
        subscribe_browser(push_service, patient.user)
        turn_on(
            patient,
            channel="push",
            morning=None,
            evening=dt.time(20, 50),
            quiet_start=dt.time(21, 0),
            quiet_end=dt.time(7, 0),
        )


def test_a_push_reminder_is_not_kept_for_a_phone_that_is_off_into_the_quiet_hours(
    push_service: PushService,
) -> None:
    """(from review) The push service was told to keep a reminder for two hours for a phone
    that is off: sent at 20:50, it reached a phone switched on at 22:00, inside the quiet
    hours (21:00-07:00) and over an hour late. It is kept until the quiet hours begin."""
    start = dt.datetime(2026, 6, 2, 20, 50, tzinfo=LONDON)
    evening_reminder_before_quiet_hours(push_service, start)
    tick_at(start)
    [received] = push_service.received
    assert received.ttl == str(10 * 60)  # until 21:00


def test_a_lost_reminder_job_picked_up_in_the_quiet_hours_is_cancelled(
    push_service: PushService,
) -> None:
    """(from review) A queued reminder whose job was lost was queued again by the scheduler
    as it was, inside the patient's quiet hours; it is cancelled, saying why."""
    start = dt.datetime(2026, 6, 2, 20, 50, tzinfo=LONDON)
    evening_reminder_before_quiet_hours(push_service, start)
    with time_machine.travel(start, tick=False):
        planning.reminders_due(start, enqueue=lambda pk: None)  # claimed; its job is lost
    assert Notification.objects.get().state == "queued"
    tick_at(start + dt.timedelta(minutes=11))  # 21:01: stuck for ten minutes, now quiet
    assert push_service.received == []
    row = Notification.objects.get()
    assert (row.state, row.error) == ("cancelled", "in the patient's quiet hours")


def test_a_retried_reminder_is_not_delivered_inside_the_quiet_hours(
    push_service: PushService,
) -> None:
    """(from review) A reminder whose first sends hit a temporary fault was retried with a
    back-off (30 s, 2, 8, 32 min) that took no notice of the patient's quiet hours: it
    arrived after the quiet hours began."""
    # Evening reminder at 20:50, quiet from 21:00 to 07:00 (London, summer time).
    start = dt.datetime(2026, 6, 2, 20, 50, tzinfo=LONDON)
    evening_reminder_before_quiet_hours(push_service, start)
    push_service.mode = "error"  # the push service answers 500 for a while
    for seconds in (0, 30, 150):  # first try, then back-offs of 30 s and 2 min
        with time_machine.travel(start + dt.timedelta(seconds=seconds), tick=False):
            if seconds == 0:
                tasks.every_minute.enqueue(start.isoformat())
            run_tasks()
    assert Notification.objects.get().state == "queued"
    push_service.mode = "ok"  # back up; the next attempt comes 8 minutes later: 21:00:30
    with time_machine.travel(start + dt.timedelta(seconds=630), tick=False):
        run_tasks()
    assert push_service.received == [], (
        "the reminder arrived at 21:00:30, inside the patient's quiet hours (21:00-07:00)"
    )
    assert Notification.objects.get().state != "sent"


@pytest.mark.parametrize("how", ["turned off", "unsubscribed by email", "push only now"])
def test_a_reminder_retried_after_the_patient_opted_out_is_cancelled(how: str) -> None:
    """(from review) Whether the patient still wants the reminder was asked only when it was
    queued: one whose first send hit a fault (the mail server down) went out on its retry
    minutes after the patient turned reminders off, or unsubscribed from the emails."""
    start = dt.datetime(2026, 6, 2, 7, 0, tzinfo=dt.UTC)
    with time_machine.travel(start - dt.timedelta(days=1), tick=False):
        patient = patient_with_exercises()
        turn_on(patient, channel="email")
    with time_machine.travel(start, tick=False):
        with mock.patch.object(channels, "send_email", return_value=Result(Outcome.RETRY)):
            tick_at(start)
        assert Notification.objects.get().state == "queued"  # again in 30 seconds
        if how == "turned off":
            turn_on(patient, channel="email", enabled=False)
        elif how == "push only now":
            turn_on(patient, channel="push")
        else:
            link = unsubscribe_link(Notification.objects.get())
            assert Client().post(link).status_code == 200
    with time_machine.travel(start + dt.timedelta(seconds=30), tick=False):
        run_tasks()
    assert not mail.outbox
    row = Notification.objects.get()
    assert (row.state, row.error) == ("cancelled", "the patient turned these off")


def test_the_reminder_email_links_to_the_patient_s_reminder_settings() -> None:
    """(from review) It said "Change its times in the app, under Account, Reminders." with no
    link, and the account page has no item of that name ("Exercise reminders and replies from
    the clinic"): the email links to the settings page itself."""
    reminded_patient(dt.datetime(2026, 6, 1, 12, 0, tzinfo=dt.UTC))
    tick_at(dt.datetime(2026, 6, 2, 7, 0, tzinfo=dt.UTC))
    [email] = mail.outbox
    settings_url = content.absolute(reverse("notify:reminders"))
    assert f"Change your settings: {settings_url}" in email.body
    assert f'href="{settings_url}"' in email.alternatives[0].content
    assert "under Account, Reminders" not in email.body


def test_a_red_flag_stops_exercise_reminders_until_the_plan_is_resumed() -> None:
    """A red flag pauses the plan (exercise waits for a clinician's review): no reminder to
    exercise meanwhile, the one already queued included."""
    patient = reminded_patient(dt.datetime(2026, 6, 1, 12, 0, tzinfo=dt.UTC), evening=None)
    due = dt.datetime(2026, 6, 2, 7, 0, tzinfo=dt.UTC)
    with time_machine.travel(due, tick=False):
        claimed = planning.reminders_due(due, enqueue=lambda pk: None)
        factories.red_flags_reported(patient, "dvt")
        assert Plan.objects.get(patient=patient).status == Plan.Status.PAUSED
        for pk in claimed:
            tasks.deliver.enqueue(pk)
        run_tasks()
    assert Notification.objects.get(kind="reminder").state == "cancelled"
    sent = tick_every(
        due + dt.timedelta(days=1), due + dt.timedelta(days=3), dt.timedelta(minutes=30)
    )
    assert [n.state for n in sent] == ["cancelled"]  # the one of the red flag's day
    assert not [m for m in mail.outbox if patient.email in m.to]  # the clinic's alert only


def test_without_push_keys_a_saved_push_choice_goes_as_the_page_shows_it(settings: Any) -> None:
    # Chosen while the server sent web push; then it runs without the VAPID keys ("without
    # them notifications go by email only"). The reminders page shows the reminder choice as
    # "An email" and a reply notice by push alone as "Off", but the reminders still went by
    # push, failed each time ("push is not configured"), and no email ever came.
    with time_machine.travel(dt.datetime(2026, 6, 1, 12, 0, tzinfo=dt.UTC), tick=False):
        patient = patient_with_exercises()
        turn_on(patient, channel="push", replies="both")
    settings.VAPID_PUBLIC_KEY = settings.VAPID_PRIVATE_KEY = ""
    assert patient.user is not None
    client = Client()
    client.force_login(patient.user)
    page = client.get(reverse("notify:reminders")).content.decode()
    assert re.search(r'name="channel" value="email"[^>]*checked', page)
    sent = tick_every(
        dt.datetime(2026, 6, 2, 6, 50, tzinfo=dt.UTC),
        dt.datetime(2026, 6, 2, 7, 10, tzinfo=dt.UTC),
        dt.timedelta(minutes=10),
    )
    assert [(n.channel, n.state) for n in sent] == [("email", "sent")]
    assert len(mail.outbox) == 1
