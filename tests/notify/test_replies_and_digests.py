"""Replies noticed: the patient hears of the clinic's reply (their choice), once for a run of
replies; clinicians get a digest of unread patient messages at the clinic's time."""

from __future__ import annotations

import datetime as dt
import zoneinfo
from typing import Any
from unittest import mock

import pytest
import time_machine
from django.core import mail

from clinic.models import Message, Patient
from clinic.services import messages as message_services
from notify import channels
from notify import services as notify_services
from notify.channels import Outcome, Result
from notify.models import Notification
from tests import factories
from tests.notify.helpers import cancelled_at_the_retry, run_tasks, subscribe_browser, tick_at
from tests.notify.push_service import PushService
from tests.notify.test_reminders import patient_with_exercises

pytestmark = pytest.mark.django_db

LONDON = zoneinfo.ZoneInfo("Europe/London")
TUESDAY_11 = dt.datetime(2026, 6, 9, 11, 0, tzinfo=LONDON)


def reply(patient: Patient, clinician: Any, body: str = "Yes, that is normal.") -> Message:
    message, _created = message_services.message_send(
        patient=patient, author=clinician.user, body=body, from_patient=False
    )
    return message


@pytest.fixture
def people() -> dict[str, Any]:
    clinician = factories.ClinicianFactory()
    patient = factories.PatientFactory(clinic=clinician.clinic, first_name="Noah")
    return {"clinician": clinician, "patient": patient}


def test_the_patient_hears_of_a_reply_once_by_the_channel_they_chose(
    people: dict[str, Any], push_service: PushService
) -> None:
    patient = people["patient"]
    subscribe_browser(push_service, patient.user)
    notify_services.reminder_settings_save(patient=patient, replies="both")
    with time_machine.travel(TUESDAY_11, tick=False):
        reply(patient, people["clinician"])
        reply(patient, people["clinician"], "And keep the leg raised in the evening.")
        run_tasks()
        assert not mail.outbox  # a minute's grace: the patient may be reading already
    with time_machine.travel(TUESDAY_11 + dt.timedelta(minutes=2), tick=False):
        run_tasks()
    assert len(mail.outbox) == 1  # two replies, one notice
    email = mail.outbox[0]
    assert email.to == [patient.email]
    assert "normal" not in email.body
    assert "leg" not in email.body
    assert "/me/messages/" in email.body
    assert [r.payload["url"] for r in push_service.received] == ["/me/messages/"]


def test_no_notice_when_off_or_already_read(people: dict[str, Any]) -> None:
    patient = people["patient"]
    with time_machine.travel(TUESDAY_11, tick=False):
        reply(patient, people["clinician"])  # replies notices are off by default
        notify_services.reminder_settings_save(patient=patient, replies="email")
        read = reply(patient, people["clinician"], "Read at once")
        Message.objects.filter(pk=read.pk).update(read_at=TUESDAY_11)
        Message.objects.exclude(pk=read.pk).update(read_at=TUESDAY_11)
    with time_machine.travel(TUESDAY_11 + dt.timedelta(minutes=2), tick=False):
        run_tasks()
    assert not mail.outbox
    assert not Notification.objects.exists()


def test_a_reply_in_the_quiet_hours_waits_for_their_end(people: dict[str, Any]) -> None:
    patient = people["patient"]
    notify_services.reminder_settings_save(
        patient=patient, replies="email", quiet_start=dt.time(21, 0), quiet_end=dt.time(7, 0)
    )
    late = dt.datetime(2026, 6, 9, 22, 30, tzinfo=LONDON)
    with time_machine.travel(late, tick=False):
        reply(patient, people["clinician"])
    with time_machine.travel(late + dt.timedelta(minutes=5), tick=False):
        run_tasks()
        assert not mail.outbox
    with time_machine.travel(dt.datetime(2026, 6, 10, 7, 1, tzinfo=LONDON), tick=False):
        run_tasks()
    assert len(mail.outbox) == 1


def test_a_patient_s_own_message_tells_them_nothing(people: dict[str, Any]) -> None:
    notify_services.reminder_settings_save(patient=people["patient"], replies="email")
    with time_machine.travel(TUESDAY_11, tick=False):
        factories.MessageFactory(patient=people["patient"])
    with time_machine.travel(TUESDAY_11 + dt.timedelta(minutes=2), tick=False):
        run_tasks()
    assert not mail.outbox


def digest_ticks(day: dt.date) -> None:
    for minute in range(0, 60, 5):
        moment = dt.datetime.combine(day, dt.time(16, minute), tzinfo=LONDON)
        tick_at(moment)


def test_the_daily_digest_of_unread_messages_at_the_clinic_s_time(
    people: dict[str, Any],
) -> None:
    clinic = people["clinician"].clinic  # digest at 16:00 (the default), open weekdays
    colleague = factories.ClinicianFactory(clinic=clinic)
    other_clinic = factories.ClinicianFactory()
    second = factories.PatientFactory(clinic=clinic, first_name="Mia", last_name="Private")
    notify_services.clinician_preferences_save(
        clinician=colleague, alert_emails=True, digest_emails=False
    )
    with time_machine.travel(TUESDAY_11, tick=False):
        factories.MessageFactory(patient=people["patient"], body="Swollen ankle, is it bad?")
        factories.MessageFactory(patient=second)
    digest_ticks(dt.date(2026, 6, 9))

    assert [m.to for m in mail.outbox] == [[people["clinician"].user.email]]
    email = mail.outbox[0]
    assert "Noah" in email.body
    assert "Mia" in email.body
    assert "Private" not in email.body
    assert "Swollen" not in email.body
    assert other_clinic.user.email not in str([m.to for m in mail.outbox])

    digest_ticks(dt.date(2026, 6, 13))  # Saturday: the clinic is closed
    assert len(mail.outbox) == 1
    Message.objects.update(read_at=TUESDAY_11)
    digest_ticks(dt.date(2026, 6, 15))  # Monday, nothing unread: no digest
    assert len(mail.outbox) == 1


def test_the_digest_s_subject_counts_one_patient_in_the_singular(
    people: dict[str, Any],
) -> None:
    with time_machine.travel(TUESDAY_11, tick=False):
        factories.MessageFactory(patient=people["patient"])
    digest_ticks(dt.date(2026, 6, 9))

    [email] = mail.outbox
    assert email.subject.startswith("Unread messages from 1 patient –")


def test_a_push_reply_notice_is_not_kept_for_a_phone_that_is_off_into_the_quiet_hours(
    push_service: PushService,
) -> None:
    """(from review) The push service was told to keep a reply notice for a day for a phone
    that is off: sent at 20:51, it reached a phone switched on at 23:00, inside the quiet
    hours (21:00-07:00). It is kept until the quiet hours begin."""
    written = dt.datetime(2026, 6, 2, 20, 50, tzinfo=LONDON)
    with time_machine.travel(written - dt.timedelta(days=1), tick=False):
        patient = factories.PatientFactory()
        subscribe_browser(push_service, patient.user)
        notify_services.reminder_settings_save(
            patient=patient, replies="push", quiet_start=dt.time(21, 0), quiet_end=dt.time(7, 0)
        )
        therapist = factories.ClinicianFactory(clinic=patient.clinic)
    with time_machine.travel(written, tick=False):
        message_services.message_send(
            patient=patient, author=therapist.user, body="See you Monday.", from_patient=False
        )
    with time_machine.travel(written + dt.timedelta(minutes=1), tick=False):  # 20:51
        run_tasks()
    [received] = push_service.received
    assert received.ttl == str(9 * 60)  # until 21:00


def test_a_retried_reply_notice_is_not_delivered_inside_the_quiet_hours(
    push_service: PushService,
) -> None:
    """(from review) A reply notice whose first sends hit a temporary fault was retried with
    a back-off that took no notice of the patient's quiet hours: it arrived after they
    began."""
    written = dt.datetime(2026, 6, 2, 20, 50, tzinfo=LONDON)
    with time_machine.travel(written - dt.timedelta(days=1), tick=False):
        patient = patient_with_exercises()
        subscribe_browser(push_service, patient.user)
        notify_services.reminder_settings_save(
            patient=patient,
            enabled=False,
            replies="push",
            quiet_start=dt.time(21, 0),
            quiet_end=dt.time(7, 0),
        )
        therapist = factories.ClinicianFactory(clinic=patient.clinic)
    with time_machine.travel(written, tick=False):
        message_services.message_send(
            patient=patient, author=therapist.user, body="See you Monday.", from_patient=False
        )
    push_service.mode = "error"
    start = written + dt.timedelta(minutes=1)  # the reply job waits a minute
    for seconds in (0, 30, 150):
        with time_machine.travel(start + dt.timedelta(seconds=seconds), tick=False):
            run_tasks()
    assert Notification.objects.get(kind="reply").state == "queued"
    push_service.mode = "ok"
    with time_machine.travel(start + dt.timedelta(seconds=630), tick=False):  # 21:01:30
        run_tasks()
    assert push_service.received == [], (
        "the reply notice arrived at 21:01:30, inside the patient's quiet hours (21:00-07:00)"
    )
    row = Notification.objects.get(kind="reply")
    assert row.state == "queued"  # it waits for the end of the quiet hours
    morning = dt.datetime(2026, 6, 3, 7, 0, tzinfo=LONDON)
    assert row.next_attempt_at == morning
    with time_machine.travel(morning, tick=False):
        run_tasks()
    assert len(push_service.received) == 1
    assert Notification.objects.get(kind="reply").state == "sent"


def test_a_reply_notice_retried_after_the_patient_turned_them_off_is_cancelled(
    people: dict[str, Any],
) -> None:
    """(from review) A reply notice whose first send hit a fault went out on its retry after
    the patient had turned reply notices off."""
    patient = people["patient"]
    notify_services.reminder_settings_save(patient=patient, replies="email")
    with time_machine.travel(TUESDAY_11, tick=False):
        reply(patient, people["clinician"])
    with (
        time_machine.travel(TUESDAY_11 + dt.timedelta(minutes=1), tick=False),
        mock.patch.object(channels, "send_email", return_value=Result(Outcome.RETRY)),
    ):
        run_tasks()
    cancelled_at_the_retry(patient, "reply", TUESDAY_11 + dt.timedelta(minutes=2), replies="off")


def test_a_digest_retried_after_the_clinician_turned_it_off_is_cancelled(
    people: dict[str, Any],
) -> None:
    """(from review) As a patient's notices: the digest whose first send hit a fault went out
    on its retry after the clinician had turned the digest off."""
    clinician = people["clinician"]
    with time_machine.travel(TUESDAY_11, tick=False):
        factories.MessageFactory(patient=people["patient"])
    with mock.patch.object(channels, "send_email", return_value=Result(Outcome.RETRY)):
        tick_at(dt.datetime(2026, 6, 9, 16, 0, tzinfo=LONDON))
    assert Notification.objects.get(kind="digest").state == "queued"
    notify_services.clinician_preferences_save(
        clinician=clinician, alert_emails=True, digest_emails=False
    )
    with time_machine.travel(dt.datetime(2026, 6, 9, 16, 1, tzinfo=LONDON), tick=False):
        run_tasks()
    assert not mail.outbox
    row = Notification.objects.get(kind="digest")
    assert (row.state, row.error) == ("cancelled", "the clinician turned the digest off")
